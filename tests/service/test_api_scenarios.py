"""Scenario jobs of planners: start on the stored county or a problem file, poll, results and
files, the 422s of bad scenarios, cancel and timeout, and pseudonymity of every output."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.app import create_app
from service.crud import jobs as lifecycle
from service.db.tables import AuditRow, ScenarioJobRow
from tests.service.svc_helpers import (
    PLANNING,
    Seed,
    county,
    fake_scenario_engine,
    poll,
    reset,
    sessions_of,
    settings_for,
    wait_idle,
)

RESIZE = {"kind": "resize_placements", "select": {"ids": ["P1"]}, "add_seats": 2}
# P3 alone keeps its two seats: two of the four clients stay out.
SHRINK = {"kind": "remove_placements", "select": {"ids": ["P1", "P2"]}}
JOB: dict[str, Any] = {
    "name": "Seats",
    "description": "More seats at P1; no P1 and P2.",
    "scenarios": [
        {"name": "more-seats", "changes": [RESIZE]},
        {"name": "shrink", "changes": [SHRINK]},
    ],
    "planning_date": PLANNING.isoformat(),
    "time_limit_s": 2,
    "seat_values": 2,
}
MEDIA = {
    ".json": "application/json",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
PSEUDONYM = re.compile(r"^S\d{4,}$")


def start(
    client: TestClient, seed: Seed, body: dict[str, Any] = JOB, who: str = "planner"
) -> dict[str, Any]:
    response = client.post("/scenario-jobs", json=body, headers=seed.h(who))
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/scenario-jobs/{response.json()['id']}"
    return poll(client, response.headers["Location"], seed.h(who))


def files_of(client: TestClient, seed: Seed, job: int) -> dict[str, bytes]:
    """Every output file of a job, downloaded, by name (checking type and size on the way)."""
    h = seed.h("planner")
    listed = client.get(f"/scenario-jobs/{job}/files", headers=h).json()
    out = {}
    for item in listed:
        response = client.get(f"/scenario-jobs/{job}/files/{item['name']}", headers=h)
        assert response.status_code == 200
        suffix = item["name"][item["name"].rfind(".") :]
        assert response.headers["content-type"].startswith(MEDIA[suffix])
        assert item["media_type"].startswith(MEDIA[suffix])
        assert len(response.content) == item["size"] > 0
        assert "attachment" in response.headers["content-disposition"]
        out[item["name"]] = response.content
    return out


@pytest.mark.slow
def test_job_on_the_stored_county(client: TestClient, seed: Seed, app: FastAPI) -> None:
    response = client.post(
        "/scenario-jobs", json=JOB, headers=seed.h("planner", **{"X-Purpose": "plan 2027"})
    )
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/scenario-jobs/{response.json()['id']}"
    job = poll(client, response.headers["Location"], seed.h("planner"))
    assert job["status"] == "succeeded", job["error"]
    assert job["base"] == "county" and job["planning_date"] == PLANNING.isoformat()
    assert (job["base_clients"], job["base_placements"]) == (4, 3)
    assert job["name"] == "Seats" and job["engine_version"]
    assert job["started_at"] and job["finished_at"]
    assert [s["name"] for s in job["scenarios"]] == ["base", "more-seats", "shrink"]
    assert job["scenarios"][1]["changes"][0]["kind"] == "resize_placements"
    assert job["options"]["time_limit_s"] == 2
    summary = {s["scenario"]: s for s in job["summary"]}
    assert set(summary) == {"base", "more-seats", "shrink"}
    assert summary["base"]["clients"] == 4
    assert summary["shrink"]["placed"] == 2 and summary["shrink"]["placement_rate"] == 0.5
    assert 0 <= summary["base"]["top3_share"] <= 1
    comparison = client.get(f"/scenario-jobs/{job['id']}/comparison", headers=seed.h("planner"))
    assert comparison.status_code == 200
    document = comparison.json()
    assert document["base"] == "base"
    assert [s["scenario"] for s in document["scenarios"]] == ["base", "more-seats", "shrink"]
    assert document["comparison"]
    files = files_of(client, seed, job["id"])
    assert {"comparison.json", "comparison.csv", "comparison.xlsx"} <= set(files)
    assert json.loads(files["comparison.json"]) == document
    assert any(name.endswith(".png") for name in files)
    assert any(name.endswith(".svg") for name in files)
    _audited_once(app, job["id"])


def _audited_once(app: FastAPI, job: int) -> None:
    """Reading the stored clients for the base wrote one audit row, with the real ids."""
    with sessions_of(app)() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.resource == "scenario_jobs")).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.actor, row.role, row.action) == ("planner", "planner", "read")
    assert row.purpose == "plan 2027" and row.record_id == str(job)
    assert row.detail is not None and row.detail["count"] == 4
    assert sorted(row.detail["client_ids"]) == ["C1", "C2", "C3", "C4"]


@pytest.mark.slow
def test_job_on_an_uploaded_problem(client: TestClient, seed: Seed, app: FastAPI) -> None:
    problem = county().model_dump(mode="json")
    body = {
        "scenarios": [{"name": "shrink", "changes": [SHRINK]}],
        "base_problem": problem,
        "time_limit_s": 2,
        "seat_values": 2,
        "seat_resolves": 10,
    }
    job = start(client, seed, body, who="admin")
    assert job["status"] == "succeeded", job["error"]
    assert job["base"] == "upload" and job["created_by"] == "admin"
    assert job["planning_date"] == problem["planning_date"]
    document = client.get(f"/scenario-jobs/{job['id']}/comparison", headers=seed.h("admin"))
    # Enough re-solves for this small county: both rankings are exact.
    base = document.json()["scenarios"][0]
    ranked = base["seat_values"] + base["support_values"]
    assert ranked and all(row["exact"] for row in ranked)
    assert {row["resource"] for row in ranked} == {"seat", "support_unit"}
    unplaced = {u["client"] for s in document.json()["scenarios"] for u in s["unplaced"]}
    assert unplaced and unplaced <= {"C1", "C2", "C3", "C4"}  # the file's own ids
    with sessions_of(app)() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.resource == "scenario_jobs")).all()
        assert rows == []  # no stored client was read


@pytest.mark.parametrize(
    ("scenarios", "field"),
    [
        (
            [
                {"name": "a"},
                {"name": "b", "changes": [{"kind": "resize_placements", "select": {}}]},
            ],
            "body.scenarios.1.changes.0.select",
        ),
        (
            [{"name": "a", "changes": [{"kind": "resize_placements", "select": {"ids": ["P1"]}}]}],
            "body.scenarios.0.changes.0",
        ),
        ([{"name": "a", "changes": [{"kind": "nope"}]}], "body.scenarios.0.changes.0"),
        ([{"name": "a/b"}], "body.scenarios.0.name"),  # spaces and ä, ö, å are fine, a slash is not
        ([{"name": "a"}, {"name": "a"}], "body.scenarios"),
        ([{"name": "base", "changes": [RESIZE]}], "body.scenarios"),
        (
            [
                {"name": "a"},
                {"name": "b", "changes": [{**RESIZE, "select": {"department": ["X"]}}]},
            ],
            "body.scenarios.1.changes.0.select.department",
        ),
        (
            [{"name": "a", "changes": [{"kind": "regime", "set": {"no_such_rule": 1}}]}],
            "body.scenarios.0.changes.0.set.no_such_rule",
        ),
    ],
    ids=[
        "empty-selector",
        "resize-nothing",
        "unknown-kind",
        "bad-name",
        "twice",
        "changed-base",
        "selector-matches-nothing",
        "unknown-regime-field",
    ],
)
def test_bad_scenarios_are_422_with_the_field(
    client: TestClient, seed: Seed, app: FastAPI, scenarios: list[Any], field: str
) -> None:
    response = client.post(
        "/scenario-jobs", json={**JOB, "scenarios": scenarios}, headers=seed.h("planner")
    )
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]], response.json()
    with sessions_of(app)() as session:
        assert (
            session.scalars(
                select(ScenarioJobRow).where(ScenarioJobRow.id != seed.scenario_job_id)
            ).all()
            == []
        )


@pytest.mark.parametrize(
    "change",
    [
        {"extra": 1},
        {"time_limit_s": 0},
        {"seat_values": -1},
        {"seat_resolves": 101},
        {"base_problem": {"name": "x"}},
        {"base_problem": county().model_dump(mode="json")},  # with planning_date too
    ],
    ids=[
        "unknown-field",
        "time-limit",
        "seat-values",
        "seat-resolves",
        "bad-problem",
        "problem-and-date",
    ],
)
def test_bad_bodies_are_422(client: TestClient, seed: Seed, change: dict[str, Any]) -> None:
    response = client.post("/scenario-jobs", json={**JOB, **change}, headers=seed.h("planner"))
    assert response.status_code == 422, response.text
    assert all(e["field"].startswith("body") for e in response.json()["errors"])


@pytest.mark.parametrize("who", ["coordinator", "muni1"])
def test_only_planners_and_admins(client: TestClient, seed: Seed, who: str) -> None:
    h = seed.h(who)
    assert client.post("/scenario-jobs", json=JOB, headers=h).status_code == 403
    assert client.get("/scenario-jobs", headers=h).status_code == 403
    job = seed.scenario_job_id
    assert client.get(f"/scenario-jobs/{job}/files/comparison.json", headers=h).status_code == 403


def test_unknown_jobs_and_files_are_404(client: TestClient, seed: Seed) -> None:
    h = seed.h("planner")
    job = seed.scenario_job_id
    for path in ("", "/comparison", "/files", "/files/comparison.json"):
        assert client.get(f"/scenario-jobs/999999{path}", headers=h).status_code == 404
    assert client.post("/scenario-jobs/999999/cancel", headers=h).status_code == 404
    assert client.get(f"/scenario-jobs/{job}/files/nope.csv", headers=h).status_code == 404
    for name in ("..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", ".env", "a%5Cb"):
        response = client.get(f"/scenario-jobs/{job}/files/{name}", headers=h)
        assert response.status_code in (404, 422), name


@pytest.mark.slow
def test_listing_pages_and_the_time_limit_cap(client: TestClient, seed: Seed) -> None:
    job = start(client, seed, {**JOB, "time_limit_s": 3000, "seat_values": 0})
    assert job["options"]["time_limit_s"] == 5  # the test settings' max_time_limit_s
    h = seed.h("planner")
    everything = client.get("/scenario-jobs", headers=h).json()
    assert everything["total"] == 2
    assert [j["id"] for j in everything["items"]] == sorted(
        (j["id"] for j in everything["items"]), reverse=True
    )
    second = client.get("/scenario-jobs?page=2&page_size=1", headers=h).json()
    assert second["items"][0]["id"] == seed.scenario_job_id
    failed = client.get("/scenario-jobs?status=failed", headers=h).json()
    assert failed["total"] == 0 and failed["items"] == []
    assert client.get("/scenario-jobs?page=0", headers=h).status_code == 422


@pytest.mark.slow
def test_outputs_are_pseudonymous(client: TestClient, seed: Seed, app: FastAPI) -> None:
    coordinator = seed.h("coordinator")
    secret_ids = ["REAL-CLIENT-7731", "REAL-CLIENT-8842"]
    for k, cid in enumerate(secret_ids):
        created = client.post(
            "/clients",
            json={
                "id": cid,
                "display_name": f"Salainen Nimi {k}",
                "phone": "+358 40 999 000",
                "birth_date": f"1990-04-0{k + 1}",
                "home_municipality": "564",
                "location": {"lat": 65.0, "lon": 25.5},
                "days_per_week": 3,
                "hours_per_day": 5,
                "available_weekdays": ["mon", "tue", "wed"],
                "waiting_since": "2025-03-01",
                # One side suffices (the rule is symmetric); a client not yet stored cannot
                # be avoided (unknown reference, refused like any dangling id).
                "avoid_clients": [secret_ids[0]] if k == 1 else [],
            },
            headers=coordinator,
        )
        assert created.status_code == 201, created.text
    job = start(client, seed, {**JOB, "seat_values": 1})
    assert job["status"] == "succeeded", job["error"]
    real = ["C1", "C2", "C3", "C4", *secret_ids]
    document = client.get(f"/scenario-jobs/{job['id']}/comparison", headers=seed.h("planner"))
    unplaced = [u["client"] for s in document.json()["scenarios"] for u in s["unplaced"]]
    assert len(unplaced) >= 4 and all(PSEUDONYM.match(c) for c in unplaced)
    strings = set(_strings(document.json()))
    assert not strings & set(real)
    for name, content in files_of(client, seed, job["id"]).items():
        texts = _texts(name, content)
        for text in texts:
            for cid in secret_ids:
                assert cid not in text, name
            assert "Salainen" not in text and "+358" not in text, name
        if name.endswith(".csv"):
            cells = {
                cell for text in texts for row in csv.reader(io.StringIO(text)) for cell in row
            }
            assert not cells & set(real), name
    poll_view = json.dumps(
        client.get(f"/scenario-jobs/{job['id']}", headers=seed.h("planner")).json()
    )
    assert not any(cid in poll_view for cid in secret_ids)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _texts(name: str, content: bytes) -> list[str]:
    """The readable text of a file (the members of an XLSX, which is a zip)."""
    if name.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return [book.read(member).decode("utf-8", "replace") for member in book.namelist()]
    return [content.decode("utf-8", "replace")]


def test_cancel_stops_a_running_job(database_url: str, seed: Seed) -> None:
    app = create_app(settings_for(database_url), scenario_engine=fake_scenario_engine("slow_batch"))
    with TestClient(app) as client:
        h = seed.h("planner")
        job = client.post("/scenario-jobs", json=JOB, headers=h).json()
        assert client.post("/scenario-jobs", json=JOB, headers=h).status_code == 409
        waiting = client.get(f"/scenario-jobs/{job['id']}/comparison", headers=h)
        assert waiting.status_code == 409
        assert client.get(f"/scenario-jobs/{job['id']}/files", headers=h).json() == []
        done = client.post(f"/scenario-jobs/{job['id']}/cancel", headers=h)
        assert done.status_code == 200
        assert done.json()["status"] == "cancelled" and done.json()["cancel_requested"]
        assert client.post(f"/scenario-jobs/{job['id']}/cancel", headers=h).status_code == 409
        again = client.post("/scenario-jobs", json=JOB, headers=h)  # the lock is released
        assert again.status_code == 202
        client.post(f"/scenario-jobs/{again.json()['id']}/cancel", headers=h)
        wait_idle(app)


def test_a_job_does_not_wait_for_the_weekly_run(database_url: str, seed: Seed) -> None:
    from tests.service.svc_helpers import fake_engine

    app = create_app(
        settings_for(database_url),
        solver=fake_engine("slow"),
        scenario_engine=fake_scenario_engine("slow_batch"),
    )
    with TestClient(app) as client:
        run = client.post(
            "/runs", json={"planning_date": PLANNING.isoformat()}, headers=seed.h("coordinator")
        )
        assert run.status_code == 202
        job = client.post("/scenario-jobs", json=JOB, headers=seed.h("planner"))
        assert job.status_code == 202
        client.post(f"/runs/{run.json()['id']}/cancel", headers=seed.h("coordinator"))
        client.post(f"/scenario-jobs/{job.json()['id']}/cancel", headers=seed.h("planner"))
        wait_idle(app)


@pytest.mark.parametrize(
    ("batch", "settings", "status", "error"),
    [
        ("slow_batch", {"scenario_timeout_s": 1}, "timed_out", "wall-clock limit"),
        ("failing_batch", {}, "failed", "scenario 'later': changes[0].select"),
    ],
    ids=["timeout", "scenario-error"],
)
def test_bad_endings_keep_the_state(
    database_url: str,
    seed: Seed,
    batch: str,
    settings: dict[str, Any],
    status: str,
    error: str,
) -> None:
    app = create_app(
        settings_for(database_url, **settings), scenario_engine=fake_scenario_engine(batch)
    )
    with TestClient(app) as client:
        h = seed.h("planner")
        job = start(client, seed)
        assert job["status"] == status
        assert error in job["error"] and "Traceback" not in job["error"]
        assert job["finished_at"] is not None and job["summary"] is None
        assert client.get(f"/scenario-jobs/{job['id']}/files", headers=h).json() == []
        assert client.get(f"/scenario-jobs/{job['id']}/comparison", headers=h).status_code == 409
        again = client.post("/scenario-jobs", json=JOB, headers=h)  # the lock is released
        assert again.status_code == 202
        client.post(f"/scenario-jobs/{again.json()['id']}/cancel", headers=h)
        wait_idle(app)


def test_racing_starts_admit_one_job(database_url: str, seed: Seed) -> None:
    app = create_app(settings_for(database_url), scenario_engine=fake_scenario_engine("slow_batch"))
    with TestClient(app) as client:
        h = seed.h("planner")
        codes: list[int] = []

        def go() -> None:
            codes.append(client.post("/scenario-jobs", json=JOB, headers=h).status_code)

        threads = [threading.Thread(target=go) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(codes) == [202, 409, 409]
        with sessions_of(app)() as session:
            active = session.scalars(
                select(ScenarioJobRow).where(ScenarioJobRow.active_lock.is_not(None))
            ).all()
        assert len(active) == 1
        client.post(f"/scenario-jobs/{active[0].id}/cancel", headers=h)
        wait_idle(app)


def test_a_job_whose_worker_died_is_queued_again(
    database_url: str, seed: Seed, app: FastAPI
) -> None:
    """An expired lease with attempts left puts the job back in the queue (not failed, not
    left running); a queued job is then cancelled through the database at once."""
    with sessions_of(app)() as session:
        job = ScenarioJobRow(
            county="testcounty",
            active_lock="testcounty",
            status="running",
            base="county",
            planning_date=PLANNING,
            base_clients=4,
            base_placements=3,
            scenarios=[{"name": "base"}],
            options={},
            created_by="planner",
            lease_owner="gone:1:abc",
            lease_until=datetime.now(UTC) - timedelta(seconds=1),
            attempts=1,
        )
        session.add(job)
        session.commit()
        job_id = job.id
    with sessions_of(app)() as session:
        found = lifecycle.recover_expired(session, ScenarioJobRow, max_attempts=2)
    assert [(r.id, r.queued) for r in found] == [(job_id, True)]
    client = TestClient(app)
    h = seed.h("planner")
    assert client.get(f"/scenario-jobs/{job_id}", headers=h).json()["status"] == "queued"
    cancelled = client.post(f"/scenario-jobs/{job_id}/cancel", headers=h)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_idempotent_start(client: TestClient, seed: Seed) -> None:
    h = seed.h("planner", **{"Idempotency-Key": "plan-1"})
    body = {**JOB, "seat_values": 0}
    first = client.post("/scenario-jobs", json=body, headers=h)
    again = client.post("/scenario-jobs", json=body, headers=h)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
    other = client.post("/scenario-jobs", json={**body, "name": "other"}, headers=h)
    assert other.status_code == 422
    client.post(f"/scenario-jobs/{first.json()['id']}/cancel", headers=seed.h("planner"))


@pytest.mark.slow
@pytest.mark.parametrize(
    "changes",
    [{"run_executor": "thread"}, {"scenario_workers": 2}],
    ids=["thread", "process-pool"],
)
def test_other_executors(tmp_path: Path, changes: dict[str, Any]) -> None:
    """The executor does not depend on the database: SQLite only."""
    app = create_app(settings_for(f"sqlite:///{tmp_path}/executors.db", **changes))
    with TestClient(app) as client:
        seed = reset(sessions_of(app))
        job = start(client, seed, {**JOB, "seat_values": 0})
        assert job["status"] == "succeeded", job["error"]
        assert job["options"]["workers"] == changes.get("scenario_workers", 1)
        assert [s["placed"] for s in job["summary"]] == [4, 4, 2]


@pytest.mark.slow
def test_dask_scheduler(tmp_path: Path) -> None:
    """With PAIKKA_DASK_SCHEDULER the batch runs on that cluster (here a local one)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        dashboard_address=None,
    ) as cluster:
        settings = settings_for(
            f"sqlite:///{tmp_path}/dask.db", dask_scheduler=cluster.scheduler_address
        )
        app = create_app(settings)
        with TestClient(app) as client:
            seed = reset(sessions_of(app))
            job = start(client, seed, {**JOB, "seat_values": 0})
    assert job["status"] == "succeeded", job["error"]
    assert job["options"]["distributed"] is True
    assert "tcp://" not in json.dumps(job)  # the cluster's address is not shown
    assert [s["placed"] for s in job["summary"]] == [4, 4, 2]


