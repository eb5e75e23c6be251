"""Scale-out: web processes queue jobs, solver workers (``python -m service.worker``) execute
them under a lease. Claims are conditional (one winner), cancel reaches a worker in another
process through the database and stops its engine, a killed worker's job is retried by
another once the lease expires and leaves no engine process behind, and migrations started
at once by several processes run once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.app import create_app
from service.crud import jobs as lifecycle
from service.db.session import make_engine, make_session_factory
from service.db.tables import RunRow
from tests.service.svc_helpers import (
    PLANNING,
    Seed,
    postgres_database,
    settings_for,
)

RUN = {"planning_date": PLANNING.isoformat(), "options": {"time_limit_s": 5}}
ROOT = Path(__file__).resolve().parents[2]
# Tests that start ``python -m service.worker`` processes (each imports the whole service and
# waits out leases): the full suite runs them, the short loop does not.
WORKER_PROCESSES = pytest.mark.slow


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


class WorkerProcess:
    """A ``python -m service.worker`` process on the test database."""

    def __init__(self, url: str, solver: str, pid_dir: Path, lease_s: float = 2.0) -> None:
        env = {
            **os.environ,
            "PAIKKA_DATABASE_URL": url,
            "PAIKKA_COUNTY": "testcounty",
            "PAIKKA_LEASE_S": str(lease_s),
            "PAIKKA_WORKER_POLL_S": "0.2",
            "PAIKKA_MAX_TIME_LIMIT_S": "5",
            "PAIKKA_TEST_PID_DIR": str(pid_dir),
            # full priority: on a busy test machine a niced worker may wait long for a core
            "PAIKKA_WORKER_NICE": "0",
            "PYTHONPATH": str(ROOT),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.worker", "--kinds", "run", "--solver", solver],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(database_url: str, tmp_path: Path) -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.stop()


def _engine_pids(pid_dir: Path) -> list[int]:
    return [int(p.read_text()) for p in pid_dir.glob("*.pid")]


@WORKER_PROCESSES
def test_cancel_in_one_web_process_stops_the_engine_of_a_worker_process(
    database_url: str, seed: Seed, workers: list[WorkerProcess], tmp_path: Path
) -> None:
    """Two web processes without embedded workers and one solver worker: the run queued by
    one web process runs in the worker; a cancel sent to the other web process reaches the
    worker through the database and ends the engine process."""
    web1 = create_app(settings_for(database_url, embedded_worker="off"))
    web2 = create_app(settings_for(database_url, embedded_worker="off", migrate_on_start=False))
    workers.append(WorkerProcess(database_url, "tests.service.fake_engine:slow_solver", tmp_path))
    h = seed.h("coordinator")
    with TestClient(web1) as one, TestClient(web2) as two:
        run = one.post("/runs", json=RUN, headers=h).json()
        _wait(lambda: _engine_pids(tmp_path), 60, "the engine process to start")
        running = two.get(f"/runs/{run['id']}", headers=h).json()
        assert running["status"] == "running"
        (engine_pid,) = _engine_pids(tmp_path)
        assert _alive(engine_pid)
        done = two.post(f"/runs/{run['id']}/cancel", headers=h).json()
        assert done["status"] == "cancelled", done
        _wait(lambda: not _alive(engine_pid), 15, "the engine process to end")
        # the lock is free again: the next run can start
        assert two.post("/runs", json=RUN, headers=h).status_code == 202
        queued = two.get("/runs?status=queued", headers=h).json()
        for item in queued:
            two.post(f"/runs/{item['id']}/cancel", headers=h)
        _wait(lambda: not two.get("/runs?status=running", headers=h).json(), 20, "runs to end")


@WORKER_PROCESSES
def test_a_killed_worker_leaves_no_engine_and_its_run_is_retried(
    database_url: str, seed: Seed, workers: list[WorkerProcess], tmp_path: Path
) -> None:
    """kill -9 of a solver worker mid-run: its engine process ends with it, the lease
    expires, and another worker runs the job again to success."""
    web = create_app(settings_for(database_url, embedded_worker="off"))
    h = seed.h("coordinator")
    first = WorkerProcess(database_url, "tests.service.fake_engine:slow_solver", tmp_path)
    workers.append(first)
    with TestClient(web) as client:
        run = client.post("/runs", json=RUN, headers=h).json()
        _wait(lambda: _engine_pids(tmp_path), 60, "the engine process to start")
        (engine_pid,) = _engine_pids(tmp_path)
        first.kill()
        _wait(lambda: not _alive(engine_pid), 10, "the orphaned engine process to end")
        assert client.get(f"/runs/{run['id']}", headers=h).json()["status"] == "running"
        workers.append(
            WorkerProcess(database_url, "tests.service.fake_engine:first_fit_solver", tmp_path)
        )
        deadline = time.monotonic() + 60
        while True:
            body = client.get(f"/runs/{run['id']}", headers=h).json()
            if body["status"] not in ("queued", "running"):
                break
            assert time.monotonic() < deadline, body
            time.sleep(0.2)
        assert body["status"] == "succeeded", body["error"]
        assert body["engine_version"] == "fake-1"
    sessions = make_session_factory(make_engine(database_url))
    with sessions() as session:
        row = session.get(RunRow, run["id"])
        assert row is not None and row.attempts == 2 and row.lease_owner is None


@WORKER_PROCESSES
def test_a_killed_worker_out_of_attempts_fails_the_run_with_the_reason(
    database_url: str, seed: Seed, workers: list[WorkerProcess], tmp_path: Path
) -> None:
    web = create_app(settings_for(database_url, embedded_worker="off", max_attempts=1))
    h = seed.h("coordinator")
    first = WorkerProcess(database_url, "tests.service.fake_engine:slow_solver", tmp_path)
    workers.append(first)
    with TestClient(web) as client:
        run = client.post("/runs", json=RUN, headers=h).json()
        _wait(lambda: _engine_pids(tmp_path), 60, "the engine process to start")
        first.kill()
        sessions = make_session_factory(make_engine(database_url))
        _wait(lambda: _lease_expired(sessions, run["id"]), 10, "the lease to expire")
        with sessions() as session:
            found = lifecycle.recover_expired(session, RunRow, max_attempts=1)
            assert [(r.id, r.queued) for r in found] == [(run["id"], False)]
        body = client.get(f"/runs/{run['id']}", headers=h).json()
        assert body["status"] == "failed" and "lease expired" in body["error"]
        assert client.post("/runs", json=RUN, headers=h).status_code == 202  # lock released
        for item in client.get("/runs?status=queued", headers=h).json():
            client.post(f"/runs/{item['id']}/cancel", headers=h)


def _lease_expired(sessions: Any, run_id: int) -> bool:
    from service.db.tables import utcnow

    with sessions() as session:
        until = session.scalar(select(RunRow.lease_until).where(RunRow.id == run_id))
    if until is None:
        return False
    if until.tzinfo is None:
        until = until.replace(tzinfo=utcnow().tzinfo)
    return bool(until < utcnow())


def test_exactly_one_of_many_workers_claims_a_job(database_url: str, seed: Seed) -> None:
    sessions = make_session_factory(make_engine(database_url))
    with sessions() as session:
        run = RunRow(
            county="testcounty",
            active_lock="testcounty",
            status="queued",
            planning_date=PLANNING,
            options={},
            created_by="x",
        )
        session.add(run)
        session.commit()
        run_id = run.id
    wins: list[str] = []
    barrier = threading.Barrier(6)

    def claim(name: str) -> None:
        with sessions() as session:
            barrier.wait()
            if lifecycle.claim(session, RunRow, run_id, name, 30, "v"):
                wins.append(name)

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 1
    with sessions() as session:
        row = session.get(RunRow, run_id)
        assert row is not None and row.lease_owner == wins[0] and row.attempts == 1
        # a finish by a worker without the lease changes nothing
        assert not lifecycle.finish(session, RunRow, run_id, "failed", "x", owner="other")
        assert lifecycle.finish(session, RunRow, run_id, "cancelled", "x", owner=wins[0])


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """An empty PostgreSQL database."""
    yield from postgres_database()


@pytest.mark.postgres
@pytest.mark.slow
def test_migrations_started_at_once_run_once(fresh_postgres: str) -> None:
    """Four processes upgrading a fresh PostgreSQL database at once (web workers starting
    together): the advisory lock lets one migrate; the others find the schema at head.

    The interleaving is forced rather than hoped for: the test holds the (empty) version
    table locked until all four processes wait on it, so that without the migration lock all
    four would read "no version" and run the first revision together (all but one then fail
    on tables that already exist). With the lock, one waits on the table, three on the lock.
    """
    import psycopg
    from sqlalchemy import make_url

    admin = make_url(fresh_postgres).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as setup:
        setup.execute(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
        )
    script = "import sys; from service.db.session import upgrade; upgrade(sys.argv[1])"
    with psycopg.connect(admin) as gate:
        gate.execute("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE")
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", script, fresh_postgres],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        deadline = time.monotonic() + 120
        waiting = 0
        with psycopg.connect(admin, autocommit=True) as watch:
            while waiting < 4 and time.monotonic() < deadline:
                time.sleep(0.2)
                row = watch.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                ).fetchone()
                waiting = row[0] if row else 0
        assert waiting == 4, "the four upgrades never all waited"
        gate.commit()  # releases the table: the race, if nothing prevents it
    failures = []
    for process in processes:
        _out, err = process.communicate(timeout=120)
        if process.returncode != 0:
            failures.append(err[-2000:])
    assert failures == []
