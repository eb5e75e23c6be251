"""Texts for people about what went wrong or was left out, from the catalogues.

Four kinds of notice reach people outside the explanations: a field of an input file or a
request that is refused (a pydantic error: ``type``, ``loc``, ``input``, ``ctx``), a finding of
the independent checker (``matching.check.Violation``: a rule code and its numbers), a stored
record a run set aside (``models.SetAside``: a code and its params, stored with the run), and
the notes of a scenario (a code and its params). The engines keep the codes and numbers;
this module only words them, in ``fi``, ``sv`` or ``en``, naming fields in words people use
(``field.<name>`` in the catalogue) and records by their kind and id, never by an index.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from matching.check import Violation
from matching.decision import Breach
from matching.explain.documents import Param
from matching.explain.messages import (
    LANGUAGES,
    People,
    catalogue,
    fill,
    template_fields,
    word,
)
from models import SetAside

DEFAULT_LANGUAGE = "fi"

COLLECTIONS = {
    "clients": "client",
    "placements": "placement",
    "municipalities": "municipality",
    "organisations": "organisation",
    "commuting_areas": "commuting_area",
    "coaches": "coach",
    "ongoing": "period",
}
"""List fields of a county file and the kind of record each holds."""

ID_FIELDS = ("id", "code", "client")
"""Where a record keeps its id (municipalities: ``code``; ongoing periods: ``client``)."""

SKIPPED = frozenset({"body", "query", "path", "header", "cookie", "function-after", "json"})
"""Location parts that name the request's part or a validator, not a field."""

ALIASES = {
    "int_type": "int_parsing",
    "int_from_float": "int_parsing",
    "float_type": "float_parsing",
    "bool_type": "bool_parsing",
    "literal_error": "enum",
    "set_type": "list_type",
    "frozen_set_type": "list_type",
    "tuple_type": "list_type",
    "model_type": "dict_type",
    "model_attributes_type": "dict_type",
    "date_type": "date_parsing",
    "date_from_datetime_parsing": "date_parsing",
    "date_from_datetime_inexact": "date_parsing",
    "datetime_parsing": "date_parsing",
    "datetime_type": "date_parsing",
    "datetime_from_date_parsing": "date_parsing",
    "greater_than": "greater_than_equal",
    "less_than": "less_than_equal",
    "string_too_short": "missing",
    "value_error": "invalid_value",
    "assertion_error": "invalid_value",
}
"""pydantic error types worded alike."""

LIMITS = ("ge", "gt", "le", "lt", "max_length", "min_length", "limit")


def default_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of the user's environment: ``PAIKKA_LANG``, then the locale variables
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, ``LANGUAGE``); Finnish when none names fi/sv/en."""
    env = os.environ if environ is None else environ
    for name in ("PAIKKA_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name, "").strip().lower()
        if value[:2] in LANGUAGES and (len(value) == 2 or not value[2].isalpha()):
            return value[:2]
    return DEFAULT_LANGUAGE


def accepted_language(header: str | None) -> str:
    """The best of fi/sv/en in an ``Accept-Language`` header (Finnish if none is wanted)."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for order, part in enumerate((header or "").split(",")):
        tag, _, rest = part.strip().partition(";")
        lang = tag.strip().lower()[:2]
        q = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", rest)
        if match:
            try:
                q = float(match.group(1))
            except ValueError:
                q = 0.0
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q - order * 1e-6
    return best


def _has(lang: str, code: str) -> bool:
    return code in catalogue(lang)


def _scalar(value: Any) -> Param:
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value]
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


QUOTES = {"fi": "”{}”", "sv": "”{}”", "en": "“{}”"}


def _quoted(value: Param, lang: str) -> Param:
    """A text value in the language's quotation marks; a number given as text becomes a
    number (written the language's way, and plural forms agree with it)."""
    if not isinstance(value, str) or value == "":
        return value
    try:
        number = float(value)
    except ValueError:
        return QUOTES[lang].format(value)
    return int(number) if number.is_integer() and "." not in value else number


def field_words(loc: Sequence[Any], lang: str) -> str:
    """The field of a location in words (``asiakas C00018, päiviä viikossa`` comes from the
    record and this); parts without a word are left out, never shown as code."""
    words = []
    for part in loc:
        if isinstance(part, int) or part in SKIPPED or str(part) in COLLECTIONS:
            continue
        key = f"field.{part}"
        if _has(lang, key):
            words.append(word(lang, key))
    return ", ".join(dict.fromkeys(words))


