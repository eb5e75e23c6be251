"""Worked examples of the objective's order, small enough to check by hand, and the regression
inputs kept in ``tests/data/``.

A regression input is one JSON file named for what it caught (``<what-it-caught>.json``):
``caught`` says it in a sentence, ``problem`` is the county, ``expected`` the status and the
allocation a correct engine makes. Add a file to keep a case; no code changes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from matching import allocate, check_allocation
from models import AllocationProblem, LegalRegime, SolveStatus
from tests.factories import client, make_problem, placement


def _placed(problem) -> dict[str, str]:
    result = allocate(problem)
    assert result.status is SolveStatus.OPTIMAL
    assert check_allocation(problem, result) == []
    return {a.client: a.placement for a in result.assignments}


def test_placing_both_beats_giving_one_client_their_first_wish() -> None:
    """C1 wishes P1 first; C2 fits only P1. The optimum puts C1 in P2 so both are placed."""
    problem = make_problem(
        clients=[
            client("C1", preferences=[{"placement": "P1"}]),
            client("C2", avoid_placements=["P2"]),
        ],
        placements=[placement("P1", seats=1), placement("P2", seats=1)],
        options={"weights": {"preference": 10}},
    )
    assert _placed(problem) == {"C1": "P2", "C2": "P1"}


def test_the_longest_waiting_client_gets_the_last_seat() -> None:
    problem = make_problem(
        clients=[
            client("C1", waiting_since="2026-10-01"),
            client("C2", waiting_since="2025-10-01"),
        ],
        placements=[placement("P1", seats=1)],
    )
    assert _placed(problem) == {"C2": "P1"}


def test_waiting_is_weighed_against_fit_not_absolute() -> None:
    """A first wish (300 points) outweighs one month more of waiting (~10 points)."""
    problem = make_problem(
        clients=[
            client("C1", waiting_since="2026-09-01", preferences=[{"placement": "P1"}]),
            client("C2", waiting_since="2026-08-01"),
        ],
        placements=[placement("P1", seats=1)],
    )
    assert _placed(problem) == {"C1": "P1"}


def test_more_clients_placed_beats_waiting_time() -> None:
    """C1 has waited two years but needs all the support P1 has; C2 and C3 together fit."""
    problem = make_problem(
        clients=[
            client("C1", waiting_since="2024-11-01", support_units=2),
            client("C2", support_units=1),
            client("C3", support_units=1),
        ],
        placements=[placement("P1", seats=2, support_units=2)],
    )
    assert _placed(problem) == {"C2": "P1", "C3": "P1"}


def test_without_waiting_priority_fit_decides_among_equal_numbers() -> None:
    problem = make_problem(
        clients=[
            client("C1", waiting_since="2026-10-01", preferences=[{"placement": "P1"}]),
            client("C2", waiting_since="2025-10-01"),
        ],
        placements=[placement("P1", seats=1)],
        options={"waiting_priority": False},  # the waiting criterion scores 0
    )
    assert _placed(problem) == {"C1": "P1"}


def test_supervisor_support_units_bind_before_seats() -> None:
    problem = make_problem(
        clients=[client("C1", support_units=2), client("C2", support_units=2)],
        placements=[placement("P1", seats=2, support_units=3)],
    )
    assert len(_placed(problem)) == 1


def test_a_placement_within_the_commitment_is_kept_even_for_a_better_fit() -> None:
    problem = make_problem(
        clients=[
            client("C1", preferences=[{"placement": "P2"}]),
            client("C2", preferences=[{"placement": "P1"}], waiting_since="2024-01-01"),
        ],
        placements=[placement("P1", seats=1), placement("P2", seats=1)],
        ongoing=[{"client": "C1", "placement": "P1", "start_date": "2026-10-15"}],
    )
    assert _placed(problem) == {"C1": "P1", "C2": "P2"}


def test_an_older_placement_may_move_when_the_options_allow() -> None:
    problem = make_problem(
        clients=[
            client("C1", preferences=[{"placement": "P2"}]),
            client("C2", avoid_placements=["P2"]),
        ],
        placements=[placement("P1", seats=1), placement("P2", seats=1)],
        ongoing=[{"client": "C1", "placement": "P1", "start_date": "2026-01-15"}],
        options={"allow_moving_ongoing": True},
    )
    assert _placed(problem) == {"C1": "P2", "C2": "P1"}
    kept = problem.model_copy(
        update={"options": problem.options.model_copy(update={"allow_moving_ongoing": False})}
    )
    assert _placed(kept) == {"C1": "P1"}


def test_without_a_valid_attestation_a_placement_takes_no_new_clients() -> None:
    """THL: the activity must not replace paid work. Under a regime that requires a written
    attestation at most 12 months old, P1 (attested 13 months ago) takes no newcomer, though
    C2 wishes it and it has seats; C1 stays there within the commitment. Without the
    requirement everyone is placed."""
    problem = make_problem(
        clients=[client("C1"), client("C2", preferences=[{"placement": "P1"}]), client("C3")],
        placements=[
            placement("P1", seats=3, no_replacement_attested_on="2025-10-30"),
            placement("P2", seats=1, no_replacement_attested_on="2026-06-01"),
        ],
        ongoing=[{"client": "C1", "placement": "P1", "start_date": "2026-10-15"}],
        regime={"no_replacement_attestation_months": 12},
    )
    placed = _placed(problem)
    assert placed["C1"] == "P1" and "P1" not in (placed.get("C2"), placed.get("C3"))
    assert len(placed) == 2
    without = problem.model_copy(update={"regime": LegalRegime()})
    assert len(_placed(without)) == 3


def test_committed_placements_that_no_longer_fit_make_the_input_infeasible() -> None:
    problem = make_problem(
        clients=[client("C1"), client("C2")],
        placements=[placement("P1", seats=1)],
        ongoing=[
            {"client": "C1", "placement": "P1", "start_date": "2026-10-15"},
            {"client": "C2", "placement": "P1", "start_date": "2026-10-20"},
        ],
    )
    result = allocate(problem)
    assert result.status is SolveStatus.INFEASIBLE_INPUT
    assert "C1" in (result.message or "") and "C2" in (result.message or "")


DATA = Path(__file__).resolve().parents[1] / "data"
REGRESSIONS = sorted(DATA.glob("*.json"))


def test_regression_inputs_are_named_for_what_they_caught() -> None:
    assert len(REGRESSIONS) >= 4
    for path in REGRESSIONS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+){3,}", path.stem), path.name
        case = json.loads(path.read_text(encoding="utf-8"))
        assert set(case) == {"caught", "problem", "expected"}, path.name
        assert len(case["caught"]) > 40, path.name


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.stem for p in REGRESSIONS])
def test_regression_input(path: Path) -> None:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    problem = AllocationProblem.model_validate(case["problem"])
    result = allocate(problem)
    expected = case["expected"]
    assert result.status.value == expected["status"]
    assert check_allocation(problem, result) == []
    assert {a.client: a.placement for a in result.assignments} == expected["assignments"]
    assert sorted(result.unassigned) == expected["unassigned"]
