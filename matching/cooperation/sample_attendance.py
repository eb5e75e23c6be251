"""Seeded synthetic periods and day records for the sample county's ongoing placements.

The sample county (``matching.sample``) has placements that are already running but no
agreements and no attendance. ``sample_periods`` gives each ongoing placement a plausible
period (the client's days on the placement's weekdays, hours within both ranges and the law,
12 months from the start, a payer drawn with Kela the most common) and ``sample_attendance``
draws a month of day records: mostly present, own-illness spells that may run over several
days, a child's illness, a job interview, now and then an unauthorised absence, holidays as
"service not arranged", and a few entries corrected the next morning. Nothing describes a real
person. The same arguments always give the same records (``random.Random(seed)``, periods in
id order, days in date order).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from matching.cooperation.calendar import is_holiday
from matching.cooperation.money import month_bounds
from models import AllocationProblem, LegalRegime
from models.attendance import DayRecord
from models.base import WEEKDAY_ORDER
from models.benefits import BenefitPayer, DayStatus
from models.cooperation import Period, add_months, last_day_of_months

__all__ = ["sample_attendance", "sample_periods"]

_PAYERS = (
    (0.70, BenefitPayer.KELA),
    (0.85, BenefitPayer.UNEMPLOYMENT_FUND),
    (1.00, BenefitPayer.WELLBEING_COUNTY),
)
_RECORDER = "sample-site"


def sample_periods(problem: AllocationProblem, seed: int = 0) -> list[Period]:
    """A period for each ongoing placement of ``problem``, sorted by period id."""
    rng = random.Random(seed)
    regime: LegalRegime = problem.regime
    clients = {c.id: c for c in problem.clients}
    placements = {p.id: p for p in problem.placements}
    periods = []
    for k, ongoing in enumerate(sorted(problem.ongoing, key=lambda o: o.client)):
        client, placement = clients[ongoing.client], placements[ongoing.placement]
        common = [
            d for d in WEEKDAY_ORDER if d in placement.weekdays and d in client.available_weekdays
        ]
        usable = common or [d for d in WEEKDAY_ORDER if d in placement.weekdays]
        wanted = max(regime.min_days_per_week, min(client.days_per_week, regime.max_days_per_week))
        weekdays = usable[:wanted]
        low = max(placement.min_hours_per_day, regime.min_hours_per_day)
        high = min(placement.max_hours_per_day, regime.max_hours_per_day)
        hours = (
            min(max(client.hours_per_day, low), high) if low <= high else regime.min_hours_per_day
        )
        u = rng.random()
        payer = next(p for bound, p in _PAYERS if u < bound)
        start = ongoing.start_date
        # a year, or the longest period for placements that have already run for a year
        months = 12
        if last_day_of_months(start, 12) < problem.planning_date + timedelta(days=62):
            months = regime.max_period_months
        periods.append(
            Period.model_validate(
                {
                    "id": f"J{k + 1:05d}",
                    "agreement": f"S{k + 1:05d}",
                    "client": client.id,
                    "placement": placement.id,
                    "municipality": placement.municipality,
                    "task_category": placement.task_category,
                    "weekdays": frozenset(weekdays),
                    "days_per_week": len(weekdays),
                    "hours_per_day": hours,
                    "start_date": start,
                    "first_review_date": add_months(start, 2),
                    "end_date": last_day_of_months(start, months),
                    "payer": payer,
                },
                context={"regime": regime},
            )
        )
    return periods


def _draw_status(rng: random.Random, ill_yesterday: bool) -> tuple[DayStatus, str | None]:
    """One arranged day: an own-illness spell goes on with probability 0.5."""
    if ill_yesterday and rng.random() < 0.5:
        return DayStatus.ABSENT, "own_illness"
    u = rng.random()
    if u < 0.84:
        return DayStatus.PRESENT, None
    if u < 0.90:
        return DayStatus.ABSENT, "own_illness"
    if u < 0.93:
        return DayStatus.ABSENT, "child_illness"
    if u < 0.96:
        return DayStatus.ABSENT, "job_interview"
    return DayStatus.ABSENT, "other"


def sample_attendance(
    periods: Iterable[Period], year: int, month: int, today: date, seed: int = 0
) -> dict[str, list[DayRecord]]:
    """A month of day records per period id, up to ``today``; holidays not arranged."""
    rng = random.Random(seed)
    first, last = month_bounds(year, month)
    out: dict[str, list[DayRecord]] = {}
    for period in sorted(periods, key=lambda p: p.id):
        records: list[DayRecord] = []
        ill = False
        day = max(first, period.start_date)
        end = min(last, period.last_day, today)
        while day <= end:
            if WEEKDAY_ORDER[day.weekday()] in period.weekdays:
                at = datetime.combine(day, time(16, 0))
                if is_holiday(day):
                    status, reason = DayStatus.SERVICE_NOT_ARRANGED, None
                else:
                    status, reason = _draw_status(rng, ill)
                ill = reason == "own_illness"
                corrected = status is not DayStatus.SERVICE_NOT_ARRANGED and rng.random() < 0.04
                if corrected:
                    # first recorded as an unauthorised absence, put right the next morning
                    records.append(_record(period.id, day, DayStatus.ABSENT, "other", at, ""))
                    at = datetime.combine(day + timedelta(days=1), time(8, 30))
                note = "merkitty väärin, korjattu" if corrected else ""
                records.append(_record(period.id, day, status, reason, at, note))
            day += timedelta(days=1)
        out[period.id] = records
    return out


def _record(
    period: str, day: date, status: DayStatus, reason: str | None, at: datetime, note: str
) -> DayRecord:
    return DayRecord(
        period=period,
        day=day,
        status=status,
        absence_reason=reason,
        recorded_by=_RECORDER,
        recorded_at=at,
        correction_reason=note,
    )
