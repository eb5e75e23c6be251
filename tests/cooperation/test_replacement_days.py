"""Swapped and make-up days, and holidays the agreement arranges: allowed and refused.

Kela ("Jos olet poissa työllistymistä edistävästä palvelusta"): participation days may be
swapped by agreement with the organiser, and after an unauthorised absence a replacement day
may be agreed. A public holiday is "service not arranged" unless the agreement says the site
works then.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from matching.cooperation.attendance import check_days, implied_holidays, record_day
from matching.cooperation.money import absence_report, monthly_summary
from models.attendance import DayKind, DayRecord
from models.benefits import Benefit, BenefitPayer, BenefitRules, BenefitSpell, DayStatus
from models.regime import LegalRegime
from tests.cooperation.helpers import agreement, day, period

RULES = BenefitRules()
TODAY = date(2026, 6, 30)
P = period()  # Mon, Tue, Thu; 3 days a week; 1.6.–30.11.2026
FRIDAY = date(2026, 6, 5)
MONDAY = date(2026, 6, 1)


def _replacing(when: date, kind: DayKind, replaces: date | None, **changes: Any) -> DayRecord:
    fields: dict[str, Any] = {
        "period": "J1",
        "day": when,
        "status": DayStatus.PRESENT,
        "recorded_by": "ohjaaja",
        "recorded_at": datetime(when.year, when.month, when.day, 16),
        "kind": kind,
        "replaces": replaces,
        "agreed_by": "Koordinaattori K",
    }
    fields.update(changes)
    return DayRecord.model_validate(fields)


def _refused(entries: list[DayRecord], entry: DayRecord, p: Any = P) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        record_day(p, entries, entry, TODAY, RULES)
    return [e["type"] for e in caught.value.errors()]


def test_a_swapped_day_on_a_friday_replaces_the_monday_and_is_kept() -> None:
    week = [day("J1", date(2026, 6, 2)), day("J1", date(2026, 6, 4))]
    swapped = _replacing(FRIDAY, DayKind.SWAPPED, MONDAY)
    updated = record_day(P, week, swapped, TODAY, RULES)
    assert updated[-1].replaces == MONDAY and updated[-1].agreed_by == "Koordinaattori K"
    assert check_days(P, updated, TODAY, RULES) == []


def test_a_regular_friday_is_still_refused_as_a_weekday_not_arranged() -> None:
    assert _refused([], day("J1", FRIDAY)) == ["weekday_not_arranged"]


def test_a_swap_of_a_day_already_attended_is_refused() -> None:
    history = [day("J1", MONDAY)]
    assert _refused(history, _replacing(FRIDAY, DayKind.SWAPPED, MONDAY)) == [
        "swapped_day_recorded"
    ]


def test_a_swap_of_a_day_the_agreement_does_not_arrange_is_refused() -> None:
    wednesday = date(2026, 6, 3)
    assert _refused([], _replacing(FRIDAY, DayKind.SWAPPED, wednesday)) == ["swap_of_unagreed_day"]


def test_a_day_replaced_twice_is_refused() -> None:
    first = _replacing(FRIDAY, DayKind.SWAPPED, MONDAY)
    second = _replacing(date(2026, 6, 3), DayKind.SWAPPED, MONDAY)
    assert _refused([first], second) == ["replaced_twice"]


def test_a_swapped_day_names_the_day_and_who_agreed() -> None:
    with pytest.raises(ValidationError) as caught:
        _replacing(FRIDAY, DayKind.SWAPPED, None, agreed_by="")
    assert [e["type"] for e in caught.value.errors()] == [
        "replaces_required",
        "agreed_by_required",
    ]
    with pytest.raises(ValidationError):
        _replacing(FRIDAY, DayKind.REGULAR, MONDAY)


def test_a_make_up_day_after_an_unauthorised_absence_is_kept_and_earns_the_allowance() -> None:
    absent = day("J1", MONDAY, "absent", "other")
    make_up = _replacing(FRIDAY, DayKind.MAKE_UP, MONDAY)
    updated = record_day(P, [absent, day("J1", date(2026, 6, 2))], make_up, TODAY, RULES)
    summary = monthly_summary(P, updated, 2026, 6, TODAY, RULES)
    assert summary.present_days == 2 and summary.allowance_eur == Decimal("18.00")


def test_a_make_up_day_for_an_authorised_absence_is_refused() -> None:
    ill = day("J1", MONDAY, "absent", "own_illness")
    assert _refused([ill], _replacing(FRIDAY, DayKind.MAKE_UP, MONDAY)) == [
        "make_up_without_absence"
    ]
    assert _refused([], _replacing(FRIDAY, DayKind.MAKE_UP, MONDAY)) == ["make_up_without_absence"]


# -- holidays --------------------------------------------------------------------------------

ASCENSION = date(2026, 5, 14)  # a Thursday
HOLIDAY_PERIOD = period(start_date=date(2026, 5, 4), first_review_date=date(2026, 7, 1))


def test_a_holiday_is_refused_by_default() -> None:
    assert _refused([], day("J1", ASCENSION), HOLIDAY_PERIOD) == ["holiday"]
    assert implied_holidays(HOLIDAY_PERIOD, ASCENSION, ASCENSION) == [ASCENSION]


def test_a_holiday_is_allowed_where_the_agreement_says_the_site_works_then() -> None:
    works = HOLIDAY_PERIOD.model_copy(update={"holidays_arranged": True})
    assert len(record_day(works, [], day("J1", ASCENSION), TODAY, RULES)) == 1
    assert implied_holidays(works, ASCENSION, ASCENSION) == []


def test_an_agreement_arranging_holidays_is_refused_where_the_regime_forbids_it() -> None:
    assert agreement(holidays_arranged=True).holidays_arranged
    strict = LegalRegime(holidays_by_agreement=False)
    with pytest.raises(ValidationError) as caught:
        type(agreement()).model_validate(
            {**agreement().model_dump(), "holidays_arranged": True}, context={"regime": strict}
        )
    assert [e["type"] for e in caught.value.errors()] == ["holidays_not_allowed"]


# -- the payer of each day -------------------------------------------------------------------


def test_a_benefit_that_changes_mid_month_changes_the_payer_from_that_day() -> None:
    spells = (
        BenefitSpell(
            benefit=Benefit.EARNINGS_RELATED_ALLOWANCE,
            from_date=date(2026, 1, 1),
            until_date=date(2026, 6, 14),
        ),
        BenefitSpell(benefit=Benefit.SOCIAL_ASSISTANCE, from_date=date(2026, 6, 15)),
    )
    days = [day("J1", d) for d in (MONDAY, date(2026, 6, 2), date(2026, 6, 15))]
    days.append(day("J1", date(2026, 6, 16), "absent", "other"))
    days.append(day("J1", date(2026, 6, 4), "absent", "other"))
    summary = monthly_summary(P, days, 2026, 6, TODAY, RULES, spells)
    assert summary.allowance_by_payer == {
        BenefitPayer.UNEMPLOYMENT_FUND: Decimal("18.00"),
        BenefitPayer.WELLBEING_COUNTY: Decimal("9.00"),
    }
    assert summary.payer is BenefitPayer.WELLBEING_COUNTY
    report = absence_report([P], {"J1": days}, 2026, 6, RULES, {"C1": spells})
    # The fund hears of the absence while it paid; the organiser's own allowance needs none.
    assert [(r.payer, r.day) for r in report if r.status is DayStatus.ABSENT] == [
        (BenefitPayer.UNEMPLOYMENT_FUND, date(2026, 6, 4))
    ]
