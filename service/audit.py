"""The append-only audit log of client data (domain.md § 7.7).

Every read or write of client data calls :func:`record` in the same transaction as the access
itself, so a committed access always has its audit row. The service has no code path that
updates or deletes audit rows, and the database refuses them; every row is chained to the one
before by a hash (:mod:`service.audit_chain`), so that a rewrite made past the database's
refusals is found by ``python -m service.admin verify-audit``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    DateTime,
    Row,
    Select,
    String,
    bindparam,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from service.audit_chain import sqlite_append
from service.auth import Principal
from service.db.tables import AuditRow, Base, utcnow


class Action(StrEnum):
    """What was done with the data."""

    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    IMPORT = "import"
    DECIDE = "decide"
    RUN = "run"
    PRINT = "print"


APPEND = insert(Base.metadata.tables[AuditRow.__tablename__])
"""The statement of :func:`record`, built once (its values are bound per call): a Core
statement on the table, outside the ORM's unit of work."""


def record(
    session: Session,
    who: Principal,
    action: Action,
    resource: str,
    purpose: str,
    record_id: str | None = None,
    ids: Iterable[str] = (),
    **detail: Any,
) -> None:
    """Append one audit row; ``ids`` lists every client a list-read returned (all of them:
    an audit that stops at some count cannot answer "who saw this client")."""
    listed = list(ids)
    if listed:
        detail["client_ids"] = listed
        detail["count"] = len(listed)
    # One INSERT statement, sent at once (not an ORM object waiting for the flush): every
    # list read pays one round trip for its audit, whatever the number of ids. The database
    # numbers, stamps and chains the row (service.audit_chain): on PostgreSQL a trigger, on
    # SQLite the statement itself.
    row = {**_row(who, action, resource, purpose, record_id), "detail": detail or None}
    if session.get_bind().dialect.name == "sqlite":
        sqlite_append(session.connection(), row)
    else:
        session.execute(APPEND, row)


def _row(
    who: Principal, action: Action, resource: str, purpose: str, record_id: str | None
) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "actor": who.name,
        "role": who.role.value,
        "action": action.value,
        "resource": resource,
        "record_id": record_id,
        "purpose": purpose[:500],
    }


def select_recorded(
    session: Session,
    query: Select[Any],
    params: dict[str, Any],
    who: Principal,
    action: Action,
    resource: str,
    purpose: str,
    record_id: str | None = None,
) -> Sequence[Row[Any]] | None:
    """The rows of ``query`` (a list read with ``client_id`` and ``id`` columns, ordered by
    ``id``) with the audit row of every client id it returns appended by the same statement,
    on PostgreSQL: one round trip, and the read and its audit commit together (as one
    statement in autocommit, or in the caller's transaction). The row is the one
    :func:`record` writes (``client_ids`` in the rows' order, and their ``count``). A read
    that returns no rows appends nothing, so that the caller can tell a missing record
    (404, no audit) from an empty page and :func:`record` the latter. ``None`` on other
    databases (SQLite has no data-modifying ``WITH``): the caller reads, then records."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    values = {f"audit_{k}": v for k, v in _row(who, action, resource, purpose, record_id).items()}
    return session.execute(_recorded(query), {**params, **values}).all()


@functools.cache
def _recorded(query: Select[Any]) -> Select[Any]:
    """``query`` with the INSERT of its audit row in a ``WITH`` of the same statement, built
    once per query (the values are bound per call)."""
    listed = query.cte("listed")
    ids = aggregate_order_by(listed.c.client_id, listed.c.id)
    text = String()
    log = APPEND.from_select(
        ["at", "actor", "role", "action", "resource", "record_id", "purpose", "detail"],
        select(
            bindparam("audit_at", type_=DateTime(timezone=True)),
            bindparam("audit_actor", type_=text),
            bindparam("audit_role", type_=text),
            bindparam("audit_action", type_=text),
            bindparam("audit_resource", type_=text),
            bindparam("audit_record_id", type_=text),
            bindparam("audit_purpose", type_=text),
            func.json_build_object(
                literal_column("'client_ids'"),
                func.json_agg(ids),
                literal_column("'count'"),
                func.count(),
            ),
        )
        .select_from(listed)
        .having(func.count() > 0),
    ).cte("logged")
    return select(listed).order_by(listed.c.id).add_cte(log)
