"""Runs carry on: inconsistent stored records are set aside with their reason, the rest runs."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.db.tables import ClientRow, PlacementRow
from tests.service.svc_helpers import PLANNING, Seed, poll, sessions_of

RUN = {"planning_date": PLANNING.isoformat(), "options": {"time_limit_s": 5}}


def test_a_run_sets_aside_records_broken_behind_the_apis_back(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    with sessions_of(app)() as session:  # as if stored before a rule change
        c3 = session.get(ClientRow, "C3")
        p1 = session.get(PlacementRow, "P1")
        assert c3 is not None and p1 is not None
        c3.attributes = {**c3.attributes, "days_per_week": 5}
        p1.attributes = {**p1.attributes, "seats": 0}  # C2's ongoing period is at P1
        session.commit()
    response = client.post("/runs", json=RUN, headers=seed.h("coordinator"))
    run = poll(client, response.headers["Location"], seed.h("coordinator"))
    assert run["status"] == "succeeded", run["error"]
    notes = {(n["id"], n["rule"]): n for n in run["set_aside"]}  # type: ignore[union-attr]
    assert set(notes) == {("C3", "above_legal_maximum"), ("C2", "seats")}
    assert notes[("C3", "above_legal_maximum")]["field"] == "days_per_week"
    assert notes[("C3", "above_legal_maximum")]["value"] == "5"
    assert notes[("C2", "seats")]["placements"] == ["P1"]
    assert run["stats"]["placed"] > 0  # type: ignore[index]
    proposals = client.get(f"/runs/{run['id']}/proposals", headers=seed.h("coordinator"))
    placed = {p["client_id"] for p in proposals.json()["items"]}
    assert not placed & {"C2", "C3"}
