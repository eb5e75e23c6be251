"""Message catalogues: every explanation text comes from ``matching/i18n/<lang>.json``.

A catalogue maps a stable code to a template in two registers, ``client`` (plain language)
and ``coordinator`` (precise). Templates use named fields (``{placement}``); a field named
``rule``, ``criterion``, ``attribute``, ``weekday`` or ``resource`` is replaced by its label
(``rule.commuting_area``…), and lists are joined with commas. The engine builds ``Message``
objects (code + params) only; :func:`render` turns them into text.
"""

from __future__ import annotations

import json
import string
from functools import cache
from importlib import resources

from matching.explain.documents import Message, Param, Text

LANGUAGES = ("fi", "en", "sv")
REGISTERS = ("client", "coordinator")
LABELLED = ("rule", "criterion", "attribute", "weekday", "resource")
"""Params whose value is itself a code with a label in the catalogue (``<field>.<value>``)."""

HOLDERS_SHOWN = 5
"""Holder ids listed in a sentence before "and N more"."""


@cache
def catalogue(lang: str) -> dict[str, dict[str, str]]:
    """The catalogue of a language (``fi``, ``en``, ``sv``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    text = (resources.files("matching") / "i18n" / f"{lang}.json").read_text(encoding="utf-8")
    data: dict[str, dict[str, str]] = json.loads(text)
    return data


def message(code: str, **params: Param) -> Message:
    """A message without text (rendered later, in the requested language)."""
    return Message(code=code, params=params)


def template_fields(template: str) -> set[str]:
    """Named fields a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _value(lang: str, register: str, key: str, value: Param) -> object:
    if isinstance(value, list):
        shown = [str(v) for v in value[:HOLDERS_SHOWN]]
        if len(value) > HOLDERS_SHOWN:
            more = catalogue(lang)["word.and_more"][register]
            shown.append(more.format(count=len(value) - HOLDERS_SHOWN))
        return ", ".join(shown)
    if value is None:
        return "–"
    if key in LABELLED:
        label = catalogue(lang).get(f"{key}.{value}")
        if label is not None:
            return label[register]
    return value


def _needs_work(key: str, value: Param) -> bool:
    return value is None or isinstance(value, list) or key in LABELLED


def render_text(msg: Message, lang: str) -> Text:
    """Both registers of a message in ``lang``; raises KeyError for an unknown code."""
    entry = catalogue(lang)[msg.code]
    out = {}
    special = [k for k, v in msg.params.items() if _needs_work(k, v)]
    for register in REGISTERS:
        values: dict[str, object] = dict(msg.params)
        for k in special:
            values[k] = _value(lang, register, k, msg.params[k])
        out[register] = entry[register].format_map(values)
    return Text(client=out["client"], coordinator=out["coordinator"])


def render(msg: Message, lang: str) -> Message:
    """The message with its text in ``lang``."""
    return msg.model_copy(update={"text": render_text(msg, lang)})