IdOf = Callable[[str, int], str | None]


def record_words(loc: Sequence[Any], lang: str, id_of: IdOf | None = None) -> str:
    """The record a location points into: ``asiakas C00018`` (or ``tiedoston 18. asiakas``
    when the id is unknown); empty for a location outside the county's lists."""
    parts = [p for p in loc if p not in SKIPPED]
    if len(parts) < 2 or str(parts[0]) not in COLLECTIONS or not isinstance(parts[1], int):
        return ""
    kind = COLLECTIONS[str(parts[0])]
    ident = id_of(str(parts[0]), parts[1]) if id_of else None
    if ident:
        return word(lang, f"record.{kind}", id=ident)
    return word(lang, f"record_at.{kind}", position=parts[1] + 1)


def problem_words(error: Mapping[str, Any], lang: str) -> str:
    """What is wrong with the value, without where: ``5 on yli lain salliman enimmäismäärän
    4``. Unknown error types get a general sentence with the value, never pydantic's English."""
    kind = str(error.get("type", ""))
    kind = ALIASES.get(kind, kind)
    ctx = dict(error.get("ctx") or {})
    params: dict[str, Param] = {k: _scalar(v) for k, v in ctx.items() if k not in LIMITS}
    for key in LIMITS:
        if key in ctx:
            params["limit"] = _scalar(ctx[key])
    value = error.get("input")
    if not isinstance(value, (dict, list, tuple, set, frozenset)):
        params.setdefault("value", _quoted(_scalar(value), lang))
    if kind == "json_invalid":
        found = re.search(r"line (\d+) column (\d+)", str(ctx.get("error", "")))
        params = {"line": int(found.group(1)) if found else 0}
        params["column"] = int(found.group(2)) if found else 0
    if kind == "extra_forbidden":
        loc = error.get("loc") or ()
        params["name"] = str(loc[-1]) if loc else ""
    code = f"error.{kind}"
    if not _has(lang, code):
        code = "error.invalid_value" if params.get("value") not in (None, "") else "error.invalid"
    used = {k: v for k, v in params.items() if v is not None}
    return _say(lang, code, used)


def error_text(
    error: Mapping[str, Any], lang: str, id_of: IdOf | None = None, file: str | None = None
) -> str:
    """One refused value in plain words: the file, the record, the field and what is wrong."""
    loc = list(error.get("loc") or ())
    parts = [file] if file else []
    where = ", ".join(p for p in (record_words(loc, lang, id_of), field_words(loc, lang)) if p)
    if where and error.get("type") != "json_invalid":
        parts.append(where)
    parts.append(problem_words(error, lang))
    return ": ".join(parts)


def ids_in(data: Any) -> IdOf:
    """Look up the id of ``data[collection][index]`` in a county or result file's JSON."""

    def id_of(collection: str, index: int) -> str | None:
        rows = data.get(collection) if isinstance(data, dict) else None
        if not isinstance(rows, list) or not 0 <= index < len(rows):
            return None
        row = rows[index]
        if not isinstance(row, dict):
            return None
        for key in ID_FIELDS:
            if isinstance(row.get(key), (str, int)):
                return str(row[key])
        return None

    return id_of


def file_error(reason: str, path: str, lang: str) -> str:
    """A file that cannot be read: ``missing``, ``denied`` or ``unreadable``."""
    return f"{path}: " + word(lang, f"error.file_{reason}")


def check_text(v: Violation, lang: str, names: Mapping[str, str] | None = None) -> str:
    """One finding of the independent checker in the coordinator's words."""
    params: dict[str, Param] = {k: _scalar(val) for k, val in v.params.items()}
    params["client"] = v.client or "–"
    params["placement"] = v.placement or "–"
    code = f"check.{v.rule}"
    if v.code and _has(lang, f"{code}.{v.code}"):
        code = f"{code}.{v.code}"
    elif v.rule == "no_replacement_attestation" and "since" in params:
        code = f"{code}.old"
    if not _has(lang, code):
        code = "check.pair"
        params["rule"] = v.rule
    entry = catalogue(lang)[code]["coordinator"]
    from_names = names or {}
    return _fill(entry, lang, params, from_names)


