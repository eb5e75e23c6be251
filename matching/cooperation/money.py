"""Attendance to money: the monthly summary per client, the absence report the organiser owes
the benefit payer, and figures per municipality for its financing follow-up.

A day of presence earns the daily allowance (``BenefitRules.daily_allowance``: kulukorvaus
9 €/day from Kela or the unemployment fund, toimintaraha 9 €/day from the county for a client
on social assistance), at most ``allowance_days_per_week`` a calendar week. Absences earn no
allowance; authorised ones keep the unemployment benefit, the others do not. Days the service
is not arranged (recorded, or a holiday on one of the agreed weekdays) are neither.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from matching.cooperation.attendance import (
    Severity,
    check_days,
    current_days,
    implied_holidays,
)
from models.attendance import DayRecord
from models.benefits import BenefitPayer, BenefitRules, BenefitSpell, DayStatus, payer_on
from models.cooperation import Period

__all__ = [
    "AbsenceReportRow",
    "MonthlySummary",
    "MunicipalityFigures",
    "absence_report",
    "day_payer",
    "month_bounds",
    "monthly_summary",
    "municipality_figures",
]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a calendar month."""
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def day_payer(period: Period, benefits: Sequence[BenefitSpell], day: date) -> BenefitPayer | None:
    """Who pays the allowance for ``day``: the payer of the client's benefit that day (Kela
    for the labour market subsidy and the basic allowance, the fund for the earnings-related
    allowance, the organiser's activity allowance for social assistance, nobody for no
    benefit), or the period's recorded payer when no benefit is recorded for the day.

    Source: Act 189/2001 § 18 (1025/2022); Act 1290/2002 ch. 10 § 2; THL, toimeentuloturva.
    """
    spells = tuple(benefits)
    if any(spell.covers(day) for spell in spells):
        return payer_on(spells, day)
    return period.payer


@dataclass(frozen=True)
class MonthlySummary:
    """One client's month in one period.

    ``allowance_eur`` = ``allowance_days`` × the payer's daily rate (0 when the payer is not
    known: the coordinator must record it first, ``payer_missing``). ``absences`` counts days by
    Kela category code; ``benefit_lost_days`` are absences whose category keeps no benefit.
    ``not_arranged_days`` counts recorded days plus unrecorded holidays on agreed weekdays.
    """

    period: str
    client: str
    placement: str
    municipality: str
    payer: BenefitPayer | None
    year: int
    month: int
    present_days: int
    allowance_days: int
    daily_rate_eur: Decimal
    allowance_eur: Decimal
    absences: dict[str, int]
    benefit_kept_days: int
    benefit_lost_days: int
    not_arranged_days: int
    certificate_missing: tuple[date, ...]
    refusals: tuple[date, ...]
    payer_missing: bool = field(default=False)
    allowance_by_payer: dict[BenefitPayer, Decimal] = field(default_factory=dict)
    """The month's allowance split by the payer of each day (a benefit that changes in the
    month changes the payer from that day on)."""

    @property
    def absence_days(self) -> int:
        """All absence days of the month."""
        return sum(self.absences.values())


def monthly_summary(
    period: Period,
    entries: Sequence[DayRecord],
    year: int,
    month: int,
    today: date,
    rules: BenefitRules,
    benefits: Sequence[BenefitSpell] = (),
) -> MonthlySummary:
    """The client's month: days present and the allowance due, absences by category, days
    not arranged, and the certificates still missing. Each day's allowance is paid by the
    payer of the client's benefit that day (``day_payer``).

    Only the days inside the period count (from its start to its last day, its end when it
    ended): a day recorded after the end is listed among the refusals and pays nothing."""
    month_first, month_last = month_bounds(year, month)
    first, last = max(month_first, period.start_date), min(month_last, period.last_day)
    days = {d: e for d, e in current_days(entries).items() if first <= d <= last}
    issues = [
        i for i in check_days(period, entries, today, rules) if month_first <= i.day <= month_last
    ]
    present = sorted(d for d, e in days.items() if e.status in rules.allowance_statuses)
    per_week: Counter[tuple[int, int]] = Counter()
    allowance_days = 0
    by_payer: dict[BenefitPayer, Decimal] = {}
    payers: list[BenefitPayer | None] = []
    for day in present:
        iso = day.isocalendar()
        per_week[(iso.year, iso.week)] += 1
        if per_week[(iso.year, iso.week)] <= rules.allowance_days_per_week:
            payer = day_payer(period, benefits, day)
            payers.append(payer)
            if payer is not None:
                allowance_days += 1
                by_payer[payer] = by_payer.get(payer, Decimal("0.00")) + rules.daily_allowance(
                    payer
                )
    absences: Counter[str] = Counter()
    kept = lost = 0
    for entry in days.values():
        if entry.status is DayStatus.ABSENT and entry.absence_reason is not None:
            absences[entry.absence_reason] += 1
            category = rules.category(entry.absence_reason)
            if category is not None and category.benefit_kept:
                kept += 1
            else:
                lost += 1
    not_arranged = {d for d, e in days.items() if e.status is DayStatus.SERVICE_NOT_ARRANGED}
    not_arranged |= {d for d in implied_holidays(period, first, last) if d not in days}
    payer = payers[-1] if payers else day_payer(period, benefits, last)
    rate = rules.daily_allowance(payer) if payer is not None else Decimal("0.00")
    return MonthlySummary(
        period=period.id,
        client=period.client,
        placement=period.placement,
        municipality=period.municipality,
        payer=payer,
        year=year,
        month=month,
        present_days=len(present),
        allowance_days=allowance_days,
        daily_rate_eur=rate,
        allowance_eur=sum(by_payer.values(), Decimal("0.00")).quantize(Decimal("0.01")),
        absences=dict(sorted(absences.items())),
        benefit_kept_days=kept,
        benefit_lost_days=lost,
        not_arranged_days=len(not_arranged),
        certificate_missing=tuple(
            sorted({i.day for i in issues if i.code == "certificate_needed"})
        ),
        refusals=tuple(sorted({i.day for i in issues if i.severity is Severity.REFUSAL})),
        payer_missing=payer is None and not benefits,
        allowance_by_payer=dict(sorted(by_payer.items(), key=lambda kv: kv[0].value)),
    )


