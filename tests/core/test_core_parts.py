"""Unit tests of the building blocks: validation, indexing, decomposition, flow, model, greedy."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.core import (
    AssignmentProblem,
    CoreOptions,
    InfeasibleInput,
    core_violations,
    greedy_assign,
)
from matching.core.decompose import decompose, only_seats_bind, usable_arcs
from matching.core.exact import integer_bound
from matching.core.flow import seat_clash, solve_seats_flow
from matching.core.greedy import polish_quality
from matching.core.indexing import conflict_triples, ragged_arange, unique_sorted
from matching.core.linear import (
    ROW_CONFLICT,
    ROW_ITEM,
    ROW_RESOURCE,
    ROW_SEAT,
    build_linear_program,
)
from matching.core.problem import as_assignment
from tests.core.core_helpers import brute_force, make_problem, tiny_problems


def arrays(**changes: object) -> dict[str, object]:
    """Keyword arguments of a valid two-item problem, with some fields replaced."""
    base: dict[str, object] = {
        "item_value": np.array([1, 2]),
        "item_required": np.array([False, True]),
        "bin_capacity": np.array([1]),
        "arc_item": np.array([0, 1], dtype=np.int32),
        "arc_bin": np.array([0, 0]),
        "arc_score": np.array([3, 4]),
        "resource_capacity": np.array([2]),
        "use_arc": np.array([0]),
        "use_resource": np.array([0]),
        "use_amount": np.array([1]),
        "conflicts": np.array([[0, 1]]),
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("item_value", np.array([1, -1])),
        ("item_value", np.array([1.0, 2.0])),
        ("item_required", np.array([0, 1])),
        ("item_required", np.array([True])),
        ("bin_capacity", np.array([-1])),
        ("arc_item", np.array([0, 2])),
        ("arc_bin", np.array([0, 1])),
        ("arc_bin", np.array([0])),
        ("arc_score", np.array([3, -4])),
        ("resource_capacity", np.array([-2])),
        ("use_arc", np.array([2])),
        ("use_resource", np.array([1])),
        ("use_amount", np.array([0])),
        ("use_amount", np.array([1, 1])),
        ("conflicts", np.array([[0, 0]])),
        ("conflicts", np.array([[0, 5]])),
        ("conflicts", np.array([0, 1])),
        ("item_value", np.array([2**52, 2**52])),
    ],
)
def test_invalid_fields_are_named(field: str, value: np.ndarray) -> None:
    """Every inconsistency raises ValueError naming the offending field."""
    with pytest.raises(ValueError, match=field):
        AssignmentProblem(**arrays(**{field: value}))  # type: ignore[arg-type]


def test_arrays_are_canonical_and_read_only() -> None:
    """Inputs become int64/bool read-only views; the caller's arrays stay writable."""
    source = np.array([0, 1], dtype=np.int32)
    p = AssignmentProblem(**arrays(arc_item=source))  # type: ignore[arg-type]
    assert p.arc_item.dtype == np.int64
    assert source.flags.writeable
    with pytest.raises(ValueError):
        p.item_value[0] = 5
    empty = make_problem([1], [1], [(0, 0, 1)])
    assert empty.conflicts.shape == (0, 2) and empty.n_resources == 0


def test_as_assignment_checks_ownership_and_range() -> None:
    """A hint must have one entry per item, each -1 or an arc of that item."""
    p = make_problem([1, 1], [2], [(0, 0, 1), (1, 0, 1)])
    assert as_assignment(p, [0, -1]).tolist() == [0, -1]
    for bad in ([1, -1], [0, 2], [0, -2], [0]):
        with pytest.raises(ValueError, match="hint"):
            as_assignment(p, bad)


def test_options_are_validated() -> None:
    """Out-of-range options raise ValueError naming the field."""
    for field, value in [
        ("time_limit_s", 0),
        ("method", "simplex"),
        ("seed", -1),
        ("num_workers", 0),
        ("relative_gap", 1.5),
    ]:
        with pytest.raises(ValueError, match=field):
            CoreOptions(**{field: value})  # type: ignore[arg-type]


