"""Split a problem into independent components, and solve the one-item components directly.

Two items are dependent when their arcs share a bin, a resource or an effective conflict
(a conflict pair with a common bin; such a pair shares that bin anyway). The connected
components of the graph on items, bins and resources with those links share no constraint,
so the feasible assignments of the whole are exactly the combinations of feasible assignments
of the components, and both objectives are sums over components.

Why solving each component lexicographically is lexicographically optimal overall: the best
total placed value is the sum of the components' best placed values (maximising a sum over
a product of sets). An assignment reaching that total must reach each component's best, since
none can exceed its own; so the assignments optimal in phase 1 are exactly the combinations
of the components' phase-1 optima, and the best total quality among them is the sum of the
components' best qualities. Components therefore never need to trade with each other.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse import csgraph

from matching.core.indexing import conflict_triples, group, sorted_arcs_by_item
from matching.core.problem import AssignmentProblem, BoolArray, IntArray


@dataclass(frozen=True)
class Component:
    """One independent part of a problem, re-indexed from 0.

    Attributes
    ----------
    problem:
        The component as a problem of its own (local item, bin, arc and resource indices).
    items:
        ``int64``: the original index of each local item.
    arcs:
        ``int64``, sorted: the original index of each local arc; None when the component
        keeps every arc in its own numbering (a whole county of nine million arcs: no 72 MB
        identity array).
    """

    problem: AssignmentProblem
    items: IntArray
    arcs: IntArray | None

    @property
    def size(self) -> int:
        """Size used to share the time budget: the number of arcs."""
        return self.problem.n_arcs

    def global_arcs(self, local: IntArray) -> IntArray:
        """The original index of each local arc in `local` (all >= 0)."""
        return local if self.arcs is None else self.arcs[local]

    def local_arcs(self, global_arcs: IntArray) -> IntArray:
        """The local index of each original arc in `global_arcs`, or -1 where it is -1 or
        not in the component."""
        if self.arcs is None:
            return np.asarray(global_arcs, dtype=np.int64)
        if len(self.arcs) == 0:
            return np.full(len(global_arcs), -1, dtype=np.int64)
        # The arcs are sorted, so an original arc's local index is a binary search.
        position = np.searchsorted(self.arcs, np.maximum(global_arcs, 0))
        position = np.minimum(position, len(self.arcs) - 1)
        found = (global_arcs >= 0) & (self.arcs[position] == global_arcs)
        return np.where(found, position, -1).astype(np.int64)


@dataclass(frozen=True)
class Decomposition:
    """Components with two or more items, and the items that form a component alone.

    ``single_items`` are items with at least one usable arc whose component has no other
    item; ``n_components`` counts every component with a usable arc.
    """

    components: list[Component]
    single_items: IntArray
    n_components: int


def usable_arcs(problem: AssignmentProblem) -> BoolArray:
    """Mask of arcs that can be chosen at all: a bin with a seat, and each resource's
    total use by the arc within that resource's capacity.

    Dropping the others is safe (no feasible assignment uses them) and tightens the flow
    relaxation, since the relaxation would otherwise happily use them.
    """
    alive = problem.bin_capacity[problem.arc_bin] > 0
    use_arc, use_resource = problem.use_arc, problem.use_resource
    if len(use_arc) == 0:
        return alive
    if _each_pair_once(use_arc, use_resource):
        # No arc lists a resource twice (as compiled problems are laid out): each use alone.
        too_much = problem.use_amount > problem.resource_capacity[use_resource]
        alive[use_arc[too_much]] = False
        return alive
    # Sum the amounts per (arc, resource): an arc may list one resource more than once.
    keys = use_arc * problem.n_resources + use_resource
    unique, inverse = np.unique(keys, return_inverse=True)
    amount = np.bincount(inverse, weights=problem.use_amount)
    too_much = amount > problem.resource_capacity[unique % problem.n_resources]
    alive[unique[too_much] // problem.n_resources] = False
    return alive


def _each_pair_once(use_arc: IntArray, use_resource: IntArray) -> bool:
    """True when the uses are sorted by arc and, within an arc, strictly by resource: then
    no (arc, resource) pair occurs twice. Checked with boolean temporaries only."""
    if len(use_arc) < 2:
        return True
    next_arc = use_arc[1:] != use_arc[:-1]
    return bool(
        np.all(use_arc[1:] >= use_arc[:-1])
        and np.all(next_arc | (use_resource[1:] > use_resource[:-1]))
    )


def only_seats_bind(problem: AssignmentProblem, alive: BoolArray) -> bool:
    """True when there is no conflict pair and no resource can be over-used whatever the
    assignment: the seats are then the only constraint, and one min-cost flow solves the whole
    problem exactly.

    The most a resource can be asked for, bounded three ways (each only ever overestimates):
    every usable arc's use at once; for a resource used at one bin only (support units), the
    largest uses that the bin's seats could hold; for one shared between bins (a caseload),
    each item's largest use, since an item takes one arc.
    """
    if len(problem.conflicts):
        return False
    live = np.flatnonzero(alive[problem.use_arc])
    if live.size == 0:
        return True
    nr = problem.n_resources
    capacity = problem.resource_capacity
    resource = problem.use_resource[live]
    amount = problem.use_amount[live]
    most = np.bincount(resource, weights=amount, minlength=nr)
    if np.all(most <= capacity):
        return True
    bins = problem.arc_bin[problem.use_arc[live]]
    low = np.full(nr, np.iinfo(np.int64).max)
    high = np.full(nr, -1)
    np.minimum.at(low, resource, bins)
    np.maximum.at(high, resource, bins)
    single = (low == high) & (high >= 0)
    seats = np.where(single, problem.bin_capacity[np.maximum(high, 0)], 0)
    check = most > capacity
    top = _largest_uses(resource, amount, seats, nr, keep=single & check)
    shared = check & ~single
    if shared.any():
        mask = shared[resource]
        item = problem.arc_item[problem.use_arc[live[mask]]]
        key = resource[mask] * problem.n_items + item
        order = np.argsort(key, kind="stable")
        key, by_key = key[order], amount[mask][order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        per_item = np.maximum.reduceat(by_key, starts)
        top = np.where(
            shared, np.bincount(key[starts] // problem.n_items, per_item, minlength=nr), top
        )
    most = np.where(check, np.minimum(most, top), most)
    return bool(np.all(most <= capacity))


def _largest_uses(
    resource: IntArray, amount: IntArray, count: IntArray, nr: int, keep: BoolArray
) -> NDArray[np.float64]:
    """Per resource in `keep`, the sum of its ``count`` largest uses (duplicates of one item
    included, which can only overestimate); +inf elsewhere. Small amounts (support units)
    are counted per value instead of sorted."""
    out = np.full(nr, np.inf)
    mask = keep[resource]
    if not mask.any():
        return out
    res, amt = resource[mask], amount[mask]
    levels = int(amt.max()) + 1
    if levels <= 64:
        histogram = np.bincount(res * levels + amt, minlength=nr * levels).reshape(nr, levels)
        left = count.astype(np.int64).copy()
        total = np.zeros(nr)
        for value in range(levels - 1, 0, -1):
            take = np.minimum(histogram[:, value], left)
            total += take * value
            left -= take
    else:
        order = np.lexsort((-amt, res))
        res, amt = res[order], amt[order]
        rank = np.arange(res.size) - np.searchsorted(res, res, side="left")
        within = rank < count[res]
        total = np.bincount(res[within], amt[within], minlength=nr).astype(np.float64)
    out[keep] = total[keep]
    return out


def decompose(problem: AssignmentProblem, alive: BoolArray) -> Decomposition:
    """Split `problem`, restricted to the `alive` arcs, into independent components."""
    n, nb, nr = problem.n_items, problem.n_bins, problem.n_resources
    arcs = np.flatnonzero(alive)
    uses = np.flatnonzero(alive[problem.use_arc])
    triples = conflict_triples(problem, alive)
    # Nodes: items, then bins, then resources.
    heads = np.concatenate((problem.arc_bin[arcs] + n, problem.use_resource[uses] + n + nb))
    tails = np.concatenate((problem.arc_item[arcs], problem.arc_item[problem.use_arc[uses]]))
    heads = np.concatenate((heads, triples[:, 1]))
    tails = np.concatenate((tails, triples[:, 0]))
    size = n + nb + nr
    graph = sparse.coo_matrix((np.ones(len(heads), dtype=np.int8), (tails, heads)), (size, size))
    _, label = csgraph.connected_components(graph, directed=False)
    label = label.astype(np.int64)

    item_label = label[:n]
    has_arc = np.bincount(problem.arc_item[arcs], minlength=n) > 0
    n_labels = int(label.max(initial=-1)) + 1
    items_per_label = np.bincount(item_label[has_arc], minlength=n_labels)
    single = has_arc & (items_per_label[item_label] == 1)
    multi_labels = np.flatnonzero(items_per_label >= 2)
    components = _split(problem, label, multi_labels, arcs, uses, triples)
    return Decomposition(
        components=components,
        single_items=np.flatnonzero(single),
        n_components=int(np.count_nonzero(items_per_label)),
    )


WHOLE_DEAD_SHARE = 0.1
"""``whole`` keeps the unusable arcs in rather than copying the problem without them while
they are at most this share (5 % on the 20,000-client county)."""


def whole(problem: AssignmentProblem, alive: BoolArray) -> Decomposition:
    """The usable part of `problem` as one component, without looking for independent ones.

    Always exact (splitting only saves work), and the cheaper choice on the largest
    problems: a county whose consenting clients link every commuting area is one component
    anyway, and finding that out cost 7 s of CPU and a copy of nine million arcs. Items and
    bins keep their numbers; with every arc usable the component is `problem` itself."""
    arcs = np.flatnonzero(alive)
    if arcs.size >= (1 - WHOLE_DEAD_SHARE) * problem.n_arcs:
        # A few unusable arcs stay in (no copy of every arc): they cannot be chosen, as
        # the solvers check seats and resources, and only loosen the LP bounds a little.
        del arcs
        sub, kept = problem, None
    else:
        sub = problem.subproblem(arcs, uses=np.flatnonzero(alive[problem.use_arc]))
        kept = arcs
    items = np.arange(problem.n_items, dtype=np.int64)
    has_arc = np.bincount(sub.arc_item, minlength=problem.n_items) > 0
    return Decomposition(
        components=[Component(problem=sub, items=items, arcs=kept)] if sub.n_arcs else [],
        single_items=np.zeros(0, dtype=np.int64),
        n_components=1 if has_arc.any() else 0,
    )


def best_single_arcs(problem: AssignmentProblem, alive: BoolArray, items: IntArray) -> IntArray:
    """Best usable arc (highest score, ties by lowest index) of each item in `items`.

    For an item alone in its component this is optimal: any usable arc is feasible on its own,
    placing the item is never worse than not, and the best score maximises quality.
    """
    order, _ = sorted_arcs_by_item(problem)
    order = order[alive[order]]
    item_of = problem.arc_item[order]
    # The first usable arc of each item in the sorted order is its best one.
    first = np.searchsorted(item_of, items, side="left")
    return order[first]


def _split(
    problem: AssignmentProblem,
    label: IntArray,
    labels: IntArray,
    arcs: IntArray,
    uses: IntArray,
    triples: IntArray,
) -> list[Component]:
    """Build one re-indexed sub-problem per label in `labels`, without per-arc Python loops."""
    n, nb = problem.n_items, problem.n_bins
    n_labels = int(label.max(initial=-1)) + 1
    # One extra entry, so that label -1 (a dead arc) maps to slot -1, i.e. no component.
    slot = np.full(n_labels + 1, -1, dtype=np.int64)
    slot[labels] = np.arange(len(labels))
    k = len(labels)

    def grouped(node_label: IntArray) -> tuple[IntArray, IntArray]:
        """Order and group starts of the entries, by component slot (ascending within)."""
        keys = slot[node_label]
        keep = np.flatnonzero(keys >= 0)
        order, starts = group(keys[keep], k)
        return keep[order], starts

    item_order, item_starts = grouped(label[:n])
    bin_order, bin_starts = grouped(label[n : n + nb])
    res_order, res_starts = grouped(label[n + nb :])
    arc_label = np.full(problem.n_arcs, -1, dtype=np.int64)
    arc_label[arcs] = label[problem.arc_item[arcs]]
    arc_order, arc_starts = grouped(arc_label)
    use_order, use_starts = grouped(label[problem.arc_item[problem.use_arc[uses]]])
    use_order = uses[use_order]
    pairs = np.unique(triples[:, :2], axis=0) if len(triples) else np.zeros((0, 2), np.int64)
    pair_order, pair_starts = grouped(label[pairs[:, 0]])

    components = []
    for c in range(k):
        items = item_order[item_starts[c] : item_starts[c + 1]]
        comp_arcs = arc_order[arc_starts[c] : arc_starts[c + 1]]
        sub = problem.subproblem(
            comp_arcs,
            items=items,
            bins=bin_order[bin_starts[c] : bin_starts[c + 1]],
            resources=res_order[res_starts[c] : res_starts[c + 1]],
            uses=use_order[use_starts[c] : use_starts[c + 1]],
            conflicts=pairs[pair_order[pair_starts[c] : pair_starts[c + 1]]],
        )
        components.append(Component(problem=sub, items=items, arcs=comp_arcs))
    return components
