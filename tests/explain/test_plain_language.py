"""Texts for people: no codes or internals, plural forms that agree, the two registers.

Checked for every catalogue entry (rendered with numbers 0, 1, 2 and 5) and for the whole
explanation of the bundled sample county in Finnish, Swedish and English.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from pydantic import BaseModel

from matching import allocate
from matching.cli import sample_path
from matching.explain import explain_run, localise, rank_clients
from matching.explain.documents import Message, RunExplanation
from matching.explain.messages import (
    LANGUAGES,
    REGISTERS,
    catalogue,
    fill,
    plural_cases,
    render_text,
    template_fields,
)
from matching.explain.text import report_text, run_text
from matching.rules import CAPACITY_RULES, CRITERIA, PAIR_RULES, REGISTRY
from models import AllocationProblem
from tests.factories import client, make_problem, placement

CODES = (
    {n for n, _ in PAIR_RULES}
    | {f.__name__ for f in CAPACITY_RULES}
    | {r.name for r in REGISTRY}
    | {c.value for c, _ in CRITERIA}
)
IDENTIFIER = re.compile(
    r"\b[A-Za-z]+_[A-Za-z0-9_]+\b"  # snake_case
    r"|\b(?:True|False|None|nan)\b"  # Python literals
    r"|\[\s*\d+(?:\s*,\s*\d+)*\s*\]"  # brackets of internal indices
    r"|[{}]"  # a field left unfilled
    r"|Δ|\bresult_bound\b|\bbins?\b|\bitems?\b|\barcs?\b"  # solver words
)

WRONG_PLURAL = {
    "fi": [
        r"(?<![\d/,.])1 (?:paikkaa|asiakasta|päivää|minuuttia|pistettä|kuukautta|muuta)\b",
        r"(?<![\d/,.])(?:[02-9]|\d\d+) (?:paikka|asiakas|päivä|minuutti|piste|kuukausi)\b",
    ],
    "sv": [
        r"(?<![\d/,.])1 (?:platser|klienter|dagar|minuter|månader|alternativ beräknade)\b",
        r"(?<![\d/,.])(?:[02-9]|\d\d+) (?:plats|klient|dag|minut|månad)\b",
    ],
    "en": [
        r"(?<![\d/,.])1 (?:places|placements|clients|days|minutes|points|months|estimates)\b",
        r"(?<![\d/,.])(?:[02-9]|\d\d+) "
        r"(?:place|placement|client|day|minute|point|month|estimate)\b",
    ],
}


def identifiers(text: str) -> list[str]:
    found = [m.group(0) for m in IDENTIFIER.finditer(text)]
    words = set(re.findall(r"[A-Za-z_]+", text))
    return found + sorted(c for c in CODES if "_" in c and c in words)


def wrong_plurals(text: str, lang: str) -> list[str]:
    return [m.group(0) for p in WRONG_PLURAL[lang] for m in re.finditer(p, text)]


def _params(template_keys: set[str], n: int) -> dict[str, object]:
    out: dict[str, object] = {}
    for key in template_keys:
        if key in ("rule", "criterion", "attribute", "weekday"):
            out[key] = {
                "rule": "commuting_area",
                "criterion": "travel",
                "attribute": "age",
                "weekday": "mon",
            }[key]
        elif key in ("holders", "rules", "criteria", "weekdays"):
            out[key] = {
                "holders": ["C1", "C2"],
                "rules": ["youth_workshop_age"],
                "criteria": ["support_fit"],
                "weekdays": ["mon", "thu"],
            }[key]
        elif key in (
            "placement",
            "before",
            "after",
            "current",
            "target_placement",
            "client",
            "holder",
            "coach",
            "owner",
            "target",
            "method",
        ):
            out[key] = "P1"
        elif key == "since":
            out[key] = "2026-03-02"
        elif key in ("rate", "top3", "share"):
            out[key] = 0.5
        else:
            out[key] = n
    return out


def _entries() -> list[tuple[str, str, str, str]]:
    return [
        (lang, code, register, entry[register])
        for lang in LANGUAGES
        for code, entry in catalogue(lang).items()
        for register in REGISTERS
    ]


def test_catalogues_have_the_same_keys_fields_and_plural_blocks() -> None:
    english = catalogue("en")
    for lang in LANGUAGES:
        assert set(catalogue(lang)) == set(english), lang
        for code, entry in catalogue(lang).items():
            for register in REGISTERS:
                theirs = template_fields(entry[register])
                ours = template_fields(english[code][register])
                assert theirs == ours, (lang, code, register, theirs ^ ours)
                for field, cases in plural_cases(entry[register]):
                    assert {"one", "other"} <= set(cases), (lang, code, field)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 21])
def test_every_catalogue_entry_reads_without_codes_and_with_agreeing_plurals(n: int) -> None:
    bad = []
    for lang, code, register, template in _entries():
        text = fill(template, lang, register, _params(template_fields(template), n))  # type: ignore[arg-type]
        if identifiers(text) or wrong_plurals(text, lang):
            bad.append((lang, code, register, text, identifiers(text), wrong_plurals(text, lang)))
    assert not bad, bad[:5]


def test_the_checks_catch_what_they_are_for() -> None:
    """The detectors themselves: the ten texts of issue #13 would fail them."""
    assert identifiers("paikka suljettu (placement_open): 2 paikkaa")
    assert identifiers("ehdottomat säännöt [youth_workshop_age], pistekriteerit [], etusija False.")
    assert identifiers("required items [13, 78, 190, 192] need more seats than their bins have")
    assert identifiers("Todistettu väli (result_bound): Δsijoitusarvo välillä [-1, 0]")
    assert wrong_plurals("(1 paikkaa, kaikki varattu)", "fi")
    assert wrong_plurals("(1 platser, alla tagna)", "sv")
    assert wrong_plurals("only 1 places", "en")
    assert not wrong_plurals("paikkoja käytössä 1/1", "fi")
    assert not identifiers("Kaikki paikat on varattu käynnissä oleville jaksoille.")


