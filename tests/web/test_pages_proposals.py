"""The proposal page: a proposal left pending on purpose (note, who, when; on the board), and
the engine's own explanation sentences in the user's language."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

import matching
from service.db.accounts import UserRow
from service.db.tables import AuditRow, ProposalRow
from service.jobs import explain_clients
from tests.service.svc_helpers import county, sessions_of
from tests.web.test_sign_in import csrf_of, sign_in
from tests.web.web_helpers import WebSeed


def test_leave_pending_records_the_note_and_shows_it_on_the_board(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    proposal = web_seed.proposals["C3"]
    sign_in(client, "kaisa")
    page = client.get(f"/coordinator/proposals/{proposal}").text
    assert "Jätä odottamaan" in page
    token = csrf_of(page)
    note = "Odotetaan asiakkaan tapaamista torstaina"
    done = client.post(f"/coordinator/proposals/{proposal}/pending", data={"csrf": token})
    assert done.status_code == 200 and "Ehdotus jätetty odottamaan." in done.text
    client.post(f"/coordinator/proposals/{proposal}/pending", data={"csrf": token, "note": note})
    with sessions_of(app)() as session:
        row = session.get(ProposalRow, proposal)
        assert row is not None and row.status == "proposed"
        assert row.pending_note == note and row.pending_by == "kaisa" and row.pending_at
        audited = session.scalars(
            select(AuditRow).where(
                AuditRow.purpose == "left pending", AuditRow.record_id == str(proposal)
            )
        ).all()
        assert len(audited) == 2
    board = client.get("/coordinator/board").text
    assert note in board and "jätetty odottamaan" in board
    only_pending = client.get("/coordinator/board?status=pending").text
    assert note in only_pending and f"/coordinator/proposals/{web_seed.proposals['C4']}" not in (
        only_pending
    )
    assert (
        client.post(
            f"/coordinator/proposals/{proposal}/pending", data={"csrf": "wrong"}
        ).status_code
        == 403
    )


def test_a_decided_proposal_cannot_be_left_pending(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    proposal = web_seed.proposals["C4"]
    with sessions_of(app)() as session:
        row = session.get(ProposalRow, proposal)
        assert row is not None
        row.status = "accepted"
        session.commit()
    sign_in(client, "kaisa")
    token = csrf_of(client.get("/coordinator/board").text)
    response = client.post(f"/coordinator/proposals/{proposal}/pending", data={"csrf": token})
    assert response.status_code == 409


def engine_explanation(client_id: str) -> dict[str, object]:
    problem = county()
    explained = explain_clients(problem, matching.allocate(problem))
    item: dict[str, object] = explained[client_id]
    return item


def test_the_page_shows_the_engines_sentences_in_the_users_language(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    explanation = engine_explanation("C1")
    placement = str(explanation["placement"])
    with sessions_of(app)() as session:
        row = session.get(ProposalRow, web_seed.proposals["C1"])
        assert row is not None
        row.explanation = explanation
        row.placement_id = placement
        session.commit()
    sign_in(client, "kaisa")
    finnish = client.get(f"/coordinator/proposals/{web_seed.proposals['C1']}").text
    assert "Ehdotus:" in finnish and "pistettä" in finnish
    assert f"({placement})" not in finnish  # named, not by id
    with sessions_of(app)() as session:
        user = session.scalar(select(UserRow).where(UserRow.username == "kaisa"))
        assert user is not None
        user.language = "sv"
        session.commit()
    swedish = client.get(f"/coordinator/proposals/{web_seed.proposals['C1']}").text
    assert "Förslag:" in swedish and "Ehdotus:" not in swedish
    assert "poäng" in swedish


def test_own_clients_come_first_when_others_are_shown(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    with sessions_of(app)() as session:
        user = session.scalar(select(UserRow).where(UserRow.username == "kaisa"))
        assert user is not None
        user.caseload = ["C4"]
        session.commit()
    sign_in(client, "kaisa")
    own = client.get("/coordinator/board").text
    c1, c4 = (f"/coordinator/proposals/{web_seed.proposals[c]}" for c in ("C1", "C4"))
    assert c4 in own and c1 not in own
    purpose = {"scope": "all", "purpose": "Sijaisuus"}
    both = client.get("/coordinator/board", params=purpose).text
    assert c1 in both and both.index(c4) < both.index(c1)  # C4 is own, C1 has a lower id
