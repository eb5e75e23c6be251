"""Hand-worked examples: each constraint and the lexicographic order, for every method."""

from typing import Any

import numpy as np
import pytest

from matching.core import (
    AssignmentProblem,
    AssignmentSolution,
    CoreOptions,
    InfeasibleInput,
    Method,
    NoSolutionFound,
    SolveStatus,
    core_violations,
    solve,
)
from tests.core.core_helpers import make_problem

EXACT: list[Method] = ["auto", "highs", "cpsat"]


def run(problem: AssignmentProblem, method: Method = "auto", **kwargs: Any) -> AssignmentSolution:
    """Solve with a short limit and check the answer independently."""
    solution = solve(problem, CoreOptions(method=method, time_limit_s=5), **kwargs)
    assert core_violations(problem, solution.chosen_arc) == []
    return solution


@pytest.mark.parametrize("method", [*EXACT, "flow"])
def test_seats_limit_a_bin_and_the_best_scores_win(method: Method) -> None:
    """Three items, one bin with two seats: the two best-scoring arcs are chosen."""
    p = make_problem([1, 1, 1], [2], [(0, 0, 5), (1, 0, 9), (2, 0, 7)])
    s = run(p, method)
    assert s.chosen_arc.tolist() == [-1, 1, 2]
    assert (s.placed_value, s.quality, s.status) == (2, 16, SolveStatus.OPTIMAL)


@pytest.mark.parametrize("method", EXACT)
def test_per_bin_resource_limits_support_units(method: Method) -> None:
    """Three seats but four support units: items needing 2, 2 and 1 units cannot all come
    (5 > 4); the best pair by score, items 0 and 1 (9 + 8, using 2 + 2 = 4 units), does."""
    p = make_problem(
        [1, 1, 1],
        [3],
        [(0, 0, 9), (1, 0, 8), (2, 0, 1)],
        resources=[4],
        uses=[(0, 0, 2), (1, 0, 2), (2, 0, 1)],
    )
    s = run(p, method)
    assert s.chosen_arc.tolist() == [0, 1, -1]
    assert (s.placed_value, s.quality) == (2, 17)
    assert s.method == {"auto": "highs"}.get(method, method)


@pytest.mark.parametrize("method", EXACT)
def test_shared_resource_spans_bins(method: Method) -> None:
    """A coach with caseload 2 covers both bins: only two of three items can be placed,
    although each bin has room; the two highest-value items win."""
    arcs = [(0, 0, 1), (1, 1, 1), (2, 0, 50)]
    p = make_problem(
        [3, 2, 1],
        [2, 2],
        arcs,
        resources=[2],
        uses=[(0, 0, 1), (1, 0, 1), (2, 0, 1)],
    )
    s = run(p, method)
    assert s.chosen_arc.tolist() == [0, 1, -1]
    assert s.n_components == 1  # the shared resource joins the two bins


@pytest.mark.parametrize("method", EXACT)
def test_conflicting_items_do_not_share_a_bin(method: Method) -> None:
    """Items 0 and 1 prefer bin 0 (two seats) but conflict; one of them moves to bin 1."""
    p = make_problem(
        [1, 1],
        [2, 1],
        [(0, 0, 10), (0, 1, 4), (1, 0, 10), (1, 1, 2)],
        conflicts=[(0, 1)],
    )
    s = run(p, method)
    assert (s.placed_value, s.quality) == (2, 14)
    assert s.chosen_arc.tolist() == [1, 2]


@pytest.mark.parametrize("method", [*EXACT, "flow", "greedy"])
def test_required_item_is_placed_even_when_it_costs_value(method: Method) -> None:
    """A required item of value 0 takes the only seat from an item of value 5."""
    p = make_problem([0, 5], [1], [(0, 0, 1), (1, 0, 9)], required=[0])
    s = run(p, method)
    assert s.chosen_arc.tolist() == [0, -1]
    assert s.placed_value == 0


@pytest.mark.parametrize("method", [*EXACT, "flow"])
def test_placing_two_items_beats_a_huge_score(method: Method) -> None:
    """Lexicographic order: item 1's score of 10**12 in bin 0 does not outweigh placing both
    items (item 0 can only use bin 0; item 1 can also go to bin 1 with score 0)."""
    big = 10**12
    p = make_problem([1, 1], [1, 1], [(0, 0, 0), (1, 0, big), (1, 1, 0)])
    s = run(p, method)
    assert s.chosen_arc.tolist() == [0, 2]
    assert (s.placed_value, s.quality, s.status) == (2, 0, SolveStatus.OPTIMAL)


