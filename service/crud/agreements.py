"""Activity agreements in the database: draft, revise, agree, cancel, read, print.

An agreement belongs to a proposal the site confirmed (``OutOfOrder`` ``not_confirmed``
otherwise). Its content is checked by ``models.cooperation.ActivityAgreement`` under the
county's ``LegalRegime`` (3–24 months, 1–4 days a week, 4–8 hours a day, the first review
inside the period): an error there is a 422 naming the field. The status moves drafted →
agreed → cancelled by ``matching.cooperation.periods.agree`` / ``cancel``.

Public functions:

* ``draft(session, user, body, regime)`` – a new drafted agreement (one open per proposal);
* ``revise(session, user, agreement_id, body, regime)`` – replace a drafted agreement's content;
* ``agree(session, user, agreement_id, on, regime)`` / ``cancel(…, reason, regime)``;
* ``get(session, user, agreement_id)`` / ``list_(session, user, …)``;
* ``domain(row, regime)`` – a row as ``ActivityAgreement``;
* ``printable(session, user, agreement_id, lang)`` – the print page (HTML) in fi, sv or en.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.cooperation import periods as steps
from matching.cooperation.printable import agreement_html
from models import LegalRegime
from models.cooperation import ActivityAgreement, AgreementStatus
from service.auth import Principal, Role
from service.crud.cooperation import (
    confirmed,
    get_meeting,
    may_see,
    meeting_domain,
    require_active,
    scope_query,
)
from service.crud.regimes import regime_on
from service.db.cooperation import AgreementRow, PeriodRow
from service.db.tables import PlacementRow, ProposalRow, utcnow
from service.errors import Forbidden, InvalidInput, NotFound, OutOfOrder
from service.schemas.cooperation import AgreementIn

CONTENT = (
    "tasks",
    "goals",
    "support",
    "days_per_week",
    "hours_per_day",
    "start_date",
    "first_review_date",
    "end_date",
    "when_absent",
    "language",
)


def domain(row: AgreementRow, regime: LegalRegime) -> ActivityAgreement:
    """A stored agreement as the domain record (validated under ``regime``)."""
    return ActivityAgreement.model_validate(
        {
            "id": str(row.id),
            "client": row.client_id,
            "placement": row.placement_id,
            "municipality": row.municipality_code,
            "task_category": row.task_category,
            "meeting": str(row.meeting_id) if row.meeting_id is not None else None,
            **{name: getattr(row, name) for name in CONTENT},
            "weekdays": row.weekdays,
            "contact_persons": row.contact_persons,
            "status": row.status,
            "agreed_on": row.agreed_on,
            "cancel_reason": row.cancel_reason,
        },
        context={"regime": regime},
    )


def _checked(
    session: Session,
    user: Principal,
    body: AgreementIn,
    regime: LegalRegime,
    row_id: int | None = None,
) -> dict[str, Any]:
    """The agreement's columns from ``body``, checked by the domain record."""
    proposal = session.get(ProposalRow, body.proposal_id)
    if proposal is None or not may_see(session, user, proposal.client_id, proposal.placement_id):
        raise InvalidInput(
            "unknown proposal",
            [{"loc": ["body", "proposal_id"], "field": "body.proposal_id", "msg": "not found"}],
            code="api.not_found.proposal",
            params={"id": str(body.proposal_id)},
        )
    answer = confirmed(session, proposal.id)
    placement = session.get(PlacementRow, answer.placement_id)
    assert placement is not None
    if body.meeting_id is not None:
        meeting = get_meeting(session, user, body.meeting_id)
        if meeting.proposal_id != proposal.id:
            raise InvalidInput(
                "meeting of another proposal",
                [
                    {
                        "loc": ["body", "meeting_id"],
                        "field": "body.meeting_id",
                        "msg": f"start meeting {meeting.id} is about another proposal",
                    }
                ],
                code="api.meeting_other_proposal",
                params={"id": str(meeting.id)},
            )
    values: dict[str, Any] = {
        "proposal_id": proposal.id,
        "meeting_id": body.meeting_id,
        "client_id": answer.client_id,
        "placement_id": answer.placement_id,
        "municipality_code": placement.municipality_code,
        "task_category": placement.attributes.get("task_category"),
        **{name: getattr(body, name) for name in CONTENT},
        "weekdays": sorted({d.value for d in body.weekdays}),
        "contact_persons": [c.model_dump(mode="json") for c in body.contact_persons],
    }
    probe = AgreementRow(**values, status="drafted", agreed_on=None, cancel_reason="")
    probe.id = row_id or 0
    domain(probe, regime_on(session, body.start_date, regime))  # the law on its first day
    require_active(session, proposal.client_id)
    outside = steps.schedule_outside_placement(
        values["weekdays"], body.hours_per_day, body.end_date, placement.attributes
    )
    if outside:
        raise InvalidInput(
            "schedule outside the placement's",
            [
                {
                    "loc": ["body", name],
                    "field": f"body.{name}",
                    "msg": f"{name} is outside placement {placement.id}'s schedule",
                    "type": "outside_placement",
                }
                for name in outside
            ],
            code="api.agreement_outside_placement",
        )
    return values


