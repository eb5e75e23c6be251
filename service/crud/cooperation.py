"""The cooperation cycle in the database, first steps: who may see which client's cycle, the
site's answer to an accepted proposal, the start meeting, and the pairs the site declined.

Rules live in ``models.cooperation`` and ``matching.cooperation``; this module loads rows,
builds the domain records (their validation is the rule), stores the result and raises
``OutOfOrder`` (409 with a code) for a step taken too early. The later steps are in
``service.crud.agreements`` (the activity agreement), ``service.crud.periods`` (the period,
its end, notices, feedback, attendance checks) and ``service.crud.months`` (attendance to
money and outcomes).

Public functions:

* ``visible_clients(session, user)`` – the client ids whose cycle the caller may see, or
  ``None`` for all (coordinators on request; sites are scoped by placement instead);
* ``scope_query(query, session, user, client_col, placement_col, everyone)`` – that scope
  applied to a select;
* ``target_placement(proposal)`` – where an accepted or overridden proposal places the client;
* ``pending_confirmations(session, user)`` – accepted proposals waiting for the site's answer;
* ``confirm(session, user, proposal_id, body)`` – the site's confirmation or decline; a
  decline returns the client to the pool;
* ``list_confirmations(session, user, …)`` / ``get_confirmation(session, user, proposal_id)``;
* ``confirmation_domain(row)`` / ``meeting_domain(row)`` – rows as domain records;
* ``blocked_pairs_of(session)`` / ``with_blocked_pairs(problem, blocked)`` – declined pairs
  kept out of the next run unless the client's or the placement's record changed;
* ``record_meeting(session, user, body)`` / ``list_meetings`` / ``get_meeting``;
* ``meeting_view(session, user, row)`` – a meeting as the caller may see it (a site sees the
  client's name only if the client agreed to share it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.cooperation.periods import blocked_pairs
from models import AllocationProblem
from models.cooperation import SiteConfirmation, SiteDecision, StartMeeting
from service.auth import Principal, Role
from service.crud.seats import lock_placement
from service.db.cooperation import AgreementRow, PeriodRow, SiteConfirmationRow, StartMeetingRow
from service.db.tables import (
    AssignmentRow,
    ClientPersonalRow,
    ClientRow,
    PlacementRow,
    ProposalRow,
    utcnow,
)
from service.errors import Forbidden, NotFound, OutOfOrder
from service.schemas.cooperation import ConfirmationIn, MeetingIn

DECIDED = ("accepted", "overridden")


def aware(moment: datetime) -> datetime:
    """A stored time as timezone-aware UTC (SQLite hands them back naive)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- who sees what ------------------------------------------------------------------------


def coach_clients(session: Session, coach_id: str) -> set[str]:
    """Ids of the clients whose record names ``coach_id`` as their coach."""
    rows = session.execute(select(ClientRow.id, ClientRow.attributes)).all()
    return {cid for cid, attributes in rows if (attributes or {}).get("coach") == coach_id}


def own_placements(session: Session, user: Principal) -> set[str]:
    """The placements of a municipality user's organisation."""
    return set(
        session.scalars(
            select(PlacementRow.id).where(PlacementRow.organisation_id == user.organisation)
        )
    )


def visible_clients(session: Session, user: Principal, everyone: bool = False) -> set[str] | None:
    """Client ids whose cycle ``user`` may see; ``None`` means every client.

    Coordinators: their caseload, or everyone when asked (``everyone``, audited with its
    purpose) or when the caller is an integration token without a caseload. Coaches: their
    own clients. Sites are scoped by placement (``scope_query``), planners and admins see no
    client's cycle.
    """
    if user.role is Role.COORDINATOR:
        return None if everyone or user.caseload is None else set(user.caseload)
    if user.role is Role.COACH:
        return coach_clients(session, user.coach_id or "")
    if user.role is Role.MUNICIPALITY:
        return None
    raise Forbidden(
        f"the {user.role.value} role may not see clients' periods", code="api.forbidden.periods_see"
    )


