"""Finnish public holidays, computed: the days on which the service is not arranged.

On a public holiday the site is closed, so the day is "palvelua ei järjestetä" (service not
arranged), which Kela does not count as an absence and pays no allowance for (domain.md § 1.9).
The dates follow the Finnish calendar: fixed days, the Easter-based days of the church year
(Good Friday, Easter Sunday and Monday, Ascension Day, Whit Sunday) and the days that move to
a Saturday (Midsummer Day 20–26 June, All Saints' Day 31 October – 6 November). Midsummer Eve
and Christmas Eve are not public holidays in law but workplaces are closed on them, so they
are included as customary days off unless the caller leaves them out.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

__all__ = ["easter_sunday", "is_holiday", "public_holidays"]


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter Sunday of ``year`` (the anonymous Gregorian computus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _saturday_between(first: date) -> date:
    """The Saturday in the seven days from ``first``."""
    return first + timedelta(days=(5 - first.weekday()) % 7)


@lru_cache(maxsize=64)
def public_holidays(year: int, customary: bool = True) -> dict[date, str]:
    """Holidays of ``year`` as date → code; ``customary`` adds Midsummer and Christmas Eve."""
    easter = easter_sunday(year)
    midsummer_day = _saturday_between(date(year, 6, 20))
    days = {
        date(year, 1, 1): "new_years_day",
        date(year, 1, 6): "epiphany",
        easter - timedelta(days=2): "good_friday",
        easter: "easter_sunday",
        easter + timedelta(days=1): "easter_monday",
        date(year, 5, 1): "may_day",
        easter + timedelta(days=39): "ascension_day",
        easter + timedelta(days=49): "whit_sunday",
        midsummer_day: "midsummer_day",
        _saturday_between(date(year, 10, 31)): "all_saints_day",
        date(year, 12, 6): "independence_day",
        date(year, 12, 25): "christmas_day",
        date(year, 12, 26): "st_stephens_day",
    }
    if customary:
        days[midsummer_day - timedelta(days=1)] = "midsummer_eve"
        days[date(year, 12, 24)] = "christmas_eve"
    return dict(sorted(days.items()))


def is_holiday(day: date, customary: bool = True) -> bool:
    """Whether the service is not arranged on ``day`` because it is a holiday."""
    return day in public_holidays(day.year, customary)
