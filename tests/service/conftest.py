"""Fixtures of the service tests: both databases, the app, a seeded county per test.

Every DB-backed test runs against SQLite and PostgreSQL. PostgreSQL comes from
``PAIKKA_TEST_POSTGRES_URL`` (default: the local server); a uniquely named database is created
for the session through the ``postgres`` database and dropped afterwards. When the server
cannot be reached the PostgreSQL tests fail if ``CI`` is set and are skipped otherwise. They
carry the ``postgres`` and ``slow`` markers: ``pytest -m "not slow"`` runs the SQLite half.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.app import create_app
from tests.service.svc_helpers import (
    Seed,
    postgres_database,
    reset,
    seeded,
    settings_for,
    wait_idle,
)


@pytest.fixture(
    scope="session",
    # The PostgreSQL half repeats every SQLite test on the server: slow as well, so the short
    # loop (-m "not slow") runs the SQLite half and CI runs both.
    params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, pytest.mark.slow])],
)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database of each kind for the test session."""
    if request.param == "sqlite":
        path = Path(tmp_path_factory.mktemp("db")) / "paikka.db"
        yield f"sqlite:///{path}"
    else:
        yield from postgres_database()


@pytest.fixture(scope="session")
def app(database_url: str) -> FastAPI:
    """The app with the real engine, on this session's database."""
    return create_app(settings_for(database_url))


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of the app (its lifespan runs once per database)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def seed(app: FastAPI, client: TestClient) -> Iterator[Seed]:
    """A freshly seeded database for one test (waits for runs of earlier tests first)."""
    wait_idle(app)
    yield seeded(app, reset)
    wait_idle(app)
