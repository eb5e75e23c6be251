"""Properties: whatever a site tries to record, what is accepted is clean and adds up."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from matching.cooperation.attendance import Severity, check_days, current_days, record_day
from matching.cooperation.money import monthly_summary
from models.attendance import DayRecord
from models.benefits import BenefitRules, DayStatus
from tests.cooperation.helpers import period

RULES = BenefitRules()
TODAY = date(2026, 6, 20)
P = period(start_date=date(2026, 6, 3), first_review_date=date(2026, 8, 1), days_per_week=2)

attempt = st.tuples(
    # mostly the agreed Mon/Tue/Thu from the start (3.6.) to today (20.6.), in any order, and
    # a few days before the start, on a Wednesday or after today
    st.sampled_from([3, 7, 8, 10, 14, 15, 17, 17, 14, 7, 0, 2, 24]),
    st.sampled_from(["present", "absent", "service_not_arranged"]),
    st.sampled_from(["own_illness", "own_illness", "child_illness", "other", "bogus"]),
    st.booleans(),  # gives a correction reason
)


def _entry(k: int, offset: int, status: str, reason: str, note: bool) -> DayRecord:
    return DayRecord(
        period="J1",
        day=date(2026, 6, 1) + timedelta(days=offset),
        status=DayStatus(status),
        absence_reason=reason if status == "absent" else None,
        recorded_by="site",
        recorded_at=datetime(2026, 6, 1) + timedelta(minutes=k),
        correction_reason="korjaus" if note else "",
    )


@settings(max_examples=150)
@given(st.lists(attempt, max_size=30))
# Tue 9.6. and Thu 11.6., then Mon 8.6.: the week's last day becomes one too many
@example(
    [
        (8, "present", "other", False),
        (10, "present", "other", False),
        (7, "present", "other", False),
    ]
)
def test_accepted_records_break_no_refusal_rule_and_sum_up(attempts: list) -> None:
    history: tuple[DayRecord, ...] = ()
    for k, (offset, status, reason, note) in enumerate(attempts):
        with contextlib.suppress(ValidationError):
            history = record_day(P, history, _entry(k, offset, status, reason, note), TODAY, RULES)
    refusals = [i for i in check_days(P, history, TODAY, RULES) if i.severity is Severity.REFUSAL]
    assert refusals == []
    days = current_days(history)
    assert all(P.start_date <= d <= TODAY for d in days)
    s = monthly_summary(P, history, 2026, 6, TODAY, RULES)
    present = sum(e.status is DayStatus.PRESENT for e in days.values())
    absent = sum(e.status is DayStatus.ABSENT for e in days.values())
    assert s.present_days == present and s.absence_days == absent
    assert s.benefit_kept_days + s.benefit_lost_days == absent
    assert s.allowance_eur == Decimal("9.00") * s.allowance_days
    assert s.allowance_days <= s.present_days
    # at most the agreed days a week
    weeks: dict[int, int] = {}
    for d, e in days.items():
        if e.status is not DayStatus.SERVICE_NOT_ARRANGED:
            weeks[d.isocalendar().week] = weeks.get(d.isocalendar().week, 0) + 1
    assert all(n <= P.days_per_week for n in weeks.values())
