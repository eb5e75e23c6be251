"""The audit log, for coordinators and admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from service.auth import Principal, Role
from service.db.tables import AuditRow
from service.deps import SessionDep, SettingsDep, require
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
    _user: Auditors,
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
    return PageOf[AuditOut](
        items=[AuditOut.model_validate(r) for r in rows], page=page, page_size=limit, total=total
    )
