"""Independent feasibility check of an assignment against the generic constraints.

It shares no code with the model builders or solvers: it recounts everything from the problem
arrays, so a bug in a solver's model cannot hide itself here.
"""

import numpy as np

from matching.core.problem import AssignmentProblem


def core_violations(
    problem: AssignmentProblem, chosen_arc: object, *, require: bool = True
) -> list[str]:
    """Return a description of every violated constraint; empty means feasible.

    With ``require=False`` unassigned required items are not reported: the check of a
    partial assignment that is still to be completed.

    Parameters
    ----------
    problem:
        The problem.
    chosen_arc:
        Array-like ``int[n_items]``: the arc of each item, or -1 for unassigned.

    Examples
    --------
    >>> p = AssignmentProblem(
    ...     item_value=np.array([1, 1]), item_required=np.array([True, False]),
    ...     bin_capacity=np.array([1]), arc_item=np.array([0, 1]), arc_bin=np.array([0, 0]),
    ...     arc_score=np.array([1, 1]))
    >>> core_violations(p, [0, 1])
    ['bin 0: 2 chosen arcs exceed capacity 1']
    >>> core_violations(p, [-1, 1])
    ['item 0: required but unassigned']
    """
    chosen = np.asarray(chosen_arc)
    if chosen.shape != (problem.n_items,) or chosen.dtype.kind not in "iu":
        return [f"chosen_arc: expected int[{problem.n_items}], got {chosen.dtype}{chosen.shape}"]
    bad = np.flatnonzero((chosen < -1) | (chosen >= problem.n_arcs))
    if bad.size:
        return [f"item {i}: arc {chosen[i]} does not exist" for i in bad.tolist()]

    out: list[str] = []
    items = np.flatnonzero(chosen >= 0)
    arcs = chosen[items]
    owner = problem.arc_item[arcs]
    for k in np.flatnonzero(owner != items).tolist():
        out.append(f"item {items[k]}: arc {arcs[k]} belongs to item {owner[k]}")
    if require:
        for i in np.flatnonzero(problem.item_required & (chosen < 0)).tolist():
            out.append(f"item {i}: required but unassigned")

    seats = np.bincount(problem.arc_bin[arcs], minlength=problem.n_bins)
    for b in np.flatnonzero(seats > problem.bin_capacity).tolist():
        out.append(f"bin {b}: {seats[b]} chosen arcs exceed capacity {problem.bin_capacity[b]}")

    is_chosen = np.zeros(problem.n_arcs, dtype=bool)
    is_chosen[arcs] = True
    active = is_chosen[problem.use_arc]
    used = np.zeros(problem.n_resources, dtype=np.int64)
    np.add.at(used, problem.use_resource[active], problem.use_amount[active])
    for r in np.flatnonzero(used > problem.resource_capacity).tolist():
        out.append(f"resource {r}: use {used[r]} exceeds capacity {problem.resource_capacity[r]}")

    bin_of = np.full(problem.n_items, -1, dtype=np.int64)
    bin_of[items] = problem.arc_bin[arcs]
    first, second = bin_of[problem.conflicts[:, 0]], bin_of[problem.conflicts[:, 1]]
    for k in np.flatnonzero((first >= 0) & (first == second)).tolist():
        i, j = problem.conflicts[k].tolist()
        out.append(f"conflict ({i}, {j}): both in bin {first[k]}")
    return out
