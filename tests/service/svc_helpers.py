"""Helpers of the service tests: the tiny county, seeding, tokens per role, polling.

Kept apart from ``conftest.py`` so that test modules can import them by a unique name.
"""

from __future__ import annotations

import copy
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from models import (
    AllocationProblem,
    Client,
    Coach,
    CommutingArea,
    Location,
    Municipality,
    Organisation,
    OrganisationType,
    Placement,
    TaskCategory,
    Weekday,
    WorkDemand,
)
from service.auth import Role, issue_token
from service.config import Settings
from service.crud.periods import import_ongoing
from service.db.tables import (
    AssignmentRow,
    Base,
    ClientPersonalRow,
    ProposalRow,
    RunRow,
    ScenarioFileRow,
    ScenarioJobRow,
)
from service.demo import load_problem
from service.identity import new_key
from service.jobs import Solver
from service.scenario_jobs import ScenarioEngine

T = TypeVar("T")

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PLANNING = date(2026, 1, 5)


def postgres_database() -> Iterator[str]:
    import psycopg

    url = make_url(os.environ.get("PAIKKA_TEST_POSTGRES_URL", PG_DEFAULT))
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    name = f"paikka_test_{uuid.uuid4().hex[:12]}"
    try:
        connection = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    with connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


TEST_IDENTITY_KEYS = f"test1:{new_key()}"
"""The identity-code key of this test process (made up at start; never a real secret)."""


def settings_for(url: str, **changes: object) -> Settings:
    """Test settings: short limits so that lifecycle tests are quick."""
    values: dict[str, object] = {
        "database_url": url,
        "identity_keys": TEST_IDENTITY_KEYS,
        "county": "testcounty",
        "run_timeout_s": 60,
        "max_time_limit_s": 5,
        # several apps share a test database: each executes only the jobs it queued
        "embedded_worker": "own",
        # A running job sees a cancel request at its next heartbeat, every third of the lease:
        # 1 s instead of production's 10 s for each test that cancels or ends with a job
        # running. A lease is only lost here when heartbeats fail (an "own" loop recovers
        # nothing while it executes), which the outage tests provoke with their own leases.
        "lease_s": 3,
    }
    values.update(changes)
    return Settings.model_validate(values)


def sessions_of(app: FastAPI) -> sessionmaker[Session]:
    """The app's session factory."""
    factory: sessionmaker[Session] = app.state.session_factory
    return factory


