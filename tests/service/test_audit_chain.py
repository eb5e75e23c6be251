"""The audit log the service cannot rewrite (issue #23): the hash chain and its verification,
the database's refusals on SQLite and PostgreSQL, the split PostgreSQL roles, and the reads
that were not audited before (a replayed creation, the audit log itself)."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, create_engine, make_url, select, text

from service import admin, audit
from service.app import create_app
from service.audit_chain import GENESIS, row_hash, stamp, verify
from service.auth import Principal, Role, issue_token
from service.db.session import make_engine, make_session_factory, upgrade
from service.db.tables import AuditChainHeadRow, AuditRow, utcnow
from service.demo import load_problem
from tests.service.svc_helpers import (
    Seed,
    append_only_lifted,
    county,
    postgres_database,
    sessions_of,
    settings_for,
)

WHO = Principal(0, "tester", Role.COORDINATOR, None)
NEW = {
    "id": "C77",
    "age": 30,
    "home_municipality": "564",
    "location": {"lat": 65.0, "lon": 25.5},
    "days_per_week": 3,
    "hours_per_day": 4,
    "available_weekdays": ["mon", "tue", "wed"],
    "waiting_since": "2025-09-01",
    "display_name": "Toivo Testinen",
    "phone": "+358 40 777",
}


def _log_some(app: FastAPI, n: int = 5) -> None:
    with sessions_of(app)() as session:
        for i in range(n):
            audit.record(session, WHO, audit.Action.READ, "clients", "test", record_id=f"C{i}")
            session.commit()


def _ids(connection: Connection) -> list[int]:
    return list(connection.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars())


def test_every_row_is_chained_to_the_one_before(app: FastAPI, seed: Seed) -> None:
    """The stored hashes are the chain recomputed from the rows, and the head is the last."""
    _log_some(app)
    with sessions_of(app)() as session:
        rows = session.execute(
            text(
                "SELECT id, at, actor, role, action, resource, record_id, purpose, "
                "CAST(detail AS TEXT), chain_hash FROM audit_log ORDER BY id"
            )
        ).all()
        assert len(rows) >= 5
        previous = GENESIS
        for row in rows:
            assert row[-1] == row_hash(previous, (row[0], stamp(row[1]), *row[2:-1]))
            previous = row[-1]
        head = session.get(AuditChainHeadRow, 1)
        assert head is not None and (head.last_id, head.last_hash) == (rows[-1][0], previous)
        assert [r[0] for r in rows] == list(range(rows[0][0], rows[0][0] + len(rows)))
        found = verify(session.connection())
        assert found.ok and found.rows == len(rows), found.problem


@pytest.mark.parametrize(
    ("tampering", "expected"),
    [
        ("UPDATE audit_log SET actor = 'someone else' WHERE id = {mid}", "row {mid} breaks"),
        ("UPDATE audit_log SET detail = NULL WHERE id = {mid}", "row {mid} breaks"),
        ("DELETE FROM audit_log WHERE id = {mid}", "row {after} breaks"),
        ("DELETE FROM audit_log WHERE id = {last}", "chain head names row {last}"),
        (
            "INSERT INTO audit_log (id, at, actor, role, action, resource, purpose, chain_hash) "
            "SELECT {last} + 1, at, actor, role, action, resource, purpose, chain_hash "
            "FROM audit_log WHERE id = {last}",
            "row {after_last} breaks",
        ),
        ("DELETE FROM audit_chain_head", "chain head names row 0"),
    ],
    ids=["rewrite", "detail-cleared", "deleted-middle", "deleted-tail", "inserted", "head-gone"],
)
def test_verify_finds_a_rewrite_made_past_the_triggers(
    app: FastAPI, seed: Seed, tampering: str, expected: str
) -> None:
    """An owner who lifts the triggers can change the rows, but not unnoticed."""
    _log_some(app)
    with sessions_of(app)() as session:
        ids = _ids(session.connection())
        mid, last = ids[len(ids) // 2], ids[-1]
        values = {"mid": mid, "after": mid + 1, "last": last, "after_last": last + 1}
        assert verify(session.connection()).ok
        with append_only_lifted(session):
            session.execute(text(tampering.format(**values)))
        found = verify(session.connection())
        assert not found.ok
        assert expected.format(**values) in found.problem
        session.rollback()
        assert verify(session.connection()).ok


def test_an_anchor_finds_a_chain_rebuilt_from_scratch(app: FastAPI, seed: Seed) -> None:
    """Whoever recomputes every hash after a rewrite still differs from a head kept
    elsewhere: the anchor check finds it."""
    _log_some(app)
    with sessions_of(app)() as session:
        first = verify(session.connection())
        anchor = (first.head_id, first.head_hash)
        _log_some(app, 2)
        assert verify(session.connection(), anchor).ok
        rows = session.execute(
            text(
                "SELECT id, at, actor, role, action, resource, record_id, purpose, "
                "CAST(detail AS TEXT) FROM audit_log ORDER BY id"
            )
        ).all()
        with append_only_lifted(session):
            previous = GENESIS
            for row in rows:
                actor = "nobody" if row[0] == rows[0][0] else row[2]
                digest = row_hash(previous, (row[0], stamp(row[1]), actor, *row[3:]))
                session.execute(
                    text("UPDATE audit_log SET actor = :a, chain_hash = :h WHERE id = :i"),
                    {"a": actor, "h": digest, "i": row[0]},
                )
                previous = digest
            session.execute(
                text("UPDATE audit_chain_head SET last_hash = :h WHERE id = 1"), {"h": previous}
            )
        assert verify(session.connection()).ok  # rebuilt: consistent in itself
        found = verify(session.connection(), anchor)
        assert not found.ok and "differs from the anchor" in found.problem
        session.rollback()


def test_the_database_refuses_rewrites(app: FastAPI, seed: Seed) -> None:
    """UPDATE and DELETE are refused; on SQLite INSERT OR REPLACE, a row without its hash and
    a back-dated row too; on PostgreSQL the database numbers, stamps and chains whatever the
    inserter sent."""
    _log_some(app, 2)
    factory = sessions_of(app)
    postgres = app.state.db_engine.dialect.name == "postgresql"
    with factory() as session:
        last = _ids(session.connection())[-1]
        for statement in (
            f"UPDATE audit_log SET actor = 'x' WHERE id = {last}",
            f"DELETE FROM audit_log WHERE id = {last}",
            "UPDATE audit_log SET chain_hash = NULL",
        ):
            with pytest.raises(Exception, match="append-only"):
                session.execute(text(statement))
            session.rollback()
        long_ago = utcnow() - timedelta(days=400)
        forged = {"a": stamp(long_ago).replace("T", " "), "id": last + 1}
        insert = (
            "INSERT INTO audit_log (id, at, actor, role, action, resource, purpose, detail, "
            "chain_hash) VALUES (:id, :a, 'forger', 'admin', 'read', 'clients', 'p', 'null', "
            "'{h}')"
        )
        if postgres:
            session.execute(text(insert.format(h="f" * 64)), forged)
            session.commit()
            row = session.scalars(select(AuditRow).where(AuditRow.actor == "forger")).one()
            assert row.at > utcnow() - timedelta(minutes=1)  # stamped by the database
            assert row.id == last + 1 and row.chain_hash != "f" * 64
        else:
            replace = f"INSERT OR REPLACE INTO audit_log SELECT * FROM audit_log WHERE id = {last}"
            with pytest.raises(Exception, match="append-only"):
                session.execute(text(replace))
            session.rollback()
            with pytest.raises(Exception, match="append-only"):
                session.execute(text(insert.format(h="f" * 64)), forged)  # back-dated
            session.rollback()
            now = {"a": stamp(utcnow()).replace("T", " "), "id": last + 1}
            with pytest.raises(Exception, match="hash chain"):
                session.execute(text(insert.format(h="f" * 64)), now)  # not chained
            session.rollback()
            with pytest.raises(Exception, match="append-only"):
                session.add(
                    AuditRow(actor="o", role="admin", action="read", resource="x", purpose="p")
                )
                session.flush()
            session.rollback()
        assert verify(session.connection()).ok


def test_concurrent_writers_keep_one_chain(app: FastAPI, seed: Seed) -> None:
    """Eight threads logging at once: no fork, no gap, every row verifies."""
    factory = sessions_of(app)
    with factory() as session:
        before = len(_ids(session.connection()))
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                with factory() as session:
                    audit.record(session, WHO, audit.Action.READ, "clients", f"t{n}", ids=[str(i)])
                    session.commit()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with factory() as session:
        ids = _ids(session.connection())
        assert len(ids) == before + 80
        assert ids[-80:] == list(range(ids[-80], ids[-80] + 80))
        assert verify(session.connection()).ok


def test_a_replayed_creation_and_the_audit_log_itself_are_audited(
    client: TestClient, app: FastAPI, seed: Seed
) -> None:
    """A replay returns the client's name and phone: it is a read and is logged as one. Reading
    the audit log is logged too, with the clients the page named."""
    h = seed.h("coordinator", **{"Idempotency-Key": "k-77"})
    first = client.post("/clients", json=NEW, headers=h)
    again = client.post("/clients", json=NEW, headers=h)
    assert first.status_code == again.status_code == 201
    assert again.json()["display_name"] == "Toivo Testinen"
    with sessions_of(app)() as session:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.actor == "coordinator").order_by(AuditRow.id)
        ).all()
        kinds = [(r.action, r.resource, r.record_id, r.purpose) for r in rows]
        assert kinds[-2:] == [
            ("create", "clients", "C77", "client record maintenance"),
            ("read", "clients", "C77", "idempotent replay"),
        ]
    client.get("/clients", headers=seed.h("planner"))
    page = client.get(
        "/audit?resource=clients", headers=seed.h("admin", **{"X-Purpose": "tarkastus"})
    )
    assert page.status_code == 200
    with sessions_of(app)() as session:
        logged = session.scalars(select(AuditRow).where(AuditRow.resource == "audit")).one()
        assert (logged.actor, logged.action, logged.purpose) == ("admin", "read", "tarkastus")
        assert logged.detail is not None
        assert logged.detail["filters"] == {"resource": "clients"}
        assert {"C1", "C2", "C77"} <= set(logged.detail["client_ids"])
        assert verify(session.connection()).ok


def test_verify_audit_command(app: FastAPI, seed: Seed, capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m service.admin verify-audit``: 0 and the head when intact; 1 and the break
    when not; an anchor from an earlier run is checked."""
    _log_some(app, 3)
    url = app.state.db_engine.url.render_as_string(hide_password=False)
    assert admin.main(["--db", url, "verify-audit"]) == 0
    said = capsys.readouterr().out
    assert "audit log intact" in said
    head = said.strip().rsplit("head ", 1)[1]
    assert admin.main(["--db", url, "verify-audit", "--anchor", head]) == 0
    capsys.readouterr()
    wrong = head.split(":")[0] + ":" + "0" * 64
    assert admin.main(["--db", url, "verify-audit", "--anchor", wrong]) == 1
    assert "differs from the anchor" in capsys.readouterr().out
    with sessions_of(app)() as session:
        with append_only_lifted(session):
            session.execute(text("UPDATE audit_log SET purpose = 'other' WHERE id = 1"))
        session.commit()
    assert admin.main(["--db", url, "verify-audit"]) == 1
    assert "BROKEN" in capsys.readouterr().out


