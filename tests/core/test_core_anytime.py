"""Anytime: whatever the time limit, the answer is feasible, never lexicographically worse
than greedy's, and its bounds stay true (checked against the brute force)."""

import sys

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matching.core import (
    AssignmentProblem,
    CoreOptions,
    InfeasibleInput,
    NoSolutionFound,
    core_violations,
    greedy_assign,
    objective_of,
    solve,
)
from matching.core.component import ComponentOutcome, at_least_warm
from matching.core.exact import ExactResult
from matching.core.linear import build_linear_program
from matching.core.lp import solve_lp_relaxation
from matching.core.restricted import integer_floor, lp_bound
from matching.core.status import SolveStatus
from tests.core.core_helpers import brute_force, make_problem, random_problem, tiny_problems

COMPONENT = sys.modules["matching.core.component"]
TINY_LIMITS = st.floats(min_value=1e-4, max_value=0.05)
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _greedy_key(problem: AssignmentProblem) -> tuple[int, int] | None:
    """Greedy's (placed, quality), or None when it leaves a required item out."""
    chosen = greedy_assign(problem)
    if (problem.item_required & (chosen < 0)).any():
        return None
    return objective_of(problem, chosen)


@PROPERTY
@given(tiny_problems(), TINY_LIMITS)
def test_tiny_limits_never_fall_below_greedy_and_bounds_stay_true(
    problem: AssignmentProblem, limit: float
) -> None:
    """Random tiny time limits: feasible, at least greedy's answer (placed first, quality
    second), and bounds no lower than the brute-force optimum."""
    greedy = _greedy_key(problem)
    optimum = brute_force(problem)
    try:
        solution = solve(problem, CoreOptions(time_limit_s=limit))
    except (InfeasibleInput, NoSolutionFound):
        assert greedy is None  # greedy placing every required item is an answer to return
        return
    assert not core_violations(problem, solution.chosen_arc)
    found = (solution.placed_value, solution.quality)
    assert found == objective_of(problem, solution.chosen_arc)
    if greedy is not None:
        assert found >= greedy
    assert optimum is not None and found <= optimum
    assert solution.placed_bound >= optimum[0]
    if solution.placed_value == optimum[0]:
        assert solution.quality_bound >= optimum[1]


@settings(deadline=None, max_examples=12, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.floats(min_value=1e-3, max_value=0.3))
def test_medium_problems_with_tiny_limits_never_fall_below_greedy(seed: int, limit: float) -> None:
    """A few hundred items with binding support units, caseloads and conflicts, stopped
    anywhere from the relaxation to the MIP: still at least greedy's answer."""
    problem = random_problem(seed, 300, 40, 6, coaches=5, conflicts=30)
    greedy = _greedy_key(problem)
    solution = solve(problem, CoreOptions(time_limit_s=limit))
    assert not core_violations(problem, solution.chosen_arc)
    assert greedy is not None
    assert (solution.placed_value, solution.quality) >= greedy
    assert solution.placed_bound >= solution.placed_value
    assert solution.quality_bound >= solution.quality


def test_a_worse_outcome_gives_way_to_the_warm_start_with_its_bounds() -> None:
    """A time-limited path that returns less than its warm start: the warm start is kept,
    and the path's bounds with it (they bound the component, whatever is kept)."""
    problem = make_problem([1, 1], [1, 1], [(0, 0, 5), (1, 1, 7), (1, 0, 1)])
    worse = ComponentOutcome(
        chosen_arc=np.array([0, -1], dtype=np.int64),
        placed_bound=2,
        quality_bound=12,
        optimal=False,
        method="highs",
    )
    warm = np.array([0, 1], dtype=np.int64)
    kept = at_least_warm(problem, worse, warm)
    assert kept.chosen_arc.tolist() == [0, 1]
    assert (kept.placed_bound, kept.quality_bound) == (2, 12)
    assert kept.optimal
    better = ComponentOutcome(
        chosen_arc=np.array([0, 1], dtype=np.int64),
        placed_bound=2,
        quality_bound=12,
        optimal=True,
        method="highs",
    )
    assert at_least_warm(problem, better, np.array([0, -1], dtype=np.int64)) is better


@PROPERTY
@given(tiny_problems(min_items=2, binding=True))
def test_the_phase_2_lp_bound_holds_at_the_optimal_placed_value(
    problem: AssignmentProblem,
) -> None:
    """The Lagrangian bound from phase 2's LP over all arcs is at least the optimal quality
    (brute force) among assignments placing the optimal value, and the driver takes it."""
    optimum = brute_force(problem)
    assume(optimum is not None)
    assert optimum is not None
    program = build_linear_program(problem)
    objective = problem.arc_score.astype(np.float64)
    lp = solve_lp_relaxation(program, objective, optimum[0], 5.0, "dual_simplex")
    assume(lp is not None)
    assert lp is not None
    duals, mu, _ = lp
    bound = lp_bound(problem, program, duals, mu, optimum[0])
    assert bound >= optimum[1] - 1e-6
    loose = ExactResult(
        SolveStatus.FEASIBLE,
        np.full(problem.n_items, -1, dtype=np.int64),
        optimum[0],
        optimum[1],
        optimum[0],
        optimum[1] + 10**6,
    )
    tightened = COMPONENT._with_lp_bound(loose, [(optimum[0], bound)])
    assert optimum[1] <= tightened.quality_bound <= max(integer_floor(bound), optimum[1])
    assert COMPONENT._with_lp_bound(loose, [(optimum[0] + 1, bound)]) is loose
