"""What keeps a read cheap keeps it correct: a verified token is kept for a short time per
web process (a revocation takes effect within it), and a solver worker lowers its own CPU
priority so that readers win the CPU (its engine processes inherit it)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text, update

from service.auth import Principal, Role, TokenCache
from service.db.session import ping_rested_connections
from service.db.tables import TokenRow
from service.worker import lower_priority
from tests.service.svc_helpers import Seed, sessions_of


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


PRINCIPAL = Principal(1, "aino", Role.COORDINATOR, None)


def test_a_cached_token_expires_after_its_time() -> None:
    clock = Clock()
    cache = TokenCache(5, clock)
    cache.put("d1", PRINCIPAL)
    clock.now += 4.9
    assert cache.get("d1") == PRINCIPAL
    clock.now += 0.1
    assert cache.get("d1") is None
    assert cache.get("unknown") is None


def test_a_zero_time_keeps_nothing_and_the_size_is_bounded() -> None:
    off = TokenCache(0)
    off.put("d1", PRINCIPAL)
    assert off.get("d1") is None
    small = TokenCache(60)
    small.MAX_ENTRIES = 3
    for n in range(3):
        small.put(f"d{n}", PRINCIPAL)
    small.put("d3", PRINCIPAL)
    assert small.get("d0") is None and small.get("d3") == PRINCIPAL


@pytest.fixture
def clock(app: FastAPI) -> Iterator[Clock]:
    """The app's token cache on a clock the test moves (5 s, the default)."""
    original = app.state.token_cache
    moved = Clock()
    app.state.token_cache = TokenCache(5, moved)
    try:
        yield moved
    finally:
        app.state.token_cache = original


def test_a_revoked_token_is_refused_once_its_cached_time_is_over(
    client: TestClient, seed: Seed, app: FastAPI, clock: Clock
) -> None:
    h = seed.h("planner")
    assert client.get("/placements", headers=h).status_code == 200
    with sessions_of(app)() as session:
        session.execute(update(TokenRow).where(TokenRow.name == "planner").values(revoked=True))
        session.commit()
    clock.now += 4
    assert client.get("/placements", headers=h).status_code == 200  # within the 5 s
    clock.now += 1
    assert client.get("/placements", headers=h).status_code == 401
    clock.now += 60
    assert client.get("/placements", headers=h).status_code == 401  # refusals never cached


def test_an_unknown_token_is_looked_up_every_time(
    client: TestClient, seed: Seed, app: FastAPI, clock: Clock
) -> None:
    assert client.get("/placements", headers=seed.h("planner")).status_code == 200
    assert client.get("/placements", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert len(app.state.token_cache._entries) == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_solver_worker_lowers_its_priority_and_its_children_inherit_it() -> None:
    """In a forked copy of this process (its niceness changes, not the test run's): the
    niceness goes up by the increment (19 at most) and a program it starts inherits it."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running any test machinery
        code = 70
        try:
            before = os.nice(0)
            after = lower_priority(5)
            child = subprocess.run(
                [sys.executable, "-S", "-c", "import os; print(os.nice(0))"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            os.write(write, f"{before} {after} {child}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as answer:
        out = answer.read().split()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, out
    before, after, child = map(int, out)
    assert after == min(19, before + 5)
    assert child == after


def test_a_pooled_connection_is_pinged_only_after_it_rested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Instead of a ping at every checkout (a round trip per request), a connection is
    pinged only when it rested longer than the given time, and one whose ping fails is
    replaced by a fresh connection."""
    pings: list[object] = []
    failing: list[bool] = []

    def ping(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        if failing:
            raise sqlite3.OperationalError("the server went away (test)")
        return True

    def engine_resting(after_s: float) -> Engine:
        engine = create_engine(f"sqlite:///{tmp_path}/{after_s}.db")
        monkeypatch.setattr(engine.dialect, "do_ping", ping)
        ping_rested_connections(engine, after_s)
        return engine

    def use(engine: Engine) -> object:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
            return connection.connection.dbapi_connection

    busy = engine_resting(3600)  # never rests long enough
    first = use(busy)
    assert use(busy) is first and use(busy) is first
    assert pings == []

    rested = engine_resting(-1)  # always rested
    first = use(rested)
    assert pings == []  # fresh from connect: not pinged
    assert use(rested) is first and pings == [first]
    failing.append(True)
    replaced = use(rested)  # the ping fails: another connection is handed out
    assert replaced is not first and pings[1] is first
    busy.dispose()
    rested.dispose()
