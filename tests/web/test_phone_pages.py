"""The board, a proposal and the site's pages on a 390-px phone in Chromium: nothing cut off
at the side (every address and phone number inside the screen), the menu inside its bar,
and axe-core's WCAG 2.1 AA checks (contrast included) passing. The same pages at 1280 px
stay clean too; screenshots of both go to ``tests/web/screenshots``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from service.db.tables import ProposalRow
from tests.service.svc_helpers import sessions_of
from tests.web.web_helpers import PASSWORD, WebSeed, assert_accessible

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh browser context the size of a phone's screen."""
    context = browser.new_context(
        base_url=base_url, bypass_csp=True, viewport=PHONE, locale="fi-FI", is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Kirjaudu", exact=True).click()
    page.wait_for_url(lambda url: "/login" not in url)


def fits(page: Any, name: str, texts: tuple[str, ...] = ()) -> None:
    """No horizontal scrolling; each of ``texts`` wholly on the screen; the menu inside the
    header; axe finds no WCAG A/AA violation."""
    width = page.viewport_size["width"]
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{name}: the page is {scroll} px wide on a {width}-px screen"
    for text in texts:
        found = page.locator("main").get_by_text(text, exact=False).locator("visible=true").first
        box = found.bounding_box()
        assert box is not None, f"{name}: '{text}' is not shown"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (name, text, box)
    header = page.locator("header.top").bounding_box()
    for link in page.locator("header.top nav a").all():
        box = link.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= header["x"] + header["width"] + 0.5, (name, box)
        assert box["y"] + box["height"] <= header["y"] + header["height"] + 0.5, (name, box)
    assert_accessible(page, name)


def _accept_c1(app: Any, web_seed: WebSeed) -> None:
    """The coordinator's decision that lets the site see Aino (C1) at P1."""
    with sessions_of(app)() as session:
        row = session.get(ProposalRow, web_seed.proposals["C1"])
        assert row is not None
        row.status, row.decided_by, row.reason_code = "accepted", "kaisa", "client_agreed"
        session.commit()


@pytest.mark.parametrize("size", ["phone", "wide"])
def test_board_proposal_and_site_pages_fit_and_pass_axe(
    size: str, phone: Any, page: Any, app: Any, web_seed: WebSeed, database_url: str
) -> None:
    kind = database_url.split(":")[0].split("+")[0]
    screen = phone if size == "phone" else page
    contact = ("Keittiökuja 3, 90100 Oulu", "+358 000 100 200")
    sign_in(screen, "kaisa")
    screen.goto("/coordinator/board")
    fits(screen, f"phone-board-{size}-{kind}", contact)
    screen.goto(f"/coordinator/proposals/{web_seed.proposals['C1']}")
    fits(screen, f"phone-proposal-{size}-{kind}", (*contact, "keittio@oulu.example"))
    _accept_c1(app, web_seed)
    screen.context.clear_cookies()
    sign_in(screen, "kalle")
    for path in ("placements", "clients", "confirmations"):
        screen.goto(f"/municipality/{path}")
        shown = ("Keittiökuja 3",) if path == "placements" else ()
        if path == "clients":
            shown = ("Aino A", "+358 40 111")
        fits(screen, f"phone-muni-{path}-{size}-{kind}", shown)


def test_a_note_typed_as_the_session_ends_survives_signing_in(
    page: Any, app: Any, web_seed: WebSeed
) -> None:
    """Chromium: the session runs out while a note is typed; the sign-in page says so, and
    after signing in the note is offered again, filled, and saved with one click."""
    from datetime import timedelta

    from sqlalchemy import select

    from service.db.accounts import WebSessionRow
    from service.db.tables import utcnow

    sign_in(page, "kaisa")
    proposal = web_seed.proposals["C3"]
    page.goto(f"/coordinator/proposals/{proposal}")
    with sessions_of(app)() as session:
        for row in session.scalars(select(WebSessionRow)):
            row.last_seen = utcnow() - timedelta(minutes=31)
        session.commit()
    note = "Asiakas soittaa torstaina klo 10; sovitaan tapaaminen."
    page.fill("#pending-note", note)
    page.locator("form[action$='/pending'] button").click()
    assert "Istuntosi päättyi" in page.locator("main").inner_text()
    page.fill("#username", "kaisa")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Kirjaudu", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Lähetä lomake uudelleen"
    assert page.locator("textarea").input_value() == note
    page.get_by_role("button", name="Lähetä uudelleen").click()
    page.wait_for_url(f"**/coordinator/proposals/{proposal}?done=pending")
    assert "Ehdotus jätetty odottamaan." in page.locator("main").inner_text()
    with sessions_of(app)() as session:
        row = session.get(ProposalRow, proposal)
        assert row is not None and row.pending_note == note
