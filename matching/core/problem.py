"""The generic sparse assignment problem: items, bins, arcs, extra resources and conflicts.

The layer knows nothing of clients or placements. An *item* is something to assign (a client),
a *bin* is where it can go (a placement with a number of seats), and an *arc* is one admissible
(item, bin) pair with a match-quality score. Each chosen arc takes one seat of its bin and may
also draw on extra *resources* (supervisor support units of one placement, a coach's caseload
shared by several placements, ...).
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

MAX_EXACT_TOTAL = 2**53
"""Upper limit (exclusive) on the total item value, total arc score and total resource use.

Below it every objective value and row activity is an integer that a float64 holds exactly,
so the MIP solvers (which work in doubles) see the lexicographic objective without rounding.
"""


def _empty_int() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def _empty_pairs() -> IntArray:
    return np.zeros((0, 2), dtype=np.int64)


def _as_int_array(name: str, value: Any, ndim: int = 1) -> IntArray:
    """Return `value` as a read-only int64 array, or raise ValueError naming the field."""
    array = np.asarray(value)
    if array.size == 0:
        # Empty lists arrive as float64 and with the wrong shape; an empty input is still valid.
        shape = (0,) if ndim == 1 else (0, 2)
        array = np.zeros(shape, dtype=np.int64)
    if array.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected an integer array, got dtype {array.dtype}")
    if array.ndim != ndim:
        raise ValueError(f"{name}: expected {ndim} dimension(s), got shape {array.shape}")
    if array.dtype.kind == "u" and array.size and int(array.max()) > np.iinfo(np.int64).max:
        raise ValueError(f"{name}: values do not fit in int64")
    # A read-only view keeps the frozen dataclass honest without touching the caller's array.
    out = np.asarray(array, dtype=np.int64).view()
    out.flags.writeable = False
    return out


def _as_bool_array(name: str, value: Any) -> BoolArray:
    """Return `value` as a read-only bool array, or raise ValueError naming the field."""
    array = np.asarray(value)
    if array.size == 0:
        array = np.zeros(0, dtype=np.bool_)
    if array.dtype != np.bool_:
        raise ValueError(f"{name}: expected a bool array, got dtype {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"{name}: expected 1 dimension, got shape {array.shape}")
    out = array.view()
    out.flags.writeable = False
    return out


def _check_range(name: str, array: IntArray, low: int, high: int | None = None) -> None:
    """Raise ValueError naming the field unless low <= array (< high)."""
    if array.size == 0:
        return
    if int(array.min()) < low:
        raise ValueError(f"{name}: values must be >= {low}, found {int(array.min())}")
    if high is not None and int(array.max()) >= high:
        raise ValueError(f"{name}: values must be < {high}, found {int(array.max())}")


def _check_total(name: str, array: IntArray) -> None:
    """Raise ValueError unless the sum of the array stays below MAX_EXACT_TOTAL."""
    # Summing in float64 cannot overflow; its rounding is far below the margin that matters.
    if float(np.sum(array, dtype=np.float64)) >= MAX_EXACT_TOTAL:
        raise ValueError(f"{name}: the total must stay below 2**53 to remain exact in a MIP")


@dataclass(frozen=True, eq=False)
class AssignmentProblem:
    """A sparse assignment problem with a lexicographic objective.

    A feasible assignment chooses a set of arcs such that

    * each item has at most one chosen arc, and exactly one if it is required;
    * each bin has at most ``bin_capacity`` chosen arcs (one seat per arc);
    * each resource ``r`` has ``sum(use_amount)`` over the chosen arcs' uses of ``r`` at most
      ``resource_capacity[r]``;
    * no two items of a ``conflicts`` pair are assigned to the same bin.

    The objective is lexicographic: first maximise the *placed value*, the sum of
    ``item_value`` over assigned items; then, among assignments reaching that, maximise the
    *quality*, the sum of ``arc_score`` over chosen arcs.

    All arrays are converted to read-only int64 (bool for ``item_required``) and validated on
    construction; any inconsistency raises ``ValueError`` naming the field.

    Parameters
    ----------
    item_value:
        ``int64[n_items] >= 0``. Priority weight gained by assigning the item at all.
    item_required:
        ``bool[n_items]``. The item must be assigned (e.g. a pinned ongoing assignment).
    bin_capacity:
        ``int64[n_bins] >= 0``. Seats per bin; each chosen arc takes one seat.
    arc_item, arc_bin:
        ``int[m]``. The item and the bin of each arc. Several arcs may join the same pair.
    arc_score:
        ``int64[m] >= 0``. Match quality of each arc.
    resource_capacity:
        ``int64[n_resources] >= 0``. Units available of each extra resource.
    use_arc, use_resource, use_amount:
        ``int[k]`` triplets: choosing arc ``use_arc[u]`` consumes ``use_amount[u] > 0`` units
        of resource ``use_resource[u]``. A resource may be used by the arcs of one bin only
        (per-bin support units) or by arcs of several bins (a shared caseload).
    conflicts:
        ``int[c, 2]``. Pairs of distinct items that may not share a bin.

    Examples
    --------
    >>> p = AssignmentProblem(
    ...     item_value=np.array([1, 1]), item_required=np.array([False, False]),
    ...     bin_capacity=np.array([1]), arc_item=np.array([0, 1]), arc_bin=np.array([0, 0]),
    ...     arc_score=np.array([5, 3]))
    >>> p.n_items, p.n_bins, p.n_arcs
    (2, 1, 2)
    """

    item_value: IntArray
    item_required: BoolArray
    bin_capacity: IntArray
    arc_item: IntArray
    arc_bin: IntArray
    arc_score: IntArray
    resource_capacity: IntArray = field(default_factory=_empty_int)
    use_arc: IntArray = field(default_factory=_empty_int)
    use_resource: IntArray = field(default_factory=_empty_int)
    use_amount: IntArray = field(default_factory=_empty_int)
    conflicts: IntArray = field(default_factory=_empty_pairs)

    def __post_init__(self) -> None:
        """Canonicalise dtypes and validate shapes and ranges."""
        for name in (
            "item_value",
            "bin_capacity",
            "arc_item",
            "arc_bin",
            "arc_score",
            "resource_capacity",
            "use_arc",
            "use_resource",
            "use_amount",
        ):
            object.__setattr__(self, name, _as_int_array(name, getattr(self, name)))
        object.__setattr__(self, "conflicts", _as_int_array("conflicts", self.conflicts, 2))
        object.__setattr__(
            self, "item_required", _as_bool_array("item_required", self.item_required)
        )
        self._validate()

    def _validate(self) -> None:
        """Raise ValueError naming the first inconsistent field."""
        n, m, k = self.n_items, self.n_arcs, len(self.use_arc)
        lengths = {
            "item_required": (len(self.item_required), n, "n_items"),
            "arc_bin": (len(self.arc_bin), m, "len(arc_item)"),
            "arc_score": (len(self.arc_score), m, "len(arc_item)"),
            "use_resource": (len(self.use_resource), k, "len(use_arc)"),
            "use_amount": (len(self.use_amount), k, "len(use_arc)"),
        }
        for name, (got, want, what) in lengths.items():
            if got != want:
                raise ValueError(f"{name}: length {got} differs from {what} = {want}")
        if self.conflicts.shape[1] != 2:
            raise ValueError(f"conflicts: expected shape (c, 2), got {self.conflicts.shape}")
        _check_range("item_value", self.item_value, 0)
        _check_range("bin_capacity", self.bin_capacity, 0)
        _check_range("arc_item", self.arc_item, 0, n)
        _check_range("arc_bin", self.arc_bin, 0, self.n_bins)
        _check_range("arc_score", self.arc_score, 0)
        _check_range("resource_capacity", self.resource_capacity, 0)
        _check_range("use_arc", self.use_arc, 0, m)
        _check_range("use_resource", self.use_resource, 0, self.n_resources)
        _check_range("use_amount", self.use_amount, 1)
        _check_range("conflicts", self.conflicts, 0, n)
        if np.any(self.conflicts[:, 0] == self.conflicts[:, 1]):
            raise ValueError("conflicts: an item cannot conflict with itself")
        _check_total("item_value", self.item_value)
        _check_total("arc_score", self.arc_score)
        _check_total("use_amount", self.use_amount)

    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.item_value)

    @property
    def n_bins(self) -> int:
        """Number of bins."""
        return len(self.bin_capacity)

    @property
    def n_arcs(self) -> int:
        """Number of arcs (admissible item-bin pairs)."""
        return len(self.arc_item)

    @property
    def n_resources(self) -> int:
        """Number of extra resources."""
        return len(self.resource_capacity)

    @property
    def has_side_constraints(self) -> bool:
        """True when there are resource uses or conflict pairs besides the seats."""
        return len(self.use_arc) > 0 or len(self.conflicts) > 0

    def subproblem(
        self,
        arcs: IntArray,
        *,
        items: IntArray | None = None,
        bins: IntArray | None = None,
        resources: IntArray | None = None,
        uses: IntArray | None = None,
        conflicts: IntArray | None = None,
        item_required: BoolArray | None = None,
        bin_capacity: IntArray | None = None,
        resource_capacity: IntArray | None = None,
    ) -> "AssignmentProblem":
        """The problem on the arcs `arcs` (sorted original indices), re-indexed.

        Items, bins and resources keep their indices unless `items`, `bins` or `resources`
        (sorted original indices, covering every kept arc's) name the ones to keep; they are
        then numbered in that order. Resource uses follow their arcs: those of the kept arcs
        (or exactly `uses`, original use indices of kept arcs, when the caller has them
        grouped already). Conflicts are the pairs of `conflicts` (original item indices,
        default all) whose two items are kept. `item_required`, `bin_capacity` and
        `resource_capacity` replace those arrays (given in the new numbering), e.g. the seats
        and units that fixed items leave. Every re-solve of a part (components,
        neighbourhoods, restricted masters, residuals, explanations) is built here.
        """
        arcs = np.asarray(arcs, dtype=np.int64)
        # Sorted unique indices covering the whole range are the identity: no re-indexing
        # (one component holding a whole county would otherwise be searched arc by arc).
        every_arc = len(arcs) == self.n_arcs
        items = None if items is not None and len(items) == self.n_items else items
        bins = None if bins is not None and len(bins) == self.n_bins else bins
        resources = (
            None if resources is not None and len(resources) == self.n_resources else resources
        )
        if uses is None:
            uses = (
                np.arange(len(self.use_arc), dtype=np.int64)
                if every_arc
                else np.flatnonzero(_member(arcs, self.n_arcs)[self.use_arc])
            )
        use_arc = self.use_arc[uses] if every_arc else _renumber(arcs, self.use_arc[uses])
        pairs = self.conflicts if conflicts is None else np.asarray(conflicts, np.int64)
        arc_item = self.arc_item if every_arc else self.arc_item[arcs]
        arc_bin = self.arc_bin if every_arc else self.arc_bin[arcs]
        use_resource = self.use_resource[uses]
        item_value, required = self.item_value, self.item_required
        capacity, units = self.bin_capacity, self.resource_capacity
        if items is not None:
            arc_item = _renumber(items, arc_item)
            item_value, required = item_value[items], required[items]
            local = _positions(items, pairs.reshape(-1)).reshape(-1, 2)
            pairs = local[(local >= 0).all(axis=1)]
        if bins is not None:
            arc_bin = _renumber(bins, arc_bin)
            capacity = capacity[bins]
        if resources is not None:
            use_resource = _renumber(resources, use_resource)
            units = units[resources]
        return AssignmentProblem(
            item_value=item_value,
            item_required=required if item_required is None else item_required,
            bin_capacity=capacity if bin_capacity is None else bin_capacity,
            arc_item=arc_item,
            arc_bin=arc_bin,
            arc_score=self.arc_score if every_arc else self.arc_score[arcs],
            resource_capacity=units if resource_capacity is None else resource_capacity,
            use_arc=use_arc,
            use_resource=use_resource,
            use_amount=self.use_amount[uses],
            conflicts=pairs,
        )


def _renumber(kept: IntArray, values: IntArray) -> IntArray:
    """The position of each of `values` in `kept` (sorted, unique, holding every value):
    a binary search for few values, a look-up table for many."""
    if len(values) < 8 * len(kept) or len(kept) == 0:
        return np.searchsorted(kept, values)
    table = np.zeros(int(kept[-1]) + 1, dtype=np.int64)
    table[kept] = np.arange(len(kept), dtype=np.int64)
    return table[values]


def _member(kept: IntArray, n: int) -> BoolArray:
    """``bool[n]``, true at the indices in `kept`: the arcs of a part looked up by index.

    On a 20,000-client county a restricted master keeps 140,000 of nine million arcs and
    their eighteen million resource uses are filtered by it; a mask of one byte per arc costs
    9 MB where a binary search over the uses made four 144 MB temporaries at the engine's
    memory peak."""
    mask = np.zeros(n, dtype=np.bool_)
    mask[kept] = True
    return mask


def _positions(sorted_values: IntArray, values: IntArray) -> IntArray:
    """Index of each of `values` in `sorted_values` (ascending), or -1 where it is absent."""
    if sorted_values.size == 0:
        return np.full(len(values), -1, dtype=np.int64)
    # In place: one int64 array of len(values) plus the gathered values, not four.
    position = np.searchsorted(sorted_values, values).astype(np.int64, copy=False)
    np.minimum(position, sorted_values.size - 1, out=position)
    position[sorted_values[position] != values] = -1
    return position


def objective_of(problem: AssignmentProblem, chosen_arc: IntArray) -> tuple[int, int]:
    """Return ``(placed value, quality)`` of an assignment given as arc index or -1 per item."""
    arcs = chosen_arc[chosen_arc >= 0]
    placed = int(problem.item_value[problem.arc_item[arcs]].sum())
    return placed, int(problem.arc_score[arcs].sum())


def quality_ceiling(problem: AssignmentProblem) -> int:
    """Sum over items of their best arc score: no assignment's quality exceeds it."""
    best = np.zeros(problem.n_items, dtype=np.int64)
    np.maximum.at(best, problem.arc_item, problem.arc_score)
    return int(best.sum())


def as_assignment(problem: AssignmentProblem, chosen_arc: Any, name: str = "hint") -> IntArray:
    """Return `chosen_arc` as ``int64[n_items]`` after checking it names each item's own arcs.

    Raises ``ValueError`` naming `name` if the length is wrong, an entry is below -1 or past
    the last arc, or an arc belongs to another item.
    """
    array = _as_int_array(name, chosen_arc)
    if len(array) != problem.n_items:
        raise ValueError(f"{name}: length {len(array)} differs from n_items = {problem.n_items}")
    _check_range(name, array, -1, problem.n_arcs)
    assigned = np.flatnonzero(array >= 0)
    wrong = assigned[problem.arc_item[array[assigned]] != assigned]
    if wrong.size:
        raise ValueError(f"{name}: arc {int(array[wrong[0]])} is not an arc of item {wrong[0]}")
    return array
