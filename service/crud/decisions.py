"""Proposals, the coordinator's decisions, assignments and attendance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.auth import Principal, Role
from service.db.tables import (
    AssignmentRow,
    AttendanceRow,
    PlacementRow,
    ProposalRow,
    RunRow,
    utcnow,
)
from service.errors import Conflict, InvalidInput, NotFound
from service.schemas.runs import AttendanceIn, AttendanceOut, DecisionIn, ProposalStatus


def _own_placements(user: Principal) -> Any:
    return select(PlacementRow.id).where(PlacementRow.organisation_id == user.organisation)


def list_proposals(
    session: Session,
    user: Principal,
    run_id: int,
    *,
    municipality: str | None,
    status: ProposalStatus | None,
    placement: str | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[Any], int]:
    """A page of a run's proposals and the total; municipality users see their own only.

    Rows are plain column tuples, not ORM objects: listing 1,000 proposals is the hot path
    of the weekly review and skips the identity map this way.
    """
    query = select(*ProposalRow.__table__.columns).where(ProposalRow.run_id == run_id)
    if user.role is Role.MUNICIPALITY:
        query = query.where(ProposalRow.placement_id.in_(_own_placements(user)))
    if municipality is not None:
        query = query.where(ProposalRow.municipality_code == municipality)
    if status is not None:
        query = query.where(ProposalRow.status == status.value)
    if placement is not None:
        query = query.where(ProposalRow.placement_id == placement)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(ProposalRow.id).offset(offset).limit(limit)).all()
    return rows, total


R = TypeVar("R", ProposalRow, AssignmentRow)


def _require_visible(session: Session, user: Principal, row: R | None, missing: str) -> R:
    """Raise NotFound unless the row exists and, for a municipality user, is at one of its
    organisation's placements (others' records are not revealed to exist)."""
    if row is None:
        raise NotFound(missing)
    if user.role is Role.MUNICIPALITY:
        placement = session.get(PlacementRow, row.placement_id)
        if placement is None or placement.organisation_id != user.organisation:
            raise NotFound(missing)
    return row


def get_proposal(session: Session, user: Principal, proposal_id: int) -> ProposalRow:
    """A proposal the caller may see (404 otherwise)."""
    row = session.get(ProposalRow, proposal_id)
    return _require_visible(session, user, row, f"proposal {proposal_id} not found")


def decide(session: Session, user: Principal, proposal_id: int, body: DecisionIn) -> ProposalRow:
    """Record a coordinator's decision; an accepted (or overriding) placement becomes the
    client's ongoing assignment from the run's planning date."""
    get_proposal(session, user, proposal_id)
    # Lock the row (PostgreSQL) so that two coordinators cannot both decide it.
    proposal = session.get_one(ProposalRow, proposal_id, with_for_update=True)
    run = session.get(RunRow, proposal.run_id)
    assert run is not None
    if run.superseded or proposal.status == ProposalStatus.SUPERSEDED:
        raise Conflict(f"run {run.id} has been superseded by a newer run; decide on that one")
    if proposal.status != ProposalStatus.PROPOSED:
        raise Conflict(f"proposal {proposal_id} is already {proposal.status}")
    target = proposal.placement_id if body.decision == "accept" else body.placement
    if target is not None:
        placement = session.get(PlacementRow, target)
        if placement is None:
            raise InvalidInput(
                "unknown placement",
                [
                    {
                        "loc": ["body", "placement"],
                        "field": "body.placement",
                        "msg": f"unknown placement '{target}'",
                    }
                ],
            )
        if placement.closed and not _works_at(session, proposal.client_id, target):
            raise Conflict(f"placement '{target}' is closed")
    decided = (
        ProposalStatus.ACCEPTED.value if body.decision == "accept" else ProposalStatus.OVERRIDDEN
    )
    # Conditional on the status (SQLite has no row locks): of decisions sent at once, only
    # the first update finds the proposal still proposed; the others get 409.
    won = session.execute(
        update(ProposalRow)
        .where(ProposalRow.id == proposal_id, ProposalRow.status == ProposalStatus.PROPOSED)
        .values(status=decided)
        .execution_options(synchronize_session=False)
    )
    if not getattr(won, "rowcount", 0):
        session.rollback()
        raise Conflict(f"proposal {proposal_id} was decided meanwhile")
    proposal.status = decided
    proposal.reason_code = body.reason_code.value
    proposal.reason_text = body.text
    proposal.decided_placement_id = target
    proposal.decided_by = user.name
    proposal.decided_at = utcnow()
    if target is not None:
        _assign(session, proposal, target, run)
    session.flush()
    return proposal


def _works_at(session: Session, client_id: str, placement_id: str) -> bool:
    """Does the client already work at the placement (a continuation, allowed when closed)?"""
    return (
        session.scalar(
            select(AssignmentRow.id).where(
                AssignmentRow.client_id == client_id,
                AssignmentRow.placement_id == placement_id,
                AssignmentRow.status == "active",
            )
        )
        is not None
    )


def _assign(session: Session, proposal: ProposalRow, placement_id: str, run: RunRow) -> None:
    current = session.scalar(
        select(AssignmentRow).where(
            AssignmentRow.client_id == proposal.client_id, AssignmentRow.status == "active"
        )
    )
    if current is not None and current.placement_id == placement_id:
        return  # continues where the client already works
    if current is not None:
        current.status = "ended"
        current.end_date = max(current.start_date, run.planning_date - timedelta(days=1))
    session.add(
        AssignmentRow(
            client_id=proposal.client_id,
            placement_id=placement_id,
            start_date=run.planning_date,
            status="active",
            proposal_id=proposal.id,
        )
    )


def list_assignments(
    session: Session,
    user: Principal,
    *,
    client: str | None,
    placement: str | None,
    status: str | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[AssignmentRow], int]:
    """Assignments the caller may see (municipality users: at their placements)."""
    query = select(AssignmentRow)
    if user.role is Role.MUNICIPALITY:
        query = query.where(AssignmentRow.placement_id.in_(_own_placements(user)))
    if client is not None:
        query = query.where(AssignmentRow.client_id == client)
    if placement is not None:
        query = query.where(AssignmentRow.placement_id == placement)
    if status is not None:
        query = query.where(AssignmentRow.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AssignmentRow.id).offset(offset).limit(limit)).all()
    return rows, total


def get_assignment(session: Session, user: Principal, assignment_id: int) -> AssignmentRow:
    """An assignment the caller may see (404 otherwise)."""
    row = session.get(AssignmentRow, assignment_id)
    return _require_visible(session, user, row, f"assignment {assignment_id} not found")


def end_assignment(
    session: Session, user: Principal, assignment_id: int, end_date: Any
) -> AssignmentRow:
    """End an active assignment on ``end_date`` (not before it started)."""
    row = get_assignment(session, user, assignment_id)
    if row.status != "active":
        raise Conflict(f"assignment {assignment_id} has already ended")
    if end_date < row.start_date:
        raise InvalidInput(
            "end before start",
            [
                {
                    "loc": ["body", "end_date"],
                    "field": "body.end_date",
                    "msg": f"{end_date} is before the start date {row.start_date}",
                }
            ],
        )
    row.status = "ended"
    row.end_date = end_date
    session.flush()
    return row


def record_attendance(
    session: Session, user: Principal, assignment_id: int, body: AttendanceIn
) -> AttendanceRow:
    """Record one day; the day must fall inside the assignment and not be recorded yet."""
    assignment = get_assignment(session, user, assignment_id)
    if body.day < assignment.start_date or (
        assignment.end_date is not None and body.day > assignment.end_date
    ):
        raise InvalidInput(
            "day outside the assignment",
            [
                {
                    "loc": ["body", "day"],
                    "field": "body.day",
                    "msg": f"{body.day} is outside the assignment's period",
                }
            ],
        )
    exists = session.scalar(
        select(AttendanceRow).where(
            AttendanceRow.assignment_id == assignment_id, AttendanceRow.day == body.day
        )
    )
    if exists is not None:
        raise Conflict(f"{body.day} is already recorded for assignment {assignment_id}")
    row = AttendanceRow(
        assignment_id=assignment_id,
        day=body.day,
        status=body.status.value,
        absence_reason=body.absence_reason.value if body.absence_reason else None,
        recorded_by=user.name,
    )
    session.add(row)
    session.flush()
    return row


def list_attendance(
    session: Session, user: Principal, assignment_id: int
) -> Sequence[AttendanceRow]:
    """The recorded days of an assignment, oldest first."""
    get_assignment(session, user, assignment_id)
    return session.scalars(
        select(AttendanceRow)
        .where(AttendanceRow.assignment_id == assignment_id)
        .order_by(AttendanceRow.day)
    ).all()


def attendance_out(user: Principal, row: AttendanceRow) -> AttendanceOut:
    """A recorded day as the caller may see it: absence reasons for coordinators only
    (illness reasons are health data, domain.md § 7.6)."""
    out = AttendanceOut.model_validate(row)
    if user.role is not Role.COORDINATOR:
        out = out.model_copy(update={"absence_reason": None})
    return out
