"""Periods in the database: start from an agreed agreement, extend, end with the onward
path; the start notice to the employment authority; end-of-period feedback; follow-up
alerts; and the agreement's checks on every attendance day.

The rules are ``matching.cooperation.periods`` (steps and follow-up) and
``matching.cooperation.attendance`` (day checks); their out-of-order codes become 409, the
others 422 naming the field (``service.errors``). A period runs on the assignment (the
seat) the accepted proposal made, or an imported one: its dates follow the period's; its days
are the period's (``AttendanceRow.period_id``), so a day exists once and is checked once.

Public functions:

* ``start(session, user, body, regime)`` – the period of an agreed agreement;
* ``extend(session, user, period_id, body, regime)`` / ``end(…, body, regime, rules)``;
* ``get(session, user, period_id)`` / ``list_(session, user, …)`` / ``out(session, row, user)``;
* ``domain(row, regime)`` – a row as ``models.cooperation.Period``;
* ``day_records(session, row)`` – its attendance as ``models.attendance.DayRecord``;
* ``record_certificate(session, user, period_id, day)`` – a certificate seen for an absence;
* ``import_ongoing(session, client, placement, start, planned_end, by)`` – a placement that
  ran before Paikka: its seat and its period, marked imported;
* ``live_period(session, client)`` / ``close_or_refuse_live(…)`` – one live period a client;
* ``record_day`` / ``correct_day`` / ``days_of`` / ``day_recorded`` / ``corrections_of`` – the
  one write path of attendance days (API, coordinator's page, period page), by period;
* ``check_day(session, period_row, day, status, reason, recorded_by, today, rules, …)`` – the
  period's checks on a new or corrected day (imported periods included);
* ``day_flags(session, period_row, today, rules, regime)`` – flags of the recorded days;
* ``alerts(session, user, today, regime)`` – first review, commitment, end, 24-month review;
* ``record_notice(session, user, period_id, body)`` / ``notices_due(session, user, today)``;
* ``give_feedback(session, user, period_id, kind, body)`` / ``list_feedback``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.cooperation import periods as steps
from matching.cooperation.attendance import Severity, check_days
from matching.cooperation.attendance import record_day as record_day_rule
from models import LegalRegime
from models.attendance import DayRecord
from models.benefits import BenefitRules
from models.cooperation import (
    ClientFeedback,
    Extension,
    Period,
    PeriodEnd,
    SiteFeedback,
    StartNotice,
)
from service.auth import Principal, Role
from service.crud import agreements
from service.crud.cooperation import (
    aware,
    confirmation_domain,
    confirmed,
    may_see,
    meeting_domain,
    require_active,
    scope_query,
)
from service.crud.seats import lock_placement
from service.db.accounts import AttendanceCorrectionRow
from service.db.cooperation import (
    CertificateRow,
    FeedbackRow,
    PeriodRow,
    StartMeetingRow,
    StartNoticeRow,
)
from service.db.tables import AssignmentRow, AttendanceRow, ClientRow, PlacementRow, utcnow
from service.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfOrder
from service.schemas.cooperation import (
    ClientFeedbackIn,
    ExtensionIn,
    PeriodEndIn,
    PeriodOut,
    PeriodStartIn,
    SiteFeedbackIn,
    StartNoticeIn,
)
from service.schemas.runs import AttendanceCorrectionIn, AttendanceIn


def domain(row: PeriodRow, regime: LegalRegime) -> Period:
    """A stored period as the domain record."""
    ended = None
    if row.ended_on is not None:
        ended = {
            "end_date": row.ended_on,
            "reason": row.end_reason,
            "onward_path": row.onward_path,
            "note": row.end_note,
            "recorded_by": row.ended_by or "-",
        }
    return Period.model_validate(
        {
            "id": str(row.id),
            "agreement": str(row.agreement_id) if row.agreement_id is not None else None,
            "imported": row.imported,
            "client": row.client_id,
            "placement": row.placement_id,
            "municipality": row.municipality_code,
            "task_category": row.task_category,
            "weekdays": row.weekdays,
            "days_per_week": row.days_per_week,
            "hours_per_day": row.hours_per_day,
            "start_date": row.start_date,
            "first_review_date": row.first_review_date,
            "end_date": row.end_date,
            "payer": row.payer,
            "prior_days": row.prior_days,
            "extensions": row.extensions,
            "ended": ended,
        },
        context={"regime": regime},
    )


def _coordinator(user: Principal) -> None:
    if user.role is not Role.COORDINATOR:
        raise Forbidden(
            f"the {user.role.value} role may not change periods",
            code="api.forbidden.periods_change",
        )


def _schedule_columns(record: Period, regime: LegalRegime) -> dict[str, Any]:
    """The columns a period's row takes from its domain record's place and schedule (the
    same for a period started from an agreement and one imported from before Paikka)."""
    return {
        "municipality_code": record.municipality,
        "task_category": record.task_category.value if record.task_category else None,
        "weekdays": sorted(d.value for d in record.weekdays),
        "days_per_week": record.days_per_week,
        "hours_per_day": record.hours_per_day,
        "start_date": record.start_date,
        "first_review_date": record.first_review_date,
        "end_date": record.end_date,
        "planned_end_date": record.planned_end,
        "plan_review_date": steps.plan_review_date(record, regime),
    }


def start(session: Session, user: Principal, body: PeriodStartIn, regime: LegalRegime) -> PeriodRow:
    """Start the period of an agreed agreement of a confirmed proposal after its start
    meeting; the proposal's assignment takes the period's dates."""
    _coordinator(user)
    agreement = agreements.get(session, user, body.agreement_id)
    require_active(session, agreement.client_id)
    if session.scalar(select(PeriodRow.id).where(PeriodRow.agreement_id == agreement.id)):
        raise OutOfOrder(
            "period_exists",
            f"agreement {agreement.id} has already started",
            code="api.period_exists",
            params={"id": str(agreement.id)},
        )
    answer = confirmed(session, agreement.proposal_id)
    meeting_row = (
        session.get(StartMeetingRow, agreement.meeting_id)
        if agreement.meeting_id is not None
        else session.scalar(
            select(StartMeetingRow)
            .where(StartMeetingRow.proposal_id == agreement.proposal_id)
            .order_by(StartMeetingRow.held_on.desc(), StartMeetingRow.id.desc())
        )
    )
    if meeting_row is None:
        raise OutOfOrder(
            "no_meeting",
            "the start meeting is recorded before the period starts",
            code="api.no_meeting",
        )
    close_or_refuse_live(session, agreement.client_id, agreement.start_date, user.name)
    record = steps.start_period(
        "new",
        agreements.domain(agreement, regime),
        confirmation_domain(answer),
        meeting_domain(meeting_row),
        regime,
        payer=body.payer,
        prior_days=body.prior_days,
    )
    assignment = _carrier(session, agreement.proposal_id, record)
    row = PeriodRow(
        agreement_id=agreement.id,
        assignment_id=assignment.id,
        client_id=record.client,
        placement_id=record.placement,
        **_schedule_columns(record, regime),
        payer=record.payer.value if record.payer else None,
        prior_days=record.prior_days,
        extensions=[],
        created_by=user.name,
    )
    session.add(row)
    session.flush()
    return row


def live_period(session: Session, client_id: str, *, lock: bool = False) -> PeriodRow | None:
    """The client's period that has not ended (at most one: ``uq_periods_live_client``)."""
    query = select(PeriodRow).where(PeriodRow.client_id == client_id, PeriodRow.ended_on.is_(None))
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def close_or_refuse_live(session: Session, client_id: str, start_date: date, by: str) -> None:
    """Before a client's new period starts on ``start_date``: a live period whose planned
    end has passed by then is closed at its planned end (agreed end, onward path a new
    period); one still running then is a conflict (409): a client is in one period at a
    time, and the month would pay the same days twice."""
    running = live_period(session, client_id, lock=True)
    if running is None:
        return
    if running.planned_end_date < start_date:
        running.ended_on = running.planned_end_date
        running.end_reason = "agreed_end"
        running.onward_path = "new_period"
        running.ended_by = by
        session.flush()
        return
    raise OutOfOrder(
        "period_running",
        f"client {client_id} has period {running.id} running to {running.planned_end_date}",
        code="api.period_running",
        params={"id": str(running.id), "date": running.planned_end_date.isoformat()},
    )


