"""Issue 20 on the pages: people told apart and named, times in Finnish time, the week's
unplaced clients with the engine's reasons, and the purpose asked for a client outside the
caseload."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

import matching
from matching.explain.documents import Message
from matching.explain.messages import render_text
from service.db.tables import (
    AuditRow,
    ClientPersonalRow,
    ClientRow,
    PlacementRow,
    ProposalRow,
    RunRow,
)
from service.jobs import explain_clients
from service.web.i18n import Texts
from tests.service.svc_helpers import county, sessions_of
from tests.web.test_sign_in import csrf_of, sign_in
from tests.web.web_helpers import WebSeed

TWINS = "Noora Heikkilä"


def visible(html: str) -> str:
    """The page's text with tags removed, white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def name_twins(app: FastAPI) -> None:
    """C3 (27) and C4 (55), both of Oulu, both called Noora Heikkilä."""
    with sessions_of(app)() as session:
        for cid in ("C3", "C4"):
            row = session.get(ClientPersonalRow, cid)
            assert row is not None
            row.display_name = TWINS
            row.shared_fields = ["display_name"]
        session.commit()


def test_times_are_finnish_time_in_finnish_form() -> None:
    moment = dt.datetime(2026, 12, 8, 3, 21, tzinfo=dt.UTC)
    assert Texts("fi").date(moment) == "8.12.2026 5.21"
    assert Texts("fi").date(moment.replace(tzinfo=None)) == "8.12.2026 5.21"  # SQLite's
    summer = dt.datetime(2026, 7, 1, 21, 5)
    assert Texts("sv").date(summer) == "2.7.2026 0.05"
    assert Texts("fi").date(dt.date(2026, 1, 5)) == "5.1.2026"


