"""Message catalogues: every text for people comes from ``matching/i18n/<lang>.json``.

A catalogue maps a stable code to a template in two registers, ``client`` (short sentences a
client reads: no points, the placement's name, what happens next) and ``coordinator`` (the
reasons and what was compared). Templates use named fields (``{placement}``) and ICU-style
plural blocks, ``{count, plural, =0 {…} one {# paikka} other {# paikkaa}}``, where ``#`` is the
number in the language's own format and the form is chosen by the language's plural rules
(Babel, CLDR data). A field named ``rule``, ``criterion``, ``attribute``, ``weekday``,
``category`` or ``resource`` is replaced by its label (``rule.commuting_area``…); list fields
``rules``, ``criteria``, ``weekdays`` are labelled item by item and joined the language's way.
Numbers, percentages (fields in ``PERCENT``, given as shares 0–1) and dates (fields in
``DATES``, ISO strings) are written in the language's format. The engine builds ``Message``
objects (code + params) only; :func:`render` turns them into text.

Other clients are never shown by their ids. Params naming them (``holders``, a list; ``holder``
and ``other``, one each: ``PEOPLE_LISTS``, ``PEOPLE_FIELDS``) are written with the names a
caller's resolver (``people``: client id → how people know the person, e.g. the display name
with birth year and home municipality) gives; without one (the command line has no names)
they are counted: "2 muuta asiakasta", "toinen asiakas".
"""

from __future__ import annotations

import datetime as dt
import json
import string
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

from matching.explain.documents import Message, Param, Text

LANGUAGES = ("fi", "en", "sv")
REGISTERS = ("client", "coordinator")
LABELLED = (
    "rule",
    "criterion",
    "attribute",
    "weekday",
    "resource",
    "category",
    "dimension",
    "means",
)
"""Params whose value is itself a code with a label in the catalogue (``<field>.<value>``)."""
LABELLED_LISTS = {"rules": "rule", "criteria": "criterion", "weekdays": "weekday"}
"""List params whose items are codes with labels."""
PLACEMENT_FIELDS = ("placement", "before", "after", "current", "target_placement")
"""Params holding a placement id: shown by name (client) or name and id (coordinator)."""
PERCENT = ("rate", "top3", "share")
EUROS = ("fare",)
"""Params in euros, written with two decimals (4,20)."""
DATES = ("since", "date", "opens", "until")

HOLDERS_SHOWN = 5
"""Holders named in a sentence before "and N more"."""
PEOPLE_LISTS = ("holders",)
"""List params of other clients' ids: named by the ``people`` resolver, or counted."""
PEOPLE_FIELDS = ("holder", "other")
"""Params of one other client's id: named by the ``people`` resolver, or "another client"."""

People = Callable[[str], str | None]
"""A resolver of a client id to how people know the person (None: not known)."""


@cache
def catalogue(lang: str) -> dict[str, dict[str, str]]:
    """The catalogue of a language (``fi``, ``en``, ``sv``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    text = (resources.files("matching") / "i18n" / f"{lang}.json").read_text(encoding="utf-8")
    data: dict[str, dict[str, str]] = json.loads(text)
    return data


def word(lang: str, code: str, register: str = "coordinator", **params: Param) -> str:
    """One catalogue entry rendered on its own (headers, labels, footers)."""
    return fill(catalogue(lang)[code][register], lang, register, dict(params))


def message(code: str, **params: Param) -> Message:
    """A message without text (rendered later, in the requested language)."""
    return Message(code=code, params=params)


@cache
def _blocks(template: str) -> list[tuple[int, int, str, str, dict[str, str]]]:
    """Plural blocks of a template: (start, end, field, kind, {case: text}); parsed once per
    template (a run renders tens of thousands of messages from a few hundred templates)."""
    out: list[tuple[int, int, str, str, dict[str, str]]] = []
    i = 0
    while True:
        start = template.find("{", i)
        if start < 0:
            return out
        head_end = template.find("}", start)
        head = template[start + 1 : head_end if head_end > 0 else len(template)]
        parts = [p.strip() for p in head.split(",", 2)]
        if len(parts) < 3 or parts[1] != "plural":
            i = start + 1
            continue
        field = parts[0]
        pos = template.index(",", template.index(",", start) + 1) + 1
        cases: dict[str, str] = {}
        while True:
            while template[pos].isspace():
                pos += 1
            if template[pos] == "}":
                break
            open_ = template.index("{", pos)
            key = template[pos:open_].strip()
            depth, k = 0, open_
            while True:
                if template[k] == "{":
                    depth += 1
                elif template[k] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            cases[key] = template[open_ + 1 : k]
            pos = k + 1
        out.append((start, pos + 1, field, "plural", cases))
        i = pos + 1


@cache
def template_fields(template: str) -> frozenset[str]:
    """Named fields a template uses (plural blocks included)."""
    names: set[str] = set()
    rest = template
    for start, end, field, _, cases in reversed(_blocks(template)):
        names.add(field)
        for text in cases.values():
            names |= template_fields(text)
        rest = rest[:start] + rest[end:]
    names |= {name for _, name, _, _ in string.Formatter().parse(rest) if name}
    return frozenset(names)


def plural_cases(template: str) -> list[tuple[str, dict[str, str]]]:
    """(field, cases) of every plural block (for tests: each has ``one`` and ``other``)."""
    return [(field, cases) for _, _, field, _, cases in _blocks(template)]


@cache
def _symbols(lang: str) -> tuple[str, str]:
    """Group separator and minus sign of the language, as Babel writes them."""
    sample = format_decimal(-1000, locale=lang)
    return sample[2:-3], sample[0]


def number(value: float, lang: str) -> str:
    """A number in the language's format (1 234,5 in Finnish and Swedish)."""
    if isinstance(value, float) and not value.is_integer():
        return _decimal(round(value, 1), lang)
    n = int(value)
    group, minus = _symbols(lang)
    text = f"{abs(n):,}".replace(",", group)
    return minus + text if n < 0 else text