def wait_idle(app: FastAPI, timeout: float = 60) -> None:
    """Wait until the app's embedded solver worker has nothing left to do."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = app.state.workers
        if workers is None or workers.idle():
            return
        time.sleep(0.05)
    raise AssertionError("runs or scenario jobs still active")


def county() -> AllocationProblem:
    """A tiny county: two commuting areas, three municipalities, two producers, three
    placements (P1, P2 of O1 in Oulu; P3 of O2 in Ii), four clients, one coach."""
    oulu, ii = Location(lat=65.01, lon=25.47), Location(lat=65.32, lon=25.37)
    week = frozenset({Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU})

    def placement(pid: str, org: str, muni: str, at: Location, cat: TaskCategory) -> Placement:
        return Placement(
            id=pid,
            organisation=org,
            department=f"Dept {pid}",
            municipality=muni,
            location=at,
            task_category=cat,
            seats=2,
            weekdays=week,
            min_hours_per_day=4,
            max_hours_per_day=6,
            support_units=4,
            available_from=date(2025, 1, 1),
        )

    def person(cid: str, age: int, at: Location, **extra: object) -> Client:
        return Client.model_validate(
            {
                "id": cid,
                "age": age,
                "home_municipality": "564",
                "location": at,
                "days_per_week": 3,
                "hours_per_day": 5,
                "available_weekdays": week,
                "waiting_since": date(2025, 6, 1),
                "coach": "K1",
                **extra,
            }
        )

    return AllocationProblem(
        name="test",
        planning_date=PLANNING,
        commuting_areas=(
            CommutingArea(id="A1", name="Oulu"),
            CommutingArea(id="A2", name="Koillismaa"),
        ),
        municipalities=(
            Municipality(code="564", name_fi="Oulu", commuting_area="A1", centre=oulu),
            Municipality(code="139", name_fi="Ii", commuting_area="A1", centre=ii),
            Municipality(code="305", name_fi="Kuusamo", commuting_area="A2"),
        ),
        organisations=(
            Organisation(
                id="O1",
                name="Oulu catering",
                type=OrganisationType.MUNICIPAL_DEPARTMENT,
                municipality="564",
            ),
            Organisation(
                id="O2",
                name="Ii association",
                type=OrganisationType.ASSOCIATION,
                municipality="139",
            ),
        ),
        placements=(
            placement("P1", "O1", "564", oulu, TaskCategory.KITCHEN),
            placement("P2", "O1", "564", oulu, TaskCategory.CLEANING),
            placement("P3", "O2", "139", ii, TaskCategory.RECYCLING),
        ),
        clients=(
            person("C1", 24, oulu, work_constraints=frozenset({WorkDemand.NOISE}), support_units=2),
            person("C2", 40, oulu),
            person("C3", 27, ii),
            person("C4", 55, ii),
        ),
        coaches=(Coach(id="K1", caseload_capacity=30),),
    )


@dataclass
class Seed:
    """Tokens per role and ids of seeded records."""

    tokens: dict[str, str]
    run_id: int
    proposal_id: int
    assignment_id: int
    scenario_job_id: int

    def h(self, who: str, **extra: str) -> dict[str, str]:
        """Headers of a request by ``who`` (coordinator, muni1, muni2, planner, admin, coach)."""
        return {"Authorization": f"Bearer {self.tokens[who]}", **extra}


USERS = {
    "coordinator": (Role.COORDINATOR, None),
    "muni1": (Role.MUNICIPALITY, "O1"),
    "muni2": (Role.MUNICIPALITY, "O2"),
    "planner": (Role.PLANNER, None),
    "admin": (Role.ADMIN, None),
    "coach": (Role.COACH, "K1"),
}


@contextmanager
def append_only_lifted(session: Session) -> Iterator[None]:
    """Let the test reset empty the append-only audit log: as the database's owner, skip
    triggers (PostgreSQL) or drop and re-create them (SQLite) within the transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
        yield
        session.execute(text("SET LOCAL session_replication_role = origin"))
        return
    found = session.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        )
    ).all()
    for name, _sql in found:
        session.execute(text(f"DROP TRIGGER {name}"))
    yield
    for _name, sql in found:
        session.execute(text(sql))


# A seeding function's SQLite database once seeded, and what it returned: kept per process.
_SNAPSHOTS: dict[str, tuple[sqlite3.Connection, object]] = {}


def seeded(app: FastAPI, make: Callable[[sessionmaker[Session]], T]) -> T:
    """``make(sessions_of(app))``: the app's database emptied and seeded for one test.

    On SQLite the first call per process and seeding function seeds and keeps a copy of the
    database; later calls copy it back with SQLite's backup API, which waits for the app's
    open connections like any writer: the same rows at a twentieth of the cost (about 1 ms of
    CPU instead of 12 to 16, 8 ms instead of 35 to 60 of wall time, for each of 400 tests).
    The database is then as the seeding left it, row ids included, so the app also forgets
    the tokens it verified (fresh tokens per test never had a cached look-up either).
    PostgreSQL is seeded every time."""
    engine: Engine = app.state.db_engine
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        return make(sessions_of(app))
    key = f"{make.__module__}.{make.__qualname__}"
    kept = _SNAPSHOTS.get(key)
    if kept is None:
        value = make(sessions_of(app))
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        with closing(sqlite3.connect(path)) as source:
            source.backup(snapshot)
        _SNAPSHOTS[key] = (snapshot, copy.deepcopy(value))
        return value
    snapshot, value = kept
    with closing(sqlite3.connect(path, timeout=30)) as target:
        snapshot.backup(target)
    cache = getattr(app.state, "token_cache", None)
    if cache is not None:
        cache.clear()
    return copy.deepcopy(value)  # type: ignore[return-value]  # stored as object


