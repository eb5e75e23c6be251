"""Backups that restore (issue #23): the whole database, audit log and chain head included.

* **PostgreSQL**: ``pg_dump --format=custom`` (``-Fc``) of the database, restored with
  ``pg_restore`` into a fresh, empty database. Run both as the owner role
  (``PAIKKA_MIGRATION_DATABASE_URL``): the dump holds the audit log's triggers and the chain
  head, and the restore must be able to create them; the upgrade that follows grants the
  service role its privileges again. The binaries come from Debian's ``postgresql-client``
  (the major version must be at least the server's).
* **SQLite**: SQLite's online backup API (:meth:`sqlite3.Connection.backup`), which copies a
  consistent snapshot while the service keeps running; restoring copies the file's pages
  back into a fresh database the same way.

The restore refuses a database that already holds Paikka's tables: a restore never merges
into or overwrites a live database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url


class BackupError(RuntimeError):
    """A backup or restore that could not be done, with the reason."""


def _libpq(url: str) -> str:
    """The libpq form of an SQLAlchemy PostgreSQL URL (``postgresql+psycopg://`` → ``postgresql://``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> str:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return path


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install Debian's postgresql-client")
    return found


def backup(url: str, target: Path) -> Path:
    """Write a backup of the database at ``url`` to ``target`` and return it."""
    target = Path(target)
    if url.startswith("sqlite"):
        with (
            closing(sqlite3.connect(_sqlite_path(url))) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
        return target
    if not url.startswith("postgresql"):
        raise BackupError(f"no backup method for {make_url(url).get_backend_name()}")
    done = subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--file", str(target), "--dbname", _libpq(url)],
        capture_output=True,
        text=True,
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return target


def _refuse_non_empty(url: str) -> None:
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    if tables & {"audit_log", "clients", "alembic_version"}:
        raise BackupError("the target database is not empty: restore only into a fresh one")


def restore(source: Path, url: str) -> None:
    """Restore the backup ``source`` into the fresh, empty database at ``url``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    _refuse_non_empty(url)
    if url.startswith("sqlite"):
        with (
            closing(sqlite3.connect(source)) as backup_file,
            closing(sqlite3.connect(_sqlite_path(url))) as target,
        ):
            backup_file.backup(target)
        return
    done = subprocess.run(
        [
            _tool("pg_restore"),
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--dbname",
            _libpq(url),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
