"""Validation at the edge: every problem found at once, each naming record, field and rule."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from matching.solve import allocate
from models import AllocationProblem, LegalRegime
from tests.factories import client, placement, problem_dict


def _errors(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        AllocationProblem.model_validate(data)
    return [
        (".".join(str(p) for p in e["loc"]), e["msg"]) for e in info.value.errors(include_url=False)
    ]


def test_days_above_the_legal_maximum_names_record_field_and_rule() -> None:
    clients = [client(f"C{i}") for i in range(18)]
    clients[17] = client("C17", days_per_week=5)
    errors = _errors(problem_dict(clients=clients))
    assert errors == [
        (
            "clients.17.days_per_week",
            "5 is above the legal maximum of 4 days a week (client 'C17')",
        )
    ]


def test_limits_come_from_the_regime_not_the_code() -> None:
    regime = LegalRegime(max_days_per_week=5).model_dump()
    data = problem_dict(clients=[client(days_per_week=5)], regime=regime)
    assert AllocationProblem.model_validate(data).clients[0].days_per_week == 5


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"hours_per_day": 3}, "hours_per_day", "below the legal minimum of 4 hours"),
        ({"hours_per_day": 9}, "hours_per_day", "above the maximum of 8 hours"),
        ({"days_per_week": 0}, "days_per_week", "greater than or equal to 1"),
        ({"available_weekdays": ["mon"], "days_per_week": 2}, "available_weekdays", "cannot hold"),
        ({"referral_basis": "pay_subsidy"}, "referral_basis", "not a referral basis"),
        ({"home_municipality": "999"}, "home_municipality", "unknown municipality"),
        ({"coach": "K9"}, "coach", "unknown coach"),
        ({"preferences": [{"placement": "P9"}]}, "preferences.0.placement", "unknown placement"),
        ({"avoid_clients": ["C1"]}, "avoid_clients", "own client"),
        ({"age": None}, "", "exactly one of birth_date or age"),
        ({"shoe_size": 44}, "shoe_size", "Extra inputs are not permitted"),
    ],
)
def test_client_errors(overrides: dict, field: str, words: str) -> None:
    errors = _errors(problem_dict(clients=[client(**overrides)]))
    assert any(loc == f"clients.0.{field}".rstrip(".") and words in msg for loc, msg in errors), (
        errors
    )


def test_a_company_is_refused_as_a_producer_with_a_reason() -> None:
    data = problem_dict()
    data["organisations"].append({"id": "O3", "name": "Oy Ab", "type": "company"})
    [(loc, msg)] = _errors(data)
    assert loc == "organisations.2.type"
    assert "company may not produce rehabilitative work activity" in msg


def test_references_and_duplicates_are_all_reported_together() -> None:
    data = problem_dict(
        clients=[client("C1"), client("C1")],
        placements=[placement(organisation="nope"), placement("P2", municipality="000")],
        ongoing=[{"client": "C9", "placement": "P1", "start_date": "2026-01-01"}],
    )
    locs = {loc for loc, _ in _errors(data)}
    assert locs >= {
        "clients.0.id",
        "clients.1.id",
        "placements.0.organisation",
        "placements.1.municipality",
        "ongoing.0.client",
    }


def test_placement_field_rules() -> None:
    errors = _errors(problem_dict(placements=[placement(min_hours_per_day=7, max_hours_per_day=5)]))
    assert any("min_hours_per_day 7 is above max_hours_per_day 5" in m for _, m in errors)
    errors = _errors(problem_dict(placements=[placement(seats=-1)]))
    assert any(loc == "placements.0.seats" for loc, _ in errors)


def test_an_attestation_dated_after_the_planning_date_is_refused_with_its_path() -> None:
    data = problem_dict(placements=[placement(no_replacement_attested_on="2026-12-01")])
    assert _errors(data) == [
        (
            "placements.0.no_replacement_attested_on",
            "the no-replacement attestation is dated 2026-12-01, after the planning date "
            "2026-11-30 (placement 'P1')",
        )
    ]
    on_the_day = problem_dict(placements=[placement(no_replacement_attested_on="2026-11-30")])
    assert AllocationProblem.model_validate(on_the_day).placements[0].no_replacement_attested_on


def test_attestation_validity_is_regime_data_off_by_default() -> None:
    assert LegalRegime().no_replacement_attestation_months is None
    assert LegalRegime(no_replacement_attestation_months=12).no_replacement_attestation_months
    for months in (0, 61):
        with pytest.raises(ValidationError) as info:
            LegalRegime(no_replacement_attestation_months=months)
        assert info.value.errors()[0]["loc"] == ("no_replacement_attestation_months",)


def test_json_round_trip_is_byte_identical() -> None:
    problem = AllocationProblem.model_validate(problem_dict())
    text = problem.model_dump_json()
    again = AllocationProblem.model_validate_json(text)
    assert again == problem
    assert again.model_dump_json() == text
    assert json.loads(text)["placements"][0]["weekdays"] == ["mon", "tue", "wed", "thu", "fri"]


def test_schema_is_exportable() -> None:
    schema = AllocationProblem.model_json_schema()
    assert schema["additionalProperties"] is False
    assert "Client" in schema["$defs"]


@pytest.mark.parametrize("born", ["2030-05-01", "2020-05-01", "1900-01-01"])
def test_a_birth_date_outside_adult_working_age_is_refused(born: str) -> None:
    c = client("C1", birth_date=born)
    del c["age"]
    errors = _errors(problem_dict(clients=[c]))
    assert len(errors) == 1
    loc, msg = errors[0]
    assert loc == "clients.0.birth_date"
    assert born in msg and "18–68" in msg and "'C1'" in msg


def test_an_adult_birth_date_is_accepted_and_the_limits_are_regime_data() -> None:
    c = client("C1", birth_date="2000-05-01")
    del c["age"]
    assert AllocationProblem.model_validate(problem_dict(clients=[c])).clients[0].birth_date
    young = client("C2", age=17)
    assert _errors(problem_dict(clients=[young]))[0][0] == "clients.0.age"
    regime = LegalRegime(min_client_age=17).model_dump()
    assert AllocationProblem.model_validate(problem_dict(clients=[young], regime=regime))


def test_language_codes_are_normalised_to_lower_case_at_the_edge() -> None:
    data = problem_dict(
        clients=[client("C1", languages=["FI", " Sv "])],
        placements=[placement("P1", languages=["Fi"])],
    )
    problem = AllocationProblem.model_validate(data)
    assert problem.clients[0].languages == frozenset({"fi", "sv"})
    assert problem.placements[0].languages == frozenset({"fi"})
    assert [a.client for a in allocate(problem).assignments] == ["C1"]


def test_a_language_that_is_no_code_is_refused() -> None:
    errors = _errors(problem_dict(clients=[client("C1", languages=["finnish"])]))
    assert errors[0][0] == "clients.0.languages.0"