# --- PostgreSQL with two roles: the service's owns nothing ------------------------------


@pytest.fixture(scope="module")
def split_roles() -> Iterator[tuple[str, str]]:
    """A fresh database owned by an owner role, and a service role that owns nothing:
    (owner URL, service URL)."""
    import psycopg

    databases = postgres_database()
    url = make_url(next(databases))
    suffix = uuid.uuid4().hex[:8]
    owner, service = f"audit_owner_{suffix}", f"audit_service_{suffix}"
    server = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE ROLE "{owner}" LOGIN')
        connection.execute(f'CREATE ROLE "{service}" LOGIN')
        connection.execute(f'ALTER DATABASE "{url.database}" OWNER TO "{owner}"')
    with psycopg.connect(url.set(drivername="postgresql").render_as_string(False)) as connection:
        connection.execute(f'ALTER SCHEMA public OWNER TO "{owner}"')
    try:
        yield (
            url.set(username=owner).render_as_string(False),
            url.set(username=service).render_as_string(False),
        )
    finally:
        with contextlib.suppress(StopIteration):
            next(databases)  # drops the database
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP ROLE IF EXISTS "{service}"')
            connection.execute(f'DROP ROLE IF EXISTS "{owner}"')


@pytest.mark.postgres
@pytest.mark.slow
def test_split_roles_the_service_cannot_rewrite_the_log(split_roles: tuple[str, str]) -> None:
    """Migrated by the owner, run as the service role: the service works (seeds, reads,
    audits) but cannot update, delete, disable or drop anything of the audit log."""
    owner_url, service_url = split_roles
    app = create_app(settings_for(service_url, migration_database_url=owner_url))
    with TestClient(app) as client:
        factory = sessions_of(app)
        with factory() as session:
            load_problem(session, county())
            token = issue_token(session, Role.COORDINATOR, "coordinator", None)
            session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/clients", headers=headers).status_code == 200
        assert client.post("/clients", json=NEW, headers=headers).status_code == 201
        with factory() as session:
            owners = session.execute(
                text("SELECT tablename FROM pg_tables WHERE tableowner = current_user")
            ).all()
            assert owners == []
            for statement in (
                "UPDATE audit_log SET actor = 'x'",
                "DELETE FROM audit_log",
                "TRUNCATE audit_log",
                "UPDATE audit_chain_head SET last_id = 0",
                "DELETE FROM audit_chain_head",
                "ALTER TABLE audit_log DISABLE TRIGGER ALL",
                "DROP TRIGGER audit_log_chain ON audit_log",
                "SET session_replication_role = replica",
                "DROP TABLE audit_log",
            ):
                with pytest.raises(Exception, match=r"permission denied|must be owner"):
                    session.execute(text(statement))
                session.rollback()
            audited = session.scalar(select(AuditRow.id).order_by(AuditRow.id.desc()))
            assert audited is not None and audited >= 2
            assert verify(session.connection()).ok
    app.state.db_engine.dispose()
    # the owner can still see and verify it; a second start as the service migrates nothing
    owner_engine = create_engine(owner_url)
    try:
        with owner_engine.connect() as connection:
            assert verify(connection).ok
    finally:
        owner_engine.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, pytest.mark.slow])]
)
def empty_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A fresh, empty database of each kind for one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'legacy.db'}"
    else:
        yield from postgres_database()


