"""Decisions are checked before they are stored: every hard rule and capacity with the periods
in force; the response says which other proposals of the week the decision displaces."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.db.tables import AssignmentRow, PlacementRow, ProposalRow
from tests.service.svc_helpers import Seed, sessions_of

ACCEPT = {"decision": "accept", "reason_code": "good_fit"}


def _propose(app: FastAPI, seed: Seed, pairs: list[tuple[str, str]], **seats: int) -> list[int]:
    with sessions_of(app)() as session:
        for pid, n in seats.items():
            row = session.get(PlacementRow, pid)
            assert row is not None
            row.attributes = {**row.attributes, "seats": n}
        rows = [
            ProposalRow(
                run_id=seed.run_id,
                client_id=c,
                placement_id=p,
                municipality_code="564",
                score=100,
                breakdown={},
                travel_minutes=10,
                status="proposed",
            )
            for c, p in pairs
        ]
        session.add_all(rows)
        session.commit()
        return [r.id for r in rows]


def _decide(client: TestClient, seed: Seed, proposal: int, body: dict[str, Any]) -> Any:
    return client.post(f"/proposals/{proposal}/decision", json=body, headers=seed.h("coordinator"))


def _active(app: FastAPI, client_id: str) -> list[tuple[str, date | None]]:
    with sessions_of(app)() as session:
        return [
            (a.placement_id, a.planned_end_date)
            for a in session.scalars(
                select(AssignmentRow).where(
                    AssignmentRow.client_id == client_id, AssignmentRow.status == "active"
                )
            )
        ]


def test_a_decision_over_capacity_is_refused_naming_rule_clients_and_placement(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    _propose(app, seed, [], P1=1)  # C2 already works at P1, which now has one seat
    response = _decide(client, seed, seed.proposal_id, ACCEPT)  # C1 → P1
    assert response.status_code == 409, response.text
    error = response.json()["errors"][0]
    assert error["rule"] == "seats"
    assert error["clients"] == ["C1", "C2"] and error["placements"] == ["P1"]
    proposal = client.get(f"/proposals/{seed.proposal_id}", headers=seed.h("coordinator"))
    assert proposal.json()["status"] == "proposed"
    assert _active(app, "C1") == []
    # An override into the same full placement is refused the same way.
    body = {"decision": "override", "reason_code": "client_wish", "placement": "P1"}
    assert _decide(client, seed, seed.proposal_id, body).status_code == 409


def test_consent_given_at_the_meeting_is_data_the_rules_see(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    far = {  # in Kuusamo's commuting area (A2), but sited next to Oulu
        "id": "P5",
        "organisation": "O1",
        "department": "Outpost",
        "municipality": "305",
        "location": {"lat": 65.01, "lon": 25.47},
        "task_category": "kitchen",
        "seats": 2,
        "weekdays": ["mon", "tue", "wed", "thu"],
        "min_hours_per_day": 4,
        "max_hours_per_day": 6,
        "support_units": 4,
        "available_from": "2025-01-01",
    }
    assert client.post("/placements", json=far, headers=seed.h("admin")).status_code == 201
    body = {"decision": "override", "reason_code": "client_wish", "placement": "P5"}
    refused = _decide(client, seed, seed.proposal_id, body)
    assert refused.status_code == 409
    assert [e["rule"] for e in refused.json()["errors"]] == ["commuting_area"]
    h = seed.h("coordinator")
    assert client.get("/clients/C1", headers=h).json()["consent_outside_commuting_area"] is False
    agreed = _decide(
        client, seed, seed.proposal_id, {**body, "consent_outside_commuting_area": True}
    )
    assert agreed.status_code == 200, agreed.text
    assert client.get("/clients/C1", headers=h).json()["consent_outside_commuting_area"] is True
    assert _active(app, "C1") == [("P5", None)]


def test_the_response_names_the_proposals_the_decision_displaces(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    c3, c4 = _propose(app, seed, [("C3", "P2"), ("C4", "P2")], P2=1)
    preview = client.post(
        f"/proposals/{c3}/decision-preview", json=ACCEPT, headers=seed.h("coordinator")
    )
    assert preview.status_code == 200
    expected = [{"proposal_id": c4, "client_id": "C4", "placement_id": "P2"}]
    assert preview.json() == {"lawful": True, "breaches": [], "displaces": expected}
    assert _active(app, "C3") == []  # a preview stores nothing
    decided = _decide(client, seed, c3, {**ACCEPT, "period_months": 6})
    assert decided.status_code == 200, decided.text
    assert decided.json()["displaces"] == expected
    assert _active(app, "C3") == [("P2", date(2026, 7, 5))]
    assert _decide(client, seed, c4, ACCEPT).status_code == 409


def test_a_period_outside_the_law_is_refused(client: TestClient, seed: Seed, app: FastAPI) -> None:
    response = _decide(client, seed, seed.proposal_id, {**ACCEPT, "period_months": 30})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.period_months"
    assert "jakson pituus 30 kk ei ole lain rajoissa" in response.json()["errors"][0]["message"]
    assert _active(app, "C1") == []
