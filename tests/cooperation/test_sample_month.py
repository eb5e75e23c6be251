"""The sample county's Kela month: seeded attendance for its ongoing placements, one client's
November 2026 checked by hand.

Period J00004: client C00032 at P0005 (municipality 139), Kela pays, Mon–Thu (4 days a week),
since 3.10.2026. The generator (seed 1) records for November 2026 (no public holiday falls
on a weekday that month):

    week 45: Mon 2 present · Tue 3 present · Wed 4 present · Thu 5 own illness
    week 46: Mon 9, Tue 10, Wed 11 own illness · Thu 12 present
    week 47: Mon 16, Tue 17 present · Wed 18 own illness · Thu 19 present
    week 48: Mon 23 own illness · Tue 24 first "other", corrected on 25.11. 8.30 to own illness
             · Wed 25, Thu 26 own illness
    week 49: Mon 30 present

By hand: present 2, 3, 4, 12, 16, 17, 19, 30 = 8 days → 8 × 9,00 € = 72,00 € (Kela);
own illness 5, 9, 10, 11, 18, 23, 24, 25, 26 = 9 days, all keeping the benefit, no
unauthorised absence once 24.11. is corrected; the runs 5.–11.11. (7 calendar days) and
23.–26.11. (4 days) are longer than 3 days with no certificate → certificates missing on
5, 9, 10, 11, 23, 24, 25, 26; the single day 18.11. needs none. Days not arranged: 0. The
absence report to Kela lists the 9 illness days.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from matching.cooperation.attendance import Severity, check_days, current_days
from matching.cooperation.money import absence_report, monthly_summary
from matching.cooperation.sample_attendance import sample_attendance, sample_periods
from matching.sample import load_sample_county
from models import AllocationProblem
from models.benefits import BenefitPayer, BenefitRules

RULES = BenefitRules()
TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def county() -> AllocationProblem:
    return load_sample_county()


def test_every_ongoing_placement_gets_a_valid_period_and_clean_month(
    county: AllocationProblem,
) -> None:
    periods = sample_periods(county, seed=1)
    assert len(periods) == len(county.ongoing)
    days = sample_attendance(periods, 2026, 11, TODAY, seed=1)
    for period in periods:
        refusals = [
            i
            for i in check_days(period, days[period.id], TODAY, RULES)
            if i.severity is Severity.REFUSAL
        ]
        assert refusals == [], period.id
    # deterministic
    again = sample_attendance(sample_periods(county, seed=1), 2026, 11, TODAY, seed=1)
    assert again == days
    assert sample_attendance(periods, 2026, 11, TODAY, seed=2) != days


def test_one_clients_month_matches_the_hand_computation(county: AllocationProblem) -> None:
    periods = {p.id: p for p in sample_periods(county, seed=1)}
    period = periods["J00004"]
    assert (period.client, period.placement, period.municipality, period.payer) == (
        "C00032",
        "P0005",
        "139",
        BenefitPayer.KELA,
    )
    entries = sample_attendance(periods.values(), 2026, 11, TODAY, seed=1)["J00004"]
    days = current_days(entries)
    by_day = {d.day: (e.absence_reason or e.status.value) for d, e in days.items()}
    assert by_day == {
        2: "present",
        3: "present",
        4: "present",
        5: "own_illness",
        9: "own_illness",
        10: "own_illness",
        11: "own_illness",
        12: "present",
        16: "present",
        17: "present",
        18: "own_illness",
        19: "present",
        23: "own_illness",
        24: "own_illness",
        25: "own_illness",
        26: "own_illness",
        30: "present",
    }
    assert [e.correction_reason != "" for e in entries if e.day == date(2026, 11, 24)] == [
        False,
        True,
    ]
    s = monthly_summary(period, entries, 2026, 11, TODAY, RULES)
    assert (s.present_days, s.allowance_days, s.allowance_eur) == (8, 8, Decimal("72.00"))
    assert s.absences == {"own_illness": 9}
    assert (s.benefit_kept_days, s.benefit_lost_days, s.not_arranged_days) == (9, 0, 0)
    assert [d.day for d in s.certificate_missing] == [5, 9, 10, 11, 23, 24, 25, 26]
    report = absence_report([period], {"J00004": entries}, 2026, 11, RULES)
    assert [r.day.day for r in report] == [5, 9, 10, 11, 18, 23, 24, 25, 26]
    assert {r.payer for r in report} == {BenefitPayer.KELA}
