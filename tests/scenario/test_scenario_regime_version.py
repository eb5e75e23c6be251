"""A planner's scenario on the proposed regime version (HE 109/2025): which clients lose or
change their referral basis, by their benefit on the planning date."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from matching.scenario import ScenarioError, parse_scenarios
from matching.scenario.apply import apply_scenario
from matching.scenario.one import RunSettings, run_scenario
from matching.scenario.output import write_outputs
from models.benefits import Benefit
from models.regime import HE_109_2025
from tests.factories import client, make_problem, placement

SUBSIDY = [{"benefit": "labour_market_subsidy", "from_date": "2026-01-01"}]
ASSISTANCE = [{"benefit": "social_assistance", "from_date": "2026-01-01"}]


def _county() -> Any:
    return make_problem(
        [
            client("C1", benefits=SUBSIDY, referral_basis="activation_plan"),
            client("C2", benefits=ASSISTANCE, referral_basis="activation_plan"),
            client("C3", benefits=SUBSIDY, referral_basis="multidisciplinary_employment_plan"),
            client("C4", referral_basis="activation_plan"),  # benefit not recorded
        ],
        [placement(seats=4, support_units=4)],
    )


def _scenario(**change: Any) -> Any:
    return parse_scenarios({"name": "HE 109", "changes": [{"kind": "regime_version", **change}]})[1]


def test_the_proposed_version_moves_the_subsidy_client_to_the_employment_plan() -> None:
    applied = apply_scenario(_county(), _scenario(version="he-109-2025"))
    changes = [(r.client, r.benefit, r.before, r.after) for r in applied.referral_changes]
    assert changes == [
        ("C1", "labour_market_subsidy", "activation_plan", "multidisciplinary_employment_plan")
    ]
    bases = {c.id: c.referral_basis for c in applied.problem.clients}
    assert bases["C1"] == "multidisciplinary_employment_plan"
    assert bases["C2"] == "activation_plan"  # social assistance keeps the activation plan
    assert applied.problem.regime == HE_109_2025.regime
    assert [n.code for n in applied.notes] == ["scenario.note.referral_changed"]


def test_todays_version_changes_no_one() -> None:
    applied = apply_scenario(_county(), _scenario(version="ktt-2025"))
    assert applied.referral_changes == [] and applied.ineligible == []


def test_a_version_that_allows_no_basis_for_a_benefit_shows_who_loses_the_service() -> None:
    narrow = HE_109_2025.regime.model_copy(
        update={"referral_bases_by_benefit": {Benefit.LABOUR_MARKET_SUBSIDY: ()}}
    )
    change = {"version": "county-draft", "regime": narrow.model_dump(mode="json")}
    metrics = run_scenario(_county(), _scenario(**change), RunSettings(seat_values=0))
    lost = [(r.client, r.after) for r in metrics.referral_changes]
    assert lost == [("C1", None), ("C3", None)]
    assert metrics.ineligible_clients == ["C1", "C3"] and metrics.clients == 2


def test_the_scenario_files_list_the_changed_referrals(tmp_path: Path) -> None:
    metrics = run_scenario(_county(), _scenario(version="he-109-2025"), RunSettings(seat_values=0))
    write_outputs([metrics], tmp_path, "fi")
    with (tmp_path / "referral_changes.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0][1:] == ["Asiakas", "Etuus", "Ohjausperuste nyt", "Ohjausperuste version mukaan"]
    assert rows[1][1:] == [
        "C1",
        "labour_market_subsidy",
        "activation_plan",
        "multidisciplinary_employment_plan",
    ]


def test_an_unknown_version_is_refused_naming_the_change() -> None:
    with pytest.raises(ScenarioError) as caught:
        apply_scenario(_county(), _scenario(version="no-such"))
    assert caught.value.code == "scenario.error.unknown_regime_version"
