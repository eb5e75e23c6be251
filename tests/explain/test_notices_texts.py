"""Texts for people outside the explanations, in fi, sv and en: the checker's lines, bad
input (CLI), records a run sets aside, scenario notes. No codes or internals, plural forms
that agree, records named by id and fields in words; the codes and numbers stay in the data.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from matching import allocate
from matching.check import Violation, check_allocation
from matching.cli import error_lines, main, sample_path
from matching.explain.messages import LANGUAGES, catalogue
from matching.explain.notices import (
    accepted_language,
    check_summary,
    check_text,
    default_language,
    error_text,
    note_text,
    problem_words,
)
from matching.io import InputError, load
from matching.scenario.compare import comparison_document, scenario_metrics
from matching.scenario.definition import Scenario
from matching.scenario.run import run_scenario
from matching.screen import CountyRecords, screen
from models import AllocationProblem, AllocationResult, LegalRegime, SetAside, SolveOptions
from tests.explain.test_plain_language import identifiers, wrong_plurals
from tests.factories import PLANNING_DATE, client, make_problem, placement


def readable(text: str, lang: str) -> None:
    assert text.strip(), lang
    assert not identifiers(text), (lang, text, identifiers(text))
    assert not wrong_plurals(text, lang), (lang, text, wrong_plurals(text, lang))


# --- the checker ---------------------------------------------------------------------------

CHECK_RULES = (
    "placement_open", "placement_period", "no_replacement_attestation", "commuting_area",
    "travel_time", "youth_workshop_age", "weekdays", "hours_per_day", "work_demands",
    "languages", "avoided_placement", "one_placement", "completeness", "reference",
    "ongoing_flag", "score_sum", "score", "travel_minutes", "objective", "ongoing_commitment",
    "seats", "support_units", "avoided_clients", "coach_caseload",
)  # fmt: skip


def _violations() -> list[Violation]:
    """One finding of every kind the checker reports, with numbers 1 and 2 where it counts."""
    numbers: dict[str, dict[str, Any]] = {
        "placement_period": {"months": 3, "date": "2026-03-02"},
        "travel_time": {"minutes": 71, "limit": 60},
        "youth_workshop_age": {"age": 31, "limit": 29},
        "hours_per_day": {"hours": 4.5},
        "one_placement": {"count": 2},
        "score": {"criterion": "travel", "reported": 1, "expected": 2},
        "ongoing_commitment": {"since": "2026-01-05"},
        "seats": {"count": 2, "limit": 1},
        "support_units": {"count": 3, "limit": 2},
        "avoided_clients": {"other": "C00002"},
        "coach_caseload": {"coach": "K1", "count": 21, "limit": 20},
    }
    out = [Violation(r, "C00001", "P0001", "", numbers.get(r, {})) for r in CHECK_RULES]
    out += [
        Violation("no_replacement_attestation", "C1", "P1", "", {"since": "2024-01-02",
                                                                 "months": 12}),
        Violation("completeness", None, None, "", code="missing"),
        Violation("completeness", None, None, "", code="both"),
        Violation("objective", None, None, "", {"reported": 1, "expected": 2}, "placed"),
        Violation("objective", None, None, "", {"reported": 21, "expected": 2}, "quality"),
        Violation("objective", None, None, "", {"reported": 2, "expected": 1}, "stats"),
        Violation("ongoing_commitment", "C1", None, "", code="unplaced"),
    ]  # fmt: skip
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_kind_of_check_line_reads_without_codes(lang: str) -> None:
    names = {"P0001": "Kiinteistöhuolto, Alavieskan kunta"}
    for v in _violations():
        text = check_text(v, lang, names)
        readable(text, lang)
        assert v.rule not in text or "_" not in v.rule
    for n, m in ((0, 1), (1, 1), (2, 5), (21, 101)):
        readable(check_summary(n, m, lang), lang)


def test_check_lines_have_a_text_of_their_own_for_each_rule() -> None:
    """A finding without a text of its own falls back to the rule's label: make sure the
    catalogue names every rule the checker reports (a new rule must be worded)."""
    for rule in CHECK_RULES:
        own = f"check.{rule}" in catalogue("fi") or f"rule.{rule}" in catalogue("fi")
        assert own or any(k.startswith(f"check.{rule}.") for k in catalogue("fi")), rule


def test_the_checker_gives_numbers_not_sentences_to_the_text() -> None:
    far = placement("P1", location={"lat": 65.2, "lon": 25.9})
    result = allocate(make_problem([client("C1", max_travel_minutes=240)], [far]))
    assert result.assignments
    strict = make_problem([client("C1", max_travel_minutes=5)], [far])
    found = {v.rule: v for v in check_allocation(strict, result)}
    params = found["travel_time"].params
    assert params["limit"] == 5 and int(params["minutes"]) > 5
    assert check_text(found["travel_time"], "fi").endswith("asiakkaalle sopii enintään 5 min")


def test_check_command_in_each_language_on_a_tampered_sample(tmp_path: Path, capsys) -> None:
    problem = load(AllocationProblem, sample_path())
    data = json.loads(allocate(problem).model_dump_json())
    data["objective"]["placed_value"] += 1
    data["assignments"][0]["score"] += 1
    bad = tmp_path / "result.json"
    bad.write_text(json.dumps(data))
    for lang in LANGUAGES:
        assert main(["check", sample_path(), str(bad), "--lang", lang]) == 1
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) >= 3
        for line in lines:
            readable(line, lang)
    assert main(["check", sample_path(), str(bad), "--json"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert {"objective", "score_sum"} <= {v["rule"] for v in found["violations"]}
    assert any(v["params"].get("reported") for v in found["violations"])


# --- bad input -----------------------------------------------------------------------------

BAD_VALUES: list[tuple[list[Any], dict[str, Any], Any]] = [
    (["clients", 0, "days_per_week"], {"le": 7}, 9),
    (["placements", 1, "location", "lat"], {"ge": 59.0}, 12),
    (["clients", 0, "birth_date"], {}, "eilen"),
    (["clients", 0, "languages"], {}, None),
]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_refused_value_reads_in_words(lang: str) -> None:
    """Every error type the catalogue words, with every field the models have, reads without
    codes; records are named by id when the file gives one, by position otherwise."""
    data = {"clients": [{"id": "C00018"}], "placements": [{"id": "P0002"}, {}]}

    def id_of(collection: str, index: int) -> str | None:
        rows = data.get(collection, [])
        return rows[index].get("id") if index < len(rows) else None

    types = [k.removeprefix("error.") for k in catalogue(lang) if k.startswith("error.")]
    fields = [k.removeprefix("field.") for k in catalogue(lang) if k.startswith("field.")]
    for kind in types:
        for n in (0, 1, 2, 5):
            error = {
                "type": kind,
                # an unknown entry is named as the file spells it (here in plain letters)
                "loc": ["clients", 0, "days_per_week" if kind != "extra_forbidden" else "dayz"],
                "input": n,
                "ctx": {"limit": n, "age": 70, "min": 18, "max": 68, "count": n, "days": 4,
                        "date": "2026-03-02", "error": "EOF at line 3 column 7"},
            }  # fmt: skip
            readable(error_text(error, lang, id_of, "county.json"), lang)
    for name in fields:
        error = {"type": "missing", "loc": ["placements", 1, name]}
        text = error_text(error, lang, id_of)
        readable(text, lang)
        assert text.startswith(catalogue(lang)["record_at.placement"]["coordinator"][:5])


def test_a_refused_value_names_the_record_the_field_and_the_limit() -> None:
    ids = {"clients": ["C00018"]}

    def id_of(collection: str, index: int) -> str | None:
        return ids.get(collection, [None])[index]

    error = {
        "type": "above_legal_maximum",
        "loc": ("clients", 0, "days_per_week"),
        "input": 5,
        "ctx": {"limit": 4},
    }
    assert error_text(error, "fi", id_of, "county.json") == (
        "county.json: asiakas C00018, päiviä viikossa: 5 on yli lain salliman enimmäismäärän 4"
    )
    assert error_text(error, "sv", id_of) == (
        "klient C00018, dagar i veckan: 5 är över lagens högsta tillåtna värde 4"
    )
    assert error_text(error, "en", id_of) == (
        "client C00018, days a week: 5 is above the legal maximum of 4"
    )
    unknown = {"type": "some_new_type", "loc": ("clients", 0, "no_such_field"), "input": "x"}
    assert problem_words(unknown, "fi") == "”x” ei kelpaa"  # never pydantic's English


def test_every_field_of_the_county_and_result_files_has_words() -> None:
    def fields(model: Any, seen: set[str]) -> set[str]:
        out: set[str] = set()
        for name, info in model.model_fields.items():
            out.add(name)
            for inner in _models_in(info.annotation):
                if inner.__name__ not in seen:
                    seen.add(inner.__name__)
                    out |= fields(inner, seen)
        return out

    wanted = fields(AllocationProblem, set()) | fields(AllocationResult, set())
    for lang in LANGUAGES:
        missing = sorted(f for f in wanted if f"field.{f}" not in catalogue(lang))
        assert not missing, (lang, missing)


def _models_in(annotation: Any) -> list[type]:
    out: list[type] = []
    stack = [annotation]
    while stack:
        t = stack.pop()
        if isinstance(t, type) and issubclass(t, BaseModel):
            out.append(t)
        stack.extend(get_args(t))
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cli_error_lines_in_each_language(tmp_path: Path, lang: str) -> None:
    county = json.loads(Path(sample_path()).read_text(encoding="utf-8"))
    county["clients"][17]["days_per_week"] = 5
    county["clients"][3]["hours_per_day"] = "kuusi"
    county["clients"][5]["dayz"] = 1
    path = tmp_path / "county.json"
    path.write_text(json.dumps(county))
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": ')
    lines = []
    for target in (path, broken, tmp_path / "missing.json"):
        with pytest.raises(InputError) as caught:
            load(AllocationProblem, str(target))
        lines += error_lines(caught.value, lang)
    prefix = {"fi": "virhe: ", "sv": "fel: ", "en": "error: "}[lang]
    assert all(line.startswith(prefix) for line in lines)
    joined = "\n".join(lines)
    assert "C00004" in joined and "C00006" in joined  # records by their ids
    for line in lines:
        readable(
            line.replace(str(tmp_path), "tmp").replace("”dayz”", "").replace("“dayz”", ""), lang
        )


def test_the_language_comes_from_the_environment_or_the_header() -> None:
    assert default_language({}) == "fi"
    assert default_language({"LANG": "C.UTF-8"}) == "fi"
    assert default_language({"LANG": "sv_FI.UTF-8"}) == "sv"
    assert default_language({"LC_ALL": "en_GB.UTF-8", "LANG": "fi_FI.UTF-8"}) == "en"
    assert default_language({"PAIKKA_LANG": "sv", "LANG": "en_US.UTF-8"}) == "sv"
    assert default_language({"LANG": "fil_PH.UTF-8"}) == "fi"  # Filipino is not Finnish
    assert accepted_language(None) == "fi"
    assert accepted_language("de-DE,de;q=0.9") == "fi"
    assert accepted_language("sv-FI,sv;q=0.9,en;q=0.8") == "sv"
    assert accepted_language("de;q=1, en;q=0.7, sv;q=0.3") == "en"
    assert accepted_language("en;q=0.2, sv") == "sv"


# --- set-aside notes -----------------------------------------------------------------------


def _screened_notes() -> list[SetAside]:
    """A county with one of each kind of note: bad values, a closed placement, an ended
    placement, a period past the legal maximum, a kept period that no longer fits its seat."""
    on = PLANNING_DATE
    base = make_problem(
        [client(f"C{k}") for k in range(1, 8)],
        [
            placement("P1", seats=1),
            placement("P2", available_from="2024-01-01", available_until="2026-01-02"),
            placement("P3", closed=True),
            placement("P4", seats=1),
        ],
    )
    raw = json.loads(base.model_dump_json())
    raw["clients"][0]["days_per_week"] = 5
    raw["clients"][1]["hours_per_day"] = "kuusi"
    raw["placements"][3]["seats"] = 0  # cut behind the API's back: C7's period cannot stay
    ongoing = [
        {"client": "C3", "placement": "P3", "start_date": str(on - timedelta(days=30))},
        {"client": "C4", "placement": "P2", "start_date": "2025-06-01"},
        {"client": "C5", "placement": "P1", "start_date": str(on - timedelta(days=800))},
        {"client": "C7", "placement": "P4", "start_date": str(on - timedelta(days=20))},
    ]
    records = CountyRecords(
        name="t",
        planning_date=on,
        regime=LegalRegime(),
        options=SolveOptions(),
        commuting_areas=raw["commuting_areas"],
        municipalities=raw["municipalities"],
        organisations=raw["organisations"],
        placements=raw["placements"],
        clients=raw["clients"],
        ongoing=ongoing,
    )
    notes = screen(records).set_aside
    codes = {n.code for n in notes}
    assert {"note.placement_closed", "note.max_period", "note.kept_no_fit"} <= codes, codes
    return notes


@pytest.mark.parametrize("lang", LANGUAGES)
def test_set_aside_notes_keep_codes_and_read_in_each_language(lang: str) -> None:
    notes = _screened_notes()
    assert notes and all(n.code for n in notes), notes
    for note in notes:
        text = note_text(note, lang)
        readable(text, lang)
        assert note.id in text
        stored = json.loads(note.model_dump_json())
        assert note_text(stored, lang) == text  # read back from the run's JSON


def test_an_old_note_without_a_code_shows_its_stored_message() -> None:
    old = {"kind": "client", "id": "C1", "action": "set_aside", "rule": "x", "message": "as is"}
    assert note_text(old, "fi") == "as is"


# --- scenario notes ------------------------------------------------------------------------


def test_scenario_notes_are_codes_with_params_and_a_text_in_the_output_language() -> None:
    base = make_problem(
        [client("C1"), client("C2", referral_basis="multidisciplinary_employment_plan")],
        [placement("P1", seats=1)],
    )
    reform = Scenario.model_validate(
        {
            "name": "Uudistus",
            "changes": [
                {
                    "kind": "regime",
                    "set": {"referral_bases": ["multidisciplinary_employment_plan"]},
                },
                {"kind": "scale_demand", "factor": 2},
            ],
        }
    )
    metrics = run_scenario(base, reform)
    assert [n.code for n in metrics.notes] == ["scenario.note.ineligible", "scenario.note.added"]
    assert metrics.notes[0].params == {"where": "changes[0]", "change": 1, "count": 1}
    words = {
        "fi": "Muutos 1: 1 asiakas ei enää",
        "sv": "Ändring 1: 1 klient är inte",
        "en": "Change 1: 1 client no longer",
    }
    for lang in LANGUAGES:
        doc = comparison_document([scenario_metrics("base", base, allocate(base)), metrics], lang)
        notes = doc["scenarios"][1]["notes"]
        assert notes[0]["code"] == "scenario.note.ineligible"
        assert notes[0]["text"].startswith(words[lang]), notes[0]["text"]
        for note in notes:
            readable(note["text"], lang)