def import_ongoing(
    session: Session,
    client_id: str,
    placement_id: str,
    start_date: date,
    planned_end: date | None,
    created_by: str,
    regime: LegalRegime | None = None,
) -> PeriodRow:
    """A placement that ran before the county used Paikka: its seat (an assignment without a
    proposal) and its period, marked imported, with the dates it was agreed with
    (``steps.imported_period``). From then on it is a period like any other: in the month's
    report, the checks and the pages, its days recorded through ``record_day``."""
    regime = regime or LegalRegime()
    client = session.get(ClientRow, client_id)
    placement = session.get(PlacementRow, placement_id)
    if client is None or placement is None:
        raise NotFound(
            f"client {client_id} or placement {placement_id} not found",
            code="api.not_found.placement" if client is not None else "api.not_found.client",
            params={"id": placement_id if client is not None else client_id},
        )
    record = steps.imported_period(
        "new",
        {**client.attributes, "id": client.id},
        {**placement.attributes, "id": placement.id, "municipality": placement.municipality_code},
        start_date,
        planned_end,
        regime,
    )
    lock_placement(session, placement_id)
    close_or_refuse_live(session, client_id, start_date, created_by)
    for other in session.scalars(
        select(AssignmentRow).where(
            AssignmentRow.client_id == client_id, AssignmentRow.status == "active"
        )
    ):
        other.status = "ended"
        other.end_date = max(other.start_date, start_date - timedelta(days=1))
    session.flush()
    assignment = AssignmentRow(
        client_id=client_id,
        placement_id=placement_id,
        start_date=start_date,
        planned_end_date=record.planned_end,
        status="active",
    )
    session.add(assignment)
    session.flush()
    row = PeriodRow(
        agreement_id=None,
        imported=True,
        assignment_id=assignment.id,
        client_id=client_id,
        placement_id=placement_id,
        **_schedule_columns(record, regime),
        extensions=[],
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


def _carrier(session: Session, proposal_id: int, period: Period) -> AssignmentRow:
    """The assignment the accepted proposal made, with the period's dates (a new one if the
    client no longer has it)."""
    assignment = session.scalar(
        select(AssignmentRow).where(
            AssignmentRow.proposal_id == proposal_id, AssignmentRow.status == "active"
        )
    )
    if assignment is None:
        for other in session.scalars(
            select(AssignmentRow).where(
                AssignmentRow.client_id == period.client, AssignmentRow.status == "active"
            )
        ):
            other.status = "ended"
            other.end_date = max(other.start_date, period.start_date)
        assignment = AssignmentRow(
            client_id=period.client,
            placement_id=period.placement,
            status="active",
            proposal_id=proposal_id,
            start_date=period.start_date,
        )
        session.add(assignment)
    assignment.start_date = period.start_date
    assignment.planned_end_date = period.planned_end
    session.flush()
    return assignment


def get(session: Session, user: Principal, period_id: int) -> PeriodRow:
    """One period the caller may see."""
    row = session.get(PeriodRow, period_id)
    if row is None or not may_see(session, user, row.client_id, row.placement_id):
        raise NotFound(
            f"period {period_id} not found",
            code="api.not_found.period",
            params={"id": str(period_id)},
        )
    return row


def list_(
    session: Session,
    user: Principal,
    *,
    client: str | None = None,
    placement: str | None = None,
    running: bool | None = None,
    everyone: bool = False,
) -> Sequence[PeriodRow]:
    """Periods the caller may see (coordinators: their caseload unless ``everyone``)."""
    query = select(PeriodRow).order_by(PeriodRow.start_date, PeriodRow.id)
    if client is not None:
        query = query.where(PeriodRow.client_id == client)
    if placement is not None:
        query = query.where(PeriodRow.placement_id == placement)
    if running is True:
        query = query.where(PeriodRow.ended_on.is_(None))
    elif running is False:
        query = query.where(PeriodRow.ended_on.is_not(None))
    query = scope_query(query, session, user, PeriodRow.client_id, PeriodRow.placement_id, everyone)
    return session.scalars(query).all()


def out(session: Session, row: PeriodRow, user: Principal, regime: LegalRegime) -> PeriodOut:
    """A period as the caller may see it: the site does not see why it ended."""
    notice = session.scalar(
        select(StartNoticeRow.sent_on).where(StartNoticeRow.period_id == row.id)
    )
    site = user.role is Role.MUNICIPALITY
    return PeriodOut.model_validate(
        {
            **{c.name: getattr(row, c.name) for c in PeriodRow.__table__.columns},
            "commitment_end_date": steps.commitment_end(domain(row, regime), regime),
            "end_reason": None if site else row.end_reason,
            "end_note": None if site else row.end_note,
            "start_notice_sent_on": notice,
        }
    )


def _update(row: PeriodRow, record: Period) -> None:
    row.extensions = [e.model_dump(mode="json") for e in record.extensions]
    row.planned_end_date = record.planned_end


def extend(
    session: Session, user: Principal, period_id: int, body: ExtensionIn, regime: LegalRegime
) -> PeriodRow:
    """The period continues to ``body.end_date`` (≥ 3 months more, ≤ 24 in all)."""
    _coordinator(user)
    row = get(session, user, period_id)
    require_active(session, row.client_id)
    extension = Extension(end_date=body.end_date, agreed_on=body.agreed_on, note=body.note)
    record = steps.extend_period(domain(row, regime), extension, regime)
    _update(row, record)
    assignment = session.get(AssignmentRow, row.assignment_id)
    if assignment is not None:
        assignment.planned_end_date = record.planned_end
    session.flush()
    return row


def day_records(session: Session, row: PeriodRow) -> list[DayRecord]:
    """The period's attendance days as domain records (with the certificates seen)."""
    days = session.scalars(
        select(AttendanceRow).where(AttendanceRow.period_id == row.id).order_by(AttendanceRow.day)
    ).all()
    seen = set(
        session.scalars(
            select(CertificateRow.attendance_id).where(
                CertificateRow.attendance_id.in_([a.id for a in days])
            )
        )
    )
    return [_day(str(row.id), a, a.id in seen) for a in days]


def _day(period_id: str, a: AttendanceRow, certificate: bool = False) -> DayRecord:
    return DayRecord(
        period=period_id,
        day=a.day,
        status=a.status,
        absence_reason=a.absence_reason,
        # a day corrected from an absence keeps its certificate row, which no longer applies
        certificate_received=certificate and a.status == "absent",
        recorded_by=a.recorded_by,
        recorded_at=aware(a.recorded_at),
    )


def record_certificate(
    session: Session, user: Principal, period_id: int, day: date
) -> CertificateRow:
    """A certificate seen for an absence day of the period (coordinators: health data)."""
    _coordinator(user)
    row = get(session, user, period_id)
    attendance = session.scalar(
        select(AttendanceRow).where(AttendanceRow.period_id == row.id, AttendanceRow.day == day)
    )
    if attendance is None or attendance.status != "absent":
        raise InvalidInput(
            "not an absence",
            [
                {
                    "loc": ["body", "day"],
                    "field": "body.day",
                    "msg": f"{day} is not recorded as an absence in period {period_id}",
                }
            ],
            code="api.not_an_absence",
            params={"date": day.isoformat()},
        )
    if session.scalar(
        select(CertificateRow.id).where(CertificateRow.attendance_id == attendance.id)
    ):
        raise OutOfOrder(
            "certificate_recorded",
            f"a certificate for {day} is already recorded",
            code="api.certificate_recorded",
            params={"date": day.isoformat()},
        )
    certificate = CertificateRow(attendance_id=attendance.id, recorded_by=user.name)
    session.add(certificate)
    session.flush()
    return certificate


def end(
    session: Session,
    user: Principal,
    period_id: int,
    body: PeriodEndIn,
    regime: LegalRegime,
    rules: BenefitRules,
) -> PeriodRow:
    """End the period with its reason and onward path; its assignment ends the same day."""
    _coordinator(user)
    row = get(session, user, period_id)
    finish = PeriodEnd(
        end_date=body.end_date,
        reason=body.reason,
        onward_path=body.onward_path,
        note=body.note,
        recorded_by=user.name,
    )
    steps.end_period(domain(row, regime), finish, day_records(session, row), rules, regime)
    row.ended_on = finish.end_date
    row.end_reason = finish.reason.value
    row.onward_path = finish.onward_path.value
    row.end_note = finish.note
    row.ended_by = user.name
    assignment = session.get(AssignmentRow, row.assignment_id)
    if assignment is not None and assignment.status == "active":
        assignment.status = "ended"
        assignment.end_date = finish.end_date
    session.flush()
    return row


def period_of_assignment(session: Session, assignment_id: int) -> PeriodRow | None:
    """The period an assignment carries, if one started."""
    return session.scalar(select(PeriodRow).where(PeriodRow.assignment_id == assignment_id))


def check_day(
    session: Session,
    row: PeriodRow,
    day: date,
    status: str,
    absence_reason: str | None,
    recorded_by: str,
    today: date,
    rules: BenefitRules,
    regime: LegalRegime,
    correction_reason: str = "",
) -> None:
    """Refuse a day that breaks the period's agreement (a 422 naming the field): not in the
    future, not outside the period's dates (its end included), not on a day the agreement
    does not arrange, no more days a week than agreed, holidays only as "service not
    arranged". Imported periods are checked the same way."""
    period = domain(row, regime)
    history = day_records(session, row)
    entry = DayRecord(
        period=period.id,
        day=day,
        status=status,
        absence_reason=absence_reason,
        recorded_by=recorded_by,
        recorded_at=max([utcnow(), *(h.recorded_at for h in history)]),
        correction_reason=correction_reason,
    )
    try:
        record_day_rule(period, history, entry, today, rules)
    except ValidationError as exc:
        if any(e["type"] == "outside_period" for e in exc.errors()):
            raise InvalidInput(
                "day outside the period",
                [
                    {
                        "loc": ["body", "day"],
                        "field": "body.day",
                        "msg": f"{day} is outside the period {period.start_date} – "
                        f"{period.last_day}",
                        "type": "outside_period",
                    }
                ],
                code="api.day_outside_assignment",
                params={"date": day.isoformat()},
            ) from exc
        raise


def _paid_elsewhere(session: Session, row: PeriodRow, day: date) -> None:
    """A day is recorded (and paid) once per client: not again in another of their periods."""
    other = session.scalar(
        select(PeriodRow.id)
        .join(AttendanceRow, AttendanceRow.period_id == PeriodRow.id)
        .where(
            PeriodRow.client_id == row.client_id,
            PeriodRow.id != row.id,
            AttendanceRow.day == day,
        )
    )
    if other is not None:
        raise Conflict(
            f"{day} is already recorded in the client's period {other}",
            code="api.day_recorded",
            params={"date": day.isoformat(), "id": str(other)},
        )


def record_day(
    session: Session,
    user: Principal,
    period_id: int,
    body: AttendanceIn,
    today: date,
    rules: BenefitRules,
    regime: LegalRegime,
) -> AttendanceRow:
    """Record one day of a period: the single write path of attendance (the API, the
    coordinator's page and the site's). The day must not be recorded yet (in this or another
    period of the client) and must keep to the period's rules (``check_day``)."""
    row = get(session, user, period_id)
    require_active(session, row.client_id)
    exists = session.scalar(
        select(AttendanceRow.id).where(
            AttendanceRow.period_id == row.id, AttendanceRow.day == body.day
        )
    )
    if exists is not None:
        raise Conflict(
            f"{body.day} is already recorded for period {row.id}",
            code="api.day_recorded",
            params={"date": body.day.isoformat(), "id": str(row.id)},
        )
    _paid_elsewhere(session, row, body.day)
    reason = body.absence_reason.value if body.absence_reason else None
    check_day(session, row, body.day, body.status.value, reason, user.name, today, rules, regime)
    day = AttendanceRow(
        period_id=row.id,
        day=body.day,
        status=body.status.value,
        absence_reason=reason,
        recorded_by=user.name,
    )
    session.add(day)
    session.flush()
    return day


def correct_day(
    session: Session,
    user: Principal,
    period_id: int,
    body: AttendanceCorrectionIn,
    today: date,
    rules: BenefitRules,
    regime: LegalRegime,
) -> AttendanceRow:
    """Correct a recorded day of a period: the same checks as a new day, and the old
    marking, who, when and why kept in ``attendance_corrections``."""
    row = get(session, user, period_id)
    require_active(session, row.client_id)
    day = session.scalar(
        select(AttendanceRow).where(
            AttendanceRow.period_id == row.id, AttendanceRow.day == body.day
        )
    )
    if day is None:
        raise NotFound(
            f"{body.day} is not recorded for period {row.id}",
            code="api.not_found.day",
            params={"date": body.day.isoformat(), "id": str(row.id)},
        )
    new_reason = body.absence_reason.value if body.absence_reason else None
    check_day(
        session,
        row,
        body.day,
        body.status.value,
        new_reason,
        user.name,
        today,
        rules,
        regime,
        body.correction_reason,
    )
    session.add(
        AttendanceCorrectionRow(
            attendance_id=day.id,
            day=day.day,
            old_status=day.status,
            old_reason=day.absence_reason,
            new_status=body.status.value,
            new_reason=new_reason,
            reason_text=body.correction_reason,
            corrected_by=user.name,
        )
    )
    day.status = body.status.value
    day.absence_reason = new_reason
    day.recorded_by = user.name
    day.recorded_at = utcnow()
    session.flush()
    return day


def day_recorded(session: Session, period_id: int, day: date) -> bool:
    """Is ``day`` recorded in the period (a new entry, or a correction that needs a why)?"""
    found = session.scalar(
        select(AttendanceRow.id).where(
            AttendanceRow.period_id == period_id, AttendanceRow.day == day
        )
    )
    return found is not None


def corrections_of(session: Session, period_id: int) -> Sequence[AttendanceCorrectionRow]:
    """The corrections of the period's days, newest first."""
    return session.scalars(
        select(AttendanceCorrectionRow)
        .join(AttendanceRow, AttendanceRow.id == AttendanceCorrectionRow.attendance_id)
        .where(AttendanceRow.period_id == period_id)
        .order_by(AttendanceCorrectionRow.corrected_at.desc())
    ).all()


def days_of(session: Session, user: Principal, period_id: int) -> Sequence[AttendanceRow]:
    """The recorded days of a period the caller may see, oldest first."""
    row = get(session, user, period_id)
    return session.scalars(
        select(AttendanceRow).where(AttendanceRow.period_id == row.id).order_by(AttendanceRow.day)
    ).all()


def day_flags(
    session: Session, row: PeriodRow, today: date, rules: BenefitRules, regime: LegalRegime
) -> dict[date, list[str]]:
    """The flags (not refusals) of each recorded day of the period, such as a missing
    certificate for own illness over 3 days."""
    found: dict[date, list[str]] = {}
    for issue in check_days(domain(row, regime), day_records(session, row), today, rules):
        if issue.severity is Severity.FLAG:
            found.setdefault(issue.day, []).append(issue.code)
    return found


def alerts(
    session: Session, user: Principal, today: date, regime: LegalRegime, everyone: bool = False
) -> list[tuple[PeriodRow, steps.Alert]]:
    """Follow-ups of the caller's running periods due soon (the 24-month review also when
    overdue), soonest first."""
    rows = {str(r.id): r for r in list_(session, user, running=True, everyone=everyone)}
    found = steps.follow_up_alerts([domain(r, regime) for r in rows.values()], today, regime)
    return [(rows[a.period], a) for a in found]


def record_notice(
    session: Session, user: Principal, period_id: int, body: StartNoticeIn
) -> StartNoticeRow:
    """The start notice to the employment authority, once per period."""
    _coordinator(user)
    row = get(session, user, period_id)
    if session.scalar(select(StartNoticeRow.id).where(StartNoticeRow.period_id == period_id)):
        raise OutOfOrder(
            "notice_recorded",
            f"the start of period {period_id} is already notified",
            code="api.notice_recorded",
            params={"id": str(period_id)},
        )
    StartNotice(
        period=str(period_id),
        client=row.client_id,
        authority=body.authority,
        sent_on=body.sent_on,
        sent_by=user.name,
    )
    notice = StartNoticeRow(
        period_id=period_id,
        client_id=row.client_id,
        authority=body.authority,
        sent_on=body.sent_on,
        sent_by=user.name,
    )
    session.add(notice)
    session.flush()
    return notice


def notices_due(
    session: Session, user: Principal, today: date, regime: LegalRegime, rules: BenefitRules
) -> list[tuple[PeriodRow, steps.NoticeDue]]:
    """Periods of clients on unemployment benefit without a start notice, oldest first."""
    rows = {str(r.id): r for r in list_(session, user, running=True, everyone=True)}
    notices = [
        StartNotice(
            period=str(n.period_id),
            client=n.client_id,
            authority=n.authority,
            sent_on=n.sent_on,
            sent_by=n.sent_by,
        )
        for n in session.scalars(select(StartNoticeRow))
    ]
    due = steps.notices_due([domain(r, regime) for r in rows.values()], notices, today, rules)
    return [(rows[n.period], n) for n in due]


def give_feedback(
    session: Session,
    user: Principal,
    period_id: int,
    kind: Literal["client", "site"],
    body: ClientFeedbackIn | SiteFeedbackIn,
) -> FeedbackRow:
    """The client's form (recorded by the coordinator or the coach) or the site's, once each,
    after the period has ended."""
    row = get(session, user, period_id)
    allowed = (Role.COORDINATOR, Role.COACH) if kind == "client" else (Role.MUNICIPALITY,)
    if user.role not in (*allowed, Role.COORDINATOR):
        raise Forbidden(
            f"the {user.role.value} role may not give the {kind}'s feedback",
            code=f"api.forbidden.feedback.{kind}",
        )
    if row.ended_on is None:
        raise OutOfOrder(
            "not_ended",
            f"period {period_id} has not ended: feedback comes at the end",
            code="api.not_ended",
            params={"id": str(period_id)},
        )
    if session.scalar(
        select(FeedbackRow.id).where(FeedbackRow.period_id == period_id, FeedbackRow.kind == kind)
    ):
        raise OutOfOrder(
            "feedback_given",
            f"the {kind}'s feedback on {period_id} is recorded",
            code=f"api.feedback_given.{kind}",
            params={"id": str(period_id)},
        )
    answers: dict[str, Any] = {k.value: v for k, v in body.answers.items()}
    language = body.language if isinstance(body, ClientFeedbackIn) else "fi"
    if isinstance(body, ClientFeedbackIn):
        ClientFeedback.model_validate(
            {
                "period": str(period_id),
                "given_on": body.given_on,
                "language": language,
                "answers": answers,
                "comment": body.comment,
            }
        )
    else:
        SiteFeedback.model_validate(
            {
                "period": str(period_id),
                "given_on": body.given_on,
                "given_by": user.name,
                "answers": answers,
                "comment": body.comment,
            }
        )
    feedback = FeedbackRow(
        period_id=period_id,
        kind=kind,
        given_on=body.given_on,
        language=language,
        answers=answers,
        comment=body.comment,
        given_by=user.name,
    )
    session.add(feedback)
    session.flush()
    return feedback


def list_feedback(session: Session, user: Principal, period_id: int) -> Sequence[FeedbackRow]:
    """The feedback forms of one period (coordinators and coaches)."""
    get(session, user, period_id)
    if user.role not in (Role.COORDINATOR, Role.COACH):
        raise Forbidden(
            f"the {user.role.value} role may not read feedback forms",
            code="api.forbidden.feedback_read",
        )
    return session.scalars(
        select(FeedbackRow).where(FeedbackRow.period_id == period_id).order_by(FeedbackRow.id)
    ).all()