def _texts(value: object, register: str) -> list[str]:
    if isinstance(value, Message):
        assert value.text is not None, value.code
        return [getattr(value.text, register)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v, register)]
    if isinstance(value, BaseModel):
        return [
            t for name in type(value).model_fields for t in _texts(getattr(value, name), register)
        ]
    return []


@cache
def _sample() -> tuple[AllocationProblem, RunExplanation]:
    with open(sample_path(), encoding="utf-8") as f:
        problem = AllocationProblem.model_validate_json(f.read())
    result = allocate(problem)
    return problem, explain_run(problem, result, lang="fi", budget_s=3.0)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sample_county_explained_has_no_codes_and_agreeing_plurals(lang: str) -> None:
    problem, run = _sample()
    run = localise(run, lang, problem)
    for register in REGISTERS:
        texts = _texts(run, register)
        texts += run_text(run, register).splitlines()
        texts += report_text(run.report, register, lang).splitlines()
        assert len(texts) > 500
        bad = [(t, identifiers(t), wrong_plurals(t, lang)) for t in texts]
        bad = [b for b in bad if b[1] or b[2]]
        assert not bad, bad[:5]
        if register == "client":
            points = {"fi": r"\d+ piste", "sv": r"\d+ poäng", "en": r"\d+ points?\b"}[lang]
            client_lines = run_text(run, "client")
            assert not re.search(points, client_lines)
            assert "/1000" not in client_lines


def test_client_register_names_the_place_the_days_and_what_happens_next() -> None:
    problem, run = _sample()
    item = next(c for c in run.clients if c.status == "assigned")
    [head] = [m for m in item.messages if m.code == "client.assigned"]
    assert head.text is not None
    p = next(p for p in problem.placements if p.id == item.placement)
    assert p.department in head.text.client
    assert item.placement not in head.text.client  # the name, not the id
    assert "aloituspalaveri" in head.text.client
    assert re.search(r"(maanantai|tiistai|keskiviikko|torstai|perjantai)sin", head.text.client)
    assert str(item.score) not in head.text.client
    assert f"{item.score}/1000" in head.text.coordinator  # staff see the fit


def test_a_place_held_by_ongoing_periods_is_given_as_the_reason() -> None:
    """Example 10 of issue #13: not "impossible (proven)" but the ongoing periods."""
    problem = make_problem(
        [client("NEW", preferences=[{"placement": "P1"}]), client("OLD")],
        [placement("P1", seats=1), placement("P2", seats=1)],
        ongoing=[{"client": "OLD", "placement": "P1", "start_date": "2026-01-05"}],
    )
    result = allocate(problem)
    run = explain_run(problem, result, lang="fi", clients=["NEW"])
    [item] = run.clients
    alt = next(a for a in item.alternatives if a.placement == "P1")
    codes = [m.code for m in alt.reasons]
    assert "blocked.seats_ongoing" in codes
    assert "alternative.change_infeasible" not in codes
    texts = " ".join(m.text.coordinator for m in alt.reasons if m.text)
    # The other client is counted, never shown by id (the engine has no names) ...
    assert "käynnissä oleville jaksoille" in texts and "jakso käynnissä: 1 muu asiakas" in texts
    assert "OLD" not in texts
    # ... and named where the caller resolves names (the service: name, birth year, town).
    blocked = next(m for m in alt.reasons if m.code == "blocked.seats_ongoing")
    named = render_text(blocked, "sv", people={"OLD": "Noora Heikkilä (1985, Oulu)"}.get)
    assert named.coordinator.endswith("pågående period: Noora Heikkilä (1985, Oulu).")


