"""The web catalogues: the same keys in fi, sv and en, every key the pages use exists, and
dates, numbers and plurals in each language's own form."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from service.web.i18n import LANGUAGES, Texts, catalogue

WEB = Path(__file__).resolve().parents[2] / "service" / "web"
USED = re.compile(r"""\bt\(\s*["']([a-z0-9_]+\.[a-z0-9_.]+)["']""")


def test_catalogues_have_the_same_keys_and_plural_forms() -> None:
    fi = catalogue("fi")
    for language in LANGUAGES:
        other = catalogue(language)
        assert set(other) == set(fi), language
        for key, value in other.items():
            assert isinstance(value, str) == isinstance(fi[key], str), key
            assert value, key


def test_every_text_a_page_uses_is_in_the_catalogues() -> None:
    sources = [*WEB.rglob("*.html"), *WEB.glob("*.py")]
    used = {key for path in sources for key in USED.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 200
    texts = catalogue("fi")
    prefixes = {key for key in used if key.endswith(("_", "."))}  # t("status." + code)
    missing = sorted(key for key in used - prefixes if key not in texts)
    assert missing == []
    assert all(any(k.startswith(p) for k in texts) for p in prefixes), prefixes


@pytest.mark.parametrize(
    ("language", "day", "number", "one", "many"),
    [
        ("fi", "5.1.2026", "1,5", "1 päivä", "3 päivää"),
        ("sv", "5.1.2026", "1,5", "1 dag", "3 dagar"),
        ("en", "05/01/2026", "1.5", "1 day", "3 days"),
    ],
)
def test_dates_numbers_and_plurals(
    language: str, day: str, number: str, one: str, many: str
) -> None:
    t = Texts(language)
    assert t.date(date(2026, 1, 5)) == day
    assert t.number(1.5) == number
    assert t("attendance.days", count=1) == one
    assert t("attendance.days", count=3) == many


def test_unknown_language_falls_back_to_finnish() -> None:
    assert Texts("de").language == "fi"
    with pytest.raises(KeyError):
        Texts("fi")("no.such.key")
