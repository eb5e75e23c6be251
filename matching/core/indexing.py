"""Vectorised index helpers shared by the solvers: grouping, ragged ranges, conflict triples."""

import weakref

import numpy as np

from matching.core.problem import AssignmentProblem, IntArray


def unique_sorted(values: IntArray) -> IntArray:
    """The distinct values, ascending: ``np.unique`` by sorting.

    NumPy 2.4's ``np.unique`` took 16 s for ten million int64 keys (a hash-based path),
    where a sort and a comparison take 0.1 s; candidate generation and decomposition of a
    20,000-client county spent most of their time there.
    """
    ordered = np.sort(np.asarray(values, dtype=np.int64), kind="stable")
    if ordered.size == 0:
        return ordered
    first = np.empty(ordered.size, dtype=np.bool_)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def group(keys: IntArray, n_groups: int) -> tuple[IntArray, IntArray]:
    """Group positions by key.

    Returns ``(order, starts)``: ``order[starts[g]:starts[g + 1]]`` are the positions holding
    key ``g``, in increasing position order (the sort is stable, which keeps every solver's
    tie-breaking by index deterministic).
    """
    if keys.size < 2 or bool(np.all(keys[1:] >= keys[:-1])):
        order = np.arange(keys.size, dtype=np.int64)  # already grouped: no sort
    else:
        order = np.argsort(keys, kind="stable").astype(np.int64)
    starts = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n_groups), out=starts[1:])
    return order, starts


def ragged_arange(starts: IntArray, counts: IntArray) -> IntArray:
    """Concatenate ``arange(s, s + c)`` for every pair, without a Python loop."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    # Positions inside each run, offset by each run's start.
    run_offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(np.asarray(starts, dtype=np.int64), counts) + (
        np.arange(total, dtype=np.int64) - run_offsets
    )


_BY_ITEM: "weakref.WeakKeyDictionary[AssignmentProblem, tuple[IntArray, IntArray]]" = (
    weakref.WeakKeyDictionary()
)


def sorted_arcs_by_item(problem: AssignmentProblem) -> tuple[IntArray, IntArray]:
    """Return ``(order, starts)`` of arcs grouped by item, best score first, ties by index.

    Computed once per problem (greedy runs, polishing, pricing and the restriction all ask
    for it; the arrays are read-only) with one stable sort of a combined key where it fits
    in int64, which on nine million arcs costs a third of a three-key ``lexsort``."""
    cached = _BY_ITEM.get(problem)
    if cached is not None:
        return cached
    m = problem.n_arcs
    top = int(problem.arc_score.max(initial=0)) + 1
    if problem.n_items * top < 2**62:
        key = problem.arc_item * top + (top - 1 - problem.arc_score)
        order = np.argsort(key, kind="stable").astype(np.int64)
        del key
    else:
        order = np.lexsort((np.arange(m), -problem.arc_score, problem.arc_item)).astype(np.int64)
    starts = np.zeros(problem.n_items + 1, dtype=np.int64)
    np.cumsum(np.bincount(problem.arc_item, minlength=problem.n_items), out=starts[1:])
    order.flags.writeable = False
    starts.flags.writeable = False
    _BY_ITEM[problem] = (order, starts)
    return order, starts


def conflict_triples(problem: AssignmentProblem, alive: np.ndarray | None = None) -> IntArray:
    """Return the effective conflicts as unique rows ``(i, j, bin)`` with ``i < j``.

    A conflict pair only constrains bins that both items have an arc into (among the `alive`
    arcs, all by default); other pairs are vacuous and produce no triple. The work is
    proportional to the number of distinct bins of the pair's smaller side.
    """
    empty = np.zeros((0, 3), dtype=np.int64)
    if len(problem.conflicts) == 0 or problem.n_bins == 0:
        return empty
    nb = problem.n_bins
    # Only the arcs of items in some conflict matter: a few hundred items, where a county
    # can have ten million arcs (sorting all their keys took 14 s).
    in_conflict = np.zeros(problem.n_items, dtype=np.bool_)
    in_conflict[problem.conflicts.ravel()] = True
    relevant = in_conflict[problem.arc_item]
    if alive is not None:
        relevant &= alive
    arcs = np.flatnonzero(relevant)
    # Distinct (item, bin) pairs as sorted keys: sorted by item, then bin.
    keys = unique_sorted(problem.arc_item[arcs] * nb + problem.arc_bin[arcs])
    if keys.size == 0:
        return empty
    key_item = keys // nb
    n = problem.n_items
    item_start = np.searchsorted(key_item, np.arange(n + 1))
    degree = np.diff(item_start)
    pairs = np.unique(np.sort(problem.conflicts, axis=1), axis=0)
    # Expand each pair over the bins of its side with fewer bins, then test the other side.
    swap = degree[pairs[:, 0]] > degree[pairs[:, 1]]
    small = np.where(swap, pairs[:, 1], pairs[:, 0])
    large = np.where(swap, pairs[:, 0], pairs[:, 1])
    counts = degree[small]
    positions = ragged_arange(item_start[small], counts)
    bins = keys[positions] % nb
    probe = np.repeat(large, counts) * nb + bins
    found = np.searchsorted(keys, probe)
    hit = found < keys.size
    hit[hit] = keys[found[hit]] == probe[hit]
    pair_index = np.repeat(np.arange(len(pairs)), counts)[hit]
    return np.column_stack((pairs[pair_index, 0], pairs[pair_index, 1], bins[hit])).astype(np.int64)
