"""Scenario changes that cannot be applied, in the planner's words: every ``scenario.error.*``
code in fi, sv and en without field names, Python literals or internal indices; the change
named as "Muutos N"; the codes and params kept for machines, ``str(error)`` English for logs."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from matching.cli import main
from matching.explain.messages import LANGUAGES, catalogue
from matching.explain.notices import scenario_error_text
from matching.sample import generate_county
from matching.scenario import ScenarioError, apply_changes
from matching.scenario.definition import Scenario
from models import AllocationProblem
from tests.explain.test_notices_texts import readable

REFUSED = {"type": "greater_than_equal", "loc": ["seats"], "input": -3, "ctx": {"ge": 0}}
PARAMS: dict[str, Any] = {
    "change": 2,
    "value": "Oulu",
    "placement": "P0001",
    "name": "kesto",
    "count": 1,
    "record": "P0001",
}
CODES = sorted(k for k in catalogue("fi") if k.startswith("scenario.error."))


def test_the_three_catalogues_have_the_same_scenario_errors() -> None:
    for lang in LANGUAGES:
        assert sorted(k for k in catalogue(lang) if k.startswith("scenario.error.")) == CODES


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", CODES)
def test_every_code_reads_plainly(code: str, lang: str) -> None:
    for count in (1, 3):
        params = {**PARAMS, "count": count}
        error = {**REFUSED, "loc": ["placements", 0, "seats"]} if "result" in code else REFUSED
        text = scenario_error_text(code, params, lang, error)
        readable(text, lang)
        assert "{" not in text and "changes[" not in text, text


def test_finnish_names_the_change_and_the_value() -> None:
    text = scenario_error_text(
        "scenario.error.no_placement.municipality", {"change": 2, "value": "Oulu"}, "fi"
    )
    assert text == "Muutos 2: kunnasta ”Oulu” ei löydy yhtään paikkaa"
    text = scenario_error_text("scenario.error.invalid_value", {"change": 1}, "fi", REFUSED)
    assert text == "Muutos 1: paikkojen määrä: -3 on pienempi kuin pienin sallittu arvo 0"
    three = scenario_error_text("scenario.error.result_invalid", {"count": 3}, "fi", REFUSED)
    assert three.endswith("(ja 2 muuta virhettä)"), three


@pytest.fixture(scope="module")
def base() -> AllocationProblem:
    return generate_county(12, seed=2)


def _cases(base: AllocationProblem) -> list[tuple[list[dict[str, Any]], str]]:
    first = base.placements[0]
    far = next(p.municipality for p in base.placements if p.municipality != first.municipality)
    return [
        ([{"kind": "remove_placements", "select": {"ids": ["NOPE"]}}], "unknown_placement"),
        (
            [{"kind": "remove_placements", "select": {"municipality": ["Atlantis"]}}],
            "unknown_municipality",
        ),
        (
            [{"kind": "remove_placements", "select": {"commuting_area": ["Atlantis"]}}],
            "unknown_area",
        ),
        (
            [{"kind": "remove_placements", "select": {"department": ["Ei ole"]}}],
            "no_placement.department",
        ),
        (
            [{"kind": "remove_placements", "select": {"ids": [first.id], "municipality": [far]}}],
            "no_match",
        ),
        (
            [{"kind": "add_placements", "copies": [{"source": first.id, "id": first.id}]}],
            "placement_exists",
        ),
        (
            [{"kind": "add_placements", "copies": [{"source": "NOPE", "id": "X1"}]}],
            "unknown_placement",
        ),
        (
            [
                {
                    "kind": "add_placements",
                    "copies": [{"source": first.id, "id": "X1", "set": {"seats": -3}}],
                }
            ],
            "copy_invalid",
        ),
        ([{"kind": "regime", "set": {"kesto": 1}}], "unknown_setting.regime"),
        ([{"kind": "weights", "set": {"kesto": 1}}], "unknown_setting.weights"),
        ([{"kind": "options", "set": {"kesto": 1}}], "unknown_setting.options"),
        ([{"kind": "regime", "set": {"max_days_per_week": 9}}], "invalid_value"),
        ([{"kind": "weights", "set": {"travel": -1}}], "invalid_value"),
        ([{"kind": "options", "set": {"weights": {}}}], "weights_in_options"),
    ]


def test_every_refusal_of_a_change_has_a_code_and_plain_words(base: AllocationProblem) -> None:
    keep = {"kind": "weights", "set": {"travel": 1}}
    for changes, code in _cases(base):
        with pytest.raises(ScenarioError) as caught:
            apply_changes(base, Scenario(name="x", changes=[keep, *changes]))  # type: ignore[list-item]
        error = caught.value
        assert error.code == f"scenario.error.{code}", (changes, str(error))
        assert error.params["change"] == 2
        assert str(error).startswith("changes[1]")  # the log keeps the English location
        for lang in LANGUAGES:
            text = scenario_error_text(error.code, error.params, lang, error.error)
            readable(text, lang)
        again = pickle.loads(pickle.dumps(error))  # a pool or cluster worker sends it back
        assert (again.code, again.params, again.error) == (error.code, error.params, error.error)


def test_the_cli_says_a_bad_selector_in_finnish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], base: AllocationProblem
) -> None:
    county = tmp_path / "base.json"
    county.write_text(base.model_dump_json(), encoding="utf-8")
    changes = tmp_path / "changes.yaml"
    changes.write_text(
        "name: Oulun leikkaus\n"
        "changes:\n"
        "  - {kind: remove_placements, select: {municipality: [Atlantis]}}\n",
        encoding="utf-8",
    )
    out = str(tmp_path / "o")
    assert main(["scenario", str(county), str(changes), "-o", out, "--lang", "fi"]) == 2
    err = capsys.readouterr().err
    assert (
        "virhe: Skenaario ”Oulun leikkaus”: Muutos 1: kuntaa ”Atlantis” ei löydy nimellä "
        "eikä koodilla"
    ) in err, err
    assert "changes[" not in err and "municipality" not in err


FILE_CASES = [
    (
        "name: Leikkaus\nchanges:\n  - {kind: resize_placements, select: {}, seats: 2}\n",
        "Skenaario ”Leikkaus”, muutos 1: valitse paikat vähintään yhdellä ehdolla",
    ),
    (
        "name: Leikkaus\nchanges:\n  - {kind: resize_placements, select: {ids: [P1]}}\n",
        "Skenaario ”Leikkaus”, muutos 1: kerro, paljonko paikkoja",
    ),
    ("name: [a\n  b: c: d\n", "tiedostoa ei voi lukea; tarkista rivi 2"),
    ("- name: a\n- name: a\n", "skenaarioiden nimet eivät saa toistua: a"),
    (
        "- {name: base, changes: [{kind: weights, set: {travel: 1}}]}\n",
        "skenaariolla nimeltä ”base” ei saa olla muutoksia",
    ),
]


@pytest.mark.parametrize(("text", "finnish"), FILE_CASES)
def test_a_bad_changes_file_is_said_in_each_language(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    base: AllocationProblem,
    text: str,
    finnish: str,
) -> None:
    county = tmp_path / "base.json"
    county.write_text(base.model_dump_json(), encoding="utf-8")
    changes = tmp_path / "changes.yaml"
    changes.write_text(text, encoding="utf-8")
    out = str(tmp_path / "o")
    for lang in LANGUAGES:
        assert main(["scenario", str(county), str(changes), "-o", out, "--lang", lang]) == 2
        err = capsys.readouterr().err
        for line in err.strip().splitlines():
            readable(line.replace(str(changes), "tiedosto"), lang)
        if lang == "fi":
            assert finnish in err, err