@cache
def _decimal(value: float, lang: str) -> str:
    return format_decimal(value, format="#,##0.#", locale=lang)


def percent(share: float, lang: str) -> str:
    """A share 0–1 as a percentage in the language's format (68,6 %)."""
    return format_percent(share, format="#,##0.# %", locale=lang)


def date_text(value: dt.date, lang: str) -> str:
    """A date the way the language writes it (2.3.2026 in Finnish and Swedish)."""
    return format_date(value, "d.M.yyyy" if lang in ("fi", "sv") else "d MMMM yyyy", locale=lang)


@cache
def _plural_form(value: float, lang: str) -> str:
    form: str = Locale.parse(lang).plural_form(abs(value))
    return form


def _expand(template: str, values: Mapping[str, object], lang: str) -> str:
    blocks = _blocks(template)
    for start, end, field, _, cases in reversed(blocks):
        n = values.get(field)
        n = n if isinstance(n, (int, float)) and not isinstance(n, bool) else 0
        exact = f"={int(n)}" if float(n).is_integer() else ""
        form = _plural_form(n, lang)
        text = cases[exact] if exact in cases else cases.get(form, cases["other"])
        text = _expand(text, values, lang).replace("#", number(n, lang))
        template = template[:start] + text + template[end:]
    return template


def _label(lang: str, register: str, field: str, value: object) -> str:
    label = catalogue(lang).get(f"{field}.{value}")
    return label[register] if label is not None else str(value)


def _people(
    lang: str, register: str, key: str, value: Param, total: Param, people: People | None
) -> str:
    """Other clients: by the resolver's names, or (no resolver) counted, never by id."""
    ids = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if key in PEOPLE_FIELDS:
        found = people(ids[0]) if people is not None else None
        return found or catalogue(lang)["people.another"][register]
    count = total if isinstance(total, int) and total >= len(ids) else len(ids)
    if not ids:
        return catalogue(lang)["word.none"][register]
    if people is None:
        return _expand(catalogue(lang)["people.others"][register], {"count": count}, lang)
    unknown = catalogue(lang)["people.unknown"][register]
    shown = [people(v) or unknown for v in ids[:HOLDERS_SHOWN]]
    if count > len(shown):
        more = catalogue(lang)["word.and_more"][register]
        return ", ".join(shown) + " " + _expand(more, {"count": count - len(shown)}, lang)
    return format_list(shown, locale=lang)


def _value(lang: str, register: str, key: str, value: Param, names: Mapping[str, str]) -> object:
    if isinstance(value, list):
        if key in LABELLED_LISTS:
            items = [_label(lang, register, LABELLED_LISTS[key], v) for v in value]
            if not items:
                return catalogue(lang)["word.none"][register]
            return format_list(items, locale=lang)
        shown = [str(v) for v in value[:HOLDERS_SHOWN]]
        if len(value) > HOLDERS_SHOWN:
            more = catalogue(lang)["word.and_more"][register]
            shown.append(_expand(more, {"count": len(value) - HOLDERS_SHOWN}, lang))
            return ", ".join(shown)
        return format_list(shown, locale=lang) if shown else catalogue(lang)["word.none"][register]
    if value is None:
        return "–"
    if isinstance(value, bool):
        return catalogue(lang)["word.yes" if value else "word.no"][register]
    if key in LABELLED:
        return _label(lang, register, key, value)
    if key in PLACEMENT_FIELDS and isinstance(value, str):
        name = names.get(value)
        if name is None:
            return value
        return name if register == "client" else f"{name} ({value})"
    if (key in PERCENT or key.endswith(("_rate", "_share"))) and isinstance(value, (int, float)):
        return percent(value, lang)
    if key in DATES and isinstance(value, str):
        try:
            return date_text(dt.date.fromisoformat(value), lang)
        except ValueError:
            return value
    if key in EUROS and isinstance(value, (int, float)):
        return format_decimal(value, format="#,##0.00", locale=lang)
    if isinstance(value, (int, float)):
        return number(value, lang)
    return value


def fill(
    template: str,
    lang: str,
    register: str,
    params: Mapping[str, Param],
    names: Mapping[str, str] | None = None,
    people: People | None = None,
) -> str:
    """A template filled with ``params`` in ``lang`` and ``register``; ``names`` maps
    placement ids to names, ``people`` other clients' ids (see the module's text)."""
    names = names or {}
    text = _expand(template, params, lang)
    used = template_fields(template)
    values = {
        k: (
            _people(lang, register, k, v, params.get(f"{k}_total"), people)
            if k in PEOPLE_LISTS + PEOPLE_FIELDS and v is not None
            else _value(lang, register, k, v, names)
        )
        for k, v in params.items()
        if k in used
    }
    return text.format_map(values).strip().removesuffix(";")


def render_text(
    msg: Message, lang: str, names: Mapping[str, str] | None = None, people: People | None = None
) -> Text:
    """Both registers of a message in ``lang``; raises KeyError for an unknown code.

    ``names`` maps placement ids to the names people know them by; ``people`` names other
    clients (without it they are counted).
    """
    entry = catalogue(lang)[msg.code]
    out = {r: fill(entry[r], lang, r, msg.params, names, people) for r in REGISTERS}
    return Text(client=out["client"], coordinator=out["coordinator"])


def render(
    msg: Message, lang: str, names: Mapping[str, str] | None = None, people: People | None = None
) -> Message:
    """The message with its text in ``lang``."""
    return msg.model_copy(update={"text": render_text(msg, lang, names, people)})
