"""The web app's catalogues (``locales/fi.json``, ``sv.json``, ``en.json``) and formatting of
dates, numbers and plurals in each language's own form (Babel's CLDR data).

A catalogue maps a key to a text with ``{name}`` placeholders, or to plural forms
(``{"one": …, "other": …}``) chosen by CLDR's plural rule for the language and ``count``.
Finnish is written first; the three catalogues have the same keys (a test checks).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

LANGUAGES = ("fi", "sv", "en")
DEFAULT = "fi"
LOCALES = Path(__file__).resolve().parent / "locales"
_BABEL = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
FINLAND = ZoneInfo("Europe/Helsinki")
"""Every time a person reads is Finnish time; the database keeps UTC."""


def finnish_time(moment: dt.datetime) -> dt.datetime:
    """A stored moment (UTC; SQLite hands it back without its zone) in Finnish time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(FINLAND)


@cache
def catalogue(language: str) -> dict[str, Any]:
    """The catalogue of ``language`` (read once)."""
    data: dict[str, Any] = json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=4096)
def _number(language: str, value: float | int, digits: int) -> str:
    """Babel's formatting is slow next to a page's other work; a page formats the same few
    numbers many times."""
    locale = _locale(language)
    if isinstance(value, int) or float(value).is_integer():
        return format_decimal(int(value), locale=locale)
    return format_decimal(round(value, digits), locale=locale)


@lru_cache(maxsize=8)
def _locale(language: str) -> Locale:
    return Locale.parse(_BABEL[language])


@lru_cache(maxsize=1024)
def _plural(language: str, count: int) -> str:
    return str(_locale(language).plural_form(count))


class _Values(dict[str, Any]):
    """Placeholder values; a missing one shows as a dash instead of failing the page (the
    engine's explanation parameters may change under the web app)."""

    def __missing__(self, key: str) -> str:
        return "–"


class Texts:
    """Texts and formats of one language, handed to the templates as ``t``."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT
        self.locale = _locale(self.language)
        self._texts = catalogue(self.language)

    def __call__(self, key: str, count: int | None = None, **values: Any) -> str:
        """The text of ``key``; with ``count`` the plural form for it (``{count}`` is
        formatted as a number of the language)."""
        entry = self._texts.get(key)
        if entry is None:
            raise KeyError(f"no text '{key}' in the {self.language} catalogue")
        if isinstance(entry, dict):
            form = _plural(self.language, int(count) if count is not None else 0)
            entry = entry.get(form, entry["other"])
        if count is not None:
            values["count"] = self.number(count)
        return str(entry).format_map(_Values(values)) if values else str(entry)

    def has(self, key: str) -> bool:
        """Is there a text for ``key``?"""
        return key in self._texts

    def date(self, day: dt.date | dt.datetime | None, form: str = "short") -> str:
        """A date as the language writes it (fi and Finland-Swedish: 5.1.2026; en: 05/01/2026);
        a moment (``datetime``) with its time in Finnish time: 8.12.2026 5.21."""
        if day is None:
            return "–"
        if isinstance(day, dt.datetime):
            return self.moment(day)
        if form == "short" and self.language == "fi":
            return f"{day.day}.{day.month}.{day.year}"
        return format_date(day, form, locale=self.locale)

    def moment(self, moment: dt.datetime) -> str:
        """A stored moment in Finnish time (Europe/Helsinki): d.m.yyyy H.MM in Finnish and
        Finland-Swedish, the English form in English."""
        local = finnish_time(moment)
        if self.language in ("fi", "sv"):
            return f"{local.day}.{local.month}.{local.year} {local.hour}.{local.minute:02d}"
        return format_datetime(local, "short", tzinfo=FINLAND, locale=self.locale)

    def month(self, day: dt.date) -> str:
        """A month and year, e.g. 'tammikuu 2026'."""
        return format_date(day, "LLLL y", locale=self.locale)

    def weekday(self, day: dt.date) -> str:
        """The short weekday name of a date."""
        return format_date(day, "EEE", locale=self.locale)

    def number(self, value: float | int, digits: int = 1) -> str:
        """A number with the language's decimal sign and grouping."""
        return _number(self.language, value, digits)

    def percent(self, value: float) -> str:
        """A share 0…1 as a percentage, e.g. '42 %'."""
        return format_percent(value, locale=self.locale)
