"""Proposals, the coordinator's decisions and assignments (seats); the attendance of an
assignment is its period's days (``periods.record_day``, the one write path)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from matching.decision import DecisionCheck, check_decision
from models import LegalRegime
from models.benefits import BenefitRules
from models.dates import add_months
from service.auth import Principal, Role
from service.crud import periods as period_store
from service.crud.cooperation import coach_clients
from service.crud.integrity import screened_county
from service.crud.seats import lock_placement
from service.db.cooperation import PeriodRow
from service.db.tables import (
    AssignmentRow,
    AttendanceRow,
    ClientRow,
    PlacementRow,
    ProposalRow,
    RunRow,
    utcnow,
)
from service.errors import Conflict, InvalidInput, NotFound
from service.schemas.runs import (
    AttendanceCorrectionIn,
    AttendanceIn,
    AttendanceOut,
    DecisionIn,
    ProposalStatus,
)


def _own_placements(user: Principal) -> Any:
    return select(PlacementRow.id).where(PlacementRow.organisation_id == user.organisation)


R = TypeVar("R", ProposalRow, AssignmentRow)


def _require_visible(session: Session, user: Principal, row: R | None, missing: NotFound) -> R:
    """Raise NotFound unless the row exists and, for a municipality user, is at one of its
    organisation's placements (others' records are not revealed to exist)."""
    if row is None:
        raise missing
    if user.role is Role.COACH and row.client_id not in coach_clients(session, user.coach_id or ""):
        raise missing
    if user.role is Role.MUNICIPALITY:
        placement = session.get(PlacementRow, row.placement_id)
        if placement is None or placement.organisation_id != user.organisation:
            raise missing
    return row


def get_proposal(session: Session, user: Principal, proposal_id: int) -> ProposalRow:
    """A proposal the caller may see (404 otherwise)."""
    row = session.get(ProposalRow, proposal_id)
    missing = NotFound(
        f"proposal {proposal_id} not found",
        code="api.not_found.proposal",
        params={"id": str(proposal_id)},
    )
    return _require_visible(session, user, row, missing)


class DecisionRefused(InvalidInput):
    """A decision that would break a hard rule or a capacity with the periods in force."""

    status = 409


def check(
    session: Session,
    proposal: ProposalRow,
    run: RunRow,
    body: DecisionIn,
    regime: LegalRegime | None = None,
) -> tuple[DecisionCheck | None, dict[str, int]]:
    """The decision checked by ``matching.decision.check_decision`` against the county as the
    run's planning date sees it (the decision's own data, such as the consent given at the
    meeting, already applied), and the pending proposals of the week (client → proposal id).
    ``None`` when the decision places nobody (it breaks nothing and displaces nobody)."""
    target = proposal.placement_id if body.decision == "accept" else body.placement
    pending_rows = session.execute(
        select(ProposalRow.client_id, ProposalRow.placement_id, ProposalRow.id).where(
            ProposalRow.run_id == run.id,
            ProposalRow.status == ProposalStatus.PROPOSED.value,
            ProposalRow.id != proposal.id,
        )
    ).all()
    ids = {client: pid for client, _placement, pid in pending_rows}
    if target is None:
        return None, ids
    screened = screened_county(session, run.planning_date, regime)
    in_force = {a.client: a.placement for a in screened.problem.ongoing}
    verdict = check_decision(
        screened.problem,
        in_force,
        proposal.client_id,
        target,
        pending={client: placement for client, placement, _pid in pending_rows},
    )
    return verdict, ids


def _apply_decision_data(session: Session, proposal: ProposalRow, body: DecisionIn) -> None:
    """What the coordinator recorded at the meeting becomes data on the client's record."""
    if body.consent_outside_commuting_area is None:
        return
    client = session.get(ClientRow, proposal.client_id)
    if client is None:
        return
    client.attributes = {
        **client.attributes,
        "consent_outside_commuting_area": body.consent_outside_commuting_area,
    }
    client.updated_at = utcnow()
    session.flush()


def _period_end(run: RunRow, body: DecisionIn) -> date | None:
    if body.period_months is None:
        return None
    regime = LegalRegime()
    if not regime.min_period_months <= body.period_months <= regime.max_period_months:
        raise InvalidInput(
            "period outside the law",
            [
                {
                    "loc": ["body", "period_months"],
                    "field": "body.period_months",
                    "msg": f"{body.period_months} months is outside the "
                    f"{regime.min_period_months}-{regime.max_period_months} months of a period "
                    "(189/2001 § 13)",
                    "type": "period_length",
                    "rule": "period_length",
                    "value": str(body.period_months),
                    "input": body.period_months,  # the months, for the text's plural
                }
            ],
        )
    return add_months(run.planning_date, body.period_months)


