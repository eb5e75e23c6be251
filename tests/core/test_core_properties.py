"""Properties on random tiny problems, checked against an independent brute force."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.core import (
    AssignmentProblem,
    CoreOptions,
    InfeasibleInput,
    NoSolutionFound,
    SolveStatus,
    core_violations,
    objective_of,
    solve,
)
from matching.core.cpsat import CpSatPhaseSolver
from matching.core.exact import PhaseSolver, solve_lexicographic
from matching.core.linear import build_linear_program
from matching.core.mip import HighsPhaseSolver
from matching.core.problem import quality_ceiling
from tests.core.core_helpers import brute_force, tiny_problems

# Example counts and derandomisation come from the active profile (tests/conftest.py: "ci"
# runs 40 derandomised examples, "dev" 200 random ones); solver calls need no deadline.
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
OPTIONS = {m: CoreOptions(method=m, time_limit_s=5) for m in ("auto", "highs", "cpsat")}


def check_exact_methods(problem: AssignmentProblem) -> None:
    """auto, highs and cpsat reach the lexicographic optimum, prove it, and are feasible."""
    expected = brute_force(problem)
    for method, options in OPTIONS.items():
        if expected is None:
            with pytest.raises(InfeasibleInput):
                solve(problem, options)
            continue
        s = solve(problem, options)
        assert core_violations(problem, s.chosen_arc) == [], method
        assert (s.placed_value, s.quality) == expected, method
        assert objective_of(problem, s.chosen_arc) == expected
        assert s.status is SolveStatus.OPTIMAL
        assert (s.placed_bound, s.quality_bound, s.gap) == (*expected, 0.0)


@PROPERTY
@given(tiny_problems())
def test_exact_methods_equal_the_brute_force_optimum(problem: AssignmentProblem) -> None:
    """On general tiny problems (mostly solved by the flow or trivially)."""
    check_exact_methods(problem)


@PROPERTY
@given(tiny_problems(min_items=3, binding=True))
def test_exact_methods_equal_the_brute_force_when_resources_bind(
    problem: AssignmentProblem,
) -> None:
    """On problems whose every arc draws on a scarce resource (mostly solved by the MIP)."""
    check_exact_methods(problem)


@PROPERTY
@given(tiny_problems())
def test_mip_back_ends_alone_equal_the_brute_force(problem: AssignmentProblem) -> None:
    """The two-phase MIPs without the flow shortcut, warm start or decomposition."""
    expected = brute_force(problem)
    model = build_linear_program(problem)
    upper = (int(problem.item_value.sum()), quality_ceiling(problem))
    backends: list[PhaseSolver] = [HighsPhaseSolver(model), CpSatPhaseSolver(model)]
    for backend in backends:
        result = solve_lexicographic(problem, backend, None, upper, 5.0, 0.0)
        if expected is None:
            assert result.status is SolveStatus.INFEASIBLE
            continue
        assert result.chosen_arc is not None
        assert core_violations(problem, result.chosen_arc) == []
        assert (result.placed, result.quality) == expected
        assert result.status is SolveStatus.OPTIMAL


@PROPERTY
@given(tiny_problems(side_constraints=False))
def test_flow_equals_the_brute_force_on_seats_only_problems(problem: AssignmentProblem) -> None:
    """Without resources and conflicts the min-cost flow is exact."""
    expected = brute_force(problem)
    options = CoreOptions(method="flow", time_limit_s=5)
    if expected is None:
        with pytest.raises(InfeasibleInput):
            solve(problem, options)
        return
    s = solve(problem, options)
    assert core_violations(problem, s.chosen_arc) == []
    assert (s.placed_value, s.quality) == expected
    assert s.status is SolveStatus.OPTIMAL
    assert "highs" not in s.method and "cpsat" not in s.method


@PROPERTY
@given(tiny_problems())
def test_greedy_is_feasible_and_never_beats_the_optimum(problem: AssignmentProblem) -> None:
    """Greedy returns a feasible assignment, or says it found none."""
    expected = brute_force(problem)
    try:
        s = solve(problem, CoreOptions(method="greedy"))
    except NoSolutionFound:
        return
    assert expected is not None
    assert core_violations(problem, s.chosen_arc) == []
    assert (s.placed_value, s.quality) <= expected
    assert s.placed_value <= s.placed_bound and s.quality <= s.quality_bound


@PROPERTY
@given(tiny_problems(), st.randoms(use_true_random=False))
def test_solves_are_deterministic_and_hints_do_not_change_the_optimum(
    problem: AssignmentProblem, random: st.SearchStrategy
) -> None:
    """Same input, same answer; a random (valid, maybe infeasible) hint changes nothing."""
    try:
        first = solve(problem, OPTIONS["auto"])
    except InfeasibleInput:
        return
    hint = np.full(problem.n_items, -1, dtype=np.int64)
    for a in range(problem.n_arcs):
        if random.random() < 0.5:  # type: ignore[attr-defined]
            hint[problem.arc_item[a]] = a
    for method in ("auto", "cpsat"):
        again = solve(problem, OPTIONS[method])
        twice = solve(problem, OPTIONS[method])
        assert np.array_equal(again.chosen_arc, twice.chosen_arc)
        hinted = solve(problem, OPTIONS[method], hint=hint)
        assert (hinted.placed_value, hinted.quality) == (first.placed_value, first.quality)
    assert np.array_equal(first.chosen_arc, solve(problem, OPTIONS["auto"]).chosen_arc)