@pytest.mark.parametrize("method", EXACT)
def test_lexicographic_order_with_resources_binding(method: Method) -> None:
    """Same as above through the MIP: the resource forces the MIP path, and the solver must
    still prefer two placed items with score 0 over one with a huge score."""
    big = 10**9  # the largest score HiGHS takes; larger ones go to CP-SAT
    p = make_problem(
        [1, 1, 1],
        [1, 1, 1],
        [(0, 0, 0), (1, 0, big), (1, 1, 0), (2, 2, 3)],
        resources=[2],
        uses=[(0, 0, 1), (1, 0, 1), (2, 0, 1), (3, 0, 2)],
    )
    s = run(p, method)
    # Item 2 needs both units; items 0 and 1 one each: placing 0 and 1 gives 2 placed.
    assert s.chosen_arc.tolist() == [0, 2, -1]
    assert (s.placed_value, s.quality) == (2, 0)
    assert s.method == ("highs" if method == "auto" else method)


@pytest.mark.parametrize("method", EXACT)
def test_higher_value_beats_more_items(method: Method) -> None:
    """Placed value is a weighted count: one item of value 5 beats two of value 2."""
    p = make_problem(
        [5, 2, 2],
        [2],
        [(0, 0, 0), (1, 0, 9), (2, 0, 9)],
        resources=[2],
        uses=[(0, 0, 2), (1, 0, 1), (2, 0, 1)],
    )
    s = run(p, method)
    assert s.chosen_arc.tolist() == [0, -1, -1]
    assert s.placed_value == 5


@pytest.mark.parametrize("method", [*EXACT, "flow"])
def test_required_items_short_of_seats_raise_with_the_clash(method: Method) -> None:
    """Two required items for one seat; item 2 elsewhere is not part of the clash."""
    p = make_problem([1, 1, 1], [1, 1], [(0, 0, 1), (1, 0, 1), (2, 1, 1)], required=[0, 1, 2])
    with pytest.raises(InfeasibleInput) as info:
        run(p, method)
    assert info.value.items == (0, 1)
    assert info.value.status is SolveStatus.INFEASIBLE


@pytest.mark.parametrize("method", EXACT)
def test_required_items_short_of_resources_raise(method: Method) -> None:
    """Seats suffice, the support units do not: the MIP proves it."""
    p = make_problem(
        [1, 1],
        [2],
        [(0, 0, 1), (1, 0, 1)],
        required=[0, 1],
        resources=[3],
        uses=[(0, 0, 2), (1, 0, 2)],
    )
    with pytest.raises(InfeasibleInput) as info:
        run(p, method)
    assert info.value.items == (0, 1)


def test_required_item_without_usable_arc_raises() -> None:
    """An arc into a bin without seats is unusable; a required item with only that arc clashes."""
    p = make_problem([1], [0], [(0, 0, 1)], required=[0])
    with pytest.raises(InfeasibleInput) as info:
        run(p)
    assert info.value.items == (0,)


def test_flow_path_is_taken_when_resources_never_bind() -> None:
    """Resources with room to spare and a conflict never triggered: the relaxation is kept."""
    p = make_problem(
        [1, 1, 1],
        [1, 2],
        [(0, 0, 5), (1, 0, 4), (1, 1, 3), (2, 1, 1)],
        resources=[100],
        uses=[(0, 0, 1), (1, 0, 1), (2, 0, 1), (3, 0, 1)],
        conflicts=[(0, 2)],
    )
    s = run(p)
    assert s.method == "flow"
    assert s.stats["components_by_method"] == {"flow": 1}
    assert "build" not in s.timings  # no MIP was built
    assert (s.placed_value, s.quality, s.status) == (3, 9, SolveStatus.OPTIMAL)


def test_flow_method_refuses_binding_resources() -> None:
    """With a binding resource the relaxation's answer is infeasible, so "flow" refuses."""
    p = make_problem(
        [1, 1], [2], [(0, 0, 1), (1, 0, 1)], resources=[1], uses=[(0, 0, 1), (1, 0, 1)]
    )
    with pytest.raises(ValueError, match="flow"):
        run(p, "flow")


def test_greedy_reports_when_it_cannot_place_required_items() -> None:
    """Greedy gives item 0 its best arc (bin 0), leaving required item 1 without a seat;
    the exact methods find the assignment that places both."""
    p = make_problem([1, 1], [1, 1], [(0, 0, 10), (0, 1, 1), (1, 0, 1)], required=[0, 1])
    with pytest.raises(NoSolutionFound):
        run(p, "greedy")
    assert run(p).chosen_arc.tolist() == [1, 2]


