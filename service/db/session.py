"""Engine and session factory for SQLite (default) and PostgreSQL, and schema upgrades."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from service.audit_chain import register_sqlite_functions

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

REQUEST_THREADS = 20
"""Threads a web process runs its request handlers on, and connections its PostgreSQL pool
keeps open: as many, so a handler never waits for a connection nor opens one. With more
threads than pooled connections (AnyIO's 40 against a pool of 10), every request beyond the
tenth opened a PostgreSQL connection (a new server process) and closed it on return: under
50 readers that churn, not the queries, was where a page's time went."""


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.

    WAL lets readers go on while a run stores its proposals, and the busy timeout turns short
    write contention between the request threads and a run's supervisor into a wait.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,  # an error's SQL goes to the log: without the data
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # INSERT OR REPLACE then meets the audit log's DELETE trigger too
            cursor.execute("PRAGMA recursive_triggers=ON")
            register_sqlite_functions(dbapi_connection)
            if ":memory:" not in url:
                # WAL with synchronous=NORMAL: no corruption on a crash, but the last commits
                # may be lost on power failure; production uses PostgreSQL.
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # The overflow serves what runs beside the request threads (an embedded worker's loops).
    engine = create_engine(url, pool_size=REQUEST_THREADS, max_overflow=10, hide_parameters=True)
    ping_rested_connections(engine)
    return engine


PING_AFTER_S = 1.0
"""A pooled connection that has rested longer than this is pinged before it is handed out."""


def ping_rested_connections(engine: Engine, after_s: float = PING_AFTER_S) -> None:
    """Ping a pooled connection at checkout only if it rested more than ``after_s``.

    SQLAlchemy's ``pool_pre_ping`` pings at every checkout: a round trip to the server for
    each request. A connection handed back a moment ago is as good as the statement it just
    ran; one that rested may have been cut (a database restart, an idle timeout) and is
    pinged, and replaced by a fresh one when the ping fails, as ``pool_pre_ping`` does. A
    connection that breaks while in use fails that request's statement (503); SQLAlchemy
    then recycles every connection the pool held before the break.
    """
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _rested_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_rested(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned <= after_s:
            return  # fresh from connect, or back from a request a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # the pool discards this connection and checks out another (a fresh one)
            raise DisconnectionError(f"a rested connection failed its ping: {error}") from error


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (responses are built after it)."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str, service_url: str | None = None) -> Config:
    """An Alembic config for ``url`` that uses the migrations shipped inside the package;
    with a ``service_url`` of another PostgreSQL role, the upgrade ends by granting that role
    what the service needs and no more (:func:`service.db.roles.grant_service_role`)."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url
    if service_url is not None:
        owner, service = make_url(url).username, make_url(service_url).username
        if service and service != owner and url.startswith("postgresql"):
            config.attributes["service_role"] = service
    return config


def upgrade(url: str, revision: str = "head", service_url: str | None = None) -> None:
    """Create or upgrade the schema at ``url`` (the owner role's) through the Alembic
    migrations; ``service_url`` names the service's own role when it is another one."""
    command.upgrade(alembic_config(url, service_url), revision)