def _say(lang: str, code: str, params: Mapping[str, Param]) -> str:
    return _fill(catalogue(lang)[code]["coordinator"], lang, params, {})


def _fill(
    template: str,
    lang: str,
    params: Mapping[str, Param],
    names: Mapping[str, str],
    people: People | None = None,
) -> str:
    """A coordinator's text; a field the params lack reads as a neutral word (the value) or a
    dash, never as a failure: an API body does not echo every refused value."""
    values = dict(params)
    for name in template_fields(template) - set(values):
        values[name] = word(lang, "word.the_value") if name == "value" else "–"
    return fill(template, lang, "coordinator", values, names, people)


def check_summary(violations: int, assignments: int, lang: str) -> str:
    """The checker's last line: how many rules were broken in how many placements."""
    return word(lang, "check.summary", violations=violations, assignments=assignments)


NOTE_ACTIONS = ("set_aside", "released", "review")


def breach_text(
    breach: Breach | Mapping[str, Any],
    lang: str,
    names: Mapping[str, str] | None = None,
    people: People | None = None,
) -> str:
    """A rule or capacity a decision would break (``matching.decision.Breach``, or its
    ``code`` and ``params`` as stored) in the coordinator's words: the placement by its name
    where ``names`` has it, other clients by the ``people`` resolver's names, or counted
    ("2 muuta asiakasta") without one; never by an id."""
    if isinstance(breach, Breach):
        code, raw = breach.code, dict(breach.params)
    else:
        code, raw = str(breach.get("code") or ""), dict(breach.get("params") or {})
    params: dict[str, Param] = {k: _scalar(v) for k, v in raw.items()}
    if not _has(lang, code):  # a breach without its own text: the rule's label
        code = "breach.pair"
        params.setdefault("rule", breach.rule if isinstance(breach, Breach) else "–")
    text = _fill(catalogue(lang)[code]["coordinator"], lang, params, names or {}, people)
    for pid, name in (names or {}).items():
        text = text.replace(f"{name} ({pid})", name)
    return text


def note_text(
    note: SetAside | Mapping[str, Any],
    lang: str,
    names: Mapping[str, str] | None = None,
    people: People | None = None,
) -> str:
    """A record a run set aside, released or flagged, in the coordinator's words (other
    clients by the ``people`` resolver's names, or counted)."""
    data = note.model_dump(mode="json") if isinstance(note, SetAside) else dict(note)
    code = data.get("code")
    params: dict[str, Param] = {k: _scalar(v) for k, v in (data.get("params") or {}).items()}
    kind, ident = str(data.get("kind", "")), str(data.get("id", ""))
    record = word(lang, f"record.{kind}", id=ident) if _has(lang, f"record.{kind}") else ident
    action = str(data.get("action", "set_aside"))
    after = word(lang, f"note.action.{action}") if action in NOTE_ACTIONS else ""
    if isinstance(code, str) and code.startswith("error."):
        field = data.get("field") or ""
        loc = field.split(".") if field else []
        error = {
            "type": code.removeprefix("error."),
            "loc": loc,
            "input": data.get("value"),
            "ctx": params,
        }
        where = ", ".join(p for p in (record, field_words(loc, lang)) if p)
        return _sentences(f"{where}: {problem_words(error, lang)}", after)
    if isinstance(code, str) and _has(lang, code):
        params.setdefault("client", ident)
        holders = params.get("holders")
        if isinstance(holders, list):  # the others sharing what ran short
            others = [h for h in holders if h != ident]
            params["holders"] = others
            params["count"] = len(others)
        text = _fill(catalogue(lang)[code]["coordinator"], lang, params, names or {}, people)
        return _sentences(f"{record}: {text}", after)
    return str(data.get("message", ""))


def _sentences(first: str, then: str) -> str:
    """The note's reason as a sentence (capital first letter, a full stop), then what
    follows from it; without a sequel, the reason as a clause (it goes into a longer text)."""
    if not then:
        return first
    return f"{first[:1].upper()}{first[1:]}. {then}"


CAPACITIES = frozenset({"seats", "support_units", "coach_caseload", "avoided_clients"})


