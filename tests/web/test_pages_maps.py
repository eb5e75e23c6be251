"""The maps: drawn on the server from the county's coordinates, nothing fetched; every marker
a labelled link to its row in the list beside the map."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.db.tables import PlacementRow
from service.web.maps import HEIGHT, WIDTH, Point, draw
from tests.service.svc_helpers import sessions_of
from tests.web.test_sign_in import sign_in
from tests.web.web_helpers import WebSeed

MARKER = re.compile(r'<a href="#([^"]+)" class="marker m-(\w+)" aria-label="([^"]+)">')


def test_points_land_inside_the_drawing_and_north_is_up() -> None:
    oulu = Point("P1", "Oulu", 65.01, 25.47)
    ii = Point("P2", "Ii", 65.32, 25.37)
    drawn = draw([oulu, ii], [("Oulu", 65.01, 25.47), ("Helsinki", 60.17, 24.94)])
    assert drawn is not None
    by_key = {m.point.key: m for m in drawn.markers if m.point}
    for m in drawn.markers:
        assert 0 <= m.x <= WIDTH and 0 <= m.y <= HEIGHT
    assert by_key["P2"].y < by_key["P1"].y  # Ii is north of Oulu
    assert [t.name for t in drawn.towns] == ["Oulu"]  # far-away towns are left out
    assert draw([], [("Oulu", 65.0, 25.5)]) is None
    (single,) = draw([oulu], []).markers  # type: ignore[union-attr]
    assert 0 < single.x < WIDTH and 0 < single.y < HEIGHT


def test_a_home_square_is_drawn_beside_the_placement_it_would_hide() -> None:
    """The client's home municipality is often the proposed placement's: the square moves
    up and left with a line to where it belongs; a home elsewhere stays where it is."""
    kitchen = Point("P1", "Oulu kitchen", 65.01, 25.47, kind="proposed")
    park = Point("P2", "Ii park", 65.32, 25.37)
    same = Point("home", "Oulu (home)", 65.01, 25.47, kind="home")
    drawn = draw([same, kitchen, park], [])
    assert drawn is not None
    by_key = {m.point.key: m for m in drawn.markers if m.point}
    home, dot = by_key["home"], by_key["P1"]
    assert home.lead == (dot.x, dot.y)
    assert abs(home.x - dot.x) >= 14 and abs(home.y - dot.y) >= 14
    assert drawn.markers[-1] is home  # drawn last, on top
    apart = draw([Point("home", "Ii (home)", 65.32, 25.37, kind="home"), kitchen], [])
    assert apart is not None
    (far,) = [m for m in apart.markers if m.point and m.point.kind == "home"]
    assert far.lead is None


def test_the_municipality_page_maps_its_open_placements(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    with sessions_of(app)() as session:
        row = session.get(PlacementRow, "P2")
        assert row is not None
        row.closed = True
        session.commit()
    sign_in(client, "kalle")
    html = client.get("/municipality/placements").text
    markers = MARKER.findall(html)
    assert [(anchor, kind) for anchor, kind, _label in markers] == [("place-P1", "placement")]
    assert 'id="place-P1"' in html and "<svg" in html and "http" not in html.split("<svg")[1][:4000]
    assert 'aria-labelledby="placements-map-cap"' in html


def test_the_proposal_page_maps_the_placement_alternatives_and_home(
    client: TestClient, web_seed: WebSeed
) -> None:
    sign_in(client, "kaisa")
    html = client.get(f"/coordinator/proposals/{web_seed.proposals['C1']}").text
    markers = MARKER.findall(html)
    kinds = {kind for _anchor, kind, _label in markers}
    assert kinds == {"proposed", "alternative", "home"}
    for anchor, _kind, label in markers:
        assert f'<li id="{anchor}">{label}</li>' in html
    assert any(label.startswith("Asiakkaan kotikunta: ") for _a, _k, label in markers)