def _refuse(verdict: DecisionCheck) -> None:
    errors = [
        {
            "loc": ["body", "placement"],
            "field": "body.placement",
            "msg": b.message,
            "type": b.rule,
            "rule": b.rule,
            "value": verdict.placement,
            "clients": list(b.clients),
            "placements": list(b.placements),
            **({"coach": b.coach} if b.coach else {}),
            "code": b.code,
            "params": b.params,
        }
        for b in verdict.breaches
    ]
    first = verdict.breaches[0]
    raise DecisionRefused(
        f"refused: placing '{verdict.client}' at '{verdict.placement}' breaks {first.rule}: "
        f"{first.message}",
        errors,
    )


def decide(
    session: Session,
    user: Principal,
    proposal_id: int,
    body: DecisionIn,
    regime: LegalRegime | None = None,
) -> ProposalRow:
    """Record a coordinator's decision; an accepted (or overriding) placement becomes the
    client's ongoing assignment from the run's planning date.

    The decision is checked first against every hard rule and capacity with the periods in
    force (``matching.decision``); a breach is refused (409) naming the rule, the clients and
    the placements, and nothing is stored. The returned row carries ``displaces``: the other
    pending proposals of the week that can no longer be accepted after it."""
    get_proposal(session, user, proposal_id)
    # Lock the row (PostgreSQL) so that two coordinators cannot both decide it.
    proposal = session.get_one(ProposalRow, proposal_id, with_for_update=True)
    run = session.get(RunRow, proposal.run_id)
    assert run is not None
    if run.superseded or proposal.status == ProposalStatus.SUPERSEDED:
        raise Conflict(
            f"run {run.id} has been superseded by a newer run; decide on that one",
            code="api.run_superseded",
            params={"id": str(run.id)},
        )
    if proposal.status != ProposalStatus.PROPOSED:
        raise Conflict(
            f"proposal {proposal_id} is already {proposal.status}",
            code="api.proposal_decided",
            params={"id": str(proposal_id)},
        )
    target = proposal.placement_id if body.decision == "accept" else body.placement
    if target is not None:
        lock_placement(session, target)
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
                code="api.not_found.placement",
                params={"id": str(target)},
            )
        if placement.closed and not _works_at(session, proposal.client_id, target):
            raise Conflict(
                f"placement '{target}' is closed",
                code="api.placement_closed",
                params={"id": str(target)},
            )
    planned_end = _period_end(run, body)
    _apply_decision_data(session, proposal, body)
    verdict, pending_ids = check(session, proposal, run, body, regime)
    if verdict is not None and not verdict.lawful:
        session.rollback()
        _refuse(verdict)
    if target is not None:
        running = period_store.live_period(session, proposal.client_id)
        if running is not None and running.placement_id != target:
            try:  # a period past its planned end closes; a running one is ended first (409)
                period_store.close_or_refuse_live(
                    session, proposal.client_id, run.planning_date, user.name
                )
            except Conflict:
                session.rollback()
                raise
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
        raise Conflict(
            f"proposal {proposal_id} was decided meanwhile",
            code="api.proposal_decided_meanwhile",
            params={"id": str(proposal_id)},
        )
    proposal.status = decided
    proposal.reason_code = body.reason_code.value
    proposal.reason_text = body.text
    proposal.decided_placement_id = target
    proposal.decided_by = user.name
    proposal.decided_at = utcnow()
    if target is not None:
        _assign(session, proposal, target, run, planned_end)
    session.flush()
    displaced = verdict.displaced if verdict is not None else ()
    proposal.displaces = [  # type: ignore[attr-defined]
        {"proposal_id": pending_ids[client], "client_id": client, "placement_id": placement}
        for client, placement in displaced
        if client in pending_ids
    ]
    return proposal


def preview(
    session: Session,
    user: Principal,
    proposal_id: int,
    body: DecisionIn,
    regime: LegalRegime | None = None,
) -> dict[str, Any]:
    """What ``decide`` would answer, without storing anything (for a confirmation screen)."""
    proposal = get_proposal(session, user, proposal_id)
    run = session.get(RunRow, proposal.run_id)
    assert run is not None
    _apply_decision_data(session, proposal, body)
    try:
        verdict, pending_ids = check(session, proposal, run, body, regime)
    finally:
        session.rollback()
    if verdict is None:
        return {"lawful": True, "breaches": [], "displaces": []}
    return {
        "lawful": verdict.lawful,
        "breaches": [
            {
                "rule": b.rule,
                "clients": list(b.clients),
                "placements": list(b.placements),
                "coach": b.coach,
                "message": b.message,
            }
            for b in verdict.breaches
        ],
        "displaces": [
            {"proposal_id": pending_ids[c], "client_id": c, "placement_id": p}
            for c, p in verdict.displaced
            if c in pending_ids
        ],
    }


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


