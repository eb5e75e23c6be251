"""Day records checked against the period's agreement and Kela's rules.

Each rule is one function that returns the issues it finds; ``RULES`` runs them in order
(refusals first, then flags). ``record_day`` is the single way in for a new entry: it refuses
one that breaks a refusal rule, with an error located at the entry's field, and otherwise
returns the day's history with the entry added.

Refusals (the entry is not stored):

* ``future_day`` – the day is after today;
* ``outside_period`` – before the start or after the period's last day;
* ``holiday`` – a public holiday may only be "service not arranged", unless the agreement
  says the site works then (``Period.holidays_arranged``);
* ``weekday_not_arranged`` – presence or absence on a weekday the agreement does not arrange
  (a swapped or make-up day may fall on any day: ``replacement_day`` checks it);
* ``replacement_day`` – a swapped day replaces an agreed day left unrecorded, a make-up day an
  unauthorised absence, each replaced day once;
* ``too_many_days`` – more regular days of presence or absence in a calendar week than agreed;
* ``unknown_absence_reason`` – a code that is not one of the rules' absence categories;
* ``correction_without_reason`` – a second entry for a day must say why.

Flags (stored, shown to the coordinator): ``certificate_needed`` – own illness longer than the
category's limit (3 days) with no certificate seen; ``over_category_limit`` – a child's
illness longer than 4 days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from matching.cooperation.calendar import is_holiday
from models.attendance import DayKind, DayRecord
from models.base import WEEKDAY_ORDER
from models.benefits import BenefitRules, DayStatus
from models.cooperation import Period, issue, refuse

__all__ = [
    "RULES",
    "DayIssue",
    "Severity",
    "check_days",
    "current_days",
    "illness_runs",
    "implied_holidays",
    "record_day",
]


class Severity(StrEnum):
    """A refusal keeps the entry out; a flag is shown to the coordinator."""

    REFUSAL = "refusal"
    FLAG = "flag"


@dataclass(frozen=True)
class DayIssue:
    """One finding about one day: its rule ``code``, the field at fault and a message."""

    day: date
    code: str
    field: str
    severity: Severity
    message: str


def current_days(entries: Iterable[DayRecord]) -> dict[date, DayRecord]:
    """The entry in force for each day: the latest recorded (ties: the later in the list)."""
    latest: dict[date, DayRecord] = {}
    for entry in entries:
        held = latest.get(entry.day)
        if held is None or entry.recorded_at >= held.recorded_at:
            latest[entry.day] = entry
    return dict(sorted(latest.items()))


def _arranged(status: DayStatus) -> bool:
    """Presence and absence are days on which the service was arranged for the client."""
    return status is not DayStatus.SERVICE_NOT_ARRANGED


Rule = Callable[[Period, Sequence[DayRecord], date, BenefitRules], list[DayIssue]]


def future_day(
    period: Period, entries: Sequence[DayRecord], today: date, rules: BenefitRules
) -> list[DayIssue]:
    """A day cannot be recorded before it has come."""
    return [
        DayIssue(e.day, "future_day", "day", Severity.REFUSAL, f"{e.day} is after today {today}")
        for e in entries
        if e.day > today
    ]


def outside_period(
    period: Period, entries: Sequence[DayRecord], today: date, rules: BenefitRules
) -> list[DayIssue]:
    """A day belongs to the period from its start to its last day."""
    return [
        DayIssue(
            e.day,
            "outside_period",
            "day",
            Severity.REFUSAL,
            f"{e.day} is outside the period {period.start_date} – {period.last_day}",
        )
        for e in entries
        if not period.start_date <= e.day <= period.last_day
    ]


def holiday(
    period: Period, entries: Sequence[DayRecord], today: date, rules: BenefitRules
) -> list[DayIssue]:
    """On a public holiday the service is not arranged (Kela: not an absence), unless the
    agreement says the site works then and arranges the activity (``holidays_arranged``).

    Source: Kela, Jos olet poissa työllistymistä edistävästä palvelusta; Paikka, the
    activity agreement (ActivityAgreement.holidays_arranged).
    """
    if period.holidays_arranged:
        return []
    return [
        DayIssue(
            e.day,
            "holiday",
            "status",
            Severity.REFUSAL,
            f"{e.day} is a public holiday: record it as service not arranged",
        )
        for e in entries
        if _arranged(e.status) and is_holiday(e.day)
    ]


def weekday_not_arranged(
    period: Period, entries: Sequence[DayRecord], today: date, rules: BenefitRules
) -> list[DayIssue]:
    """Presence or absence only on the weekdays the agreement arranges; a swapped or make-up
    day may fall on another day (``replacement_day`` checks what it replaces).

    Source: Act 189/2001 § 13 (142/2015); Kela, Jos olet poissa työllistymistä edistävästä
    palvelusta.
    """
    out: list[DayIssue] = []
    for e in entries:
        weekday = WEEKDAY_ORDER[e.day.weekday()]
        if e.kind is not DayKind.REGULAR:
            continue
        if _arranged(e.status) and weekday not in period.weekdays:
            out.append(
                DayIssue(
                    e.day,
                    "weekday_not_arranged",
                    "day",
                    Severity.REFUSAL,
                    f"the agreement arranges no activity on {weekday.value} ({e.day})",
                )
            )
    return out


def too_many_days(
    period: Period, entries: Sequence[DayRecord], today: date, rules: BenefitRules
) -> list[DayIssue]:
    """No more regular days of presence or absence in a calendar week than agreed; the days
    beyond the agreed number (the latest of the week) are the ones at fault. A swapped or
    make-up day stands for the day it replaces, so it is not counted again.

    Source: Act 189/2001 § 13 (142/2015).
    """
    weeks: dict[tuple[int, int], list[date]] = defaultdict(list)
    for e in current_days(entries).values():
        if _arranged(e.status) and e.kind is DayKind.REGULAR:
            iso = e.day.isocalendar()
            weeks[(iso.year, iso.week)].append(e.day)
    out: list[DayIssue] = []
    for days in weeks.values():
        for day in sorted(days)[period.days_per_week :]:
            out.append(
                DayIssue(
                    day,
                    "too_many_days",
                    "day",
                    Severity.REFUSAL,
                    f"more than the agreed {period.days_per_week} days in the week of {day}",
                )
            )
    return out


def replacement_day(
    period: Period, entries: Sequence[DayRecord], today: date, rules: BenefitRules
) -> list[DayIssue]:
    """A swapped day replaces an agreed day within the period on which nothing is recorded;
    a make-up day replaces a day of unauthorised absence (a category that keeps no benefit);
    each day is replaced at most once.

    Source: Kela, Jos olet poissa työllistymistä edistävästä palvelusta.

    Participation days may be swapped by agreement with the organiser without telling Kela,
    and after an unauthorised absence a replacement day may be agreed.
    """
    days = current_days(entries)
    out: list[DayIssue] = []
    replaced: set[date] = set()
    for e in days.values():
        if e.kind is DayKind.REGULAR or e.replaces is None:
            continue
        target = days.get(e.replaces)
        problem: tuple[str, str] | None = None
        if e.replaces in replaced:
            problem = ("replaced_twice", f"{e.replaces} is already replaced by another day")
        elif e.kind is DayKind.SWAPPED:
            weekday = WEEKDAY_ORDER[e.replaces.weekday()]
            agreed = (
                period.start_date <= e.replaces <= period.last_day
                and weekday in period.weekdays
                and (period.holidays_arranged or not is_holiday(e.replaces))
            )
            if not agreed:
                problem = (
                    "swap_of_unagreed_day",
                    f"{e.replaces} is not a day the agreement arranges, so it cannot be swapped",
                )
            elif target is not None and _arranged(target.status):
                problem = (
                    "swapped_day_recorded",
                    f"{e.replaces} is recorded as {target.status.value}: it was not swapped",
                )
        else:
            category = (
                rules.category(target.absence_reason)
                if target is not None and target.absence_reason is not None
                else None
            )
            if (
                target is None
                or target.status is not DayStatus.ABSENT
                or (category is not None and category.benefit_kept)
            ):
                problem = (
                    "make_up_without_absence",
                    f"a make-up day replaces an unauthorised absence; {e.replaces} is not one",
                )
        replaced.add(e.replaces)
        if problem is not None:
            out.append(DayIssue(e.day, problem[0], "replaces", Severity.REFUSAL, problem[1]))
    return out


def unknown_absence_reason(
    period: Period, entries: Sequence[DayRecord], today: date, rules: BenefitRules
) -> list[DayIssue]:
    """An absence carries one of the rules' category codes."""
    return [
        DayIssue(
            e.day,
            "unknown_absence_reason",
            "absence_reason",
            Severity.REFUSAL,
            f"'{e.absence_reason}' is not an absence category; use one of "
            + ", ".join(c.code for c in rules.absence_categories),
        )
        for e in entries
        if e.absence_reason is not None and rules.category(e.absence_reason) is None
    ]


