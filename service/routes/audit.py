"""The audit log, for coordinators and admins; reading it is itself audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from service import audit
from service.audit import Action
from service.auth import Principal, Role
from service.db.tables import AuditRow
from service.deps import SessionDep, SettingsDep, purpose, require
from service.routes.common import ERRORS, Page, PageSize, window
from service.schemas.common import Page as PageOf
from service.schemas.runs import AuditOut

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERRORS)

Auditors = Annotated[Principal, Depends(require(Role.COORDINATOR, Role.ADMIN))]
Short = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]


@router.get("")
def list_audit(
    session: SessionDep,
    settings: SettingsDep,
    user: Auditors,
    why: Annotated[str, Depends(purpose("audit review"))],
    actor: Short = None,
    resource: Short = None,
    record_id: Short = None,
    since: datetime | None = None,
    page: Page = 1,
    page_size: PageSize = None,
) -> PageOf[AuditOut]:
    """Audit rows, newest first, filtered by actor, resource, record or time."""
    query = select(AuditRow)
    if actor is not None:
        query = query.where(AuditRow.actor == actor)
    if resource is not None:
        query = query.where(AuditRow.resource == resource)
    if record_id is not None:
        query = query.where(AuditRow.record_id == record_id)
    if since is not None:
        query = query.where(AuditRow.at >= since)
    offset, limit = window(page, page_size, settings.default_page_size)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditRow.id.desc()).offset(offset).limit(limit)).all()
    out = PageOf[AuditOut](
        items=[AuditOut.model_validate(r) for r in rows], page=page, page_size=limit, total=total
    )
    # The log names who read which client: reading it is a read of client data, and is
    # logged in turn (after the page was read: the page does not show its own row).
    audit.record(
        session,
        user,
        Action.READ,
        "audit",
        why,
        ids=_clients_named(rows),
        filters={
            k: v
            for k, v in {
                "actor": actor,
                "resource": resource,
                "record_id": record_id,
                "since": since.isoformat() if since else None,
            }.items()
            if v is not None
        },
        page=page,
        rows=len(rows),
    )
    session.commit()
    return out


def _clients_named(rows: Sequence[AuditRow]) -> list[str]:
    """The client ids the audit rows of a page name (each once, in first-seen order)."""
    seen: dict[str, None] = {}
    for row in rows:
        detail = row.detail or {}
        named = detail.get("client_ids") if isinstance(detail, dict) else None
        for client_id in named or ():
            seen.setdefault(str(client_id), None)
    return list(seen)
