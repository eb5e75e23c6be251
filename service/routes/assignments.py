"""Ongoing assignments and their attendance days."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from service import audit
from service.audit import Action
from service.auth import Principal, Role
from service.crud import decisions as store
from service.deps import IdempotencyKey, SessionDep, SettingsDep, purpose, require
from service.idempotency import Outcome, fingerprint, run_once
from service.routes.common import ERRORS, ClientReaders, Coordinator, IntId, Page, PageSize, window
from service.schemas.common import Id
from service.schemas.common import Page as PageOf
from service.schemas.runs import (
    AssignmentEnd,
    AssignmentOut,
    AttendanceCorrectionIn,
    AttendanceIn,
    AttendanceOut,
)

router = APIRouter(prefix="/assignments", tags=["assignments"], responses=ERRORS)

AttendanceUsers = Annotated[Principal, Depends(require(Role.COORDINATOR, Role.MUNICIPALITY))]
AttendanceReaders = Annotated[
    Principal, Depends(require(Role.COORDINATOR, Role.MUNICIPALITY, Role.COACH))
]
ReadPurpose = Annotated[str, Depends(purpose("following placements"))]
AttendancePurpose = Annotated[str, Depends(purpose("attendance reporting"))]


@router.get("")
def list_assignments(
    session: SessionDep,
    settings: SettingsDep,
    user: ClientReaders,
    why: ReadPurpose,
    client: Annotated[Id | None, Query()] = None,
    placement: Annotated[Id | None, Query()] = None,
    status: Literal["active", "ended"] | None = None,
    page: Page = 1,
    page_size: PageSize = None,
) -> PageOf[AssignmentOut]:
    """A page of assignments (municipality users: at their own placements)."""
    offset, limit = window(page, page_size, settings.default_page_size)
    rows, total = store.list_assignments(
        session,
        user,
        client=client,
        placement=placement,
        status=status,
        offset=offset,
        limit=limit,
    )
    audit.record(session, user, Action.READ, "assignments", why, ids=[r.client_id for r in rows])
    session.commit()
    return PageOf[AssignmentOut](
        items=[AssignmentOut.model_validate(r) for r in rows],
        page=page,
        page_size=limit,
        total=total,
    )


@router.get("/{assignment_id}")
def read_assignment(
    session: SessionDep, user: ClientReaders, why: ReadPurpose, assignment_id: IntId
) -> AssignmentOut:
    """Read one assignment."""
    row = store.get_assignment(session, user, assignment_id)
    audit.record(session, user, Action.READ, "assignments", why, record_id=str(assignment_id))
    session.commit()
    return AssignmentOut.model_validate(row)


@router.post("/{assignment_id}/end")
def end_assignment(
    session: SessionDep,
    user: Coordinator,
    why: ReadPurpose,
    assignment_id: IntId,
    body: AssignmentEnd,
) -> AssignmentOut:
    """End an assignment (coordinators)."""
    row = store.end_assignment(session, user, assignment_id, body.end_date)
    audit.record(session, user, Action.UPDATE, "assignments", why, record_id=str(assignment_id))
    session.commit()
    return AssignmentOut.model_validate(row)


@router.post("/{assignment_id}/attendance", status_code=201, response_model=AttendanceOut)
def record_attendance(
    request: Request,
    session: SessionDep,
    user: AttendanceUsers,
    why: AttendancePurpose,
    assignment_id: IntId,
    body: AttendanceIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record a day: present, absent with Kela's reason, or service not arranged."""

    def produce() -> Outcome:
        row = store.record_attendance(session, user, assignment_id, body)
        audit.record(
            session,
            user,
            Action.CREATE,
            "attendance",
            why,
            record_id=str(assignment_id),
            day=body.day.isoformat(),
        )
        return Outcome(
            201,
            store.attendance_out(
                user, row, store.attendance_flags(session, assignment_id), assignment_id
            ),
            client_id=store.get_assignment(session, user, assignment_id).client_id,
        )

    print_ = fingerprint("POST", request.url.path, body.model_dump(mode="json"))
    return run_once(session, user, idempotency_key, print_, produce)


@router.put("/{assignment_id}/attendance")
def correct_attendance(
    session: SessionDep,
    user: AttendanceUsers,
    why: AttendancePurpose,
    assignment_id: IntId,
    body: AttendanceCorrectionIn,
) -> AttendanceOut:
    """Correct a recorded day, saying why; the old marking, who and when are kept."""
    row = store.correct_attendance(session, user, assignment_id, body)
    audit.record(
        session,
        user,
        Action.UPDATE,
        "attendance",
        why,
        record_id=str(assignment_id),
        day=body.day.isoformat(),
    )
    session.commit()
    return store.attendance_out(
        user, row, store.attendance_flags(session, assignment_id), assignment_id
    )


@router.get("/{assignment_id}/attendance")
def list_attendance(
    session: SessionDep, user: AttendanceReaders, why: AttendancePurpose, assignment_id: IntId
) -> list[AttendanceOut]:
    """The recorded days; absence reasons are shown to coordinators only."""
    rows = store.list_attendance(session, user, assignment_id)
    audit.record(session, user, Action.READ, "attendance", why, record_id=str(assignment_id))
    session.commit()
    flags = store.attendance_flags(session, assignment_id)
    return [store.attendance_out(user, r, flags, assignment_id) for r in rows]
