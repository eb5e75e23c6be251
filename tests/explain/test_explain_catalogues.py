"""Catalogues: same keys and registers in every language, every used code has a template."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from matching import allocate
from matching.explain import explain_run, rank_clients
from matching.explain.documents import Message
from matching.explain.messages import LANGUAGES, REGISTERS, catalogue, template_fields
from tests.factories import client, make_problem, placement

SOURCE = Path(__file__).resolve().parents[2] / "matching" / "explain"


def test_every_language_has_the_same_codes_and_fields() -> None:
    english = catalogue("en")
    for lang in LANGUAGES:
        other = catalogue(lang)
        assert set(other) == set(english), lang
        for code, entry in other.items():
            assert set(entry) == set(REGISTERS), (lang, code)
            for register in REGISTERS:
                assert template_fields(entry[register]) <= template_fields(
                    english[code]["client"]
                ) | template_fields(english[code]["coordinator"]), (lang, code)


def test_every_code_in_the_source_has_a_template() -> None:
    codes = set()
    for path in SOURCE.glob("*.py"):
        codes |= set(re.findall(r'message\(\s*"([a-z_.0-9]+)"', path.read_text()))
    assert codes
    for lang in LANGUAGES:
        assert codes <= set(catalogue(lang)), codes - set(catalogue(lang))


def _messages(value: object) -> list[Message]:
    if isinstance(value, Message):
        return [value]
    if isinstance(value, list):
        return [m for v in value for m in _messages(v)]
    if isinstance(value, BaseModel):
        return [m for name in type(value).model_fields for m in _messages(getattr(value, name))]
    return []


def test_every_emitted_message_renders_in_every_language() -> None:
    problem = make_problem(
        [client("C1", preferences=[{"placement": "P1"}]), client("C2"), client("C3")],
        [placement("P1", seats=1), placement("P2", seats=1, support_units=1)],
    )
    result = allocate(problem)
    for lang in LANGUAGES:
        run = explain_run(problem, result, lang=lang)
        found = _messages(run)
        assert found and all(m.text is not None and m.text.client for m in found)
        ranking = rank_clients(problem, "P1", result)
        assert ranking.eligible == 3


def test_every_rule_and_criterion_of_the_registry_has_a_label() -> None:
    from matching.rules import CAPACITY_RULES, CRITERIA, PAIR_RULES, REGISTRY

    names = [f"rule.{n}" for n, _ in PAIR_RULES] + [f"rule.{f.__name__}" for f in CAPACITY_RULES]
    names += [f"rule.{r.name}" for r in REGISTRY if r.kind in ("conflict", "pin")]
    names += [f"criterion.{c.value}" for c, _ in CRITERIA]
    for lang in LANGUAGES:
        assert set(names) <= set(catalogue(lang)), set(names) - set(catalogue(lang))