def scope_query(
    query: Any,
    session: Session,
    user: Principal,
    client_col: Any,
    placement_col: Any,
    everyone: bool = False,
) -> Any:
    """``query`` limited to what ``user`` may see (by client, or by placement for sites)."""
    if user.role is Role.MUNICIPALITY:
        return query.where(placement_col.in_(own_placements(session, user)))
    clients = visible_clients(session, user, everyone)
    return query if clients is None else query.where(client_col.in_(clients))


def may_see(
    session: Session, user: Principal, client_id: str, placement_id: str, everyone: bool = True
) -> bool:
    """Whether ``user`` may see one record of ``client_id`` at ``placement_id``.

    Reading one record by id is a request for it: a coordinator may read any (audited), a
    coach only their clients', a site only its placements'.
    """
    if user.role is Role.MUNICIPALITY:
        return placement_id in own_placements(session, user)
    if user.role not in (Role.COORDINATOR, Role.COACH):
        return False
    clients = visible_clients(session, user, everyone)
    return clients is None or client_id in clients


def target_placement(proposal: ProposalRow) -> str | None:
    """Where a decided proposal places the client (``None``: nowhere)."""
    if proposal.status == "accepted":
        return proposal.placement_id
    if proposal.status == "overridden":
        return proposal.decided_placement_id
    return None


def require_active(session: Session, client_id: str) -> None:
    """An erased or deactivated client's story has ended: no confirmation, meeting,
    agreement, period or day is recorded for them any more (409)."""
    client = session.get(ClientRow, client_id)
    if client is None or not client.active:
        raise OutOfOrder(
            "client_inactive",
            f"client {client_id} has left the service",
            code="api.client_inactive",
            params={"id": client_id},
        )


def end_live_steps(session: Session, client_id: str, on: date, by: str) -> None:
    """A client leaving the service ends their live steps on ``on``: the pending proposals
    are withdrawn, drafted agreements cancelled, the seat given up and the live period ended
    (not before it started; a period that has not started yet ends on its first day), with
    the reason on record."""
    note = "Asiakas poistui palvelusta."
    for proposal in session.scalars(
        select(ProposalRow).where(
            ProposalRow.client_id == client_id, ProposalRow.status == "proposed"
        )
    ):
        proposal.status = "superseded"
    for agreement in session.scalars(
        select(AgreementRow).where(
            AgreementRow.client_id == client_id, AgreementRow.status == "drafted"
        )
    ):
        agreement.status = "cancelled"
        agreement.cancel_reason = note
        agreement.updated_at = utcnow()
    for period in session.scalars(
        select(PeriodRow).where(PeriodRow.client_id == client_id, PeriodRow.ended_on.is_(None))
    ):
        period.ended_on = min(max(period.start_date, on), period.planned_end_date)
        period.end_reason = "other"
        period.onward_path = "other"
        period.end_note = note
        period.ended_by = by
    for agreement in session.scalars(
        select(AgreementRow).where(
            AgreementRow.client_id == client_id,
            AgreementRow.status == "agreed",
            AgreementRow.id.not_in(
                select(PeriodRow.agreement_id).where(PeriodRow.agreement_id.is_not(None))
            ),
        )
    ):
        agreement.status = "cancelled"  # agreed, but its period never started
        agreement.cancel_reason = note
        agreement.updated_at = utcnow()
    for seat in session.scalars(
        select(AssignmentRow).where(
            AssignmentRow.client_id == client_id, AssignmentRow.status == "active"
        )
    ):
        seat.status = "ended"
        seat.end_date = max(seat.start_date, on)
    session.flush()


