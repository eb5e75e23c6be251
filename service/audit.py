"""The append-only audit log of client data (domain.md § 7.7).

Every read or write of client data calls :func:`record` in the same transaction as the access
itself, so a committed access always has its audit row. The service has no code path that
updates or deletes audit rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

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
    # list read pays one round trip for its audit, whatever the number of ids.
    session.execute(
        APPEND,
        {
            "at": utcnow(),
            "actor": who.name,
            "role": who.role.value,
            "action": action.value,
            "resource": resource,
            "record_id": record_id,
            "purpose": purpose[:500],
            "detail": detail or None,
        },
    )