def test_a_client_in_a_placement_is_not_told_about_waiting() -> None:
    problem = make_problem(
        [client("OLD", waiting_since="2024-01-01")],
        [placement("P1", seats=1)],
        ongoing=[{"client": "OLD", "placement": "P1", "start_date": "2026-01-05"}],
    )
    run = explain_run(problem, allocate(problem), lang="fi")
    [item] = run.clients
    assert item.status == "kept_ongoing"
    parts = [m for m in item.messages if m.code == "client.part"]
    assert all(m.params["criterion"] != "waiting" for m in parts)
    assert "odot" not in run_text(run, "client").lower()


def test_a_placement_opening_later_is_not_called_too_short() -> None:
    problem = make_problem(
        [client("A")],
        [placement("P1", available_from="2099-01-01"), placement("P2", closed=True)],
    )
    [item] = explain_run(problem, allocate(problem), lang="fi", changes=False).clients
    period = next(r for r in item.excluded if r.rule == "placement_period")
    assert period.message.params["not_yet"] == 1 and period.message.params["too_short"] == 0
    assert period.message.text is not None
    assert "avautuu vasta myöhemmin" in period.message.text.client
    assert "vähimmäis" not in period.message.text.client


def test_a_placement_ranking_counts_clients_not_places() -> None:
    """Example 8 of issue #13: the count of one placement's ranking is of clients."""
    problem = make_problem(
        [client("A", work_constraints=["noise"]), client("B", work_constraints=["noise"])],
        [placement("P1", demands=["noise"])],
    )
    ranking = localise(rank_clients(problem, "P1", None), "fi", problem)
    [demands] = [r for r in ranking.excluded if r.rule == "work_demands"]
    assert demands.message.text is not None
    assert demands.message.text.coordinator.endswith("2 asiakasta")
    assert "paikka" not in demands.message.text.coordinator.split(":")[-1]


def test_the_demo_table_aligns_long_area_names_in_the_report_language() -> None:
    from matching.cli import summary

    long_name = "Kuusamon ja Taivalkosken työssäkäyntialue (Koillismaa, pitkä nimi)"
    problem = make_problem(
        [client("C1"), client("C2", home_municipality="678")],
        [placement("P1"), placement("P2", municipality="678", organisation="O2")],
        commuting_areas=[{"id": "A", "name": long_name}, {"id": "B", "name": "Raahe"}],
    )
    for lang, head in (("fi", "Työssäkäyntialue"), ("sv", "Pendlingsregion"), ("en", "Commuting")):
        text = summary(problem, allocate(problem), lang)
        lines = text.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(head))
        table = lines[start : start + 3]
        # every row's last column ends in the same place as the header's
        assert len({len(line) for line in table}) == 1, table
        assert any(line.startswith(long_name) for line in table)
        assert not identifiers(text.replace(problem.name, "")), identifiers(text)
        assert not wrong_plurals(text, lang)


def test_an_unsolvable_week_is_told_without_solver_internals() -> None:
    from matching.cli import summary

    problem = make_problem(
        [client("A"), client("B")],
        [placement("P1", seats=1)],
        ongoing=[
            {"client": "A", "placement": "P1", "start_date": "2026-01-05"},
            {"client": "B", "placement": "P1", "start_date": "2026-01-05"},
        ],
    )
    result = allocate(problem)
    assert result.status.value == "infeasible_input"
    assert result.message is not None and not identifiers(result.message)
    text = summary(problem, result, "fi")
    assert "Käynnissä olevat jaksot eivät mahdu paikkoihin" in text and "A, B" in text
    assert not identifiers(text.replace(problem.name, ""))


@pytest.mark.parametrize(
    ("rule", "source"),
    [
        ("commuting_area", {"fi": "THL", "sv": "THL", "en": "THL"}),
        ("no_replacement_attestation", {"fi": "THL", "sv": "THL", "en": "THL"}),
        ("placement_period", {"fi": "13 §", "sv": "13 §", "en": "section 13"}),
    ],
)
def test_the_coordinator_reads_the_rule_with_its_source_the_client_does_not(
    rule: str, source: dict[str, str]
) -> None:
    for lang in LANGUAGES:
        label = catalogue(lang)[f"rule.{rule}"]
        assert source[lang] in label["coordinator"], (lang, rule)
        assert source[lang] not in label["client"], (lang, rule)