def draft(
    session: Session, user: Principal, body: AgreementIn, regime: LegalRegime
) -> AgreementRow:
    """A drafted agreement of a confirmed proposal; one open (drafted or agreed) at a time."""
    _coordinator(user)
    values = _checked(session, user, body, regime)
    open_ = session.scalar(
        select(AgreementRow.id).where(
            AgreementRow.proposal_id == body.proposal_id,
            AgreementRow.status != AgreementStatus.CANCELLED.value,
        )
    )
    if open_ is not None:
        raise OutOfOrder(
            "agreement_exists",
            f"agreement {open_} of this proposal is open: revise or cancel it first",
            code="api.agreement_exists",
            params={"id": str(open_)},
        )
    row = AgreementRow(**values, status="drafted", created_by=user.name)
    session.add(row)
    session.flush()
    return row


def revise(
    session: Session, user: Principal, agreement_id: int, body: AgreementIn, regime: LegalRegime
) -> AgreementRow:
    """Replace the content of a drafted agreement (an agreed one is final: cancel and draft
    anew)."""
    _coordinator(user)
    row = get(session, user, agreement_id)
    if row.status != AgreementStatus.DRAFTED.value:
        raise OutOfOrder("status_final", f"agreement {agreement_id} is {row.status}")
    if body.proposal_id != row.proposal_id:
        raise InvalidInput(
            "another proposal",
            [
                {
                    "loc": ["body", "proposal_id"],
                    "field": "body.proposal_id",
                    "msg": f"agreement {agreement_id} belongs to proposal {row.proposal_id}",
                }
            ],
            code="api.agreement_other_proposal",
            params={"id": str(agreement_id), "proposal": str(row.proposal_id)},
        )
    for name, value in _checked(session, user, body, regime, row.id).items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.flush()
    return row


def _store(row: AgreementRow, record: ActivityAgreement) -> None:
    row.status = record.status.value
    row.agreed_on = record.agreed_on
    row.cancel_reason = record.cancel_reason
    row.updated_at = utcnow()


def agree(
    session: Session, user: Principal, agreement_id: int, on: Any, regime: LegalRegime
) -> AgreementRow:
    """The parties signed: drafted → agreed."""
    _coordinator(user)
    row = get(session, user, agreement_id)
    require_active(session, row.client_id)
    _store(row, steps.agree(domain(row, regime), on, regime))
    session.flush()
    return row


def cancel(
    session: Session, user: Principal, agreement_id: int, reason: str, regime: LegalRegime
) -> AgreementRow:
    """Cancel a drafted or agreed agreement whose period has not started."""
    _coordinator(user)
    row = get(session, user, agreement_id)
    if session.scalar(select(PeriodRow.id).where(PeriodRow.agreement_id == agreement_id)):
        raise OutOfOrder(
            "period_started",
            f"the period of agreement {agreement_id} has started: end it",
            code="api.period_started",
            params={"id": str(agreement_id)},
        )
    _store(row, steps.cancel(domain(row, regime), reason, regime))
    session.flush()
    return row


def get(session: Session, user: Principal, agreement_id: int) -> AgreementRow:
    """One agreement the caller may see."""
    row = session.get(AgreementRow, agreement_id)
    if row is None or not may_see(session, user, row.client_id, row.placement_id):
        raise NotFound(
            f"agreement {agreement_id} not found",
            code="api.not_found.agreement",
            params={"id": str(agreement_id)},
        )
    return row


def list_(
    session: Session,
    user: Principal,
    *,
    proposal_id: int | None = None,
    status: AgreementStatus | None = None,
    everyone: bool = False,
) -> Sequence[AgreementRow]:
    """Agreements the caller may see, newest first."""
    query = select(AgreementRow).order_by(AgreementRow.id.desc())
    if proposal_id is not None:
        query = query.where(AgreementRow.proposal_id == proposal_id)
    if status is not None:
        query = query.where(AgreementRow.status == status.value)
    query = scope_query(
        query, session, user, AgreementRow.client_id, AgreementRow.placement_id, everyone
    )
    return session.scalars(query).all()


def printable(
    session: Session, user: Principal, agreement_id: int, lang: str, regime: LegalRegime
) -> str:
    """The agreement as a print page in ``lang``."""
    row = get(session, user, agreement_id)
    placement = session.get(PlacementRow, row.placement_id)
    name = placement.attributes.get("department", row.placement_id) if placement else ""
    meeting = meeting_domain(get_meeting(session, user, row.meeting_id)) if row.meeting_id else None
    dated = regime_on(session, row.start_date, regime)  # the regime on the agreement's start
    return agreement_html(domain(row, dated), str(name), lang, meeting, organiser=dated.organiser)


def _coordinator(user: Principal) -> None:
    if user.role is not Role.COORDINATOR:
        raise Forbidden(
            f"the {user.role.value} role may not write agreements", code="api.forbidden.agreements"
        )