def test_ragged_arange() -> None:
    """Concatenated ranges, with empty runs skipped."""
    assert ragged_arange(np.array([5, 0, 2]), np.array([2, 0, 3])).tolist() == [5, 6, 2, 3, 4]
    assert ragged_arange(np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0


def test_conflict_triples_only_where_both_items_reach_the_bin() -> None:
    """A conflict pair constrains exactly the bins both items have arcs into."""
    p = make_problem(
        [1, 1, 1],
        [2, 2, 2],
        [(0, 0, 1), (0, 1, 1), (0, 1, 2), (1, 1, 1), (1, 2, 1), (2, 2, 1)],
        conflicts=[(1, 0), (0, 2), (0, 1)],
    )
    assert conflict_triples(p).tolist() == [[0, 1, 1]]


def test_usable_arcs_drop_seatless_bins_and_oversized_uses() -> None:
    """Arcs into a bin without seats, or needing more of a resource than exists, are dropped;
    two uses of the same resource by one arc count together."""
    p = make_problem(
        [1, 1, 1],
        [1, 0],
        [(0, 0, 1), (1, 1, 1), (2, 0, 1), (0, 0, 2)],
        resources=[3],
        uses=[(2, 0, 2), (2, 0, 2), (3, 0, 3)],
    )
    assert usable_arcs(p).tolist() == [True, False, False, True]


def test_decompose_maps_components_back() -> None:
    """Two components plus a single item; sub-problems keep every arc, use and conflict."""
    p = make_problem(
        [1, 2, 3, 4, 5],
        [1, 1, 1, 1],
        [(0, 0, 1), (1, 0, 2), (2, 1, 3), (3, 2, 4), (2, 2, 5), (4, 3, 6)],
        resources=[5, 1],
        uses=[(0, 0, 1), (3, 1, 1), (2, 1, 1)],
        conflicts=[(2, 3), (0, 4)],
    )
    parts = decompose(p, usable_arcs(p))
    assert parts.n_components == 3
    assert parts.single_items.tolist() == [4]
    first, second = parts.components
    assert first.items.tolist() == [0, 1] and first.arcs.tolist() == [0, 1]
    assert second.items.tolist() == [2, 3] and second.arcs.tolist() == [2, 3, 4]
    sub = second.problem
    assert sub.item_value.tolist() == [3, 4]
    assert sub.arc_item.tolist() == [0, 1, 0] and sub.arc_bin.tolist() == [0, 1, 1]
    assert sub.resource_capacity.tolist() == [1]
    assert sub.use_arc.tolist() == [1, 0] and sub.use_resource.tolist() == [0, 0]
    assert sub.conflicts.tolist() == [[0, 1]]
    assert first.problem.resource_capacity.tolist() == [5]
    assert first.problem.conflicts.shape == (0, 2)


def test_shared_resource_joins_components() -> None:
    """Bins that share nothing but a resource form one component."""
    p = make_problem(
        [1, 1], [1, 1], [(0, 0, 1), (1, 1, 1)], resources=[1], uses=[(0, 0, 1), (1, 0, 1)]
    )
    parts = decompose(p, usable_arcs(p))
    assert parts.n_components == 1 and len(parts.components) == 1


def test_flow_is_lexicographic_whatever_the_scores() -> None:
    """Scores up to 10**9 never outweigh one unit of placed value."""
    p = make_problem([1, 1, 2], [1, 1], [(0, 0, 10**9), (1, 0, 0), (1, 1, 0), (2, 1, 0)])
    result = solve_seats_flow(p)
    assert (result.placed, result.quality) == (3, 10**9)
    assert result.chosen_arc.tolist() == [0, -1, 3]


def test_seat_clash_is_a_hall_violator() -> None:
    """Three required items share two seats in bins 0-1; item 3 is fine elsewhere."""
    p = make_problem(
        [1, 1, 1, 1],
        [1, 1, 5],
        [(0, 0, 1), (1, 0, 1), (1, 1, 1), (2, 1, 1), (3, 2, 1), (3, 0, 1)],
        required=[0, 1, 2, 3],
    )
    assert seat_clash(p) == (0, 1, 2)
    assert seat_clash(make_problem([1], [1], [(0, 0, 1)], required=[0])) == ()


def test_linear_model_keeps_only_binding_rows() -> None:
    """Rows that can never bind are left out; conflicts at one-seat bins are left to the
    seat row."""
    p = make_problem(
        [1, 1, 1],
        [1, 5],
        [(0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 1), (2, 1, 1)],
        required=[2],
        resources=[1, 100],
        uses=[(1, 0, 1), (3, 0, 1), (4, 1, 1)],
        conflicts=[(0, 1)],
    )
    model = build_linear_program(p)
    kinds = model.row_kind.tolist()
    assert kinds == [ROW_ITEM, ROW_ITEM, ROW_SEAT, ROW_RESOURCE, ROW_CONFLICT]
    dense = model.matrix.toarray().tolist()
    assert dense[2] == [1, 0, 1, 0, 0]  # bin 0: 2 arcs > 1 seat; bin 1 has room for all
    assert dense[3] == [0, 1, 0, 1, 0]  # resource 0 can bind, resource 1 cannot
    assert dense[4] == [0, 1, 0, 1, 0]  # items 0 and 1 in bin 1
    assert model.var_lower.tolist() == [0, 0, 0, 0, 1]  # item 2's single arc is fixed
    assert model.placed_coef.tolist() == [1, 1, 1, 1, 1]


def test_greedy_order_and_start() -> None:
    """Higher value picks first, then the better best score; a start is kept where it fits."""
    p = make_problem([1, 2, 1], [1, 1], [(0, 0, 9), (1, 0, 1), (1, 1, 2), (2, 0, 5)])
    assert greedy_assign(p).tolist() == [0, 2, -1]
    assert greedy_assign(p, start=np.array([-1, 1, 3])).tolist() == [-1, 1, -1]
    with pytest.raises(ValueError, match="start"):
        greedy_assign(p, start=np.array([1, -1, -1]))


def test_greedy_respects_resources_and_conflicts() -> None:
    """Greedy skips arcs that would break a resource or a conflict."""
    p = make_problem(
        [3, 2, 1],
        [3],
        [(0, 0, 1), (1, 0, 1), (2, 0, 1)],
        resources=[2],
        uses=[(0, 0, 1), (2, 0, 1), (1, 0, 1)],
        conflicts=[(0, 1)],
    )
    chosen = greedy_assign(p)
    assert chosen.tolist() == [0, -1, 2]
    assert core_violations(p, chosen) == []


def test_polish_moves_items_to_better_arcs_keeping_the_items() -> None:
    """Item 0 moves to its better arc once item 1 stops blocking; item set unchanged."""
    p = make_problem([1, 1], [1, 1], [(0, 0, 1), (0, 1, 9), (1, 1, 2), (1, 0, 3)])
    polished = polish_quality(p, np.array([0, 2]))
    assert (polished >= 0).tolist() == [True, True]
    assert core_violations(p, polished) == []
    assert p.arc_score[polished].sum() >= 3


def test_core_violations_reports_each_kind() -> None:
    """The checker names seats, resources, conflicts, required items and foreign arcs."""
    p = make_problem(
        [1, 1, 1],
        [1],
        [(0, 0, 1), (1, 0, 1), (2, 0, 1)],
        required=[2],
        resources=[1],
        uses=[(0, 0, 1), (1, 0, 1)],
        conflicts=[(0, 1)],
    )
    found = core_violations(p, [0, 1, -1])
    assert found == [
        "item 2: required but unassigned",
        "bin 0: 2 chosen arcs exceed capacity 1",
        "resource 0: use 2 exceeds capacity 1",
        "conflict (0, 1): both in bin 0",
    ]
    assert "item 0: arc 1 belongs to item 1" in core_violations(p, [1, -1, 2])
    assert core_violations(p, [7, -1, 2]) == ["item 0: arc 7 does not exist"]
    assert core_violations(p, [0, -1, 2, 1]) != []


def test_integer_bound_rounds_float_noise_and_distrusts_bad_bounds() -> None:
    """A float bound just under an integer proves that integer; a missing bound, or one
    below the incumbent (impossible for a true bound), falls back."""
    assert integer_bound(99.9999999, 90, 1000) == 100
    assert integer_bound(100.4, 90, 1000) == 100
    assert integer_bound(100.4, 90, 95) == 95
    assert integer_bound(89.9999999, 90, 1000) == 90
    assert integer_bound(0.0, 90, 1000) == 1000
    assert integer_bound(math.inf, 5, 1000) == 1000


@given(st.lists(st.integers(-(2**40), 2**40), max_size=200))
def test_unique_sorted_matches_numpy(values: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    assert unique_sorted(array).tolist() == np.unique(array).tolist()


@settings(deadline=None, max_examples=60)
@given(tiny_problems(min_items=2))
def test_when_only_seats_bind_the_flow_is_the_exact_optimum(problem: AssignmentProblem) -> None:
    """The shortcut's premise: where ``only_seats_bind`` holds, the seats-only flow over the
    usable arcs respects every constraint and equals the brute-force optimum."""
    alive = usable_arcs(problem)
    if not only_seats_bind(problem, alive):
        return
    try:
        flow = solve_seats_flow(problem, alive)
    except InfeasibleInput:
        assert brute_force(problem) is None
        return
    assert core_violations(problem, flow.chosen_arc) == []
    assert (flow.placed, flow.quality) == brute_force(problem)


def test_support_bounded_by_seats_never_binds() -> None:
    """Three clients needing 2 units each could use 6, but the one seat takes only one."""
    problem = make_problem(
        [1, 1, 1],
        [1],
        [(0, 0, 1), (1, 0, 2), (2, 0, 3)],
        resources=[2],
        uses=[(0, 0, 2), (1, 0, 2), (2, 0, 2)],
    )
    assert only_seats_bind(problem, usable_arcs(problem))
    tight = make_problem(
        [1, 1, 1],
        [2],
        [(0, 0, 1), (1, 0, 2), (2, 0, 3)],
        resources=[3],
        uses=[(0, 0, 2), (1, 0, 2), (2, 0, 2)],
    )
    assert not only_seats_bind(tight, usable_arcs(tight))


@st.composite
def resource_problems(draw: st.DrawFn) -> AssignmentProblem:
    """No conflicts; per-bin support resources and one shared caseload, with capacities near
    what the seats could ask for, and sometimes two arcs of one item into one bin."""
    n = draw(st.integers(1, 5))
    nb = draw(st.integers(1, 3))
    seats = draw(st.lists(st.integers(0, 2), min_size=nb, max_size=nb))
    pairs = draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, nb - 1)), min_size=1, max_size=9)
    )
    arcs = [(i, b, 1) for i, b in sorted(pairs)]
    need = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    support = draw(st.lists(st.integers(1, 6), min_size=nb, max_size=nb))
    # A caseload use may differ between an item's arcs (the core allows it).
    weight = draw(st.lists(st.integers(1, 2), min_size=len(arcs), max_size=len(arcs)))
    caseload = draw(st.integers(1, 4))
    uses = [(a, b, need[i]) for a, (i, b, _) in enumerate(arcs)]
    uses += [(a, nb, weight[a]) for a in range(len(arcs))]
    return make_problem([1] * n, seats, arcs, resources=[*support, caseload], uses=uses)


