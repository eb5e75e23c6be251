"""Finnish public holidays on known years."""

from __future__ import annotations

from datetime import date

import pytest

from matching.cooperation.calendar import easter_sunday, is_holiday, public_holidays


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2000, date(2000, 4, 23)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday_on_known_years(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_holidays_of_2026() -> None:
    days = public_holidays(2026)
    assert days[date(2026, 4, 3)] == "good_friday"
    assert days[date(2026, 4, 6)] == "easter_monday"
    assert days[date(2026, 5, 14)] == "ascension_day"
    assert days[date(2026, 5, 24)] == "whit_sunday"
    assert days[date(2026, 6, 19)] == "midsummer_eve"
    assert days[date(2026, 6, 20)] == "midsummer_day"
    assert days[date(2026, 10, 31)] == "all_saints_day"
    assert len(days) == 15


def test_holidays_of_2025_move_with_the_calendar() -> None:
    days = public_holidays(2025)
    assert days[date(2025, 4, 18)] == "good_friday"
    assert days[date(2025, 5, 29)] == "ascension_day"
    assert days[date(2025, 6, 21)] == "midsummer_day"
    assert days[date(2025, 11, 1)] == "all_saints_day"


def test_customary_days_off_can_be_left_out() -> None:
    assert is_holiday(date(2026, 12, 24))
    assert not is_holiday(date(2026, 12, 24), customary=False)
    assert not is_holiday(date(2026, 12, 23))
    assert is_holiday(date(2026, 12, 6), customary=False)
