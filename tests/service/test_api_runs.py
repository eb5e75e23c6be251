"""The weekly run as a job: start, poll, result, reproducibility, supersession, decisions,
and the ways a run can end badly (cancel, crash, failed check, timeout) without losing data."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from models import Criterion
from service.app import create_app
from service.db.tables import AssignmentRow, ProposalRow, RunRow
from tests.service.svc_helpers import (
    PLANNING,
    Seed,
    fake_engine,
    poll,
    sessions_of,
    settings_for,
    wait_idle,
)

RUN = {"planning_date": PLANNING.isoformat(), "options": {"time_limit_s": 5}}


def start(client: TestClient, seed: Seed, body: dict[str, Any] = RUN) -> dict[str, Any]:
    response = client.post("/runs", json=body, headers=seed.h("coordinator"))
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/runs/{response.json()['id']}"
    return poll(client, response.headers["Location"], seed.h("coordinator"))


def test_run_succeeds_and_stores_proposals(client: TestClient, seed: Seed) -> None:
    run = start(client, seed)
    assert run["status"] == "succeeded", run["error"]
    assert run["input_hash"] and run["engine_version"] and run["solve_status"]
    assert run["timings"]["total_s"] >= 0
    assert run["options"]["time_limit_s"] == 5
    page = client.get(f"/runs/{run['id']}/proposals", headers=seed.h("coordinator")).json()
    # C2 keeps the seat at P1 of the period from before Paikka: not proposed again
    assert page["total"] == run["stats"]["placed"] - 1 > 0
    assert "C2" not in {p["client_id"] for p in page["items"]}
    first = page["items"][0]
    assert set(first["breakdown"]) <= {c.value for c in Criterion}
    assert first["status"] == "proposed"
    # The seeded run is now superseded, and its pending proposal too.
    old = client.get(f"/runs/{seed.run_id}", headers=seed.h("coordinator")).json()
    assert old["superseded"] is True
    old_proposal = client.get(f"/proposals/{seed.proposal_id}", headers=seed.h("coordinator"))
    assert old_proposal.json()["status"] == "superseded"


def test_explanations_are_attached_for_coordinators_only(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    run = start(client, seed)
    wait_idle(app)
    h = seed.h("coordinator")
    assert client.get(f"/runs/{run['id']}", headers=h).json()["explanation_status"] == "ready"
    items = client.get(f"/runs/{run['id']}/proposals", headers=h).json()["items"]
    explained = items[0]["explanation"]
    assert explained["client"] == items[0]["client_id"]
    assert explained["messages"] and "alternatives" in explained
    one = client.get(f"/proposals/{items[0]['id']}", headers=h).json()
    assert one["explanation"] == explained
    for who in ("planner", "muni1"):
        theirs = client.get(f"/runs/{run['id']}/proposals", headers=seed.h(who)).json()
        assert all(p["explanation"] is None for p in theirs["items"])
    planner_one = client.get(f"/proposals/{items[0]['id']}", headers=seed.h("planner")).json()
    assert planner_one["explanation"] is None
    unplaced = client.get(f"/runs/{run['id']}/unassigned", headers=h)
    assert unplaced.status_code == 200
    assert set(unplaced.json()) == set(run["unassigned"])
    assert all(v is not None for v in unplaced.json().values())
    refused = client.get(f"/runs/{run['id']}/unassigned", headers=seed.h("planner"))
    assert refused.status_code == 403


def test_a_county_requiring_attestations_proposes_only_attested_placements(
    database_url: str, seed: Seed
) -> None:
    """With PAIKKA_NO_REPLACEMENT_ATTESTATION_MONTHS set, no placement without a recent
    no-replacement attestation gets a new client (THL: the activity must not replace paid
    work); C2 stays at P1 within the commitment all the same. Once the municipality records
    P2's attestation, the next run proposes P2 and still no other placement: P3's attestation,
    recorded today, did not exist yet on the run's planning date."""
    settings = settings_for(
        database_url, no_replacement_attestation_months=12, run_executor="thread"
    )
    app = create_app(settings)
    h = seed.h("coordinator")

    def pairs(client: TestClient, run: dict[str, Any]) -> set[tuple[str, str]]:
        assert run["status"] == "succeeded", run["error"]
        items = client.get(f"/runs/{run['id']}/proposals", headers=h).json()["items"]
        return {(p["client_id"], p["placement_id"]) for p in items}

    with TestClient(app) as client:
        assert pairs(client, start(client, seed)) == set()  # C2 keeps P1, not re-proposed
        attested = {"no_replacement_attested_on": "2025-12-15"}
        assert client.patch("/placements/P2", json=attested, headers=seed.h("muni1")).is_success
        today = {"no_replacement_attested_on": date.today().isoformat()}
        assert client.patch("/placements/P3", json=today, headers=seed.h("muni2")).is_success
        second = pairs(client, start(client, seed))
        assert ("C2", "P1") not in second and len(second) >= 1
        assert {p for c, p in second} == {"P2"}
        wait_idle(app)


