"""Large-neighbourhood search: improve an assignment by re-solving a few bins at a time.

A monolithic MIP over millions of arcs spends longer loading than a typical time limit (see
``solve.MONOLITHIC_MAX_NONZEROS``), and on tight instances its own heuristics rarely improve
the greedy start. Here each step frees a group of related bins (bins that share candidate
items), together with every item assigned to them and every unassigned item that could go
there, and solves that small problem exactly and lexicographically with the same ``solve``
(flow relaxation first, then the MIP), everything else staying fixed:

* the freed bins keep their full seats (all their items are free);
* each resource keeps its capacity minus what the fixed items use;
* conflicts between free items are kept; a fixed item never sits in a freed bin, so
  conflicts with fixed items cannot bind.

The current assignment restricted to the neighbourhood is feasible there and is passed as the
hint, so a step never makes the assignment worse in the lexicographic order. Steps that end
equal are kept too: they move the search sideways across a plateau of equal value.

Neighbourhoods are drawn with a seeded generator, so the sequence of steps is reproducible;
how many steps fit in the time limit is not.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matching.core.indexing import group, ragged_arange, unique_sorted
from matching.core.options import CoreOptions
from matching.core.problem import AssignmentProblem, IntArray, objective_of
from matching.core.solution import AssignmentSolution

SubSolver = Callable[[AssignmentProblem, CoreOptions, IntArray], AssignmentSolution]

TARGET_ARCS = 1500
"""Approximate number of arcs per neighbourhood: small enough for the MIP to solve most steps
in a fraction of a second, large enough for exchanges among several bins. On the 2,000-item
benchmark, 10 s of search with 500, 1,000, 1,500 and 4,000 arcs per step placed 3022, 2999 to
3023, 3043 and 2989 (from a greedy 2,916; relaxation bound 3,177): 1,000-1,500 was best."""

_STEP_LIMIT_S = 1.0


@dataclass
class _Index:
    """CSR views of the problem used to build neighbourhoods quickly."""

    arcs_by_bin: IntArray
    bin_starts: IntArray
    arcs_by_item: IntArray
    item_starts: IntArray
    uses_by_arc: IntArray
    use_starts: IntArray

    @classmethod
    def of(cls, problem: AssignmentProblem) -> "_Index":
        """Index arcs by bin and by item, and uses by arc."""
        arcs_by_bin, bin_starts = group(problem.arc_bin, problem.n_bins)
        arcs_by_item, item_starts = group(problem.arc_item, problem.n_items)
        uses_by_arc, use_starts = group(problem.use_arc, problem.n_arcs)
        return cls(
            arcs_by_bin,
            bin_starts,
            arcs_by_item,
            item_starts,
            uses_by_arc,
            use_starts,
        )


def improve_by_neighbourhoods(
    problem: AssignmentProblem,
    chosen_arc: IntArray,
    solve_sub: SubSolver,
    options: CoreOptions,
    deadline: float,
    max_steps: int | None = None,
) -> tuple[IntArray, dict[str, int]]:
    """Improve a feasible `chosen_arc` for `max_steps` steps or until `deadline` (a
    ``time.perf_counter`` reading), whichever comes first.

    `solve_sub` solves a neighbourhood (normally ``matching.core.solve`` itself) with the given
    options and hint. With a step limit that is reached before the deadline, the result is
    reproducible. Returns the improved assignment and step counts.
    """
    rng = np.random.default_rng(options.seed)
    index = _Index.of(problem)
    in_degree = np.diff(index.bin_starts)
    candidates = np.flatnonzero(in_degree > 0)
    chosen = chosen_arc.copy()
    stats = {"steps": 0, "improved": 0}
    if candidates.size == 0:
        return chosen, stats
    while (left := deadline - time.perf_counter()) > 0.1 and stats["steps"] != max_steps:
        bins = _grow(problem, index, int(rng.choice(candidates)), rng)
        sub, items, arcs, hint = _neighbourhood(problem, index, chosen, bins)
        if sub.n_arcs == 0:
            continue
        sub_options = CoreOptions(
            time_limit_s=min(left, _STEP_LIMIT_S),
            method=options.method,
            seed=options.seed,
            num_workers=options.num_workers,
            relative_gap=0.0,
        )
        result = solve_sub(sub, sub_options, hint)
        stats["steps"] += 1
        if (result.placed_value, result.quality) < objective_of(sub, hint):
            continue  # cannot happen with an exact step; guard against a time-limited one
        stats["improved"] += (result.placed_value, result.quality) > objective_of(sub, hint)
        local = result.chosen_arc
        chosen[items] = np.where(local >= 0, arcs[np.maximum(local, 0)], -1)
    return chosen, stats


def _grow(
    problem: AssignmentProblem,
    index: _Index,
    seed_bin: int,
    rng: np.random.Generator,
) -> IntArray:
    """A set of related bins around `seed_bin` with about TARGET_ARCS arcs into them.

    Bins are related when an item has arcs into both; new bins are drawn at random among
    the bins reachable from the items of the bins taken so far.
    """
    taken = {seed_bin}
    frontier = [seed_bin]
    arcs = int(index.bin_starts[seed_bin + 1] - index.bin_starts[seed_bin])
    while arcs < TARGET_ARCS and frontier:
        b = frontier.pop(int(rng.integers(len(frontier))))
        items = problem.arc_item[index.arcs_by_bin[index.bin_starts[b] : index.bin_starts[b + 1]]]
        # The bins of a few random items of b: the places its items could move to.
        sample = rng.choice(items, size=min(len(items), 8), replace=False)
        starts, ends = index.item_starts[sample], index.item_starts[sample + 1]
        item_bins = problem.arc_bin[index.arcs_by_item[ragged_arange(starts, ends - starts)]]
        for nb in rng.permutation(np.unique(item_bins)).tolist():
            if nb in taken:
                continue
            taken.add(nb)
            frontier.append(nb)
            arcs += int(index.bin_starts[nb + 1] - index.bin_starts[nb])
            if arcs >= TARGET_ARCS:
                break
    return np.array(sorted(taken), dtype=np.int64)


def _neighbourhood(
    problem: AssignmentProblem,
    index: _Index,
    chosen: IntArray,
    bins: IntArray,
) -> tuple[AssignmentProblem, IntArray, IntArray, IntArray]:
    """The sub-problem of `bins` given the fixed rest of `chosen`.

    Returns the sub-problem, the global index of its items and arcs, and the current
    assignment in local arc indices (the hint).
    """
    n, nb = problem.n_items, problem.n_bins
    in_set = np.zeros(nb, dtype=np.bool_)
    in_set[bins] = True
    assigned = chosen >= 0
    item_bin = np.full(n, -1, dtype=np.int64)
    item_bin[assigned] = problem.arc_bin[chosen[assigned]]
    counts = index.bin_starts[bins + 1] - index.bin_starts[bins]
    arcs = index.arcs_by_bin[ragged_arange(index.bin_starts[bins], counts)]
    owner = problem.arc_item[arcs]
    # Free: items placed in the set, and unassigned items with an arc into it.
    free_item = (item_bin[owner] >= 0) & in_set[np.maximum(item_bin[owner], 0)]
    free_item |= item_bin[owner] < 0
    arcs = np.sort(arcs[free_item])
    items = unique_sorted(problem.arc_item[arcs])
    local_item = np.full(n, -1, dtype=np.int64)
    local_item[items] = np.arange(len(items))
    local_bin = np.full(nb, -1, dtype=np.int64)
    local_bin[bins] = np.arange(len(bins))

    uses = index.uses_by_arc[
        ragged_arange(index.use_starts[arcs], index.use_starts[arcs + 1] - index.use_starts[arcs])
    ]
    resources = unique_sorted(problem.use_resource[uses])
    local_resource = np.full(problem.n_resources, -1, dtype=np.int64)
    local_resource[resources] = np.arange(len(resources))
    # What the fixed items already use of each resource.
    fixed = chosen[assigned & (local_item < 0)]
    is_fixed = np.zeros(problem.n_arcs, dtype=np.bool_)
    is_fixed[fixed] = True
    fixed_use = np.bincount(
        problem.use_resource[is_fixed[problem.use_arc]],
        weights=problem.use_amount[is_fixed[problem.use_arc]],
        minlength=problem.n_resources,
    ).astype(np.int64)

    # Conflicts between two free items are kept; a fixed item never sits in a freed bin.
    sub = problem.subproblem(
        arcs,
        items=items,
        bins=bins,
        resources=resources,
        uses=uses,
        resource_capacity=problem.resource_capacity[resources] - fixed_use[resources],
    )
    current = chosen[items]
    hint = np.where(current >= 0, np.searchsorted(arcs, np.maximum(current, 0)), -1)
    return sub, items, arcs, hint.astype(np.int64)