def _assign(
    session: Session,
    proposal: ProposalRow,
    placement_id: str,
    run: RunRow,
    planned_end: date | None = None,
) -> None:
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
        current.ended_by_proposal_id = proposal.id  # restored if the new site declines
    session.add(
        AssignmentRow(
            client_id=proposal.client_id,
            placement_id=placement_id,
            start_date=run.planning_date,
            planned_end_date=planned_end,
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
    missing = NotFound(
        f"assignment {assignment_id} not found",
        code="api.not_found.assignment",
        params={"id": str(assignment_id)},
    )
    return _require_visible(session, user, row, missing)


def end_assignment(
    session: Session, user: Principal, assignment_id: int, end_date: Any
) -> AssignmentRow:
    """End an active assignment on ``end_date`` (not before it started)."""
    row = get_assignment(session, user, assignment_id)
    if row.status != "active":
        raise Conflict(
            f"assignment {assignment_id} has already ended",
            code="api.assignment_ended",
            params={"id": str(assignment_id)},
        )
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
            code="api.end_before_start",
            params={"date": end_date.isoformat(), "since": row.start_date.isoformat()},
        )
    running = period_store.period_of_assignment(session, row.id)
    if running is not None and running.ended_on is None:
        raise Conflict(
            f"period {running.id} runs on assignment {assignment_id}: end the period, with "
            "its reason and onward path",
            code="api.period_on_assignment",
            params={"id": str(running.id)},
        )
    row.status = "ended"
    row.end_date = end_date
    session.flush()
    return row


def period_of(session: Session, user: Principal, assignment_id: int) -> PeriodRow:
    """The period that runs on an assignment the caller may see: its days are the period's.
    An assignment whose period has not started (awaiting the site, the meeting and the
    agreement) has no days yet (409)."""
    assignment = get_assignment(session, user, assignment_id)
    row = period_store.period_of_assignment(session, assignment.id)
    if row is None:
        raise Conflict(
            f"assignment {assignment_id} has no period yet: days are recorded in a period",
            code="api.no_period",
            params={"id": str(assignment_id)},
        )
    return row


def record_attendance(
    session: Session,
    user: Principal,
    assignment_id: int,
    body: AttendanceIn,
    today: date | None = None,
) -> AttendanceRow:
    """Record one day of the assignment's period (``periods.record_day``, the one write path
    of days with the period's rules)."""
    period = period_of(session, user, assignment_id)
    return period_store.record_day(
        session, user, period.id, body, today or date.today(), BenefitRules(), LegalRegime()
    )


def correct_attendance(
    session: Session,
    user: Principal,
    assignment_id: int,
    body: AttendanceCorrectionIn,
    today: date | None = None,
) -> AttendanceRow:
    """Correct a recorded day of the assignment's period (``periods.correct_day``)."""
    period = period_of(session, user, assignment_id)
    return period_store.correct_day(
        session, user, period.id, body, today or date.today(), BenefitRules(), LegalRegime()
    )


def day_recorded(session: Session, user: Principal, assignment_id: int, day: date) -> bool:
    """Is ``day`` recorded in the assignment's period (then a write corrects it)?"""
    get_assignment(session, user, assignment_id)
    row = period_store.period_of_assignment(session, assignment_id)
    return row is not None and period_store.day_recorded(session, row.id, day)


def list_attendance(
    session: Session, user: Principal, assignment_id: int
) -> Sequence[AttendanceRow]:
    """The recorded days of the assignment's period, oldest first (none before it starts)."""
    get_assignment(session, user, assignment_id)
    row = period_store.period_of_assignment(session, assignment_id)
    if row is None:
        return []
    return period_store.days_of(session, user, row.id)


def attendance_out(
    user: Principal,
    row: AttendanceRow,
    flags: dict[date, list[str]] | None = None,
    assignment_id: int | None = None,
) -> AttendanceOut:
    """A recorded day as the caller may see it: absence reasons and the flags that tell of
    them for coordinators only (illness reasons are health data, domain.md § 7.6)."""
    out = AttendanceOut.model_validate(
        {
            "id": row.id,
            "period_id": row.period_id,
            "assignment_id": assignment_id,
            "day": row.day,
            "status": row.status,
            "absence_reason": row.absence_reason,
            "recorded_by": row.recorded_by,
            "recorded_at": row.recorded_at,
        }
    )
    if user.role is not Role.COORDINATOR:
        return out.model_copy(update={"absence_reason": None})
    return out.model_copy(update={"flags": (flags or {}).get(row.day, [])})


def attendance_flags(session: Session, assignment_id: int) -> dict[date, list[str]]:
    """Flags of the days of the assignment's period (``periods.day_flags``)."""
    row = period_store.period_of_assignment(session, assignment_id)
    if row is None:
        return {}
    return period_store.day_flags(session, row, date.today(), BenefitRules(), LegalRegime())