def reset(factory: sessionmaker[Session]) -> Seed:
    """Empty every table and load the tiny county, personal data, one finished run with a
    proposal (C1 → P1) and an ongoing assignment (C2 at P1)."""
    with factory() as session:
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
        with append_only_lifted(session):
            for name in tables:  # DELETE beats TRUNCATE on PostgreSQL for tables this small
                session.execute(text(f"DELETE FROM {name}"))
        session.commit()
        load_problem(session, county())
        personal = {
            "C1": ("Aino A", "+358 40 111", ["display_name", "phone", "work_constraints"]),
            "C2": ("Bertta B", "+358 40 222", ["display_name"]),
            "C3": ("Cecilia C", "+358 40 333", []),
        }
        for cid, (name, phone, shared) in personal.items():
            row = session.get(ClientPersonalRow, cid)
            assert row is not None
            row.display_name, row.phone, row.shared_fields = name, phone, shared
        tokens = {who: issue_token(session, role, who, org) for who, (role, org) in USERS.items()}
        run = RunRow(
            county="testcounty",
            status="succeeded",
            planning_date=PLANNING,
            options={},
            created_by="coordinator",
            engine_version="seed",
            input_hash="seed",
        )
        session.add(run)
        session.flush()
        proposal = ProposalRow(
            run_id=run.id,
            client_id="C1",
            placement_id="P1",
            municipality_code="564",
            score=500,
            breakdown={"preference": 300, "travel": 200},
            travel_minutes=12,
            status="proposed",
        )
        session.add(proposal)
        # C2's placement at P1 ran before Paikka: an imported period, with its seat
        imported = import_ongoing(session, "C2", "P1", date(2025, 12, 1), None, "seed")
        assignment = session.get_one(AssignmentRow, imported.assignment_id)
        job = _finished_scenario_job(session)
        session.commit()
        return Seed(tokens, run.id, proposal.id, assignment.id, job.id)


def _finished_scenario_job(session: Session) -> ScenarioJobRow:
    """A succeeded scenario job with its comparison file (no engine call)."""
    job = ScenarioJobRow(
        county="testcounty",
        status="succeeded",
        base="county",
        planning_date=PLANNING,
        base_clients=4,
        base_placements=3,
        scenarios=[{"name": "base"}],
        options={"time_limit_s": 1, "seat_values": 0, "workers": 1, "distributed": False},
        summary=[],
        created_by="planner",
    )
    session.add(job)
    session.flush()
    content = b'{"base": "base", "scenarios": [], "comparison": []}'
    session.add(
        ScenarioFileRow(
            job_id=job.id,
            name="comparison.json",
            media_type="application/json",
            size=len(content),
            content=content,
        )
    )
    return job


def fake_scenario_engine(batch_name: str) -> ScenarioEngine:
    """A scenario engine whose batch is the function ``batch_name`` of ``fake_engine.py``."""
    from matching.scenario import write_outputs
    from tests.service import fake_engine as fakes

    return ScenarioEngine(batch=getattr(fakes, batch_name), write=write_outputs, version="fake-1")


def fake_engine(allocate_name: str, check_name: str = "check_ok") -> Solver:
    """An engine made of the functions in ``fake_engine.py``."""
    from tests.service import fake_engine as fakes

    return Solver(
        allocate=getattr(fakes, allocate_name),
        check=getattr(fakes, check_name),
        version="fake-1",
    )


def poll(
    client: TestClient, url: str, headers: dict[str, str], timeout: float = 60
) -> dict[str, object]:
    """Poll a run until it is final."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, object] = client.get(url, headers=headers).json()
        if body["status"] not in ("queued", "running"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{url} did not finish")
