"""Restricted master with pricing: proven bounds, feasibility, and the optimum when proven."""

import math
import sys
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matching.core import (
    AssignmentProblem,
    CoreOptions,
    InfeasibleInput,
    SolveStatus,
    core_violations,
    objective_of,
    solve,
    solve_seats_flow,
)
from matching.core import restricted as R
from matching.core.linear import build_linear_program
from matching.core.problem import quality_ceiling
from tests.core.core_helpers import brute_force, random_problem, tiny_problems

COMPONENT = sys.modules["matching.core.component"]
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run_restricted(problem: AssignmentProblem, k: int) -> R.RestrictedOutcome | None:
    """``solve_restricted`` as the component solver calls it, from the relaxation optimum."""
    relaxed = solve_seats_flow(problem)
    known = R.Known(
        starts=[relaxed.chosen_arc],
        warm=None,
        upper=(relaxed.placed, relaxed.quality),
        quality_caps=(relaxed.quality, quality_ceiling(problem)),
    )
    options = CoreOptions(time_limit_s=10.0, relative_gap=0.0)
    return R.solve_restricted(problem, known, options, 10.0, defaultdict(float), k=k)


@PROPERTY
@given(tiny_problems(min_items=2, binding=True), st.integers(1, 2))
def test_restricted_bounds_hold_and_proofs_are_right(problem: AssignmentProblem, k: int) -> None:
    """Any kept set (k best arcs per item): the assignment is feasible, never beats the
    brute-force optimum, the bounds are at least that optimum, and a proof is correct."""
    expected = brute_force(problem)
    assume(expected is not None)
    assert expected is not None
    try:
        out = run_restricted(problem, k)
    except InfeasibleInput:  # the seats alone cannot hold the required items
        return
    assert out is not None
    if out.result.chosen_arc is None:  # nothing placing the required items among kept arcs
        assert out.placed_bound >= expected[0]
        return
    assert core_violations(problem, out.chosen_arc) == []
    assert objective_of(problem, out.chosen_arc) == (out.placed, out.quality)
    assert (out.placed, out.quality) <= expected
    assert out.placed_bound >= expected[0]
    # The quality bound covers every assignment placing at least out.placed, the optimum too.
    assert out.quality_bound >= expected[1]
    if out.placed == out.placed_bound and out.quality == out.quality_bound:
        assert (out.placed, out.quality) == expected


@PROPERTY
@given(
    tiny_problems(min_items=2, binding=True),
    st.integers(1, 2),
    st.lists(st.floats(-3, 3), min_size=40, max_size=40),
    st.floats(0, 3),
)
def test_lagrangian_bound_holds_for_any_duals(
    problem: AssignmentProblem, k: int, duals: list[float], mu: float
) -> None:
    """The bound is valid for arbitrary row duals, and the pruned-arc bound covers every
    assignment that uses a pruned arc (checked against brute force on the kept arcs)."""
    expected = brute_force(problem)
    assume(expected is not None)
    assert expected is not None
    kept = R.initial_arcs(problem, k, [])
    keep = np.flatnonzero(kept)
    sub = problem.subproblem(keep)
    model = build_linear_program(sub)
    y = np.resize(np.array(duals), model.n_rows + 1)
    pricer = R._Pricer(problem)
    on_kept = brute_force(sub)
    for phase, objective, target, m in (
        (0, pricer.placed_coef(), 0, 0.0),
        (1, problem.arc_score + mu * pricer.placed_coef(), expected[0], mu),
    ):
        cp, rhs = pricer.reduced(keep, model, y, objective)
        bound = R._bound(pricer, cp, rhs - m * target, kept)
        best = expected[phase]
        assert bound.total >= best - 1e-6
        inside = -math.inf
        if on_kept is not None and on_kept[0] >= target:
            inside = on_kept[phase]
        # With every required item placed, the restricted problem has its optimum; any
        # better assignment of the full problem must use a pruned arc.
        if best > inside + 1e-9:
            assert bound.pruned_best >= best - 1e-6


def test_restricted_equals_the_monolithic_mip_on_a_random_instance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Forced on a 300-item, ~4,500-arc instance with two arcs kept per item to start with,
    pricing recovers the monolithic optimum and proves it; the run is reproducible."""
    problem = random_problem(5, 300, 30, 15, coaches=4, conflicts=30, required=0.1)
    options = CoreOptions(time_limit_s=30, relative_gap=0.0)
    monolithic = solve(problem, options)
    assert monolithic.status is SolveStatus.OPTIMAL
    monkeypatch.setattr(COMPONENT, "NEIGHBOURHOOD_MIN_ARCS", 0)
    monkeypatch.setattr(R, "DEFAULT_K", 2)
    first, second = solve(problem, options), solve(problem, options)
    assert "highs-restricted" in first.method
    assert core_violations(problem, first.chosen_arc) == []
    assert first.placed_bound >= monolithic.placed_value
    assert first.quality_bound >= monolithic.quality
    assert (first.placed_value, first.quality) == (monolithic.placed_value, monolithic.quality)
    assert np.array_equal(first.chosen_arc, second.chosen_arc)
    assert (first.placed_bound, first.quality_bound) == (second.placed_bound, second.quality_bound)


@PROPERTY
@given(tiny_problems(min_items=2, binding=True))
def test_forced_restricted_facade_is_safe(problem: AssignmentProblem) -> None:
    """Through ``solve`` with one arc per item to start: feasible, bounds at least the
    optimum, and ``OPTIMAL`` only at the optimum."""
    expected = brute_force(problem)
    assume(expected is not None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(COMPONENT, "NEIGHBOURHOOD_MIN_ARCS", 0)
        patch.setattr(R, "DEFAULT_K", 1)
        s = solve(problem, CoreOptions(time_limit_s=5, relative_gap=0.0))
    assert core_violations(problem, s.chosen_arc) == []
    assert (s.placed_value, s.quality) <= expected
    assert s.placed_bound >= expected[0]
    assert s.quality_bound >= expected[1]
    if s.status is SolveStatus.OPTIMAL:
        assert (s.placed_value, s.quality) == expected