def test_single_item_components_need_no_solver() -> None:
    """Items alone in their component take their best usable arc directly (a conflict pair,
    vacuous since the two share no bin, keeps the whole-problem flow shortcut out of the way)."""
    p = make_problem(
        [1, 1],
        [1, 0, 1],
        [(0, 0, 3), (0, 1, 9), (1, 2, 2), (1, 2, 5)],
        conflicts=[(0, 1)],
    )
    s = run(p)
    # Item 0's best arc goes to a bin without seats, so its next best is taken.
    assert s.chosen_arc.tolist() == [0, 3]
    assert s.method == "trivial"
    assert s.n_components == 2
    assert s.stats["arcs_unusable"] == 1


def test_when_only_seats_can_bind_one_flow_solves_the_whole_problem() -> None:
    """Resources with room for every usable arc and no conflicts: no decomposition."""
    p = make_problem(
        [1, 1, 1],
        [1, 1],
        [(0, 0, 5), (1, 0, 4), (1, 1, 1), (2, 1, 3)],
        resources=[10],
        uses=[(0, 0, 2), (1, 0, 2), (3, 0, 2)],
    )
    s = run(p)
    assert (s.method, s.n_components, s.status) == ("flow", 0, SolveStatus.OPTIMAL)
    assert (s.placed_value, s.quality) == (2, 8)
    tight = make_problem(
        [1, 1, 1],
        [1, 1],
        [(0, 0, 5), (1, 0, 4), (1, 1, 1), (2, 1, 3)],
        resources=[3],
        uses=[(0, 0, 2), (1, 0, 2), (3, 0, 2)],
    )
    assert run(tight).n_components > 0


def test_independent_components_are_solved_separately() -> None:
    """Two components: one solved by the flow, one needing the MIP."""
    p = make_problem(
        [1, 1, 1, 1],
        [1, 1],
        [(0, 0, 2), (1, 0, 3), (2, 1, 2), (3, 1, 1)],
        resources=[1],
        uses=[(2, 0, 1), (3, 0, 1)],
        conflicts=[(0, 2)],  # vacuous: items 0 and 2 never share a bin
    )
    s = run(p)
    assert s.n_components == 2
    assert s.method == "flow"  # the resource does not bind either: one seat in bin 1 anyway
    assert s.chosen_arc.tolist() == [-1, 1, 2, -1]


def test_hint_does_not_change_the_optimum() -> None:
    """A (poor) hint only warm-starts the search."""
    p = make_problem(
        [1, 1, 1],
        [2, 1],
        [(0, 0, 1), (0, 1, 5), (1, 0, 2), (2, 0, 4), (2, 1, 3)],
        resources=[2],
        uses=[(0, 0, 1), (2, 0, 1), (3, 0, 1), (1, 0, 1), (4, 0, 1)],
    )
    plain = run(p)
    hinted = run(p, hint=np.array([0, -1, 4]))
    assert (hinted.placed_value, hinted.quality) == (plain.placed_value, plain.quality)


def test_hint_must_name_each_items_own_arc() -> None:
    """A hint giving item 0 the arc of item 1 is rejected."""
    p = make_problem([1, 1], [2], [(0, 0, 1), (1, 0, 1)])
    with pytest.raises(ValueError, match="hint"):
        solve(p, hint=np.array([1, -1]))
    with pytest.raises(ValueError, match="hint"):
        solve(p, hint=np.array([0]))


def test_overflowing_flow_scaling_falls_back_to_the_mip() -> None:
    """Values of 2**51 would overflow the flow's single-cost scaling, and exceed what HiGHS
    holds exactly: CP-SAT solves it, in exact integers."""
    v = 2**51
    p = make_problem([v, v, 1], [1, 1], [(0, 0, 700), (1, 0, 900), (1, 1, 0), (2, 1, 500)])
    s = run(p)
    assert s.method == "cpsat"
    assert s.chosen_arc.tolist() == [0, 2, -1]
    assert s.placed_value == 2 * v
    with pytest.raises(ValueError, match="flow"):
        run(p, "flow")


def test_empty_problem() -> None:
    """No items, bins or arcs: an empty optimal assignment."""
    p = make_problem([], [], [])
    s = run(p)
    assert s.chosen_arc.tolist() == []
    assert (s.placed_value, s.quality, s.status, s.n_components) == (0, 0, "optimal", 0)
