"""Two coordinators override two clients into the last free seat at the same moment: exactly
one is accepted, the other refused (409, rule ``seats``), 20 times in a row, on both
databases; the placement never holds more clients than its seats."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from service.db.cooperation import PeriodRow
from service.db.tables import AssignmentRow, PlacementRow, ProposalRow
from tests.service.svc_helpers import Seed, reset, sessions_of

OVERRIDE = {"decision": "override", "reason_code": "client_wish", "placement": "P1"}
ROUNDS = 20


def _two_proposals(app: FastAPI, seed: Seed) -> list[int]:
    """C3 and C4 proposed to P2; P1 has two seats, one held by C2 (imported period)."""
    with sessions_of(app)() as session:
        rows = [
            ProposalRow(
                run_id=seed.run_id,
                client_id=c,
                placement_id="P2",
                municipality_code="564",
                score=100,
                breakdown={},
                travel_minutes=10,
                status="proposed",
            )
            for c in ("C3", "C4")
        ]
        session.add_all(rows)
        p1 = session.get_one(PlacementRow, "P1")
        assert p1.attributes["seats"] == 2
        session.commit()
        return [r.id for r in rows]


def _held(app: FastAPI, placement: str) -> int:
    with sessions_of(app)() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(AssignmentRow)
                .where(AssignmentRow.placement_id == placement, AssignmentRow.status == "active")
            )
            or 0
        )


def _race(client: TestClient, seed: Seed, proposals: list[int]) -> list[Any]:
    """Both overrides sent from two threads released at the same moment."""
    barrier = threading.Barrier(len(proposals))
    answers: list[Any] = [None] * len(proposals)

    def decide(k: int, proposal: int) -> None:
        barrier.wait()
        answers[k] = client.post(
            f"/proposals/{proposal}/decision", json=OVERRIDE, headers=seed.h("coordinator")
        )

    threads = [threading.Thread(target=decide, args=(k, p)) for k, p in enumerate(proposals)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return answers


@pytest.mark.slow
def test_two_overrides_into_the_last_seat_give_exactly_one_success(
    client: TestClient, app: FastAPI
) -> None:
    for _ in range(ROUNDS):
        seed = reset(sessions_of(app))
        answers = _race(client, seed, _two_proposals(app, seed))
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409], [a.text for a in answers]
        refused = next(a for a in answers if a.status_code == 409).json()
        assert refused["errors"][0]["rule"] == "seats", refused
        assert _held(app, "P1") == 2  # C2 and the winner: never over the two seats


def test_the_database_holds_a_client_to_one_live_seat_and_one_live_period(
    app: FastAPI, seed: Seed
) -> None:
    """The partial unique indexes refuse what the code should never try (C2 holds P1 with an
    imported period): a second active assignment, a second period not ended."""
    with sessions_of(app)() as session:
        session.add(AssignmentRow(client_id="C2", placement_id="P2", start_date=date(2026, 1, 5)))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
        live = session.scalars(select(PeriodRow).where(PeriodRow.client_id == "C2")).one()
        twin = {c.name: getattr(live, c.name) for c in PeriodRow.__table__.columns}
        ended = session.scalars(select(AssignmentRow).where(AssignmentRow.client_id == "C2")).one()
        ended.status = "ended"  # the seat is free: a new seat elsewhere is allowed
        seat = AssignmentRow(client_id="C2", placement_id="P2", start_date=date(2026, 1, 5))
        session.add(seat)
        session.flush()
        del twin["id"]
        twin["assignment_id"] = seat.id  # only the live period itself is twice
        session.add(PeriodRow(**twin))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
