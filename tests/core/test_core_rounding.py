"""LP-guided phase-2 start (``rounding``): feasible and never worse than its incumbent, for
any LP values, and used by the lexicographic driver only when it is better."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.core import AssignmentProblem, core_violations, objective_of
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