def correction_without_reason(
    period: Period, entries: Sequence[DayRecord], today: date, rules: BenefitRules
) -> list[DayIssue]:
    """Every entry after a day's first says why it corrects the earlier one."""
    seen: set[date] = set()
    out: list[DayIssue] = []
    for e in sorted(entries, key=lambda e: e.recorded_at):
        if e.day in seen and not e.correction_reason:
            out.append(
                DayIssue(
                    e.day,
                    "correction_without_reason",
                    "correction_reason",
                    Severity.REFUSAL,
                    f"{e.day} is already recorded: say why it is corrected",
                )
            )
        seen.add(e.day)
    return out


def illness_runs(days: dict[date, DayRecord], code: str) -> list[list[date]]:
    """Runs of absences with category ``code``: consecutive recorded days with that code and
    no other recorded day between them (days without a record, such as weekends or days the
    client does not come, do not break a run)."""
    runs: list[list[date]] = []
    current: list[date] = []
    for day, entry in sorted(days.items()):
        if entry.status is DayStatus.SERVICE_NOT_ARRANGED:
            continue
        if entry.status is DayStatus.ABSENT and entry.absence_reason == code:
            current.append(day)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _span(run: list[date]) -> int:
    """Calendar days from a run's first day to its last, both counted."""
    return (run[-1] - run[0]).days + 1


