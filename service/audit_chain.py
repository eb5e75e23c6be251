"""The hash chain of the audit log, and its verification (issue #23).

Every audit row carries ``chain_hash``: the SHA-256 (hex) of the previous row's hash and the
row's own canonical text. A changed field changes the row's hash; a row inserted or deleted
in the middle breaks the link of the row after it; rows cut from the end no longer match the
chain head (``audit_chain_head``: the last row's id and hash, kept by the database). So a
rewrite, an insertion or a deletion is found by :func:`verify`, whoever made it, as long as
the verifier knows the head (or an anchor: a head printed earlier and kept elsewhere).

Who computes the hash, so that concurrent writers never fork the chain:

* **PostgreSQL**: a ``BEFORE INSERT`` trigger (``SECURITY DEFINER``, owned by the migration
  role) locks the head row ``FOR UPDATE``, numbers the row (``id`` = head + 1), stamps it with
  the database's clock (a row cannot be back-dated), computes the hash and moves the head.
  The lock is held to the end of the inserting transaction: the chain's order is the commit
  order of the audited transactions. The one-statement read path of :mod:`service.audit`
  keeps its one round trip (the trigger runs inside that statement).
* **SQLite** (the demo): the INSERT itself reads the head, numbers, stamps and hashes the row
  in one statement under SQLite's single write lock (:func:`sqlite_append`); ``BEFORE
  INSERT`` triggers refuse a row whose number, time or hash is not the one due, and a row
  whose id exists (``INSERT OR REPLACE``); ``recursive_triggers`` is on as well, so that a
  replace would also meet the ``DELETE`` trigger.

The canonical text is the same in Python and in PL/pgSQL: each field as ``<length>:<text>|``
(``~|`` for NULL), after the previous hash and a newline; ``at`` as UTC
``YYYY-MM-DDTHH:MM:SS.ffffff``; ``detail`` as the JSON text stored.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

GENESIS = "0" * 64
"""The "previous hash" of the first row."""

SQLITE_HASH_FUNCTION = "paikka_audit_hash"
"""The name of the SQL function (registered on every SQLite connection of the service) that
computes a row's hash in the database: :func:`sqlite_hash`."""

FIELDS = ("id", "at", "actor", "role", "action", "resource", "record_id", "purpose", "detail")


def stamp(value: datetime | str) -> str:
    """The canonical text of a row's time: UTC, microseconds, ``T`` between date and time.
    SQLite hands the stored text (naive UTC), PostgreSQL a timezone-aware datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


def row_hash(previous: str, fields: tuple[Any, ...]) -> str:
    """SHA-256 (hex) of ``previous`` and the row's fields in the order of :data:`FIELDS`
    (``at`` already canonical, ``detail`` the stored JSON text)."""
    parts = [previous, "\n"]
    for value in fields:
        if value is None:
            parts.append("~|")
        else:
            piece = str(value)
            parts.append(f"{len(piece)}:{piece}|")
    return hashlib.sha256("".join(parts).encode("utf-8")).hexdigest()


def sqlite_hash(previous: str | None, *fields: Any) -> str:
    """The SQLite SQL function: the hash of a row whose ``at`` is stored SQLite text."""
    values = list(fields)
    values[1] = stamp(values[1])
    return row_hash(previous or GENESIS, tuple(values))


def register_sqlite_functions(dbapi_connection: sqlite3.Connection) -> None:
    """Make :func:`sqlite_hash` callable from SQL (the audit triggers and inserts use it)."""
    dbapi_connection.create_function(
        SQLITE_HASH_FUNCTION, 1 + len(FIELDS), sqlite_hash, deterministic=True
    )


SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"
"""SQLite's clock as the stored text of a DateTime column (microseconds, naive UTC)."""

SQLITE_APPEND = text(
    f"""
INSERT INTO audit_log
    (id, at, actor, role, action, resource, record_id, purpose, detail, chain_hash)
SELECT next.id, next.at, :actor, :role, :action, :resource, :record_id, :purpose, :detail,
    {SQLITE_HASH_FUNCTION}(next.previous, next.id, next.at, :actor, :role, :action,
        :resource, :record_id, :purpose, :detail)
FROM (
    SELECT coalesce((SELECT last_id FROM audit_chain_head WHERE id = 1), 0) + 1 AS id,
        coalesce((SELECT last_hash FROM audit_chain_head WHERE id = 1), '{GENESIS}')
            AS previous,
        {SQLITE_NOW} AS at
) AS next
"""
)
"""One audit row on SQLite: numbered, stamped and chained by the database in one statement."""


def sqlite_append(connection: Connection, row: dict[str, Any]) -> None:
    """Append ``row`` (the fields of :func:`service.audit._row` and ``detail``) on SQLite;
    its ``at`` is replaced by SQLite's clock."""
    values = {k: row[k] for k in ("actor", "role", "action", "resource", "record_id", "purpose")}
    values["detail"] = json.dumps(row.get("detail"))  # the JSON column's own serialisation
    connection.execute(SQLITE_APPEND, values)


@dataclass(frozen=True)
class Finding:
    """What :func:`verify` found: ``ok``, the rows checked, the last id and hash, and the
    first break (the id at which it was seen and what it is)."""

    ok: bool
    rows: int
    head_id: int
    head_hash: str
    problem: str = ""


def _rows(connection: Connection, batch: int = 5000) -> Iterator[tuple[Any, ...]]:
    """Every audit row in id order, as raw text where canonical (``detail``)."""
    detail = "CAST(detail AS TEXT)"
    last = -1
    while True:
        chunk = connection.execute(
            text(
                f"SELECT id, at, actor, role, action, resource, record_id, purpose, {detail}, "
                "chain_hash FROM audit_log WHERE id > :last ORDER BY id LIMIT :batch"
            ),
            {"last": last, "batch": batch},
        ).all()
        if not chunk:
            return
        yield from (tuple(r) for r in chunk)
        last = chunk[-1][0]


def verify(connection: Connection, anchor: tuple[int, str] | None = None) -> Finding:
    """Recompute the chain from the first row and compare it with every stored hash, the
    chain head and (if given) an ``anchor`` (a head id and hash recorded earlier)."""
    previous, count, last_id = GENESIS, 0, 0
    anchored = anchor is None
    for row in _rows(connection):
        count += 1
        row_id, stored = row[0], row[-1]
        fields = (row_id, stamp(row[1]), *row[2:-1])
        expected = row_hash(previous, fields)
        if stored != expected:
            what = (
                "its fields were changed, or a row before it was inserted or deleted"
                if stored
                else "it has no hash (inserted outside the chain)"
            )
            return Finding(
                False, count, last_id, previous, f"row {row_id} breaks the chain: {what}"
            )
        if anchor is not None and row_id == anchor[0]:
            if stored != anchor[1]:
                return Finding(
                    False, count, row_id, stored, f"row {row_id} differs from the anchor"
                )
            anchored = True
        previous, last_id = stored, row_id
    head = connection.execute(
        text("SELECT last_id, last_hash FROM audit_chain_head WHERE id = 1")
    ).first()
    head_id, head_hash = (head[0], head[1]) if head is not None else (0, GENESIS)
    if (head_id, head_hash) != (last_id, previous):
        return Finding(
            False,
            count,
            last_id,
            previous,
            f"the chain head names row {head_id} but the log ends at row {last_id}: "
            "rows were deleted from its end, or added past the head",
        )
    if not anchored:
        return Finding(False, count, last_id, previous, f"the anchor's row {anchor} is missing")
    return Finding(True, count, last_id, previous)