def test_twins_are_told_apart_on_the_board_list_and_proposal(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    name_twins(app)
    sign_in(client, "kaisa")
    board = visible(client.get("/coordinator/board").text)
    assert f"{TWINS} (27 v., Oulu)" in board and f"{TWINS} (55 v., Oulu)" in board
    listed = visible(client.get("/coordinator/clients").text)
    assert f"{TWINS} (27 v., Oulu)" in listed and f"{TWINS} (55 v., Oulu)" in listed
    page = visible(client.get(f"/coordinator/proposals/{web_seed.proposals['C4']}").text)
    assert f"{TWINS} (55 v., Oulu)" in page
    record = visible(client.get("/coordinator/clients/C4").text)
    assert f"{TWINS} (55 v., Oulu)" in record and "Kotikunta Oulu" in record and "564" not in record
    # A client born on a known day is told by the birth year.
    with sessions_of(app)() as session:
        row = session.get(ClientRow, "C3")
        assert row is not None
        attributes = {k: v for k, v in row.attributes.items() if k != "age"}
        row.attributes = {**attributes, "birth_date": "1999-03-04"}
        session.commit()
    board = visible(client.get("/coordinator/board").text)
    assert f"{TWINS} (s. 1999, Oulu)" in board and f"{TWINS} (55 v., Oulu)" in board


def test_a_decision_shows_who_by_name_and_when_in_finnish_time(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    sign_in(client, "kaisa")
    proposal = web_seed.proposals["C3"]
    token = csrf_of(client.get(f"/coordinator/proposals/{proposal}").text)
    client.post(f"/coordinator/proposals/{proposal}/accept", data={"csrf": token})
    with sessions_of(app)() as session:
        row = session.get(ProposalRow, proposal)
        assert row is not None and row.decided_at is not None and row.decided_by == "kaisa"
        when = Texts("fi").date(row.decided_at)
    page = visible(client.get(f"/coordinator/proposals/{proposal}").text)
    assert f"Kaisa Koordinaattori, {when}" in page and "· kaisa" not in page


def _unplaced_run(app: FastAPI) -> tuple[int, dict[str, Any]]:
    """The run's unplaced clients and the engine's explanations of them, from the engine
    itself on the tiny county with one seat a placement and C4 travelling 10 minutes at most:
    C4 is left out (two placements too far, the third full)."""
    problem = county()
    problem = problem.model_copy(
        update={
            "placements": tuple(p.model_copy(update={"seats": 1}) for p in problem.placements),
            "clients": tuple(
                c.model_copy(update={"max_travel_minutes": 10}) if c.id == "C4" else c
                for c in problem.clients
            ),
        }
    )
    result = matching.allocate(problem)
    assert "C4" in result.unassigned
    explained = explain_clients(problem, result)
    with sessions_of(app)() as session:
        run = session.scalars(select(RunRow).order_by(RunRow.id.desc())).first()
        assert run is not None
        run.unassigned = list(result.unassigned)
        run.unassigned_explanations = {c: explained[c] for c in result.unassigned}
        run.explanation_status = "ready"
        session.commit()
        return run.id, explained


def _sentence(raw: dict[str, Any], names: dict[str, str]) -> str:
    text = render_text(Message.model_validate(raw), "fi", names).coordinator
    for pid, name in names.items():
        text = text.replace(f"{name} ({pid})", name)
    return " ".join(text.split())


def test_the_boards_unplaced_list_matches_the_engines_json(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    run_id, _ = _unplaced_run(app)
    name_twins(app)
    engine = client.get(f"/runs/{run_id}/unassigned", headers=web_seed.base.h("coordinator")).json()
    assert engine and set(engine) <= {"C1", "C2", "C3", "C4"}
    with sessions_of(app)() as session:
        names = {
            pid: f"{a.get('department')}, {org}"
            for pid, a, org in session.execute(
                select(PlacementRow.id, PlacementRow.attributes, PlacementRow.organisation_id)
            )
        }
        orgs = {"O1": "Oulu catering", "O2": "Ii association"}
        names = {pid: f"{n.split(', ')[0]}, {orgs[n.split(', ')[1]]}" for pid, n in names.items()}
    sign_in(client, "kaisa")
    html = client.get("/coordinator/board").text
    section = html.split('id="unplaced"', 1)[1]
    items = re.findall(r'<li class="unplaced-item".*?</details>', section, re.S)
    # One item per unplaced client of the caseload (all four are kaisa's), each named.
    assert len(items) == len(engine)
    labels = {
        "C1": "Aino A (24 v., Oulu)",
        "C2": "Bertta B (40 v., Oulu)",
        "C3": f"{TWINS} (27 v., Oulu)",
        "C4": f"{TWINS} (55 v., Oulu)",
    }
    by_client = {cid: next(i for i in items if labels[cid] in visible(i)) for cid in engine}
    for cid, item in engine.items():
        text = visible(by_client[cid])
        for message in item["messages"]:
            assert _sentence(message, names) in text
        counted = sorted(
            (r for r in item["excluded"] if r["placements"] > 0), key=lambda r: -r["placements"]
        )
        excluded = re.findall(r'<ul class="excluded">(.*?)</ul>', by_client[cid], re.S)
        rules = re.findall(r"<li[^>]*>(.*?)</li>", excluded[0], re.S) if excluded else []
        assert [visible(r) for r in rules] == [_sentence(r["message"], names) for r in counted]
        for alternative in item["alternatives"][:2]:
            assert names[alternative["placement"]] in text
            for reason in alternative["reasons"]:
                if reason["code"].startswith("blocked."):
                    assert f"{reason['params']['used']}/{reason['params']['capacity']}" in text
    c4 = visible(by_client["C4"])
    assert "matka-aika" in c4 and "2 paikkaa" in c4  # the two placements too far
    shown = [visible(i) for i in items]
    # No id, no English: other clients holding the seats are counted, not listed.
    every = " ".join(shown)
    assert not re.search(r"(?<!Dept )\b(C[1-4]|P[1-3])\b", every), every
    assert "paikoilla 1 muu asiakas" in every
    with sessions_of(app)() as session:
        logged = session.scalars(
            select(AuditRow).where(AuditRow.resource == "unassigned").order_by(AuditRow.id)
        ).all()
        assert logged and set((logged[-1].detail or {})["client_ids"]) == set(engine)
    # The client record says the same, not only "no running period".
    record = visible(client.get("/coordinator/clients/C4").text)
    assert "Ei ehdotusta viikolle 5.1.2026." in record
    assert c4.split("(55 v., Oulu) ", 1)[1] in record


def test_a_client_outside_the_caseload_asks_the_purpose_and_audits_it(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    with sessions_of(app)() as session:
        from service.db.accounts import UserRow

        kaisa = session.scalar(select(UserRow).where(UserRow.username == "kaisa"))
        assert kaisa is not None
        kaisa.caseload = ["C1", "C2"]
        session.commit()
    sign_in(client, "kaisa")
    own = client.get("/coordinator/clients/C1")
    assert own.status_code == 200 and "Aino A" in own.text
    for url in ("/coordinator/clients/C3", f"/coordinator/proposals/{web_seed.proposals['C3']}"):
        asked = client.get(url)
        assert asked.status_code == 403 and "Cecilia C" not in asked.text
        assert "Miksi tarvitset" in asked.text and 'name="purpose"' in asked.text
    purpose = "Sijaistan Mattia tällä viikolla"
    shown = client.get("/coordinator/clients/C3", params={"purpose": purpose})
    assert shown.status_code == 200 and "Cecilia C" in shown.text
    # The purpose holds for the same client for a while: the proposal opens without asking.
    again = client.get(f"/coordinator/proposals/{web_seed.proposals['C3']}")
    assert again.status_code == 200 and "Cecilia C" in again.text
    # Another client outside the caseload is asked again, unless opened from the board's
    # list of others' proposals, which carries the purpose given there.
    assert client.get("/coordinator/clients/C4").status_code == 403
    board = client.get("/coordinator/board", params={"scope": "all", "purpose": "Sijaisuus"})
    link = re.search(
        rf'href="(/coordinator/proposals/{web_seed.proposals["C4"]}[^"]*)"', board.text
    )
    assert link is not None and "purpose=Sijaisuus" in link.group(1)
    opened = client.get(unescape(link.group(1)))
    assert opened.status_code == 200 and "nimi puuttuu (55 v., Oulu)" in opened.text
    with sessions_of(app)() as session:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.actor == "kaisa", AuditRow.purpose == purpose)
        ).all()
        kinds = {(r.resource, r.record_id) for r in rows}
        assert ("clients", "C3") in kinds
        assert ("proposals", str(web_seed.proposals["C3"])) in kinds
        assert ("outside_caseload", "C3") in kinds


def test_a_proposal_displaced_by_another_decision_says_why_and_what_next(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    with sessions_of(app)() as session:
        p3 = session.get(PlacementRow, "P3")
        assert p3 is not None
        p3.attributes = {**p3.attributes, "seats": 1}
        session.commit()
    sign_in(client, "kaisa")
    c3, c4 = (web_seed.proposals[c] for c in ("C3", "C4"))
    before = client.get(f"/coordinator/proposals/{c4}").text
    assert (
        f'action="/coordinator/proposals/{c4}/accept"' in before and 'id="standing"' not in before
    )
    token = csrf_of(before)
    assert (
        client.post(f"/coordinator/proposals/{c3}/accept", data={"csrf": token}).status_code == 200
    )
    page = client.get(f"/coordinator/proposals/{c4}").text
    # No accept button that would dead-end: why, who took the seat, and the next steps.
    assert f'action="/coordinator/proposals/{c4}/accept"' not in page
    shown = visible(page)
    assert "paikka on nyt täynnä" in shown and "Päätti Kaisa Koordinaattori" in shown
    assert "valitse asiakkaalle toinen paikka" in shown and "jätä ehdotus odottamaan" in shown
    assert f'action="/coordinator/proposals/{c4}/preview"' in page
    assert f'action="/coordinator/proposals/{c4}/pending"' in page
    # An accept posted from an old tab comes back to the same explanation, not a dead end.
    late = client.post(
        f"/coordinator/proposals/{c4}/accept", data={"csrf": token}, follow_redirects=False
    )
    assert late.status_code == 303 and late.headers["location"].endswith("refused=1#standing")
    assert "paikka on nyt täynnä" in visible(client.get(late.headers["location"]).text)
    with sessions_of(app)() as session:
        row = session.get(ProposalRow, c4)
        assert row is not None and row.status == "proposed"


def test_after_an_override_the_proposal_shows_the_chosen_placement(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    sign_in(client, "kaisa")
    c4 = web_seed.proposals["C4"]
    page = client.get(f"/coordinator/proposals/{c4}").text
    assert '<h2 id="h-proposed">Ehdotettu paikka</h2>' in page
    token = csrf_of(page)
    done = client.post(
        f"/coordinator/proposals/{c4}/override",
        data={"csrf": token, "placement": "P1", "reason_code": "client_wish", "text": "toive"},
        follow_redirects=False,
    )
    assert done.status_code == 303, visible(done.text)[:800]
    html = client.get(f"/coordinator/proposals/{c4}").text
    assert '<h2 id="h-proposed">Valittu paikka</h2>' in html
    shown = visible(html)
    chosen = shown.split("Valittu paikka", 1)[1]
    assert (
        "Laskenta ehdotti: Dept P3, Ii association. Kaisa Koordinaattori valitsi toisen paikan "
        "(asiakkaan toive). toive" in chosen
    )
    assert chosen.index("Dept P1") < chosen.index("Keittiökuja 3")  # the chosen one's facts


def test_a_refused_value_is_worded_without_its_pattern_or_english() -> None:
    from pydantic import BaseModel, Field, ValidationError

    from service.schemas.clients import ClientUpdate
    from service.web.forms import field_errors

    class Form(BaseModel):
        language: str = Field(pattern=r"^(fi|sv|en)$")
        note: str = Field(max_length=5)

    t = Texts("fi")
    try:
        Form.model_validate({"language": "de", "note": "liian pitkä"})
    except ValidationError as exc:
        errors = field_errors(t, exc)
    assert errors == {
        "language": t("err.format"),
        "note": "Teksti on liian pitkä: enintään 5 merkkiä.",
    }
    try:
        ClientUpdate.model_validate({"phone": "soita minulle"})
    except ValidationError as exc:
        words = field_errors(t, exc)
    assert words == {"phone": t("err.phone")}
    for text in (*errors.values(), *words.values()):
        assert not re.search(r"[\^$\[\]\\]|String|should|pattern", text), text


def _time_out(app: FastAPI) -> None:
    """Every signed-in browser idle for 31 minutes (past the 30-minute limit)."""
    from service.db.accounts import WebSessionRow
    from service.db.tables import utcnow

    with sessions_of(app)() as session:
        for row in session.scalars(select(WebSessionRow)):
            row.last_seen = utcnow() - dt.timedelta(minutes=31)
        session.commit()


def test_a_form_sent_after_the_session_ended_is_kept_and_sent_after_signing_in(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    sign_in(client, "kaisa")
    proposal = web_seed.proposals["C3"]
    url = f"/coordinator/proposals/{proposal}"
    token = csrf_of(client.get(url).text)
    _time_out(app)
    note = "Asiakas soittaa torstaina – sovittu puhelu klo 10"
    sent = client.post(
        f"{url}/pending",
        data={"csrf": token, "note": note},
        headers={"referer": f"{client.base_url}{url}"},
        follow_redirects=False,
    )
    # The sign-in page says why, and keeps the note (nothing is saved yet).
    assert sent.status_code == 401 and "Istuntosi päättyi" in sent.text
    assert note in unescape(sent.text)
    with sessions_of(app)() as session:
        row = session.get(ProposalRow, proposal)
        assert row is not None and row.pending_note is None
    login_form = sent.text.split('action="/login"', 1)[1]
    signin = {
        "csrf": csrf_of(login_form),
        "username": "kaisa",
        "password": "kokeilusalasana-1",
        "next": re.search(r'name="next" value="([^"]*)"', login_form).group(1),  # type: ignore[union-attr]
        "kept": unescape(re.search(r'name="kept" value="([^"]*)"', login_form).group(1)),  # type: ignore[union-attr]
    }
    resumed = client.post("/login", data=signin, follow_redirects=False)
    assert resumed.status_code == 200 and "Lähetä lomake uudelleen" in resumed.text
    assert f'action="{url}/pending"' in resumed.text and note in unescape(resumed.text)
    assert f'href="{url}"' in resumed.text  # back to the page, without sending
    fields = dict(re.findall(r'name="([a-z_]+)"[^>]*>([^<]*)</textarea>', resumed.text))
    again = client.post(
        f"{url}/pending",
        data={"csrf": csrf_of(resumed.text), "note": unescape(fields["note"])},
        follow_redirects=False,
    )
    assert again.status_code == 303
    with sessions_of(app)() as session:
        row = session.get(ProposalRow, proposal)
        assert row is not None and row.pending_note == note


def test_signing_in_again_returns_to_the_page_asked_for(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    sign_in(client, "kaisa")
    _time_out(app)
    asked = client.get("/coordinator/clients/C1?x=1", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/login?next=%2Fcoordinator%2Fclients%2FC1%3Fx%3D1"
    form = client.get(asked.headers["location"]).text.split('action="/login"', 1)[1]
    assert 'name="next" value="/coordinator/clients/C1?x=1"' in form
    back = client.post(
        "/login",
        data={
            "csrf": csrf_of(form),
            "username": "kaisa",
            "password": "kokeilusalasana-1",
            "next": "/coordinator/clients/C1?x=1",
        },
        follow_redirects=False,
    )
    assert back.status_code == 303 and back.headers["location"] == "/coordinator/clients/C1?x=1"
    # Never to another site.
    elsewhere = client.get("/login?next=//evil.example/x").text.split('action="/login"', 1)[1]
    assert "evil.example" not in elsewhere


def test_the_proposals_reasons_count_other_clients_instead_of_listing_their_ids(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    _, explained = _unplaced_run(app)
    holders = [
        r
        for c in explained.values()
        for a in c.get("alternatives", [])
        for r in a.get("reasons", [])
        if r.get("params", {}).get("holders")
    ]
    assert holders, "the engine names the clients holding the full seats"
    chosen = next(
        c for c, e in explained.items() if e["status"] == "assigned" and e["alternatives"]
    )
    with sessions_of(app)() as session:
        row = session.scalar(select(ProposalRow).where(ProposalRow.client_id == chosen))
        assert row is not None
        row.explanation = explained[chosen]
        row.placement_id = explained[chosen]["placement"]
        session.commit()
        proposal = row.id
    sign_in(client, "kaisa")
    shown = visible(client.get(f"/coordinator/proposals/{proposal}").text)
    why = shown.split("Miksi tämä paikka", 1)[1].split("Kartta", 1)[0]
    assert "paikoilla 1 muu asiakas" in why
    assert not re.search(r"(?<!Dept )\b(C[1-4]|P[1-3]|K1)\b", why), why


def test_the_site_tells_twins_apart_only_by_what_the_consent_covers(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    from service.accounts import create_user
    from service.auth import Role

    name_twins(app)
    with sessions_of(app)() as session:
        create_user(
            session,
            username="iiris",
            full_name="Iiris Iistä",
            role=Role.MUNICIPALITY,
            password="kokeilusalasana-1",
            organisations=["O2"],
        )
        session.commit()
    sign_in(client, "iiris")
    # Proposed only: the site sees neither of them before the coordinator's decision.
    assert TWINS not in client.get("/municipality/clients").text
    sign_in(client, "kaisa")
    for cid in ("C3", "C4"):
        url = f"/coordinator/proposals/{web_seed.proposals[cid]}"
        token = csrf_of(client.get(url).text)
        assert client.post(f"{url}/accept", data={"csrf": token}).status_code == 200
    sign_in(client, "iiris")
    shown = visible(client.get("/municipality/clients").text)
    # Only the name is shared: no age, birth year or home; the start of their period at the
    # site and a running number tell them apart.
    assert f"{TWINS} (aloitus 5.1.2026, 1/2)" in shown
    assert f"{TWINS} (aloitus 5.1.2026, 2/2)" in shown
    assert "v.," not in shown and "Oulu" not in shown
    confirm = visible(client.get("/municipality/confirmations").text)
    assert f"{TWINS} (aloitus 5.1.2026, 1/2)" in confirm
    assert f"{TWINS} (aloitus 5.1.2026, 2/2)" in confirm
    assert "Kaisa Koordinaattori" in confirm
    # A shared phone number tells them apart instead.
    with sessions_of(app)() as session:
        row = session.get(ClientPersonalRow, "C4")
        assert row is not None
        row.phone, row.shared_fields = "+358 40 444", ["display_name", "phone"]
        session.commit()
    shown = visible(client.get("/municipality/clients").text)
    assert f"{TWINS} (puh. +358 40 444)" in shown and "1/2" not in shown


def test_engine_sentences_leave_out_coach_ids_and_count_other_clients() -> None:
    from service.web.explanations import sentence

    coach = {"code": "tight.coach_full", "params": {"coach": "K006", "used": 4, "capacity": 4}}
    assert sentence(coach, "fi", {}) == "Valmentajan asiakasmäärä täynnä (4/4)."
    blocked = {
        "code": "blocked.coach_caseload",
        "params": {
            "owner": "K006",
            "capacity": 3,
            "used": 3,
            "needed": 1,
            "holders": ["C00021", "C00039", "C00056"],
            "holders_total": 3,
        },
    }
    text = sentence(blocked, "sv", {})
    assert text is not None and "K006" not in text and "C000" not in text and "3 klienter" in text
