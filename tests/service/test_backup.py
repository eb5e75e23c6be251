"""The restore drill (issue #23), on SQLite and PostgreSQL: a worked county is backed up with
``python -m service.admin backup``, restored into a fresh database with ``restore``, and the
service started on the copy finds every record; every table, the audit log included, is equal
row for row and the audit chain verifies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select, text

from service import admin
from service.app import create_app
from service.audit_chain import verify
from service.db.tables import Base
from tests.service.svc_helpers import Seed, postgres_database, settings_for
from tests.service.test_api_cooperation import day, started

NEW = {
    "id": "C88",
    "age": 33,
    "home_municipality": "564",
    "location": {"lat": 65.0, "lon": 25.5},
    "days_per_week": 3,
    "hours_per_day": 4,
    "available_weekdays": ["mon", "tue", "wed"],
    "waiting_since": "2025-09-01",
    "display_name": "Helmi Varmuuskopio",
    "phone": "+358 40 888",
}


def every_row(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the schema (and the schema's revision), in key order."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [
                tuple(r) for r in connection.execute(select(table).order_by(*order))
            ]
        rows["alembic_version"] = [
            tuple(r) for r in connection.execute(text("SELECT version_num FROM alembic_version"))
        ]
    return rows


def work_the_county(client: TestClient, seed: Seed) -> dict[str, Any]:
    """A client taken to a started period with three days of attendance, a new client (and its
    replay), reads of clients and of the audit log: records and audit rows of every kind."""
    period = started(client, seed)
    for when, status in (("2026-01-05", "present"), ("2026-01-12", "present")):
        assert day(client, seed, period["assignment_id"], when, status).status_code == 201
    ill = day(client, seed, period["assignment_id"], "2026-01-07", "absent", "own_illness")
    assert ill.status_code == 201, ill.text
    h = seed.h("coordinator", **{"Idempotency-Key": "drill-1"})
    assert client.post("/clients", json=NEW, headers=h).status_code == 201
    assert client.post("/clients", json=NEW, headers=h).status_code == 201
    assert client.get("/clients", headers=seed.h("planner")).status_code == 200
    assert client.get("/audit", headers=seed.h("admin")).status_code == 200
    return period


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of the same kind as the session's."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
    else:
        yield from postgres_database()


def test_restore_drill(
    app: FastAPI, client: TestClient, seed: Seed, fresh_url: str, tmp_path: Path
) -> None:
    period = work_the_county(client, seed)
    source_url = app.state.db_engine.url.render_as_string(hide_password=False)
    before = every_row(app.state.db_engine)
    assert len(before["audit_log"]) >= 10 and before["attendance"]

    dump = tmp_path / "paikka.backup"
    assert admin.main(["--db", source_url, "backup", "--to", str(dump)]) == 0
    assert dump.stat().st_size > 0
    assert admin.main(["--db", fresh_url, "restore", "--from", str(dump)]) == 0
    # a second restore into the now populated database is refused, never merged
    assert admin.main(["--db", fresh_url, "restore", "--from", str(dump)]) == 2

    restored = create_engine(fresh_url)
    try:
        assert every_row(restored) == before
        with restored.connect() as connection:
            found = verify(connection)
        assert found.ok and found.rows == len(before["audit_log"]), found.problem
    finally:
        restored.dispose()

    # The service started on the copy finds the records, and goes on chaining the log.
    copy = create_app(settings_for(fresh_url))
    with TestClient(copy) as on_copy:
        for path in ("/clients/C1", "/clients/C88", f"/periods/{period['id']}"):
            here = client.get(path, headers=seed.h("coordinator"))
            there = on_copy.get(path, headers=seed.h("coordinator"))
            assert there.status_code == here.status_code == 200, path
            assert there.json() == here.json()
        attendance = f"/periods/{period['id']}/months/2026/1"
        assert (
            on_copy.get(attendance, headers=seed.h("coordinator")).json()
            == client.get(attendance, headers=seed.h("coordinator")).json()
        )
    with copy.state.db_engine.connect() as connection:
        after = verify(connection)
    assert after.ok and after.rows > len(before["audit_log"])
    copy.state.db_engine.dispose()


def test_restore_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    missing = tmp_path / "none.backup"
    assert admin.main(["--db", f"sqlite:///{tmp_path}/x.db", "restore", "--from", str(missing)])
    assert admin.main(["--db", "sqlite:///:memory:", "backup", "--to", str(missing)]) == 2
