"""A hand-computed month: three clients' May 2026, their Kela summary and the allowances.

May 2026: Fri 1.5. is May Day and Thu 14.5. Ascension Day (public holidays: the service is
not arranged). The allowance is 9,00 €/day of presence (kulukorvaus from Kela or the fund,
toimintaraha from the county), absences and days not arranged earn nothing.

Client C-A, period J-A, Kela, Mon/Tue/Thu (3 days a week), Oulu (564), since 1.4.2026:
    Mon 4 present · Tue 5 present · Thu 7 present (first recorded 'other' absence on 7.5.,
    corrected to present on 8.5. "merkitty väärin")
    Mon 11 present · Tue 12 own illness · Thu 14 Ascension (not recorded: implied)
    Mon 18 own illness · Tue 19 own illness · Thu 21 present
    Mon 25 present · Tue 26 absent, other reason (unauthorised) · Thu 28 present
  present 4, 5, 7, 11, 21, 25, 28 = 7 days → 7 × 9,00 = 63,00 €
  absences own_illness 3 (12, 18, 19), other 1 (26); benefit kept 3, lost 1
  not arranged 1 (14); the illness runs 12.5.–19.5. = 8 calendar days > 3 with no
  certificate → certificate missing on 12, 18 and 19.

Client C-B, period J-B, unemployment fund, Mon–Thu any 2 days a week, Oulu, since 4.5.2026:
    Mon 4 present · Wed 6 present
    Mon 11 child's illness · Tue 12 child's illness · Thu 14 Ascension (implied)
    Tue 19 present · Thu 21 present
    Mon 25 job interview · Wed 27 present
  present 4, 6, 19, 21, 27 = 5 days → 45,00 €
  absences child_illness 2, job_interview 1; benefit kept 3, lost 0; not arranged 1 (14).

Client C-C, period J-C, social assistance (toimintaraha from the county), Tue/Fri, Raahe (678):
    Fri 1 not arranged (recorded) · Tue 5, Fri 8, Tue 12 present · Fri 15 not arranged
    (recorded: the site's training day) · Tue 19 present · Fri 22 own illness (1 day)
    Tue 26, Fri 29 present
  present 5, 8, 12, 19, 26, 29 = 6 days → 54,00 €
  absences own_illness 1; benefit kept 1; not arranged 2 (1, 15); no certificate needed.

Totals: 63,00 + 45,00 + 54,00 = 162,00 €.
Per municipality: Oulu 2 clients, 12 days present, 7 absences, 2 days not arranged,
Kela 63,00 € + fund 45,00 € = 108,00 €; Raahe 1 client, 6 present, 1 absence, 2 not arranged,
county 54,00 €.
Absence report to the payers (the county's own toimintaraha is not reported): C-A 12, 14
(not arranged), 18, 19, 26; C-B 11, 12, 14 (not arranged), 25 → 9 rows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from matching.cooperation.money import absence_report, monthly_summary, municipality_figures
from models.benefits import BenefitPayer, BenefitRules, DayStatus
from tests.cooperation.helpers import day, period

RULES = BenefitRules()
TODAY = date(2026, 6, 2)
MAY = date(2026, 5, 1)


def _d(n: int) -> date:
    return date(2026, 5, n)


PA = period(
    id="J-A",
    client="C-A",
    start_date=date(2026, 4, 1),
    first_review_date=date(2026, 6, 1),
    end_date=date(2026, 9, 30),
)
PB = period(
    id="J-B",
    client="C-B",
    weekdays={"mon", "tue", "wed", "thu"},
    days_per_week=2,
    hours_per_day=5,
    start_date=date(2026, 5, 4),
    first_review_date=date(2026, 7, 1),
    end_date=date(2026, 10, 31),
    payer=BenefitPayer.UNEMPLOYMENT_FUND,
)
PC = period(
    id="J-C",
    client="C-C",
    placement="P2",
    municipality="678",
    weekdays={"tue", "fri"},
    days_per_week=2,
    hours_per_day=4,
    start_date=date(2026, 3, 2),
    first_review_date=date(2026, 5, 4),
    end_date=date(2026, 8, 31),
    payer=BenefitPayer.WELLBEING_COUNTY,
)

DAYS_A = [
    day("J-A", _d(4)),
    day("J-A", _d(5)),
    day("J-A", _d(7), "absent", "other"),
    day("J-A", _d(7), at=datetime(2026, 5, 8, 9), correction="merkitty väärin", by="ohjaaja2"),
    day("J-A", _d(11)),
    day("J-A", _d(12), "absent", "own_illness"),
    day("J-A", _d(18), "absent", "own_illness"),
    day("J-A", _d(19), "absent", "own_illness"),
    day("J-A", _d(21)),
    day("J-A", _d(25)),
    day("J-A", _d(26), "absent", "other"),
    day("J-A", _d(28)),
]
DAYS_B = [
    day("J-B", _d(4)),
    day("J-B", _d(6)),
    day("J-B", _d(11), "absent", "child_illness"),
    day("J-B", _d(12), "absent", "child_illness"),
    day("J-B", _d(19)),
    day("J-B", _d(21)),
    day("J-B", _d(25), "absent", "job_interview"),
    day("J-B", _d(27)),
]
DAYS_C = [
    day("J-C", _d(1), "service_not_arranged"),
    day("J-C", _d(5)),
    day("J-C", _d(8)),
    day("J-C", _d(12)),
    day("J-C", _d(15), "service_not_arranged"),
    day("J-C", _d(19)),
    day("J-C", _d(22), "absent", "own_illness"),
    day("J-C", _d(26)),
    day("J-C", _d(29)),
]


def _summaries() -> list:
    return [
        monthly_summary(p, days, 2026, 5, TODAY, RULES)
        for p, days in ((PA, DAYS_A), (PB, DAYS_B), (PC, DAYS_C))
    ]


def test_client_a_month_by_hand() -> None:
    a = _summaries()[0]
    assert (a.present_days, a.allowance_days, a.allowance_eur) == (7, 7, Decimal("63.00"))
    assert a.absences == {"other": 1, "own_illness": 3}
    assert (a.benefit_kept_days, a.benefit_lost_days, a.not_arranged_days) == (3, 1, 1)
    assert a.certificate_missing == (_d(12), _d(18), _d(19))
    assert a.refusals == ()


def test_client_b_month_by_hand() -> None:
    b = _summaries()[1]
    assert (b.present_days, b.allowance_eur, b.payer) == (
        5,
        Decimal("45.00"),
        BenefitPayer.UNEMPLOYMENT_FUND,
    )
    assert b.absences == {"child_illness": 2, "job_interview": 1}
    assert (b.benefit_kept_days, b.benefit_lost_days, b.not_arranged_days) == (3, 0, 1)
    assert b.certificate_missing == () and b.refusals == ()


def test_client_c_month_by_hand() -> None:
    c = _summaries()[2]
    assert (c.present_days, c.allowance_eur, c.payer) == (
        6,
        Decimal("54.00"),
        BenefitPayer.WELLBEING_COUNTY,
    )
    assert c.absences == {"own_illness": 1}
    assert (c.benefit_kept_days, c.not_arranged_days) == (1, 2)
    assert c.certificate_missing == () and c.refusals == ()


def test_totals_and_municipality_figures_by_hand() -> None:
    summaries = _summaries()
    assert sum(s.allowance_eur for s in summaries) == Decimal("162.00")
    oulu, raahe = municipality_figures(summaries)
    assert (oulu.municipality, oulu.clients, oulu.present_days) == ("564", 2, 12)
    assert (oulu.absence_days, oulu.not_arranged_days) == (7, 2)
    assert oulu.allowance_eur == {
        BenefitPayer.KELA: Decimal("63.00"),
        BenefitPayer.UNEMPLOYMENT_FUND: Decimal("45.00"),
    }
    assert oulu.allowance_total_eur == Decimal("108.00")
    assert (raahe.municipality, raahe.clients, raahe.present_days) == ("678", 1, 6)
    assert raahe.allowance_eur == {BenefitPayer.WELLBEING_COUNTY: Decimal("54.00")}


def test_absence_report_by_hand() -> None:
    rows = absence_report(
        [PA, PB, PC], {"J-A": DAYS_A, "J-B": DAYS_B, "J-C": DAYS_C}, 2026, 5, RULES
    )
    got = [(r.payer.value, r.client, r.day.day, r.absence_reason) for r in rows]
    assert got == [
        ("kela", "C-A", 12, "own_illness"),
        ("kela", "C-A", 14, None),
        ("kela", "C-A", 18, "own_illness"),
        ("kela", "C-A", 19, "own_illness"),
        ("kela", "C-A", 26, "other"),
        ("unemployment_fund", "C-B", 11, "child_illness"),
        ("unemployment_fund", "C-B", 12, "child_illness"),
        ("unemployment_fund", "C-B", 14, None),
        ("unemployment_fund", "C-B", 25, "job_interview"),
    ]
    assert [r.status for r in rows if r.absence_reason is None] == [
        DayStatus.SERVICE_NOT_ARRANGED
    ] * 2
    assert [r.benefit_kept for r in rows if r.absence_reason == "other"] == [False]
    without = RULES.model_copy(update={"report_not_arranged_days": False})
    assert len(absence_report([PA, PB], {"J-A": DAYS_A, "J-B": DAYS_B}, 2026, 5, without)) == 7


def test_a_new_rate_changes_the_money_without_code() -> None:
    raised = RULES.model_copy(update={"expense_allowance_eur": Decimal("10.00")})
    a = monthly_summary(PA, DAYS_A, 2026, 5, TODAY, raised)
    assert a.allowance_eur == Decimal("70.00")
    c = monthly_summary(PC, DAYS_C, 2026, 5, TODAY, raised)
    assert c.allowance_eur == Decimal("54.00")  # toimintaraha is its own rate


def test_unknown_payer_earns_nothing_and_is_flagged() -> None:
    s = monthly_summary(PA.model_copy(update={"payer": None}), DAYS_A, 2026, 5, TODAY, RULES)
    assert s.present_days == 7 and s.allowance_eur == Decimal("0.00") and s.payer_missing
    assert MAY.month == s.month


def test_weekly_allowance_cap_from_the_rules() -> None:
    """With a cap of 2 days a week, C-A's week 4.–8.5. (3 present) earns 2: 6 days, 54,00 €."""
    capped = RULES.model_copy(update={"allowance_days_per_week": 2})
    a = monthly_summary(PA, DAYS_A, 2026, 5, TODAY, capped)
    assert (a.present_days, a.allowance_days, a.allowance_eur) == (7, 6, Decimal("54.00"))