def _seat_feasible_assignments(problem: AssignmentProblem) -> list[list[int]]:
    options = [
        [-1, *np.flatnonzero(problem.arc_item == i).tolist()] for i in range(problem.n_items)
    ]
    out = []
    for choice in itertools.product(*options):
        arcs = [a for a in choice if a >= 0]
        used = np.bincount(problem.arc_bin[arcs], minlength=problem.n_bins)
        if np.all(used <= problem.bin_capacity):
            out.append(list(choice))
    return out


@settings(deadline=None, max_examples=300)
@given(resource_problems())
def test_only_seats_bind_holds_for_every_seat_feasible_assignment(
    problem: AssignmentProblem,
) -> None:
    """Exhaustively: where ``only_seats_bind`` says so, no assignment that fits the seats
    over-uses a resource."""
    if not only_seats_bind(problem, usable_arcs(problem)):
        return
    alive = usable_arcs(problem)
    for choice in _seat_feasible_assignments(problem):
        if all(a < 0 or alive[a] for a in choice):
            assert core_violations(problem, np.array(choice, dtype=np.int64)) == []


def test_a_shared_caseload_counts_each_items_heaviest_use() -> None:
    """Item 0 may take its arc using 2 of the caseload, item 1 uses 1: 3 in all at most."""
    arcs = [(0, 0, 1), (0, 1, 1), (1, 1, 1)]
    uses = [(0, 0, 1), (1, 0, 2), (2, 0, 1)]
    fits = make_problem([1, 1], [2, 2], arcs, resources=[3], uses=uses)
    assert only_seats_bind(fits, usable_arcs(fits))
    short = make_problem([1, 1], [2, 2], arcs, resources=[2], uses=uses)
    assert not only_seats_bind(short, usable_arcs(short))
