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
    order_list, starts_list = order.tolist(), starts.tolist()
    for i in visit:
        if state.chosen[i] >= 0:
            continue
        for position in range(starts_list[i], starts_list[i + 1]):
            if state.try_place(i, order_list[position]):
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
    order_list, starts_list = order.tolist(), starts.tolist()
    score: list[int] = problem.arc_score.tolist()
    for _ in range(passes):
        improved = False
        for i in visit:
            current = state.chosen[i]
            state.remove(i)
            for position in range(starts_list[i], starts_list[i + 1]):
                arc = order_list[position]
                if arc == current or score[arc] <= score[current]:
                    break  # sorted by score: nothing better remains
                if state.try_place(i, arc):
                    improved = True
                    break
            if state.chosen[i] < 0:
                state.try_place(i, current)
        if not improved:
            break
    return np.asarray(state.chosen, dtype=np.int64)


class _GreedyState:
    """Remaining seats and resources, and the bin of each assigned item, as Python lists."""

    def __init__(self, problem: AssignmentProblem) -> None:
        n = problem.n_items
        self.arc_bin: list[int] = problem.arc_bin.tolist()
        self.seats_left: list[int] = problem.bin_capacity.tolist()
        self.resource_left: list[int] = problem.resource_capacity.tolist()
        self.chosen: list[int] = [-1] * n
        self.item_bin: list[int] = [-1] * n
        use_order, use_starts = group(problem.use_arc, problem.n_arcs)
        self.use_starts: list[int] = use_starts.tolist()
        self.use_resource: list[int] = problem.use_resource[use_order].tolist()
        self.use_amount: list[int] = problem.use_amount[use_order].tolist()
        both = np.concatenate((problem.conflicts, problem.conflicts[:, ::-1]))
        mate_order, mate_starts = group(both[:, 0], n)
        self.mate_starts: list[int] = mate_starts.tolist()
        self.mates: list[int] = both[mate_order, 1].tolist()

    def try_place(self, item: int, arc: int) -> bool:
        """Assign `item` to `arc` if seats, resources and conflicts allow; report success."""
        b = self.arc_bin[arc]
        if self.seats_left[b] <= 0:
            return False
        uses = range(self.use_starts[arc], self.use_starts[arc + 1])
        for u in uses:
            if self.resource_left[self.use_resource[u]] < self.use_amount[u]:
                return False
        for k in range(self.mate_starts[item], self.mate_starts[item + 1]):
            if self.item_bin[self.mates[k]] == b:
                return False
        # Several uses of one resource by the same arc must fit together, not one by one.
        if len(uses) > 1 and not self._uses_fit_together(uses):
            return False
        self.seats_left[b] -= 1
        for u in uses:
            self.resource_left[self.use_resource[u]] -= self.use_amount[u]
        self.chosen[item] = arc
        self.item_bin[item] = b
        return True

    def remove(self, item: int) -> None:
        """Unassign `item`, giving back its seat and resources."""
        arc = self.chosen[item]
        self.seats_left[self.arc_bin[arc]] += 1
        for u in range(self.use_starts[arc], self.use_starts[arc + 1]):
            self.resource_left[self.use_resource[u]] += self.use_amount[u]
        self.chosen[item] = -1
        self.item_bin[item] = -1

    def _uses_fit_together(self, uses: range) -> bool:
        """Check the summed amounts per resource for an arc with several uses."""
        need: dict[int, int] = {}
        for u in uses:
            r = self.use_resource[u]
            need[r] = need.get(r, 0) + self.use_amount[u]
        return all(self.resource_left[r] >= amount for r, amount in need.items())
