"""The county's GTFS feed taken in through the API, and runs planned with it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from matching.transit import CURRENT_FILE, current_feed, feed_version
from service.crud.runs import build_problem, county_regime
from service.db.tables import RunRow
from tests.service.svc_helpers import PLANNING, Seed, poll, sessions_of
from tests.transit.small_feed import small_feed


@pytest.fixture
def no_current_feed() -> Iterator[None]:
    """Runs of other tests plan with the estimate: the feed taken in here is let go after."""
    yield
    (Path(os.environ["PAIKKA_TRANSIT_DIR"]) / "feeds" / CURRENT_FILE).unlink(missing_ok=True)


def test_a_feed_taken_in_plans_the_next_run(
    client: TestClient, seed: Seed, no_current_feed: None
) -> None:
    files = {"file": ("feed.zip", small_feed(), "application/zip")}
    refused = client.post("/reference/gtfs", files=files, headers=seed.h("planner"))
    assert refused.status_code == 403
    response = client.post("/reference/gtfs", files=files, headers=seed.h("coordinator"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "feed": feed_version(small_feed()),
        "name": "Pieni liikenne",
        "stops": 4,
        "connections": 13,
    }
    assert current_feed() == feed_version(small_feed())
    run = client.post(
        "/runs",
        json={"planning_date": PLANNING.isoformat(), "options": {"time_limit_s": 5}},
        headers=seed.h("coordinator"),
    )
    assert run.status_code == 202, run.text
    done = poll(client, run.headers["Location"], seed.h("coordinator"))
    assert done["status"] == "succeeded", done["error"]
    assert done["options"]["travel"]["feed"] == feed_version(small_feed())


def test_a_file_that_is_no_feed_is_refused_in_the_users_language(
    client: TestClient, seed: Seed
) -> None:
    files = {"file": ("feed.zip", b"no zip at all", "application/zip")}
    headers = {**seed.h("coordinator"), "Accept-Language": "fi"}
    response = client.post("/reference/gtfs", files=files, headers=headers)
    assert response.status_code == 422
    assert response.json()["message"].startswith(
        "Tiedosto ei ole GTFS-aikataulupaketti: not a zip file"
    )


def test_a_run_uses_the_clients_means_and_the_placements_start(
    app: FastAPI, client: TestClient, seed: Seed
) -> None:
    h = seed.h("coordinator")
    bad = client.patch("/clients/C1", json={"travel_means": "rides a horse"}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.travel_means"
    bad = client.patch("/placements/P1", json={"starts_at": "25:00"}, headers=seed.h("muni1"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.starts_at"
    assert client.get("/clients/C1", headers=h).json()["travel_means"] == "public_transport"
    changed = client.patch("/clients/C1", json={"travel_means": "cycles"}, headers=h)
    assert changed.status_code == 200 and changed.json()["travel_means"] == "cycles"
    moved = client.patch("/placements/P1", json={"starts_at": "07:30"}, headers=seed.h("muni1"))
    assert moved.status_code == 200 and moved.json()["starts_at"] == "07:30:00"
    run = client.post(
        "/runs",
        json={"planning_date": PLANNING.isoformat(), "options": {"time_limit_s": 5}},
        headers=h,
    )
    assert run.status_code == 202, run.text
    done = poll(client, run.headers["Location"], h)
    assert done["status"] == "succeeded", done["error"]
    with sessions_of(app)() as session:
        row = session.get(RunRow, done["id"])
        assert row is not None
        problem, _ = build_problem(session, row, county_regime(app.state.settings))
    assert {c.id: c.travel_means for c in problem.clients}["C1"] == "cycles"
    assert {p.id: p.starts_at for p in problem.placements}["P1"] == time(7, 30)
