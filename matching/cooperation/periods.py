"""The steps of the cycle and the follow-up of periods, as pure functions.

Each step takes the records it depends on and returns the new record, or refuses with a
pydantic ``ValidationError`` located at the field at fault and a ``type`` code that says which
rule refused (the service answers 422 for a bad value, 409 for a step out of order: codes
``not_confirmed``, ``agreement_not_agreed``, ``status_final``, ``already_ended``,
``meeting_after_start``, ``record_mismatch``).

* ``blocked_pairs`` – pairs the site declined, not to be proposed again until something changed;
* ``agree`` / ``cancel`` – the agreement's status: drafted → agreed → cancelled;
* ``start_period`` – a period only from an agreed agreement of a confirmed proposal, after the
  start meeting;
* ``extend_period`` / ``end_period`` – extensions (each ≥ 3 months, within 24) and the end, with
  the interruption for repeated unauthorised absences;
* ``plan_review_date`` / ``commitment_end`` / ``follow_up_alerts`` – the 24-month point at which
  the activation plan must be reviewed, the municipality's 3-month commitment, the first review
  and the planned end, announced ahead;
* ``notices_due`` – periods starting without a recorded notice to the employment authority.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field

from matching.cooperation.attendance import current_days
from models.attendance import DayRecord
from models.base import DomainModel
from models.benefits import BenefitPayer, BenefitRules, DayStatus
from models.cooperation import (
    ActivityAgreement,
    AgreementStatus,
    EndReason,
    Extension,
    Period,
    PeriodEnd,
    SiteConfirmation,
    SiteDecision,
    StartMeeting,
    StartNotice,
    issue,
    last_day_of_months,
    refuse,
)
from models.dates import add_months
from models.regime import LegalRegime

__all__ = [
    "Alert",
    "AlertKind",
    "FollowUpHorizons",
    "NoticeDue",
    "agree",
    "blocked_pairs",
    "cancel",
    "commitment_end",
    "end_period",
    "extend_period",
    "follow_up_alerts",
    "notices_due",
    "plan_review_date",
    "start_period",
    "unauthorised_absences",
]


def blocked_pairs(
    confirmations: Iterable[SiteConfirmation],
    changed_at: Mapping[str, datetime] | None = None,
) -> frozenset[tuple[str, str]]:
    """(client, placement) pairs the next run must not propose.

    A pair is blocked by its latest answer being a decline, unless the client's or the
    placement's record changed after it (``changed_at`` maps a client or placement id to the
    time its record last changed): then the site may be asked again.
    """
    changed_at = changed_at or {}
    latest: dict[tuple[str, str], SiteConfirmation] = {}
    for answer in confirmations:
        key = (answer.client, answer.placement)
        if key not in latest or answer.decided_at >= latest[key].decided_at:
            latest[key] = answer
    blocked = set()
    for (client, placement), answer in latest.items():
        if answer.decision is not SiteDecision.DECLINED:
            continue
        changes = [changed_at.get(client), changed_at.get(placement)]
        if any(when is not None and when > answer.decided_at for when in changes):
            continue
        blocked.add((client, placement))
    return frozenset(blocked)


def agree(agreement: ActivityAgreement, on: date, regime: LegalRegime) -> ActivityAgreement:
    """The parties signed: a drafted agreement becomes agreed on ``on`` (not after its start)."""
    if agreement.status is not AgreementStatus.DRAFTED:
        refuse(
            "ActivityAgreement",
            [
                issue(
                    ("status",),
                    "status_final",
                    f"only a drafted agreement can be agreed; this one is {agreement.status}",
                    agreement.status.value,
                )
            ],
        )
    data = agreement.model_dump() | {"status": AgreementStatus.AGREED, "agreed_on": on}
    return ActivityAgreement.model_validate(data, context={"regime": regime})


def cancel(agreement: ActivityAgreement, reason: str, regime: LegalRegime) -> ActivityAgreement:
    """Cancel a drafted or agreed agreement (a cancelled one stays cancelled)."""
    if agreement.status is AgreementStatus.CANCELLED:
        refuse(
            "ActivityAgreement",
            [issue(("status",), "status_final", "the agreement is already cancelled", "cancelled")],
        )
    data = agreement.model_dump() | {
        "status": AgreementStatus.CANCELLED,
        "agreed_on": None,
        "cancel_reason": reason,
    }
    return ActivityAgreement.model_validate(data, context={"regime": regime})


def start_period(
    period_id: str,
    agreement: ActivityAgreement,
    confirmation: SiteConfirmation,
    meeting: StartMeeting,
    regime: LegalRegime,
    payer: BenefitPayer | None = None,
    prior_days: int = 0,
) -> Period:
    """The period of an agreed agreement, once the site confirmed and the parties met.

    Refused when the site has not confirmed the pair (``confirmation.decision``), the meeting
    is about someone else or is held after the start (``meeting``), or the agreement is not
    agreed (``agreement.status``).
    """
    issues = []
    if confirmation.decision is not SiteDecision.CONFIRMED:
        issues.append(
            issue(
                ("confirmation", "decision"),
                "not_confirmed",
                "the site has not confirmed this proposal",
                confirmation.decision.value,
            )
        )
    for label, record in (("confirmation", confirmation), ("meeting", meeting)):
        if (record.client, record.placement) != (agreement.client, agreement.placement):
            issues.append(
                issue(
                    (label,),
                    "record_mismatch",
                    f"the {label} is about another client or placement",
                    f"{record.client}/{record.placement}",
                )
            )
    if meeting.held_on > agreement.start_date:
        issues.append(
            issue(
                ("meeting", "held_on"),
                "meeting_after_start",
                "the start meeting is held before the period starts",
                meeting.held_on.isoformat(),
            )
        )
    if agreement.status is not AgreementStatus.AGREED:
        issues.append(
            issue(
                ("agreement", "status"),
                "agreement_not_agreed",
                f"a period starts only from an agreed agreement; this one is "
                f"{agreement.status.value}",
                agreement.status.value,
            )
        )
    refuse("Period", issues)
    return Period.model_validate(
        {
            "id": period_id,
            "agreement": agreement.id,
            "client": agreement.client,
            "placement": agreement.placement,
            "municipality": agreement.municipality,
            "task_category": agreement.task_category,
            "weekdays": agreement.weekdays,
            "days_per_week": agreement.weekly_days,
            "hours_per_day": agreement.hours_per_day,
            "start_date": agreement.start_date,
            "first_review_date": agreement.first_review_date,
            "end_date": agreement.end_date,
            "holidays_arranged": agreement.holidays_arranged,
            "payer": payer,
            "prior_days": prior_days,
        },
        context={"regime": regime},
    )


def schedule_outside_placement(
    weekdays: Iterable[str],
    hours_per_day: float,
    last_day: date | None,
    placement: Mapping[str, Any],
) -> list[str]:
    """The fields of an agreement's schedule that the placement does not offer: ``weekdays``
    (a day the placement does not run), ``hours_per_day`` (outside its hours a day),
    ``end_date`` (after the placement's last day). One rule for both ways it can break: an
    agreement drafted outside its placement, and a site's edit of a placement that would
    contradict a running agreement (the site cannot end or reshape it alone)."""
    out = []
    offered = {str(d) for d in placement.get("weekdays") or []}
    if not {str(d) for d in weekdays} <= offered:
        out.append("weekdays")
    low = float(placement.get("min_hours_per_day") or 0)
    high = float(placement.get("max_hours_per_day") or 24)
    if not low <= hours_per_day <= high:
        out.append("hours_per_day")
    until = placement.get("available_until")
    if until is not None and last_day is not None and date.fromisoformat(str(until)) < last_day:
        out.append("end_date")
    return out


IMPORTED_REVIEW_MONTHS = 3
"""An imported period's first review: this many months from its start (the agreement of the
time is not on record; the cooperation model's first review falls at the commitment's end)."""


def imported_period(
    period_id: str,
    client: Mapping[str, Any],
    placement: Mapping[str, Any],
    start: date,
    planned_end: date | None,
    regime: LegalRegime,
) -> Period:
    """The period of a client whose placement ran before the county used Paikka.

    Its dates are the ones it was agreed with (``start``, ``planned_end``; without a planned
    end the law's maximum from its start), and its schedule the one the client and the
    placement share: the placement's weekdays the client is available on, the client's days
    a week at most, their hours within the placement's. Client and placement are the stored
    engine records (``models.Client`` / ``models.Placement`` fields). The days recorded in it
    are then checked and paid by the same rules as every period's."""
    offered = [str(d) for d in placement.get("weekdays", []) or []]
    available = {str(d) for d in client.get("available_weekdays", []) or []}
    weekdays = [d for d in offered if d in available] or offered
    wanted = int(client.get("days_per_week", len(weekdays)) or len(weekdays))
    low = float(placement.get("min_hours_per_day", 0) or 0)
    high = float(placement.get("max_hours_per_day", 24) or 24)
    hours = float(client.get("hours_per_day", high) or high)
    end = planned_end or last_day_of_months(start, regime.max_period_months)
    end = max(end, start)
    review = min(last_day_of_months(start, IMPORTED_REVIEW_MONTHS), end)
    return Period.model_validate(
        {
            "id": period_id,
            "imported": True,
            "client": client["id"],
            "placement": placement["id"],
            "municipality": placement["municipality"],
            "task_category": placement.get("task_category"),
            "weekdays": weekdays,
            "days_per_week": max(1, min(wanted, len(weekdays), 7)),
            "hours_per_day": min(max(hours, low), high) or 1.0,
            "start_date": start,
            "first_review_date": max(review, start),
            "end_date": end,
        },
        context={"regime": regime},
    )


def _not_ended(period: Period) -> None:
    if period.ended is not None:
        refuse(
            "Period",
            [issue(("ended",), "already_ended", "the period has already ended", None)],
        )


def extend_period(period: Period, extension: Extension, regime: LegalRegime) -> Period:
    """The period continued to ``extension.end_date`` (≥ 3 months more, ≤ 24 in all)."""
    _not_ended(period)
    data = period.model_dump() | {"extensions": (*period.extensions, extension)}
    return Period.model_validate(data, context={"regime": regime})


def unauthorised_absences(entries: Sequence[DayRecord], rules: BenefitRules) -> list[date]:
    """Days of absence whose category keeps no benefit (or whose code is unknown)."""
    out = []
    for day, entry in current_days(entries).items():
        if entry.status is not DayStatus.ABSENT or entry.absence_reason is None:
            continue
        category = rules.category(entry.absence_reason)
        if category is None or not category.benefit_kept:
            out.append(day)
    return out


def end_period(
    period: Period,
    end: PeriodEnd,
    entries: Sequence[DayRecord],
    rules: BenefitRules,
    regime: LegalRegime,
) -> Period:
    """The period ended on ``end.end_date`` with its reason and onward path.

    An interruption for repeated unauthorised absences needs at least
    ``rules.interruption_min_unauthorised`` of them recorded by the end date.
    """
    _not_ended(period)
    if end.reason is EndReason.INTERRUPTED_UNAUTHORISED_ABSENCES:
        found = [d for d in unauthorised_absences(entries, rules) if d <= end.end_date]
        if len(found) < rules.interruption_min_unauthorised:
            refuse(
                "PeriodEnd",
                [
                    issue(
                        ("reason",),
                        "too_few_unauthorised_absences",
                        f"{len(found)} unauthorised absences recorded; an interruption for "
                        f"repeated ones needs at least {rules.interruption_min_unauthorised}",
                        end.reason.value,
                    )
                ],
            )
    data = period.model_dump() | {"ended": end}
    return Period.model_validate(data, context={"regime": regime})


def plan_review_date(period: Period, regime: LegalRegime) -> date:
    """The day the client reaches ``max_period_months`` (24) in the activity: the activation
    plan must be reviewed by then. Earlier days in the activity (``prior_days``) bring it
    closer; it is counted in calendar days so that earlier periods of any length add up."""
    return add_months(period.start_date, regime.max_period_months) - timedelta(
        days=period.prior_days
    )


def commitment_end(period: Period, regime: LegalRegime) -> date:
    """Last day of the municipality's commitment (3 months from the start, cooperation model)."""
    return last_day_of_months(period.start_date, regime.commitment_months)


class FollowUpHorizons(DomainModel):
    """How many days ahead each follow-up is announced (the county's own practice)."""

    first_review_days: int = Field(default=14, ge=0, le=365)
    commitment_days: int = Field(default=21, ge=0, le=365)
    period_end_days: int = Field(default=30, ge=0, le=365)
    plan_review_days: int = Field(default=60, ge=0, le=365)


class AlertKind(StrEnum):
    """What is coming up for a period."""

    FIRST_REVIEW = "first_review"
    COMMITMENT_ENDS = "commitment_ends"
    PERIOD_ENDS = "period_ends"
    PLAN_REVIEW = "plan_review"


@dataclass(frozen=True)
class Alert:
    """A follow-up due on ``due``; ``days_left`` < 0 means overdue."""

    period: str
    client: str
    placement: str
    kind: AlertKind
    due: date
    days_left: int


def follow_up_alerts(
    periods: Iterable[Period],
    today: date,
    regime: LegalRegime,
    horizons: FollowUpHorizons | None = None,
) -> list[Alert]:
    """Follow-ups of running periods due within their horizon, soonest first.

    The 24-month plan review is also shown once overdue (while the period runs); the others
    only until their day has passed.
    """
    h = horizons or FollowUpHorizons()
    out = []
    for p in periods:
        if p.ended is not None or p.planned_end < today:
            continue
        due_dates = [
            (AlertKind.FIRST_REVIEW, p.first_review_date, h.first_review_days, False),
            (AlertKind.COMMITMENT_ENDS, commitment_end(p, regime), h.commitment_days, False),
            (AlertKind.PERIOD_ENDS, p.planned_end, h.period_end_days, False),
            (AlertKind.PLAN_REVIEW, plan_review_date(p, regime), h.plan_review_days, True),
        ]
        for kind, due, ahead, overdue_too in due_dates:
            left = (due - today).days
            if left <= ahead and (left >= 0 or overdue_too):
                out.append(Alert(p.id, p.client, p.placement, kind, due, left))
    return sorted(out, key=lambda a: (a.due, a.period, a.kind.value))


@dataclass(frozen=True)
class NoticeDue:
    """A period whose start has not been notified to the employment authority."""

    period: str
    client: str
    placement: str
    municipality: str
    start_date: date
    payer: BenefitPayer
    days_since_start: int


def notices_due(
    periods: Iterable[Period],
    notices: Iterable[StartNotice],
    today: date,
    rules: BenefitRules,
    ahead_days: int = 7,
) -> list[NoticeDue]:
    """Periods of clients on unemployment benefit (Kela or a fund) that started, or start
    within ``ahead_days``, with no start notice recorded; oldest start first."""
    sent = {n.period for n in notices}
    out = []
    for p in periods:
        if p.id in sent or p.payer is None or p.payer not in rules.reported_payers:
            continue
        if p.start_date > today + timedelta(days=ahead_days):
            continue
        out.append(
            NoticeDue(
                p.id,
                p.client,
                p.placement,
                p.municipality,
                p.start_date,
                p.payer,
                (today - p.start_date).days,
            )
        )
    return sorted(out, key=lambda n: (n.start_date, n.period))
