"""Deterministic greedy construction: a baseline and the warm start of the exact solvers."""

import numpy as np

from matching.core.indexing import group, sorted_arcs_by_item
from matching.core.problem import AssignmentProblem, IntArray, as_assignment


def item_order(problem: AssignmentProblem, order: IntArray, starts: IntArray) -> IntArray:
    """Return the greedy processing order of items.

    Required items come first (they must be placed, so they get the first pick), then items
    by decreasing value, then by decreasing best arc score, then by index.
    """
    n = problem.n_items
    has_arc = starts[1:] > starts[:-1]
    best = np.zeros(n, dtype=np.int64)
    best[has_arc] = problem.arc_score[order[starts[:-1][has_arc]]]
    return np.lexsort((np.arange(n), -best, -problem.item_value, ~problem.item_required)).astype(
        np.int64
    )


def greedy_assign(
    problem: AssignmentProblem,
    start: IntArray | None = None,
) -> IntArray:
    """Assign items one by one to their best arc that keeps every constraint satisfied.

    Parameters
    ----------
    problem:
        The problem.
    start:
        Optional ``int64[n_items]`` arc index or -1 per item, e.g. last week's assignment. Its
        arcs are tried first (in the greedy item order, skipping any that no longer fit), so a
        good previous assignment survives wherever it is still feasible.

    Returns
    -------
    ``int64[n_items]``: the chosen arc per item, or -1. Seats, resources and conflicts always
    hold; a required item may remain unassigned if the greedy could not fit it.

    Notes
    -----
    Items are visited once (see `item_order`) and take their highest-scoring feasible arc,
    ties by arc index. The loop is plain Python over lists: per arc it costs a few list look
    ups, and it stops at the first feasible arc, so it is linear in the arcs scanned.
    """
    order, starts = sorted_arcs_by_item(problem)
    visit = item_order(problem, order, starts).tolist()
    state = _GreedyState(problem)
    if start is not None:
        start_list = as_assignment(problem, start, "start").tolist()
        for i in visit:
            if start_list[i] >= 0:
                state.try_place(i, start_list[i])
    bins = problem.arc_bin[order]  # the bin of each arc in the sorted order
    starts_list = starts.tolist()
    seats = state.seats
    for i in visit:
        if state.chosen[i] >= 0:
            continue
        low, high = starts_list[i], starts_list[i + 1]
        # Arcs into a full bin can never fit: only the others reach the Python checks.
        # An item left out (most of them on a county short of seats) thus costs one
        # vectorised look-up instead of a loop over its hundreds of arcs.
        for k in np.flatnonzero(seats[bins[low:high]] > 0).tolist():
            if state.try_place(i, int(order[low + k])):
                break
    return np.asarray(state.chosen, dtype=np.int64)


def polish_quality(problem: AssignmentProblem, chosen_arc: IntArray, passes: int = 2) -> IntArray:
    """Improve quality by moving single items to better arcs, keeping feasibility.

    Each assigned item, in the greedy item order, is lifted out and put back on its
    highest-scoring arc that fits (its old arc always fits again, so nothing gets worse). The
    set of assigned items never changes, so the placed value is kept exactly. Phase 1 ignores
    quality, so its solution may score poorly where a single move would fix it; on tightly
    packed bins only exchanges help, and those are left to phase 2.
    Stops after `passes` passes or when a pass improves nothing.
    """
    order, starts = sorted_arcs_by_item(problem)
    visit = [i for i in item_order(problem, order, starts).tolist() if chosen_arc[i] >= 0]
    state = _GreedyState(problem)
    for i in visit:
        if not state.try_place(i, int(chosen_arc[i])):
            raise ValueError("polish_quality: the starting assignment is infeasible")
    bins = problem.arc_bin[order]
    scores = problem.arc_score[order]
    starts_list = starts.tolist()
    seats = state.seats
    for _ in range(passes):
        improved = False
        for i in visit:
            current = state.chosen[i]
            state.remove(i)
            low = starts_list[i]
            # Arcs scoring more than the current one form a prefix (best first).
            current_score = int(problem.arc_score[current])
            better = int(np.count_nonzero(scores[low : starts_list[i + 1]] > current_score))
            for k in np.flatnonzero(seats[bins[low : low + better]] > 0).tolist():
                if state.try_place(i, int(order[low + k])):
                    improved = True
                    break
            if state.chosen[i] < 0:
                state.try_place(i, current)
        if not improved:
            break
    return np.asarray(state.chosen, dtype=np.int64)


class _GreedyState:
    """Remaining seats (numpy, for vectorised look-ups) and resources, and the bin of each
    assigned item. Per-arc data stays in numpy arrays: only the arcs actually tried are
    read, so no Python list as long as the arcs is built (on nine million arcs those lists
    alone took over a gigabyte)."""

    def __init__(self, problem: AssignmentProblem) -> None:
        n = problem.n_items
        self.arc_bin = problem.arc_bin
        self.seats = problem.bin_capacity.copy()
        self.resource_left: list[int] = problem.resource_capacity.tolist()
        self.chosen: list[int] = [-1] * n
        self.item_bin: list[int] = [-1] * n
        use_order, use_starts = group(problem.use_arc, problem.n_arcs)
        self.use_starts = use_starts
        self.use_resource = problem.use_resource[use_order]
        self.use_amount = problem.use_amount[use_order]
        both = np.concatenate((problem.conflicts, problem.conflicts[:, ::-1]))
        mate_order, mate_starts = group(both[:, 0], n)
        self.mate_starts: list[int] = mate_starts.tolist()
        self.mates: list[int] = both[mate_order, 1].tolist()

    def _uses(self, arc: int) -> list[tuple[int, int]]:
        """The ``(resource, amount)`` uses of one arc."""
        low, high = int(self.use_starts[arc]), int(self.use_starts[arc + 1])
        if low == high:
            return []
        return list(
            zip(
                self.use_resource[low:high].tolist(),
                self.use_amount[low:high].tolist(),
                strict=True,
            )
        )

    def try_place(self, item: int, arc: int) -> bool:
        """Assign `item` to `arc` if seats, resources and conflicts allow; report success."""
        b = int(self.arc_bin[arc])
        if self.seats[b] <= 0:
            return False
        uses = self._uses(arc)
        for r, amount in uses:
            if self.resource_left[r] < amount:
                return False
        for k in range(self.mate_starts[item], self.mate_starts[item + 1]):
            if self.item_bin[self.mates[k]] == b:
                return False
        # Several uses of one resource by the same arc must fit together, not one by one.
        if len(uses) > 1 and not self._uses_fit_together(uses):
            return False
        self.seats[b] -= 1
        for r, amount in uses:
            self.resource_left[r] -= amount
        self.chosen[item] = arc
        self.item_bin[item] = b
        return True

    def remove(self, item: int) -> None:
        """Unassign `item`, giving back its seat and resources."""
        arc = self.chosen[item]
        self.seats[int(self.arc_bin[arc])] += 1
        for r, amount in self._uses(arc):
            self.resource_left[r] += amount
        self.chosen[item] = -1
        self.item_bin[item] = -1

    def _uses_fit_together(self, uses: list[tuple[int, int]]) -> bool:
        """Check the summed amounts per resource for an arc with several uses."""
        need: dict[int, int] = {}
        for r, amount in uses:
            need[r] = need.get(r, 0) + amount
        return all(self.resource_left[r] >= amount for r, amount in need.items())