def _decided_proposal(session: Session, user: Principal, proposal_id: int) -> ProposalRow:
    """A proposal the caller may see, by the placement it was decided for."""
    proposal = session.get(ProposalRow, proposal_id)
    missing = NotFound(
        f"proposal {proposal_id} not found",
        code="api.not_found.proposal",
        params={"id": str(proposal_id)},
    )
    if proposal is None:
        raise missing
    target = target_placement(proposal) or proposal.placement_id
    if not may_see(session, user, proposal.client_id, target):
        raise missing
    require_active(session, proposal.client_id)
    return proposal


# --- the site's answer ----------------------------------------------------------------------


def pending_confirmations(
    session: Session, user: Principal, everyone: bool = False
) -> list[ProposalRow]:
    """Accepted (or overridden to a placement) proposals with no answer from the site yet,
    oldest decision first; a site sees those at its own placements, a coordinator their
    caseload's (every client's with ``everyone``, asked for with a purpose)."""
    answered = select(SiteConfirmationRow.proposal_id)
    rows = session.scalars(
        select(ProposalRow)
        .where(ProposalRow.status.in_(DECIDED), ProposalRow.id.not_in(answered))
        .order_by(ProposalRow.decided_at, ProposalRow.id)
    ).all()
    out = []
    for row in rows:
        target = target_placement(row)
        if target is not None and may_see(session, user, row.client_id, target, everyone=everyone):
            out.append(row)
    return out


def confirmation_domain(row: SiteConfirmationRow) -> SiteConfirmation:
    """A stored answer as the domain record."""
    return SiteConfirmation.model_validate(
        {
            "proposal": str(row.proposal_id),
            "client": row.client_id,
            "placement": row.placement_id,
            "decision": row.decision,
            "reason": row.reason,
            "text": row.text,
            "decided_by": row.decided_by,
            "decided_at": aware(row.decided_at),
        }
    )


def confirm(
    session: Session, user: Principal, proposal_id: int, body: ConfirmationIn
) -> SiteConfirmationRow:
    """The site's answer to an accepted proposal (sites of the placement, or a coordinator
    recording the site's answer).

    A decline returns the client to the pool: the assignment the acceptance made is removed
    (ended on its first day if days were already recorded on it) and the pair is not
    proposed again until the client's or the placement's record changes.
    """
    if user.role not in (Role.MUNICIPALITY, Role.COORDINATOR):
        raise Forbidden(
            f"the {user.role.value} role may not answer for the site",
            code="api.forbidden.site_answer",
        )
    proposal = _decided_proposal(session, user, proposal_id)
    target = target_placement(proposal)
    if target is None:
        raise OutOfOrder(
            "proposal_not_accepted",
            f"proposal {proposal_id} is {proposal.status}: only an accepted proposal goes "
            "to the site",
            code="api.proposal_not_accepted",
            params={"id": str(proposal_id)},
        )
    if session.scalar(
        select(SiteConfirmationRow).where(SiteConfirmationRow.proposal_id == proposal_id)
    ):
        raise OutOfOrder(
            "already_answered",
            f"the site has already answered {proposal_id}",
            code="api.already_answered",
            params={"id": str(proposal_id)},
        )
    now = utcnow()
    record = SiteConfirmation.model_validate(
        {
            "proposal": str(proposal_id),
            "client": proposal.client_id,
            "placement": target,
            "decision": body.decision,
            "reason": body.reason,
            "text": body.text,
            "decided_by": user.name,
            "decided_at": now,
        }
    )
    row = SiteConfirmationRow(
        proposal_id=proposal_id,
        client_id=record.client,
        placement_id=record.placement,
        decision=record.decision.value,
        reason=record.reason.value if record.reason else None,
        text=record.text,
        decided_by=record.decided_by,
        decided_at=now,
    )
    session.add(row)
    if record.decision is SiteDecision.DECLINED:
        _return_to_pool(session, proposal_id)
    session.flush()
    return row