def test_time_limit_is_capped_by_settings(client: TestClient, seed: Seed) -> None:
    run = start(
        client, seed, {"planning_date": PLANNING.isoformat(), "options": {"time_limit_s": 3000}}
    )
    assert run["options"]["time_limit_s"] == 5


def test_same_input_gives_same_result(client: TestClient, seed: Seed) -> None:
    first = start(client, seed)
    second = start(client, seed)
    assert first["input_hash"] == second["input_hash"]
    assert second["matches_previous"] is True
    h = seed.h("coordinator")

    def pairs(run: dict[str, Any]) -> set[tuple[str, str]]:
        items = client.get(f"/runs/{run['id']}/proposals", headers=h).json()["items"]
        return {(p["client_id"], p["placement_id"]) for p in items}

    assert pairs(first) == pairs(second)


def test_decision_on_superseded_run_is_409(client: TestClient, seed: Seed) -> None:
    start(client, seed)
    response = client.post(
        f"/proposals/{seed.proposal_id}/decision",
        json={"decision": "accept", "reason_code": "good_fit"},
        headers=seed.h("coordinator"),
    )
    assert response.status_code == 409


def test_accept_makes_an_assignment_the_next_run_keeps(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    run = start(client, seed)
    h = seed.h("coordinator")
    items = client.get(f"/runs/{run['id']}/proposals?status=proposed", headers=h).json()["items"]
    chosen = next(p for p in items if not p["kept_ongoing"])
    decided = client.post(
        f"/proposals/{chosen['id']}/decision",
        json={"decision": "accept", "reason_code": "client_agreed", "text": "phoned"},
        headers=h,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "accepted"
    assert decided.json()["decided_by"] == "coordinator"
    again = client.post(
        f"/proposals/{chosen['id']}/decision",
        json={"decision": "accept", "reason_code": "client_agreed"},
        headers=h,
    )
    assert again.status_code == 409
    assignments = client.get(
        f"/assignments?client={chosen['client_id']}&status=active", headers=h
    ).json()
    assert [a["placement_id"] for a in assignments["items"]] == [chosen["placement_id"]]
    nxt = start(client, seed)
    assert nxt["status"] == "succeeded", nxt["error"]
    # the next run keeps the seat as decided: no new proposal, the decision stands
    kept = client.get(f"/runs/{nxt['id']}/proposals", headers=h).json()["items"]
    assert chosen["client_id"] not in {p["client_id"] for p in kept}
    still = client.get(f"/proposals/{chosen['id']}", headers=h).json()
    assert still["status"] == "accepted"
    assignments = client.get(
        f"/assignments?client={chosen['client_id']}&status=active", headers=h
    ).json()
    assert [a["placement_id"] for a in assignments["items"]] == [chosen["placement_id"]]


def test_override_to_another_placement(client: TestClient, seed: Seed) -> None:
    run = start(client, seed)
    h = seed.h("coordinator")
    items = client.get(f"/runs/{run['id']}/proposals", headers=h).json()["items"]
    chosen = next(p for p in items if not p["kept_ongoing"])
    other = "P3" if chosen["placement_id"] != "P3" else "P1"
    response = client.post(
        f"/proposals/{chosen['id']}/decision",
        json={
            "decision": "override",
            "reason_code": "client_wish",
            "text": "x",
            "placement": other,
        },
        headers=h,
    )
    assert response.status_code == 200, response.text
    assert response.json()["decided_placement_id"] == other
    unknown = client.post(
        f"/proposals/{items[-1]['id']}/decision",
        json={"decision": "override", "reason_code": "other", "placement": "NOPE"},
        headers=h,
    )
    assert unknown.status_code in (409, 422)


def test_bad_decisions_are_422(client: TestClient, seed: Seed) -> None:
    h = seed.h("coordinator")
    url = f"/proposals/{seed.proposal_id}/decision"
    bad = client.post(url, json={"decision": "maybe", "reason_code": "good_fit"}, headers=h)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.decision"
    mixed = {"decision": "accept", "reason_code": "good_fit", "placement": "P2"}
    assert client.post(url, json=mixed, headers=h).status_code == 422
    assert (
        client.post(
            "/proposals/999999/decision",
            json={"decision": "accept", "reason_code": "good_fit"},
            headers=h,
        ).status_code
        == 404
    )


def test_proposal_listing_filters_and_pages(client: TestClient, seed: Seed) -> None:
    run = start(client, seed)
    h = seed.h("coordinator")
    url = f"/runs/{run['id']}/proposals"
    everything = client.get(url, headers=h).json()
    assert everything["total"] >= 2
    page = client.get(f"{url}?page=2&page_size=1", headers=h).json()
    assert page["page"] == 2 and page["page_size"] == 1 and len(page["items"]) == 1
    assert page["items"][0]["id"] == everything["items"][1]["id"]
    in_ii = client.get(f"{url}?municipality=139", headers=h).json()
    assert all(p["municipality"] == "139" for p in in_ii["items"])
    at_p1 = client.get(f"{url}?placement=P1", headers=h).json()
    assert all(p["placement_id"] == "P1" for p in at_p1["items"])
    accepted = client.get(f"{url}?status=accepted", headers=h).json()
    assert accepted["total"] == 0
    muni = client.get(url, headers=seed.h("muni2")).json()
    assert all(p["placement_id"] == "P3" for p in muni["items"])
    assert client.get("/runs/999999/proposals", headers=h).status_code == 404
    assert client.get(f"{url}?page=0", headers=h).status_code == 422


def test_second_concurrent_run_is_409(database_url: str, seed: Seed) -> None:
    app = create_app(settings_for(database_url), solver=fake_engine("slow"))
    with TestClient(app) as client:
        h = seed.h("coordinator")
        first = client.post("/runs", json=RUN, headers=h)
        assert first.status_code == 202
        second = client.post("/runs", json=RUN, headers=h)
        assert second.status_code == 409
        cancelled = client.post(f"/runs/{first.json()['id']}/cancel", headers=h)
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        third = client.post("/runs", json=RUN, headers=h)  # the lock is released
        assert third.status_code == 202
        client.post(f"/runs/{third.json()['id']}/cancel", headers=h)


def test_racing_starts_admit_one_run(database_url: str, seed: Seed) -> None:
    app = create_app(settings_for(database_url), solver=fake_engine("slow"))
    with TestClient(app) as client:
        h = seed.h("coordinator")
        codes: list[int] = []

        def go() -> None:
            codes.append(client.post("/runs", json=RUN, headers=h).status_code)

        threads = [threading.Thread(target=go) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(codes) == [202, 409, 409, 409]
        with sessions_of(app)() as session:
            active = session.scalars(select(RunRow).where(RunRow.active_lock.is_not(None))).all()
            assert len(active) == 1
        client.post(f"/runs/{active[0].id}/cancel", headers=h)


@pytest.mark.parametrize(
    ("engine", "settings", "status", "error"),
    [
        (("crash", "check_ok"), {}, "failed", "error id"),
        (("first_fit", "check_fails"), {}, "failed", "check violation"),
        (("slow", "check_ok"), {"run_timeout_s": 1}, "timed_out", "wall-clock limit"),
    ],
    ids=["crash", "check-fails", "timeout"],
)
def test_bad_endings_keep_state_and_data(
    database_url: str,
    seed: Seed,
    engine: tuple[str, str],
    settings: dict[str, Any],
    status: str,
    error: str,
) -> None:
    app = create_app(settings_for(database_url, **settings), solver=fake_engine(*engine))
    with TestClient(app) as client:
        h = seed.h("coordinator")
        before = _counts(app)
        run = start(client, seed)
        assert run["status"] == status
        assert error in run["error"]
        assert run["finished_at"] is not None
        proposals, assignments, runs = _counts(app)
        assert (proposals, assignments, runs - 1) == before  # nothing lost or half-written
        old = client.get(f"/runs/{seed.run_id}", headers=h).json()
        assert old["superseded"] is False  # last week's proposals stay open
        assert client.post("/runs", json=RUN, headers=h).status_code == 202  # lock released
        wait = client.get("/runs?status=queued", headers=h).json()
        for queued in wait:
            client.post(f"/runs/{queued['id']}/cancel", headers=h)


def test_an_engine_crash_shows_an_error_id_and_logs_the_traceback(
    database_url: str, seed: Seed, caplog: pytest.LogCaptureFixture
) -> None:
    """Planners and coordinators see a sentence with an error id; the traceback (which may
    hold SQL and data) goes to the log only, under the same id."""
    app = create_app(settings_for(database_url), solver=fake_engine("crash"))
    with TestClient(app) as client:
        run = start(client, seed)
    error = str(run["error"])
    assert run["status"] == "failed"
    assert "Traceback" not in error and "engine bug" not in error and "File " not in error
    ident = re.search(r"error id ([0-9a-f]{12})", error)
    assert ident is not None, error
    logged = [r.getMessage() for r in caplog.records if ident.group(1) in r.getMessage()]
    assert logged and "engine bug for the test" in logged[0] and "Traceback" in logged[0]


def test_cancel_stops_a_running_engine(database_url: str, seed: Seed) -> None:
    app = create_app(settings_for(database_url), solver=fake_engine("slow"))
    with TestClient(app) as client:
        h = seed.h("coordinator")
        run = client.post("/runs", json=RUN, headers=h).json()
        poll_running = client.get(f"/runs/{run['id']}", headers=h).json()
        assert poll_running["status"] in ("queued", "running")
        done = client.post(f"/runs/{run['id']}/cancel", headers=h)
        assert done.status_code == 200
        body = done.json()
        assert body["status"] == "cancelled" and body["cancel_requested"] is True
        assert client.post(f"/runs/{run['id']}/cancel", headers=h).status_code == 409
        assert client.post("/runs/999999/cancel", headers=h).status_code == 404


def test_thread_executor_runs_too(database_url: str, seed: Seed) -> None:
    app = create_app(
        settings_for(database_url, run_executor="thread"), solver=fake_engine("first_fit")
    )
    with TestClient(app) as client:
        run = start(client, seed)
        assert run["status"] == "succeeded"
        assert run["engine_version"] == "fake-1"
        assert run["explanation_status"] is None  # this engine explains nothing


def test_only_runs_with_an_expired_lease_are_recovered(
    database_url: str, seed: Seed, app: FastAPI
) -> None:
    """A run whose worker died (lease expired, no attempts left) fails with the reason; a
    live run of another worker (lease renewed) is never touched by a starting process."""
    now = datetime.now(UTC)
    with sessions_of(app)() as session:
        dead = RunRow(
            county="testcounty",
            active_lock="testcounty",
            status="running",
            planning_date=PLANNING,
            options={},
            created_by="x",
            lease_owner="gone:1:abc",
            lease_until=now - timedelta(seconds=5),
            attempts=2,
        )
        live = RunRow(
            county="other",
            active_lock="other",
            status="running",
            planning_date=PLANNING,
            options={},
            created_by="x",
            lease_owner="alive:2:def",
            lease_until=now + timedelta(minutes=5),
            attempts=1,
        )
        session.add_all([dead, live])
        session.commit()
        dead_id, live_id = dead.id, live.id
    other = create_app(
        settings_for(database_url, embedded_worker="all"), solver=fake_engine("first_fit")
    )
    with TestClient(other) as client:
        h = seed.h("coordinator")
        deadline = time.monotonic() + 10
        while client.get(f"/runs/{dead_id}", headers=h).json()["status"] == "running":
            assert time.monotonic() < deadline, "the expired run was not recovered"
            time.sleep(0.05)
        failed = client.get(f"/runs/{dead_id}", headers=h).json()
        assert failed["status"] == "failed" and "lease expired" in failed["error"]
        still = client.get(f"/runs/{live_id}", headers=h).json()
        assert still["status"] == "running" and still["finished_at"] is None
    with sessions_of(app)() as session:
        row = session.get(RunRow, live_id)
        assert row is not None and row.lease_owner == "alive:2:def"


def test_idempotent_run_start(database_url: str, seed: Seed) -> None:
    app = create_app(settings_for(database_url), solver=fake_engine("first_fit"))
    with TestClient(app) as client:
        h = seed.h("coordinator", **{"Idempotency-Key": "week-2"})
        first = client.post("/runs", json=RUN, headers=h)
        again = client.post("/runs", json=RUN, headers=h)
        assert first.status_code == again.status_code == 202
        assert first.json()["id"] == again.json()["id"]
        assert again.headers["Location"] == first.headers["Location"]
        poll(client, first.headers["Location"], h)


def _counts(app: FastAPI) -> tuple[int, int, int]:
    with sessions_of(app)() as session:
        return (
            session.scalar(select(func.count()).select_from(ProposalRow)) or 0,
            session.scalar(select(func.count()).select_from(AssignmentRow)) or 0,
            session.scalar(select(func.count()).select_from(RunRow)) or 0,
        )


def test_accepting_at_a_closed_placement_is_409(client: TestClient, seed: Seed) -> None:
    assert client.post("/placements/P1/close", headers=seed.h("muni1")).status_code == 200
    response = client.post(
        f"/proposals/{seed.proposal_id}/decision",
        json={"decision": "accept", "reason_code": "good_fit"},
        headers=seed.h("coordinator"),
    )
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]
