"""Exact seats-only relaxation by min-cost flow (OR-Tools ``SimpleMinCostFlow``).

Dropping the resources and conflicts leaves a transportation problem: items send one unit each
through one of their arcs to a bin, and bins pass at most ``bin_capacity`` units to the sink.
Its constraint matrix is totally unimodular, so an integer min-cost flow solves it exactly.

The lexicographic objective becomes one integer cost per arc,
``cost = -(item_value * B + arc_score)`` with ``B = Q + 1``, where ``Q`` bounds the quality of
any assignment (the sum over items of their best arc score). Two assignments with placed values
``P1 > P2`` then differ in cost by at least ``B - Q >= 1`` in favour of the first, whatever the
scores, so minimising cost maximises placed value first and quality second, exactly. The
scaling is refused (``OverflowError``) when it could overflow int64, and the caller falls back
to the two-phase MIP.

Required items are lower bounds on their source arc; the standard transformation moves that
unit into the item's supply, so the item's unit can leave only through one of its arcs, and a
required item that cannot be seated makes the flow infeasible.
"""

import weakref
from dataclasses import dataclass, replace

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from matching.core.errors import InfeasibleInput, SolverError
from matching.core.problem import (
    AssignmentProblem,
    BoolArray,
    IntArray,
    objective_of,
    quality_ceiling,
)

# Cost scaling multiplies unit costs by about the node count, so keep well below int64.
_COST_LIMIT = 2**62
_SOURCE, _SINK, _FIRST = 0, 1, 2


@dataclass(frozen=True)
class FlowResult:
    """Lexicographic optimum of the seats-only relaxation.

    Attributes
    ----------
    chosen_arc:
        ``int64[n_items]`` arc index or -1 per item.
    placed, quality:
        Its placed value and quality: upper bounds (in lexicographic order) for the full
        problem, since every feasible assignment of the full problem is seat-feasible.
    """

    chosen_arc: IntArray
    placed: int
    quality: int


def lexicographic_scale(problem: AssignmentProblem) -> int:
    """Return ``B = Q + 1``, ``Q`` the sum over items of their best arc score."""
    return quality_ceiling(problem) + 1


def solve_seats_flow(problem: AssignmentProblem, alive: BoolArray | None = None) -> FlowResult:
    """Solve the seats-only relaxation of `problem` to lexicographic optimality, over the
    `alive` arcs only when given (the others get no capacity: cheaper than copying the
    problem without them).

    Raises
    ------
    InfeasibleInput
        The required items cannot all be seated, even ignoring resources and conflicts. The
        exception lists a set of required items whose arcs reach fewer seats than items.
    OverflowError
        The single-cost scaling would overflow int64.
    SolverError
        Any other min-cost flow status (bad ranges, unbalanced supplies): a bug, not a
        property of the problem.
    """
    n, nb, m = problem.n_items, problem.n_bins, problem.n_arcs
    scale = lexicographic_scale(problem)
    max_value = int(problem.item_value.max(initial=0))
    n_nodes = _FIRST + n + nb
    if (max_value * scale + scale) * (n_nodes + 1) >= _COST_LIMIT:
        raise OverflowError("seats flow: lexicographic cost scaling would overflow int64")

    required = problem.item_required
    optional_items = np.flatnonzero(~required)
    n_optional = len(optional_items)
    item_node = _FIRST + np.arange(n, dtype=np.int64)
    bin_node = _FIRST + n + np.arange(nb, dtype=np.int64)
    in_degree = np.bincount(problem.arc_bin, minlength=nb)

    # Arc order matters: the first m flow arcs are the problem's arcs, in index order.
    tails = np.concatenate(
        (item_node[problem.arc_item], [_SOURCE], np.full(n_optional, _SOURCE), bin_node)
    )
    heads = np.concatenate(
        (bin_node[problem.arc_bin], [_SINK], item_node[optional_items], np.full(nb, _SINK))
    )
    capacities = np.concatenate(
        (
            np.ones(m, dtype=np.int64) if alive is None else alive.astype(np.int64),
            [n_optional],  # bypass: an optional item may stay unassigned at zero cost
            np.ones(n_optional, dtype=np.int64),
            np.minimum(problem.bin_capacity, in_degree),
        )
    )
    costs = np.concatenate(
        (
            -(problem.item_value[problem.arc_item] * scale + problem.arc_score),
            np.zeros(1 + n_optional + nb, dtype=np.int64),
        )
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32),
        heads.astype(np.int32),
        capacities.astype(np.int64),
        costs.astype(np.int64),
    )
    supplies = np.zeros(n_nodes, dtype=np.int64)
    supplies[_SOURCE] = n_optional
    supplies[_FIRST + np.flatnonzero(required)] = 1
    supplies[_SINK] = -(n_optional + int(required.sum()))
    flow.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)

    status = flow.solve()
    if status == min_cost_flow.SimpleMinCostFlow.INFEASIBLE:
        clash = seat_clash(problem)
        raise InfeasibleInput(
            f"required items {list(clash)} need more seats than their bins have",
            clash,
        )
    if status == min_cost_flow.SimpleMinCostFlow.BAD_COST_RANGE:
        raise OverflowError("seats flow: the solver reported a cost range overflow")
    if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        raise SolverError(f"seats flow: unexpected min-cost flow status {status!r}")

    used = np.asarray(flow.flows(np.arange(m, dtype=np.int32))) > 0
    chosen = np.full(n, -1, dtype=np.int64)
    chosen[problem.arc_item[used]] = np.flatnonzero(used)
    placed, quality = objective_of(problem, chosen)
    return FlowResult(chosen_arc=chosen, placed=placed, quality=quality)