def _return_to_pool(session: Session, proposal_id: int) -> None:
    """Undo the assignment an accepted proposal made (the site declined it), and give back
    the placement the acceptance had ended: a client moving on keeps their old place when
    the new one says no."""
    for assignment in session.scalars(
        select(AssignmentRow).where(
            AssignmentRow.proposal_id == proposal_id, AssignmentRow.status == "active"
        )
    ):
        started = session.scalar(
            select(PeriodRow.id).where(PeriodRow.assignment_id == assignment.id)
        )
        if started:  # a period (and its days) keeps the record it runs on
            assignment.status = "ended"
            assignment.end_date = assignment.start_date
        else:
            session.delete(assignment)
    session.flush()
    for previous in session.scalars(
        select(AssignmentRow).where(
            AssignmentRow.ended_by_proposal_id == proposal_id,
            AssignmentRow.status == "ended",
        )
    ):
        still_active = session.scalar(
            select(AssignmentRow.id).where(
                AssignmentRow.client_id == previous.client_id, AssignmentRow.status == "active"
            )
        )
        if still_active is None:
            lock_placement(session, previous.placement_id)  # the seat is taken again
            previous.status = "active"
            previous.end_date = None
            previous.ended_by_proposal_id = None


def list_confirmations(
    session: Session, user: Principal, *, decision: SiteDecision | None = None
) -> Sequence[SiteConfirmationRow]:
    """The site's answers the caller may see, newest first."""
    query = select(SiteConfirmationRow).order_by(SiteConfirmationRow.id.desc())
    if decision is not None:
        query = query.where(SiteConfirmationRow.decision == decision.value)
    query = scope_query(
        query,
        session,
        user,
        SiteConfirmationRow.client_id,
        SiteConfirmationRow.placement_id,
        everyone=True,
    )
    return session.scalars(query).all()


def get_confirmation(session: Session, user: Principal, proposal_id: int) -> SiteConfirmationRow:
    """The site's answer to one proposal (404 if none or not visible)."""
    row = session.scalar(
        select(SiteConfirmationRow).where(SiteConfirmationRow.proposal_id == proposal_id)
    )
    if row is None or not may_see(session, user, row.client_id, row.placement_id):
        raise NotFound(
            f"no answer from the site to proposal {proposal_id}",
            code="api.not_found.site_answer",
            params={"id": str(proposal_id)},
        )
    return row


def confirmed(session: Session, proposal_id: int) -> SiteConfirmationRow:
    """The site's confirmation of ``proposal_id``; ``OutOfOrder`` without one."""
    row = session.scalar(
        select(SiteConfirmationRow).where(SiteConfirmationRow.proposal_id == proposal_id)
    )
    if row is None or row.decision != SiteDecision.CONFIRMED.value:
        state = "declined it" if row is not None else "not answered yet"
        raise OutOfOrder(
            "not_confirmed",
            f"the site has {state}: proposal {proposal_id} needs the site's confirmation first",
        )
    return row


# --- the pairs the site declined ------------------------------------------------------------


def blocked_pairs_of(session: Session) -> frozenset[tuple[str, str]]:
    """(client, placement) pairs the site declined, unless either record changed since."""
    rows = session.scalars(select(SiteConfirmationRow)).all()
    if not rows:
        return frozenset()
    clients = {r.client_id for r in rows}
    placements = {r.placement_id for r in rows}
    changed: dict[str, datetime] = {}
    for cid, when in session.execute(
        select(ClientRow.id, ClientRow.updated_at).where(ClientRow.id.in_(clients))
    ):
        changed[cid] = aware(when)
    for pid, when in session.execute(
        select(PlacementRow.id, PlacementRow.updated_at).where(PlacementRow.id.in_(placements))
    ):
        changed[pid] = max(aware(when), changed.get(pid, aware(when)))
    return blocked_pairs((confirmation_domain(r) for r in rows), changed)


