"""Calendar arithmetic of the law's periods, shared by the records and the engine.

Months are counted as the Act on calculating statutory time limits (150/1930 § 3) counts them:
a span of months ends on the day with the start day's number, or on the last day of the month
when it has no such day (30.11. + 3 months = 28.2.).
"""

from __future__ import annotations

from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31.1. + 1 mo = 28./29.2.)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def age_on(birth: date, day: date) -> int:
    """Age in whole years on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 if end is earlier): the largest ``m`` with
    ``add_months(start, m) <= end``.

    Counted with the same month-end clamping as ``add_months``, so the two always agree: from
    30.11. to 28.2. is 3 whole months (30.11. + 3 mo = 28.2.), not 2.
    """
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)