FREE_QUALITY_MAX_ARCS = 2_000_000
"""``free_quality`` solves its flow up to this many arcs (about 0.6 s quiet at 1 M arcs);
larger problems get the quality ceiling."""

_FREE: "weakref.WeakKeyDictionary[AssignmentProblem, int]" = weakref.WeakKeyDictionary()


def free_quality(problem: AssignmentProblem) -> int:
    """An upper bound on the quality of every feasible assignment, whatever it places: the
    best quality with seats alone and no priority on the number placed (one min-cost flow
    with costs ``-arc_score``), or the quality ceiling past ``FREE_QUALITY_MAX_ARCS``.

    It is the honest quality bound of an answer placing fewer than the relaxation's placed
    value (phase 1 stopped by the clock), where the relaxation's own quality bounds only
    assignments placing that much: far below the ceiling, which lets every item take its
    best arc whatever the seats. Computed once per problem."""
    cached = _FREE.get(problem)
    if cached is not None:
        return cached
    ceiling = quality_ceiling(problem)
    bound = ceiling
    if problem.n_arcs <= FREE_QUALITY_MAX_ARCS:
        unweighted = replace(problem, item_value=np.zeros(problem.n_items, dtype=np.int64))
        try:
            bound = min(ceiling, solve_seats_flow(unweighted).quality)
        except (InfeasibleInput, OverflowError):
            bound = ceiling  # the caller's own checks report an infeasible input
    _FREE[problem] = bound
    return bound


def seat_clash(problem: AssignmentProblem) -> tuple[int, ...]:
    """Return required items that cannot all be seated together (a Hall violator), or ().

    A max flow seats as many required items as possible. In the residual graph the nodes still
    reachable from the source form a minimum cut; with item-to-bin arcs uncuttable, the
    required items on the source side have all their bins on that side too, and they
    outnumber those bins' seats. That set is usually much smaller than all required items.
    """
    required = np.flatnonzero(problem.item_required)
    n, nb = problem.n_items, problem.n_bins
    arcs = np.flatnonzero(problem.item_required[problem.arc_item])
    big = len(required) + 1  # larger than any cut, so item-to-bin arcs are never cut
    tails = np.concatenate(
        (
            np.full(len(required), _SOURCE),
            _FIRST + problem.arc_item[arcs],
            _FIRST + n + np.arange(nb),
        )
    )
    heads = np.concatenate(
        (_FIRST + required, _FIRST + n + problem.arc_bin[arcs], np.full(nb, _SINK))
    )
    capacities = np.concatenate(
        (
            np.ones(len(required), dtype=np.int64),
            np.full(len(arcs), big, dtype=np.int64),
            np.minimum(problem.bin_capacity, big),
        )
    )
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(
        tails.astype(np.int32), heads.astype(np.int32), capacities.astype(np.int64)
    )
    status = solver.solve(_SOURCE, _SINK)
    if status != max_flow.SimpleMaxFlow.OPTIMAL:
        raise SolverError(f"seat clash: unexpected max-flow status {status!r}")
    if solver.optimal_flow() == len(required):
        return ()
    side = np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)
    items = side[(side >= _FIRST) & (side < _FIRST + n)] - _FIRST
    return tuple(int(i) for i in np.sort(items))
