"""Day records against the agreement: each rule alone, allowed and violated."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from matching.cooperation.attendance import check_days, current_days, record_day
from models.benefits import BenefitRules
from tests.cooperation.helpers import day, period

RULES = BenefitRules()
TODAY = date(2026, 6, 30)
P = period()  # Mon, Tue, Thu; 3 days a week; from 1.6.2026


def _codes(entries: list, today: date = TODAY) -> list[tuple[date, str]]:
    return [(i.day, i.code) for i in check_days(P, entries, today, RULES)]


def _refused(entries: list, entry: object) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        record_day(P, entries, entry, TODAY, RULES)  # type: ignore[arg-type]
    return [(tuple(e["loc"]), e["type"]) for e in caught.value.errors()]


def test_a_regular_week_has_no_issues() -> None:
    week = [day("J1", date(2026, 6, d)) for d in (1, 2, 4)]
    assert _codes(week) == []
    assert len(record_day(P, week[:2], week[2], TODAY, RULES)) == 3


def test_future_day_is_refused() -> None:
    assert _refused([], day("J1", date(2026, 7, 2))) == [(("day",), "future_day")]


def test_day_outside_the_period_is_refused() -> None:
    assert _refused([], day("J1", date(2026, 5, 28))) == [(("day",), "outside_period")]


def test_day_on_an_unarranged_weekday_is_refused() -> None:
    assert _refused([], day("J1", date(2026, 6, 3))) == [(("day",), "weekday_not_arranged")]
    # the site may record that it was closed on any day
    assert record_day(P, [], day("J1", date(2026, 6, 3), "service_not_arranged"), TODAY, RULES)


def test_more_days_than_agreed_in_a_week_is_refused() -> None:
    two = period(days_per_week=2)
    week = [day("J1", date(2026, 6, 1)), day("J1", date(2026, 6, 2))]
    with pytest.raises(ValidationError) as caught:
        record_day(two, week, day("J1", date(2026, 6, 4), "absent", "job_interview"), TODAY, RULES)
    assert caught.value.errors()[0]["type"] == "too_many_days"
    # the next week starts a new count
    assert record_day(two, week, day("J1", date(2026, 6, 8)), TODAY, RULES)


def test_an_earlier_day_added_to_a_full_week_is_refused() -> None:
    two = period(days_per_week=2)
    week = [day("J1", date(2026, 6, 2)), day("J1", date(2026, 6, 4))]
    with pytest.raises(ValidationError) as caught:
        record_day(two, week, day("J1", date(2026, 6, 1)), TODAY, RULES)
    assert caught.value.errors()[0]["type"] == "too_many_days"


def test_holiday_is_refused_unless_not_arranged() -> None:
    midsummer_eve = date(2026, 6, 19)  # a Friday: give the period Fridays
    fridays = period(weekdays={"mon", "fri"}, days_per_week=2)
    with pytest.raises(ValidationError) as caught:
        record_day(fridays, [], day("J1", midsummer_eve), TODAY, RULES)
    assert [e["loc"] for e in caught.value.errors()] == [("status",)]
    assert record_day(fridays, [], day("J1", midsummer_eve, "service_not_arranged"), TODAY, RULES)


def test_unknown_absence_category_is_refused() -> None:
    entry = day("J1", date(2026, 6, 1), "absent", "court_witness")
    assert _refused([], entry) == [(("absence_reason",), "unknown_absence_reason")]


def test_correction_needs_a_reason_and_wins() -> None:
    first = day("J1", date(2026, 6, 1), "absent", "other")
    bare = day("J1", date(2026, 6, 1), at=datetime(2026, 6, 2, 9))
    assert _refused([first], bare) == [(("correction_reason",), "correction_without_reason")]
    fixed = bare.model_copy(update={"correction_reason": "Oli paikalla, merkitty väärin"})
    history = record_day(P, [first], fixed, TODAY, RULES)
    assert len(history) == 2  # the earlier entry is kept
    assert current_days(history)[date(2026, 6, 1)].status.value == "present"


def test_entry_for_another_period_is_refused() -> None:
    assert _refused([], day("J2", date(2026, 6, 1))) == [(("period",), "wrong_period")]


def test_own_illness_over_3_days_flags_a_certificate() -> None:
    # Thu 4.6 – Tue 9.6: ill on Thu, Mon, Tue = 6 calendar days
    ill = [day("J1", date(2026, 6, d), "absent", "own_illness") for d in (4, 8, 9)]
    assert _codes(ill) == [(date(2026, 6, d), "certificate_needed") for d in (4, 8, 9)]
    seen = [*ill[:2], ill[2].model_copy(update={"certificate_received": True})]
    assert _codes(seen) == []


def test_own_illness_of_3_days_needs_no_certificate() -> None:
    # Mon 1.6 – Tue 2.6 ill, Thu 4.6 present: a 2-day run
    days = [
        day("J1", date(2026, 6, 1), "absent", "own_illness"),
        day("J1", date(2026, 6, 2), "absent", "own_illness"),
        day("J1", date(2026, 6, 4)),
        day("J1", date(2026, 6, 8), "absent", "own_illness"),
    ]
    assert _codes(days) == []


def test_child_illness_over_4_days_is_flagged() -> None:
    every_day = period(weekdays={"mon", "tue", "wed", "thu"}, days_per_week=4)
    days = [day("J1", date(2026, 6, d), "absent", "child_illness") for d in (1, 2, 3, 4, 8)]
    found = [(i.day, i.code) for i in check_days(every_day, days, TODAY, RULES)]
    assert found == [(date(2026, 6, 8), "over_category_limit")]