def test_the_upgrade_chains_the_rows_logged_before_it(empty_url: str) -> None:
    """A log written before the chain (revision 0012) is chained in id order by the upgrade,
    its rows unchanged, and the rows after it continue the chain."""
    upgrade(empty_url, "0012_scenario_error_code")
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            for i in (1, 2, 5):  # ids with a gap, as a rolled-back sequence leaves them
                connection.execute(
                    text(
                        "INSERT INTO audit_log (id, at, actor, role, action, resource, record_id,"
                        " purpose, detail) VALUES (:i, :at, 'old', 'coordinator', 'read',"
                        " 'clients', :r, 'ennen ketjua', :d)"
                    ),
                    {"i": i, "at": utcnow(), "r": f"C{i}", "d": '{"count": 1}' if i != 2 else None},
                )
        before = _legacy_rows(engine)
        upgrade(empty_url)
        assert _legacy_rows(engine) == before
        with engine.connect() as connection:
            found = verify(connection)
            assert found.ok and (found.rows, found.head_id) == (3, 5), found.problem
        with make_session_factory(engine)() as session:
            audit.record(session, WHO, audit.Action.READ, "clients", "after", record_id="C9")
            session.commit()
            assert _ids(session.connection()) == [1, 2, 5, 6]
            assert verify(session.connection()).ok
    finally:
        engine.dispose()


def _legacy_rows(engine: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [
            tuple(r)
            for r in connection.execute(
                text(
                    "SELECT id, at, actor, record_id, purpose, CAST(detail AS TEXT) "
                    "FROM audit_log ORDER BY id"
                )
            )
        ]
