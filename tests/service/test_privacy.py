"""Privacy held: what municipality users and planners see of proposals reveals no support
need, health-derived flag or coordinator's free text (tried by reconstructing them); erasure
reaches the idempotency cache and the free texts; every client id a read returns is
audited; a UTF-8 purpose is stored as sent."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.db.tables import AuditRow, IdempotencyRow, ProposalRow, RunRow
from tests.service.svc_helpers import Seed, sessions_of

HEALTH_NOTE = "Selkäkipu, ei nostoja; tarvitsee paljon tukea"


def _decided_with_support_fit(app: FastAPI, client: TestClient, seed: Seed) -> None:
    with sessions_of(app)() as session:
        proposal = session.get(ProposalRow, seed.proposal_id)
        assert proposal is not None
        proposal.breakdown = {"preference": 300, "travel": 200, "support_fit": 37}
        proposal.score = 537
        session.commit()
    response = client.post(
        f"/proposals/{seed.proposal_id}/decision",
        json={"decision": "accept", "reason_code": "health_or_support", "text": HEALTH_NOTE},
        headers=seed.h("coordinator"),
    )
    assert response.status_code == 200, response.text


def _reconstructed(item: dict[str, Any]) -> dict[str, Any]:
    """Everything an outsider could compute about support from one proposal."""
    parts = item["breakdown"]
    return {
        "support_fit": parts.get("support_fit"),
        "by_subtraction": item["score"] - sum(parts.values()),
        "reason_code": item["reason_code"],
        "reason_text": item["reason_text"],
        "explanation": item["explanation"],
    }


def test_support_need_and_free_text_cannot_be_read_or_computed_by_others(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    _decided_with_support_fit(app, client, seed)
    url = f"/runs/{seed.run_id}/proposals"
    mine = client.get(url, headers=seed.h("coordinator")).json()["items"][0]
    assert _reconstructed(mine)["support_fit"] == 37  # coordinators see it all
    assert mine["reason_text"] == HEALTH_NOTE
    for who in ("planner", "muni1"):
        for item in [
            client.get(url, headers=seed.h(who)).json()["items"][0],
            client.get(f"/proposals/{seed.proposal_id}", headers=seed.h(who)).json(),
        ]:
            seen = _reconstructed(item)
            assert seen == {
                "support_fit": None,
                "by_subtraction": 0,
                "reason_code": None,
                "reason_text": None,
                "explanation": None,
            }, (who, item)
            assert HEALTH_NOTE not in str(item) and "health" not in str(item)


def test_erasure_reaches_the_idempotency_cache_and_free_texts(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    h = seed.h("coordinator", **{"Idempotency-Key": "new-client-1"})
    body = {
        "id": "C9",
        "age": 40,
        "home_municipality": "564",
        "location": {"lat": 65.0, "lon": 25.5},
        "days_per_week": 2,
        "hours_per_day": 4,
        "available_weekdays": ["mon", "tue"],
        "waiting_since": "2025-06-01",
        "display_name": "Veikko Virtanen",
        "phone": "+358 40 999",
        "email": "veikko@example.org",
    }
    created = client.post("/clients", json=body, headers=h)
    assert created.status_code == 201, created.text
    _decided_with_support_fit(app, client, seed)  # a free text on C1's proposal
    assert client.delete("/clients/C9", headers=seed.h("coordinator")).status_code == 204
    assert client.delete("/clients/C1", headers=seed.h("coordinator")).status_code == 204
    with sessions_of(app)() as session:
        cached = session.scalars(select(IdempotencyRow.body)).all()
        assert not any("Veikko" in str(b) or "999" in str(b) for b in cached)
        proposal = session.get(ProposalRow, seed.proposal_id)
        assert proposal is not None and proposal.reason_text is None
    replay = client.post("/clients", json=body, headers=h)
    assert "Veikko" not in replay.text and "veikko@" not in replay.text


def test_every_client_id_a_read_returns_is_audited(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    unplaced = [f"X{i:04d}" for i in range(1500)]
    with sessions_of(app)() as session:
        run = session.get(RunRow, seed.run_id)
        assert run is not None
        run.unassigned = unplaced
        session.commit()
    h = seed.h("planner", **{"X-Purpose": "kapasiteetin suunnittelu"})
    assert client.get("/runs", headers=h).status_code == 200
    assert client.get(f"/runs/{seed.run_id}", headers=h).status_code == 200
    with sessions_of(app)() as session:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.resource == "runs", AuditRow.actor == "planner")
        ).all()
    assert len(rows) == 2
    for row in rows:
        assert row.detail is not None and row.detail["client_ids"] == unplaced
        assert row.detail["count"] == 1500


def test_a_utf8_purpose_is_stored_as_sent(client: TestClient, seed: Seed, app: FastAPI) -> None:
    purpose = "Viikon sijoittelu – käsittelijä Åsa Öhman"
    headers = {**seed.h("coordinator"), "X-Purpose": purpose.encode()}
    response = client.get(f"/runs/{seed.run_id}/proposals", headers=headers)  # type: ignore[arg-type]
    assert response.status_code == 200
    with sessions_of(app)() as session:
        stored = session.scalars(
            select(AuditRow.purpose).where(AuditRow.resource == "proposals")
        ).all()
    assert purpose in stored
