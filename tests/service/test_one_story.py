"""One client, one story, through the API: a client is in one live period at a time, the
seat of a future period is held, leaving the service ends every live step, a site cannot
reshape a running agreement alone, and an agreement keeps to its placement's schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.db.cooperation import AgreementRow, PeriodRow
from service.db.tables import AssignmentRow, ProposalRow
from tests.service.svc_helpers import Seed, sessions_of
from tests.service.test_api_cooperation import AGREEMENT, MEETING, accept, agreement, confirm
from tests.service.test_api_cooperation import started as start_c1
from tests.service.test_api_runs import start as start_run

ACCEPT = {"decision": "accept", "reason_code": "client_agreed"}


def _propose(app: FastAPI, seed: Seed, client_id: str, placement: str) -> int:
    with sessions_of(app)() as session:
        row = ProposalRow(
            run_id=seed.run_id,
            client_id=client_id,
            placement_id=placement,
            municipality_code="564",
            score=100,
            breakdown={},
            travel_minutes=10,
            status="proposed",
        )
        session.add(row)
        session.commit()
        return row.id


def _live(app: FastAPI, client_id: str) -> tuple[list[str], list[str]]:
    """The client's live seats and live periods, by placement."""
    with sessions_of(app)() as session:
        seats = session.scalars(
            select(AssignmentRow.placement_id).where(
                AssignmentRow.client_id == client_id, AssignmentRow.status == "active"
            )
        ).all()
        periods = session.scalars(
            select(PeriodRow.placement_id).where(
                PeriodRow.client_id == client_id, PeriodRow.ended_on.is_(None)
            )
        ).all()
        return list(seats), list(periods)


