"""The month pays only the days inside the period: the issue's 5.11 example by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from matching.cooperation.money import absence_report, monthly_summary
from models.benefits import BenefitRules
from models.cooperation import EndReason, OnwardPath, PeriodEnd
from tests.cooperation.helpers import day, period

RULES = BenefitRules()


def test_a_period_ended_on_the_fifth_pays_only_to_the_fifth() -> None:
    """Mon/Tue/Thu, Kela 9 €/day, ended Thursday 5.11.2026; six days recorded 2.–13.11:
    2, 3, 5 are inside (3 × 9,00 € = 27,00 €); 9, 10, 12 are after the end: refused, unpaid.
    (The issue saw 54,00 € while the same days were listed as refused.)"""
    ended = PeriodEnd(
        end_date=date(2026, 11, 5),
        reason=EndReason.AGREED_END,
        onward_path=OnwardPath.JOB,
        recorded_by="kaisa",
    )
    p = period(ended=ended)
    recorded = [day(p.id, date(2026, 11, d)) for d in (2, 3, 5, 9, 10, 12)] + [
        day(p.id, date(2026, 11, 11), "absent", "other")
    ]
    s = monthly_summary(p, recorded, 2026, 11, date(2026, 12, 1), RULES)
    assert (s.present_days, s.allowance_days, s.allowance_eur) == (3, 3, Decimal("27.00"))
    assert s.absences == {} and s.benefit_lost_days == 0
    assert s.refusals == (
        date(2026, 11, 9),
        date(2026, 11, 10),
        date(2026, 11, 11),
        date(2026, 11, 12),
    )
    owed = absence_report([p], {p.id: recorded}, 2026, 11, RULES)
    assert [r.day for r in owed] == []  # the absence after the end is not reported either


def test_a_period_starting_mid_month_counts_from_its_start() -> None:
    p = period(start_date=date(2026, 6, 4), first_review_date=date(2026, 8, 1))
    recorded = [day(p.id, date(2026, 6, 1)), day(p.id, date(2026, 6, 4))]
    s = monthly_summary(p, recorded, 2026, 6, date(2026, 7, 1), RULES)
    assert (s.present_days, s.allowance_eur) == (1, Decimal("9.00"))