def certificate_needed(
    period: Period, entries: Sequence[DayRecord], today: date, rules: BenefitRules
) -> list[DayIssue]:
    """Own illness longer than the limit (3 calendar days) needs a certificate: the run's
    days without one are flagged."""
    days = current_days(entries)
    out: list[DayIssue] = []
    for category in rules.absence_categories:
        limit = category.certificate_after_days
        if limit is None:
            continue
        for run in illness_runs(days, category.code):
            if _span(run) > limit and not any(days[d].certificate_received for d in run):
                out.extend(
                    DayIssue(
                        d,
                        "certificate_needed",
                        "certificate_received",
                        Severity.FLAG,
                        f"{category.code} for {_span(run)} days from {run[0]}: "
                        f"a certificate is needed after {limit} days",
                    )
                    for d in run
                )
    return out


def over_category_limit(
    period: Period, entries: Sequence[DayRecord], today: date, rules: BenefitRules
) -> list[DayIssue]:
    """A category with a day limit (a child's illness: 4 days): days beyond it are flagged."""
    days = current_days(entries)
    out: list[DayIssue] = []
    for category in rules.absence_categories:
        if category.max_days is None:
            continue
        for run in illness_runs(days, category.code):
            last_allowed = run[0] + timedelta(days=category.max_days - 1)
            out.extend(
                DayIssue(
                    d,
                    "over_category_limit",
                    "absence_reason",
                    Severity.FLAG,
                    f"{category.code} is accepted for at most {category.max_days} days",
                )
                for d in run
                if d > last_allowed
            )
    return out


RULES: tuple[Rule, ...] = (
    future_day,
    outside_period,
    holiday,
    weekday_not_arranged,
    replacement_day,
    too_many_days,
    unknown_absence_reason,
    correction_without_reason,
    certificate_needed,
    over_category_limit,
)
"""Every attendance rule, refusals before flags."""


def check_days(
    period: Period, entries: Sequence[DayRecord], today: date, rules: BenefitRules
) -> list[DayIssue]:
    """Every issue of the period's entries, sorted by day then by rule order."""
    order = {rule.__name__: k for k, rule in enumerate(RULES)}
    found = [found for rule in RULES for found in rule(period, entries, today, rules)]
    return sorted(found, key=lambda i: (i.day, order.get(i.code, len(order))))


def record_day(
    period: Period,
    history: Sequence[DayRecord],
    entry: DayRecord,
    today: date,
    rules: BenefitRules,
) -> tuple[DayRecord, ...]:
    """Add ``entry`` to the period's ``history`` or refuse it.

    Refused with a ``ValidationError`` located at the entry's field (``day``, ``status``,
    ``absence_reason``, ``correction_reason``) when the history with it breaks a refusal rule
    that the history alone did not already break, on any day (an earlier day added to a full
    week makes the week's last day one too many); flags never refuse.
    """
    if entry.period != period.id:
        refuse(
            "DayRecord",
            [issue(("period",), "wrong_period", f"the entry is for {entry.period}", entry.period)],
        )
    updated = (*history, entry)
    before = {(i.day, i.code) for i in check_days(period, history, today, rules)}
    new = [
        i
        for i in check_days(period, updated, today, rules)
        if i.severity is Severity.REFUSAL and (i.day, i.code) not in before
    ]
    refuse("DayRecord", [issue((i.field,), i.code, i.message, str(i.day)) for i in new])
    return updated


def implied_holidays(period: Period, first: date, last: date) -> list[date]:
    """Holidays on the agreement's weekdays within the period and ``first``–``last``: days
    the service is not arranged even when nobody recorded them (none when the agreement
    arranges the activity on holidays)."""
    if period.holidays_arranged:
        return []
    out: list[date] = []
    day = max(first, period.start_date)
    end = min(last, period.last_day)
    while day <= end:
        if WEEKDAY_ORDER[day.weekday()] in period.weekdays and is_holiday(day):
            out.append(day)
        day += timedelta(days=1)
    return out
