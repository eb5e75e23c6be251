"""The month arithmetic of the law's periods: ``months_between`` agrees with ``add_months``."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from models.dates import add_months, months_between

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


def test_month_end_start_counts_the_clamped_month() -> None:
    # 30.11. + 3 months is 28.2. (clamped), so on 28.2. three whole months have passed.
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert months_between(date(2025, 11, 30), date(2026, 2, 28)) == 3
    assert months_between(date(2025, 11, 30), date(2026, 2, 27)) == 2
    assert months_between(date(2026, 1, 31), date(2026, 2, 28)) == 1
    assert months_between(date(2026, 3, 1), date(2026, 2, 28)) == 0


@given(days, days)
def test_months_between_is_the_largest_m_with_add_months_not_after_end(
    start: date, end: date
) -> None:
    m = months_between(start, end)
    assert m >= 0
    if end >= start:
        assert add_months(start, m) <= end
        assert add_months(start, m + 1) > end
    else:
        assert m == 0


@given(days, st.integers(min_value=0, max_value=300))
def test_add_months_then_months_between_round_trips(start: date, months: int) -> None:
    assert months_between(start, add_months(start, months)) == months
