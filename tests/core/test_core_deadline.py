"""Every stage honours the deadline: with no time left, the relaxation, the MIPs and the
LPs are not started, and each stage hands back the incumbent it has (no timed test: the
deadlines are already past, and the solver's limits are read from a recording back end)."""

import math
from collections import defaultdict
from typing import Any

import numpy as np

from matching.core import CoreOptions, core_violations, greedy_assign, objective_of, solve
from matching.core.component import solve_component
from matching.core.exact import PhaseOutcome, solve_lexicographic
from matching.core.flow import solve_seats_flow
from matching.core.mip import HIGHS_OVERRUN, highs_time_limit
from matching.core.options import CoreOptions as Options
from tests.core.core_helpers import random_problem


class _Recorder:
    """A back end that finds nothing and records the limits it was given."""

    def __init__(self) -> None:
        self.limits: list[float] = []

    def solve_phase(
        self, objective: Any, min_placed: Any, hint: Any, limit: float, gap: float
    ) -> PhaseOutcome:
        self.limits.append(limit)
        return PhaseOutcome(None, math.inf, detail="recorder")


def test_no_time_left_skips_the_relaxation_and_the_mip_and_keeps_greedy() -> None:
    problem = random_problem(3, 300, 40, 6, coaches=5, conflicts=30)
    solution = solve(problem, CoreOptions(time_limit_s=1e-9))
    assert solution.stats.get("relaxation_skipped", 0) >= 1
    assert "relaxation" not in solution.timings
    assert set(solution.method.split("+")) <= {"trivial", "greedy"}
    assert not core_violations(problem, solution.chosen_arc)
    greedy = objective_of(problem, greedy_assign(problem))
    assert (solution.placed_value, solution.quality) >= greedy
    assert solution.placed_bound >= solution.placed_value
    assert solution.quality_bound >= solution.quality


def test_a_component_past_its_deadline_returns_its_best_greedy_start() -> None:
    problem = random_problem(4, 200, 30, 6, coaches=3, conflicts=10)
    relaxed = solve_seats_flow(problem)
    outcome = solve_component(problem, relaxed, None, Options(), 0.0, None, defaultdict(float), {})
    assert outcome.method == "greedy"
    assert not core_violations(problem, outcome.chosen_arc)
    from_relaxation = objective_of(problem, greedy_assign(problem, relaxed.chosen_arc))
    assert objective_of(problem, outcome.chosen_arc) >= from_relaxation
    assert outcome.placed_bound == relaxed.placed


def test_the_phases_hand_their_incumbent_back_when_the_solver_finds_nothing() -> None:
    problem = random_problem(5, 120, 20, 5, coaches=2)
    warm = greedy_assign(problem)
    recorder = _Recorder()
    upper = (int(problem.item_value.sum()), int(problem.arc_score.sum()))
    result = solve_lexicographic(problem, recorder, warm, upper, 0.0, 1e-4)
    assert result.chosen_arc is not None
    assert objective_of(problem, result.chosen_arc) >= objective_of(problem, warm)
    assert all(limit <= 0.01 + 1e-12 for limit in recorder.limits)  # nothing left to give


def test_highs_gets_its_limit_less_its_measured_overrun() -> None:
    assert HIGHS_OVERRUN > 1
    assert highs_time_limit(13.5).total_seconds() == 13.5 / HIGHS_OVERRUN
    assert highs_time_limit(-1.0).total_seconds() == 0.0


def test_the_time_limit_never_changes_a_greedy_only_answer() -> None:
    problem = random_problem(6, 150, 25, 5, coaches=2, conflicts=5)
    first = solve(problem, CoreOptions(time_limit_s=1e-9))
    again = solve(problem, CoreOptions(time_limit_s=1e-9))
    assert np.array_equal(first.chosen_arc, again.chosen_arc)