def test_month_report_bundles_the_hand_computed_month() -> None:
    import io

    from openpyxl import load_workbook

    from matching.cooperation.report import month_report, month_report_csv, month_report_xlsx

    ended_in_april = period(
        id="J-old",
        client="C-Z",
        start_date=date(2026, 1, 5),
        first_review_date=date(2026, 2, 2),
        end_date=date(2026, 4, 30),
    )
    report = month_report(
        [PC, PA, PB, ended_in_april],
        {"J-A": DAYS_A, "J-B": DAYS_B, "J-C": DAYS_C},
        2026,
        5,
        TODAY,
        RULES,
    )
    assert [s.client for s in report.summaries] == ["C-A", "C-B", "C-C"]
    assert sum(s.allowance_eur for s in report.summaries) == Decimal("162.00")
    assert len(report.absences) == 9 and len(report.municipalities) == 2
    book = load_workbook(io.BytesIO(month_report_xlsx(report)))
    assert book.sheetnames == ["kuukausiyhteenveto", "poissaolot", "kunnat"]
    assert book["kuukausiyhteenveto"].max_row == 4 and book["poissaolot"].max_row == 10
    files = month_report_csv(report, "sv")
    assert sorted(files) == [
        "frånvaro-2026-05.csv",
        "kommuner-2026-05.csv",
        "månadssammandrag-2026-05.csv",
    ]