@dataclass(frozen=True)
class AbsenceReportRow:
    """One line of the organiser's report to the benefit payer (Kela or a fund)."""

    payer: BenefitPayer
    client: str
    period: str
    day: date
    status: DayStatus
    absence_reason: str | None
    benefit_kept: bool | None
    certificate_received: bool


def absence_report(
    periods: Iterable[Period],
    entries: Mapping[str, Sequence[DayRecord]],
    year: int,
    month: int,
    rules: BenefitRules,
    benefits: Mapping[str, Sequence[BenefitSpell]] | None = None,
) -> list[AbsenceReportRow]:
    """Absence days (and, if the rules say so, days not arranged) of every client whose
    allowance a reported payer pays on that day, for one month, by payer, client and day.
    ``benefits`` (by client id) decides each day's payer (``day_payer``)."""
    first, last = month_bounds(year, month)
    rows = []
    spells = benefits or {}
    for period in periods:
        own = spells.get(period.client, ())

        def reported(
            day: date, _period: Period = period, _own: Sequence[BenefitSpell] = own
        ) -> BenefitPayer | None:
            payer = day_payer(_period, _own, day)
            return payer if payer is not None and payer in rules.reported_payers else None

        days = {  # the days inside the period only, as the summary counts them
            d: e
            for d, e in current_days(entries.get(period.id, ())).items()
            if max(first, period.start_date) <= d <= min(last, period.last_day)
        }
        for day, entry in days.items():
            day_paid_by = reported(day)
            if entry.status is DayStatus.PRESENT or day_paid_by is None:
                continue
            if (
                entry.status is DayStatus.SERVICE_NOT_ARRANGED
                and not rules.report_not_arranged_days
            ):
                continue
            category = rules.category(entry.absence_reason) if entry.absence_reason else None
            rows.append(
                AbsenceReportRow(
                    payer=day_paid_by,
                    client=period.client,
                    period=period.id,
                    day=day,
                    status=entry.status,
                    absence_reason=entry.absence_reason,
                    benefit_kept=category.benefit_kept if category is not None else None,
                    certificate_received=entry.certificate_received,
                )
            )
        if rules.report_not_arranged_days:
            for day in implied_holidays(period, first, last):
                day_paid_by = reported(day)
                if day in days or day_paid_by is None:
                    continue
                rows.append(
                    AbsenceReportRow(
                        payer=day_paid_by,
                        client=period.client,
                        period=period.id,
                        day=day,
                        status=DayStatus.SERVICE_NOT_ARRANGED,
                        absence_reason=None,
                        benefit_kept=None,
                        certificate_received=False,
                    )
                )
    return sorted(rows, key=lambda r: (r.payer.value, r.client, r.period, r.day))


@dataclass(frozen=True)
class MunicipalityFigures:
    """A municipality's month for its financing follow-up (no categories: they are health
    data)."""

    municipality: str
    clients: int
    periods: int
    present_days: int
    absence_days: int
    not_arranged_days: int
    allowance_eur: dict[BenefitPayer, Decimal]

    @property
    def allowance_total_eur(self) -> Decimal:
        """Allowances of all payers together."""
        return sum(self.allowance_eur.values(), Decimal("0.00"))


def municipality_figures(summaries: Iterable[MonthlySummary]) -> list[MunicipalityFigures]:
    """Monthly summaries added up by the placement's municipality, sorted by its code."""
    groups: dict[str, list[MonthlySummary]] = defaultdict(list)
    for s in summaries:
        groups[s.municipality].append(s)
    out = []
    for code, group in sorted(groups.items()):
        money: dict[BenefitPayer, Decimal] = {}
        for s in group:
            for payer, eur in s.allowance_by_payer.items():
                money[payer] = money.get(payer, Decimal("0.00")) + eur
        out.append(
            MunicipalityFigures(
                municipality=code,
                clients=len({s.client for s in group}),
                periods=len({s.period for s in group}),
                present_days=sum(s.present_days for s in group),
                absence_days=sum(s.absence_days for s in group),
                not_arranged_days=sum(s.not_arranged_days for s in group),
                allowance_eur=dict(sorted(money.items(), key=lambda kv: kv[0].value)),
            )
        )
    return out