def with_blocked_pairs(
    problem: AllocationProblem, blocked: frozenset[tuple[str, str]]
) -> AllocationProblem:
    """The problem with each declined placement among its client's avoided placements (the
    engine's ``avoided_placement`` rule keeps the pair out). A client's ongoing placement is
    never added: the engine keeps it through the commitment."""
    if not blocked:
        return problem
    ongoing = {(a.client, a.placement) for a in problem.ongoing}
    known = {p.id for p in problem.placements}
    by_client: dict[str, set[str]] = {}
    for client, placement in blocked:
        if (client, placement) not in ongoing and placement in known:
            by_client.setdefault(client, set()).add(placement)
    if not by_client:
        return problem
    clients = tuple(
        c.model_copy(update={"avoid_placements": c.avoid_placements | by_client[c.id]})
        if c.id in by_client
        else c
        for c in problem.clients
    )
    return problem.model_copy(update={"clients": clients})


# --- the start meeting ----------------------------------------------------------------------


def meeting_domain(row: StartMeetingRow) -> StartMeeting:
    """A stored meeting as the domain record."""
    return StartMeeting.model_validate(
        {
            "id": str(row.id),
            "client": row.client_id,
            "placement": row.placement_id,
            "held_on": row.held_on,
            "place": row.place,
            "participants": row.participants,
            "notes": row.notes,
        }
    )


def record_meeting(session: Session, user: Principal, body: MeetingIn) -> StartMeetingRow:
    """The start meeting of a proposal the site confirmed (coordinators)."""
    proposal = _decided_proposal(session, user, body.proposal_id)
    answer = confirmed(session, proposal.id)
    StartMeeting.model_validate(
        {
            "id": "new",
            "client": answer.client_id,
            "placement": answer.placement_id,
            "held_on": body.held_on,
            "place": body.place,
            "participants": [p.model_dump() for p in body.participants],
            "notes": body.notes,
        }
    )
    row = StartMeetingRow(
        proposal_id=proposal.id,
        client_id=answer.client_id,
        placement_id=answer.placement_id,
        held_on=body.held_on,
        place=body.place,
        participants=[p.model_dump(mode="json") for p in body.participants],
        notes=body.notes,
        created_by=user.name,
    )
    session.add(row)
    session.flush()
    return row


def shares_name(session: Session, client_id: str) -> bool:
    """Whether the client agreed to show their name to the sites."""
    personal = session.get(ClientPersonalRow, client_id)
    return personal is not None and "display_name" in (personal.shared_fields or [])


def meeting_view(session: Session, user: Principal, row: StartMeetingRow) -> dict[str, Any]:
    """A meeting as the caller may see it: a site sees the client's name only if the client
    agreed to share it (otherwise the client's pseudonymous id)."""
    participants = list(row.participants)
    if user.role is Role.MUNICIPALITY and not shares_name(session, row.client_id):
        participants = [
            {**p, "name": row.client_id} if p.get("role") == "client" else p for p in participants
        ]
    return {
        **{c.name: getattr(row, c.name) for c in StartMeetingRow.__table__.columns},
        "participants": participants,
    }


def get_meeting(session: Session, user: Principal, meeting_id: int) -> StartMeetingRow:
    """One start meeting the caller may see."""
    row = session.get(StartMeetingRow, meeting_id)
    if row is None or not may_see(session, user, row.client_id, row.placement_id):
        raise NotFound(
            f"start meeting {meeting_id} not found",
            code="api.not_found.meeting",
            params={"id": str(meeting_id)},
        )
    return row


def list_meetings(
    session: Session, user: Principal, proposal_id: int | None = None
) -> Sequence[StartMeetingRow]:
    """Start meetings the caller may see (of one proposal), newest first."""
    query = select(StartMeetingRow).order_by(StartMeetingRow.id.desc())
    if proposal_id is not None:
        query = query.where(StartMeetingRow.proposal_id == proposal_id)
    query = scope_query(
        query, session, user, StartMeetingRow.client_id, StartMeetingRow.placement_id, True
    )
    return session.scalars(query).all()
