"""LP-guided phase-2 start (``rounding``): feasible and never worse than its incumbent, for
any LP values, and used by the lexicographic driver only when it is better."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.core import AssignmentProblem, core_violations, objective_of
from matching.core import rounding as R
from matching.core.errors import SolverError
from matching.core.exact import solve_lexicographic
from matching.core.greedy import greedy_assign
from matching.core.linear import build_linear_program
from matching.core.mip import HighsPhaseSolver
from matching.core.problem import quality_ceiling
from matching.core.rounding import residual_problem, round_lp, split_items
from tests.core.core_helpers import make_problem, tiny_problems

PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _incumbent(problem: AssignmentProblem) -> np.ndarray | None:
    chosen = greedy_assign(problem)
    return None if core_violations(problem, chosen) else chosen


@PROPERTY
@given(st.data(), tiny_problems(min_items=2, binding=True))
def test_any_lp_values_give_a_feasible_start_no_worse_than_the_incumbent(
    data: st.DataObject, problem: AssignmentProblem
) -> None:
    incumbent = _incumbent(problem)
    if incumbent is None:
        return
    primal = np.array(
        data.draw(
            st.lists(
                st.sampled_from([0.0, 0.5, 1.0]),
                min_size=problem.n_arcs,
                max_size=problem.n_arcs,
            )
        )
    )
    chosen = round_lp(problem, primal, incumbent, 5.0)
    assert chosen is not None
    assert core_violations(problem, chosen) == []
    assert objective_of(problem, chosen) >= objective_of(problem, incumbent)


def test_split_keeps_only_arcs_the_lp_and_the_incumbent_agree_on() -> None:
    # items 0, 1, 2; bins 0, 1; arcs: 0:(0,0) 1:(0,1) 2:(1,0) 3:(1,1) 4:(2,1)
    problem = make_problem(
        [1, 1, 1], [1, 2], [(0, 0, 5), (0, 1, 3), (1, 0, 4), (1, 1, 4), (2, 1, 1)]
    )
    primal = np.array([1.0, 0.0, 0.0, 1.0, 0.4])
    incumbent = np.array([0, 2, -1])  # item 1 disagrees with the LP, item 2 only in the LP
    kept, open_items = split_items(problem, primal, incumbent)
    assert kept.tolist() == [0, -1, -1]
    assert open_items.tolist() == [1, 2]
    residual, index = residual_problem(problem, kept, open_items)
    # bin 0's only seat is kept by item 0: the open items keep their bin-1 arcs only
    assert index.tolist() == [3, 4]
    assert residual.bin_capacity.tolist() == [0, 2]


def test_a_conflict_partner_kept_in_a_bin_closes_it() -> None:
    problem = make_problem([1, 1], [2], [(0, 0, 5), (1, 0, 5)], conflicts=[(0, 1)])
    kept, open_items = split_items(problem, np.array([1.0, 0.5]), np.array([0, -1]))
    residual, _ = residual_problem(problem, kept, open_items)
    assert residual.n_arcs == 0
    assert round_lp(problem, np.array([1.0, 0.5]), np.array([0, -1]), 5.0).tolist() == [0, -1]


def _driver(problem: AssignmentProblem, improve):  # type: ignore[no-untyped-def]
    model = build_linear_program(problem)
    upper = (int(problem.item_value.sum()), quality_ceiling(problem))
    return solve_lexicographic(
        problem, HighsPhaseSolver(model), None, upper, 5.0, 0.0, improve=improve
    )


def test_driver_refuses_an_infeasible_start() -> None:
    problem = make_problem([1, 1], [1], [(0, 0, 5), (1, 0, 3)])
    with pytest.raises(SolverError):
        _driver(problem, lambda start, placed, seconds: np.array([0, 1]))


def test_driver_keeps_its_own_start_when_the_offer_is_worse() -> None:
    problem = make_problem([1, 1], [1, 1], [(0, 0, 5), (1, 1, 3)])
    result = _driver(problem, lambda start, placed, seconds: np.array([0, -1]))
    assert result.stats["improve"] == "no better"
    assert (result.placed, result.quality) == (2, 8)


def test_the_lps_whole_arcs_are_kept_only_when_they_fit_together() -> None:
    # items 0, 1; bin 0 (one seat), bin 1; arcs 0:(0,0) 1:(0,1) 2:(1,0) 3:(1,1)
    problem = make_problem([1, 1], [1, 1], [(0, 0, 5), (0, 1, 3), (1, 0, 4), (1, 1, 4)])
    assert R.lp_whole(problem, np.array([1.0, 0.0, 0.0, 0.5])).tolist() == [0, -1]
    assert R.lp_whole(problem, np.array([1.0, 1.0, 0.0, 0.0])) is None  # item 0 twice
    assert R.lp_whole(problem, np.array([1.0, 0.0, 1.0, 0.0])) is None  # bin 0 over


def test_widening_releases_kept_items_in_the_fractional_items_bins_then_resources() -> None:
    # items 0, 1, 2; arcs 0:(0,0) 1:(1,1) 2:(2,0) 3:(2,2); resource 0 used by arcs 1 and 3
    problem = make_problem(
        [1, 1, 1],
        [1, 1, 1],
        [(0, 0, 5), (1, 1, 5), (2, 0, 4), (2, 2, 4)],
        resources=[1],
        uses=[(1, 0, 1), (3, 0, 1)],
    )
    kept = np.array([0, 1, -1])
    focus = np.array([2])  # item 2 could use bin 0 (item 0's) and resource 0 (item 1's)
    wider, open_items = R._widen(problem, kept, focus, focus, 0)
    assert wider.tolist() == [-1, 1, -1]
    assert open_items.tolist() == [0, 2]
    wider, open_items = R._widen(problem, kept, focus, focus, 1)
    assert wider.tolist() == [-1, -1, -1]
    assert open_items.tolist() == [0, 1, 2]


def test_a_start_short_of_the_placed_value_is_completed_by_the_weighted_solve() -> None:
    """Rounding the LP's whole arcs leaves item 1 without a seat; releasing item 0 (in the
    bin item 1 needs) places both at the best quality."""
    # items 0, 1; bins 0, 1; arcs 0:(0,0) 1:(0,1) 2:(1,0)
    problem = make_problem([1, 1], [1, 1], [(0, 0, 9), (0, 1, 8), (1, 0, 1)])
    incumbent = np.array([1, 2])  # placed 2, quality 9: phase 1's answer
    primal = np.array([1.0, 0.0, 0.5])  # not an LP optimum at placed 2, but whole arcs fit
    chosen = round_lp(problem, primal, incumbent, 5.0)
    assert chosen is not None
    assert objective_of(problem, chosen) == (2, 9)
    assert chosen.tolist() == [1, 2]