def test_moving_a_client_in_a_running_period_asks_to_end_the_period_first(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    """C2's imported period at P1 runs to 30.11.2027: accepting C2 at P2 would leave two
    running periods (the month paying both); it is refused, and nothing changes."""
    h = seed.h("coordinator")
    elsewhere = _propose(app, seed, "C2", "P2")
    refused = client.post(f"/proposals/{elsewhere}/decision", json=ACCEPT, headers=h)
    assert refused.status_code == 409, refused.text
    assert "Päätä se ensin" in refused.json()["message"]
    assert _live(app, "C2") == (["P1"], ["P1"])
    assert client.get(f"/proposals/{elsewhere}", headers=h).json()["status"] == "proposed"
    # ended first (onward path: a new period), the move goes through
    period = client.get("/periods?client=C2", headers=h).json()[0]["id"]
    end = {"end_date": "2026-01-02", "reason": "moved_on_early", "onward_path": "new_period"}
    assert client.post(f"/periods/{period}/end", json=end, headers=h).status_code == 200
    moved = client.post(f"/proposals/{elsewhere}/decision", json=ACCEPT, headers=h)
    assert moved.status_code == 200, moved.text
    assert _live(app, "C2") == (["P2"], [])


def test_leaving_the_service_ends_every_live_step(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    """C1's period runs (from the cycle) and C2's imported one; C1 has a drafted agreement
    of another proposal too. Deleting C1 ends the period and the seat, cancels the draft, and
    nothing more can be recorded for C1; C2 is untouched."""
    h = seed.h("coordinator")
    period = start_c1(client, seed)
    assert client.delete("/clients/C1", headers=h).status_code == 204
    assert _live(app, "C1") == ([], [])
    after = client.get(f"/periods/{period['id']}", headers=h).json()
    assert after["ended_on"] is not None and after["end_reason"] == "other"
    day = {"day": "2026-01-05", "status": "present"}
    late = client.post(f"/assignments/{period['assignment_id']}/attendance", json=day, headers=h)
    assert late.status_code == 409 and "poistunut palvelusta" in late.json()["message"]
    again = client.post("/agreements", json=agreement(seed), headers=h)
    assert again.status_code == 409
    assert _live(app, "C2") == (["P1"], ["P1"])


def test_an_erased_clients_accepted_proposal_cannot_be_confirmed_or_met(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    h = seed.h("coordinator")
    accept(client, seed)
    assert client.delete("/clients/C1", headers=h).status_code == 204
    assert confirm(client, seed).status_code == 409
    meeting = client.post(
        "/start-meetings", json={**MEETING, "proposal_id": seed.proposal_id}, headers=h
    )
    assert meeting.status_code == 409


def test_an_agreement_outside_its_placements_schedule_is_refused(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    """P1 runs Mon–Thu, 4–6 h: Fridays, or 8 hours, are not the placement's to give."""
    h = seed.h("coordinator")
    accept(client, seed)
    assert confirm(client, seed).status_code == 201
    for change, field in (
        ({"weekdays": ["mon", "fri"]}, "body.weekdays"),
        ({"hours_per_day": 8}, "body.hours_per_day"),
    ):
        refused = client.post("/agreements", json=agreement(seed, **change), headers=h)
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == [field]
        assert "työpaikan aikatauluun" in refused.json()["message"]
    with sessions_of(app)() as session:
        assert session.scalar(select(AgreementRow.id)) is None
    assert client.post("/agreements", json=agreement(seed), headers=h).status_code == 201


def test_a_site_cannot_end_or_reshape_a_running_agreement_alone(
    client: TestClient, seed: Seed
) -> None:
    """C2's imported period at P1 runs Mon–Thu to 30.11.2027. The site's edits that would
    end P1 before that, drop a weekday the period uses or narrow its hours are refused
    (409) naming the fields and the period; an edit that keeps the agreement is fine."""
    site, h = seed.h("muni1"), seed.h("coordinator")
    period = client.get("/periods?client=C2", headers=h).json()[0]
    assert (set(period["weekdays"]), period["hours_per_day"]) == ({"mon", "tue", "wed", "thu"}, 5)
    edits: list[tuple[dict[str, Any], list[str]]] = [
        ({"available_until": "2026-12-31"}, ["body.available_until"]),
        ({"weekdays": ["mon", "tue", "wed"]}, ["body.weekdays"]),
        ({"min_hours_per_day": 6}, ["body.min_hours_per_day", "body.max_hours_per_day"]),
    ]
    for change, fields in edits:
        refused = client.patch("/placements/P1", json=change, headers=site)
        assert refused.status_code == 409, (change, refused.text)
        body = refused.json()
        assert [e["field"] for e in body["errors"]] == fields
        assert f"jakson {period['id']}" in body["message"]
    fine = client.patch("/placements/P1", json={"seats": 3}, headers=site)
    assert fine.status_code == 200, fine.text


def test_a_future_period_holds_its_seat_on_an_earlier_planning_date(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    """The run is planned for 5.1.2026. P2 has two seats; C3's period there was agreed to
    start on 2.2.2026 and C4's ends on 31.1.2026 after being ended ahead: both still hold
    their seat, so a third client's decision for P2 is refused (seats)."""
    h = seed.h("coordinator")
    with sessions_of(app)() as session:
        session.add_all(
            [
                AssignmentRow(client_id="C3", placement_id="P2", start_date=date(2026, 2, 2)),
                AssignmentRow(
                    client_id="C4",
                    placement_id="P2",
                    start_date=date(2025, 9, 1),
                    end_date=date(2026, 1, 31),
                    status="ended",
                ),
            ]
        )
        session.commit()
    third = client.post(
        f"/proposals/{seed.proposal_id}/decision",
        json={"decision": "override", "reason_code": "client_wish", "placement": "P2"},
        headers=h,
    )
    assert third.status_code == 409, third.text
    assert third.json()["errors"][0]["rule"] == "seats"
    assert sorted(third.json()["errors"][0]["clients"]) == ["C1", "C3", "C4"]


__all__ = ["AGREEMENT"]


def test_a_new_run_shows_what_it_replaces_and_keeps_what_people_decided(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    """C1's proposal was left pending with a note; C2 holds P1 by an imported period. The
    preview says what a new run would replace and keep; after it, the note goes on with C1's
    new proposal, C2 is not proposed again and keeps the seat and the period."""
    h = seed.h("coordinator")
    with sessions_of(app)() as session:
        row = session.get_one(ProposalRow, seed.proposal_id)
        row.pending_note, row.pending_by = "Soitan perjantaina.", "kaisa"
        row.pending_at = row.decided_at or datetime(2026, 1, 2, 8, tzinfo=UTC)
        session.commit()
    preview = client.get("/runs/preview", headers=h)
    assert preview.status_code == 200, preview.text
    assert preview.json() == {
        "open_proposals": 1,
        "pending_notes": 1,
        "decisions_kept": 0,
        "site_answers_kept": 0,
        "seats_kept": 1,
        "periods_kept": 1,
    }
    assert client.get("/runs/preview", headers=seed.h("muni1")).status_code == 403
    run = start_run(client, seed)
    assert run["status"] == "succeeded", run["error"]
    items = client.get(f"/runs/{run['id']}/proposals", headers=h).json()["items"]
    assert "C2" not in {p["client_id"] for p in items}
    assert _live(app, "C2") == (["P1"], ["P1"])
    with sessions_of(app)() as session:
        notes = {
            (p.run_id, p.status): p.pending_note
            for p in session.scalars(select(ProposalRow).where(ProposalRow.client_id == "C1"))
        }
    assert notes[(seed.run_id, "superseded")] == "Soitan perjantaina."  # the old one keeps it
    assert notes[(run["id"], "proposed")] == "Soitan perjantaina."  # and went on with C1