def test_a_bad_scenario_is_refused_in_the_planners_words(client: TestClient, seed: Seed) -> None:
    scenarios = [{"name": "Oulu", "changes": [{**RESIZE, "select": {"department": ["Ei ole"]}}]}]
    response = client.post(
        "/scenario-jobs",
        json={**JOB, "scenarios": scenarios},
        headers={**seed.h("planner"), "Accept-Language": "fi"},
    )
    assert response.status_code == 422, response.text
    body = response.json()
    [error] = body["errors"]
    assert error["field"] == "body.scenarios.0.changes.0.select.department"
    assert error["code"] == "scenario.error.no_placement.department"
    assert error["params"] == {"change": 1, "value": "Ei ole"}
    assert error["message"] == "Muutos 1: yksiköstä ”Ei ole” ei löydy yhtään paikkaa"
    assert "Muutos 1: yksiköstä" in body["message"]
    english = client.post(
        "/scenario-jobs",
        json={**JOB, "scenarios": scenarios},
        headers={**seed.h("planner"), "Accept-Language": "en"},
    ).json()
    assert english["errors"][0]["message"] == "Change 1: the unit “Ei ole” has no placements"


def test_an_empty_selector_is_refused_in_words(client: TestClient, seed: Seed) -> None:
    scenarios = [{"name": "a", "changes": [{**RESIZE, "select": {}}]}]
    response = client.post(
        "/scenario-jobs", json={**JOB, "scenarios": scenarios}, headers=seed.h("planner")
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["type"] == "selector_empty"
    assert error["message"].startswith("valitse paikat vähintään yhdellä ehdolla"), error