def located_text(error: Mapping[str, Any], lang: str) -> str:
    """One located error of a refused write in plain words: a scenario change that cannot be
    applied (``code`` ``scenario.error.*``, ``params``, pydantic's ``refused`` entry), a
    record the write would make the next run set aside (``record`` and ``code``), a rule or
    capacity a decision would break (``rule`` with the ``clients`` involved), or a refused
    value (a pydantic entry)."""
    code = error.get("code")
    if isinstance(code, str) and code.startswith("scenario.error."):
        refused = error.get("refused")
        return scenario_error_text(
            code,
            dict(error.get("params") or {}),
            lang,
            refused if isinstance(refused, Mapping) else None,
        )
    if isinstance(code, str) and code.startswith("breach.") and _has(lang, code):
        return breach_text(error, lang)
    record = error.get("record")
    if isinstance(record, Mapping) and error.get("code"):
        return note_text({**record, **error, "action": "none"}, lang)
    rule = error.get("rule")
    if isinstance(rule, str) and "clients" in error and _has(lang, f"rule.{rule}"):
        placements = list(error.get("placements") or [])
        params: dict[str, Param] = {
            "placement": str(placements[0] if placements else error.get("value") or "–"),
            "rule": rule,
            "holders": [str(c) for c in error.get("clients") or []],
        }
        key = "api.breach.capacity" if rule in CAPACITIES else "api.breach.rule"
        return _say(lang, key, params)
    return error_text(error, lang)


def scenario_note(code: str, params: Mapping[str, Any], lang: str) -> str:
    """One note of a scenario (what its changes did) in the planner's words."""
    return _say(lang, code, {k: _scalar(v) for k, v in params.items()})


def scenario_error_text(
    code: str, params: Mapping[str, Any], lang: str, error: Mapping[str, Any] | None = None
) -> str:
    """A scenario change that cannot be applied, in the planner's words: the change by its
    number (``Muutos 2``) within its scenario when named, the value as the planner wrote it,
    a refused setting's field in words; ``error`` is pydantic's entry for a refused value
    (worded, never its English)."""
    if not _has(lang, code):
        code = "scenario.error.invalid"
    values: dict[str, Param] = {k: _scalar(v) for k, v in params.items()}
    for key in ("value", "name"):
        if isinstance(values.get(key), str):
            shown = values[key]
            category = f"category.{shown}"
            if code.endswith("task_category") and _has(lang, category):
                shown = word(lang, category)
            values[key] = QUOTES[lang].format(shown)
    if error is not None:
        loc = list(error.get("loc") or ())
        if code == "scenario.error.result_invalid":
            ident = str(params.get("record") or "") or None
            values["problem"] = error_text(error, lang, lambda _c, _i: ident)
            values["more"] = max(0, int(params.get("count") or 1) - 1)
        else:
            where = field_words(loc, lang)
            said = problem_words(error, lang)
            values["problem"] = f"{where}: {said}" if where else said
    text = _say(lang, code, values)
    name = params.get("scenario")
    if isinstance(name, str) and name:
        scenario = QUOTES[lang].format(name)
        return _say(lang, "scenario.error.in_scenario", {"scenario": scenario, "text": text})
    return text


def scenario_file_text(
    path: str, lang: str, error: Mapping[str, Any] | None, names: Sequence[str | None], line: int
) -> str:
    """A changes file that cannot be read (``error`` None: at ``line``, 0 if unknown) or one
    bad value of it, naming the scenario (by name, else its place) and the change by number."""
    if error is None:
        return word(lang, "scenario.error.unreadable", file=path, line=line)
    loc = list(error.get("loc") or ())
    if loc[:1] == ["scenarios"]:
        loc = loc[1:]
    scenario: int | None = loc[0] if loc and isinstance(loc[0], int) else None
    rest = loc[1:] if scenario is not None else loc
    change = (
        rest[1] + 1 if len(rest) > 1 and rest[0] == "changes" and isinstance(rest[1], int) else 0
    )
    text = error_text({**error, "loc": rest}, lang)
    if scenario is not None:
        name = names[scenario] if scenario < len(names) else None
        shown = QUOTES[lang].format(name) if name else str(scenario + 1)
        key = "scenario.error.in_change" if change else "scenario.error.in_scenario"
        text = _say(lang, key, {"scenario": shown, "change": change, "text": text})
    return f"{path}: {text}"
