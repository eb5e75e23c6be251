"""The 0-1 linear program shared by the MIP (HiGHS) and CP-SAT back ends.

One binary variable per arc. Rows, all of the form ``lower <= sum(coef * x) <= upper``:

* item rows: ``sum of the item's arcs <= 1`` (``= 1`` when required). An item with a single
  arc needs no row: its variable bound says the same (lower bound 1 when required); a
  required item without arcs gets an empty row ``0 = 1``, which no assignment satisfies;
* seat rows: ``sum of the bin's arcs <= bin_capacity``, only where the bin has more arcs than
  seats (otherwise the row can never bind);
* resource rows: ``sum of use_amount * x <= resource_capacity``, only where the total possible
  use exceeds the capacity;
* conflict rows: for each effective conflict ``(i, j, bin)``, ``the arcs of i and j into bin
  <= 1``; skipped for one-seat bins, whose seat row already forbids the pair.

Everything is built with numpy into one CSR matrix; no Python loop touches arcs.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from matching.core.indexing import conflict_triples, ragged_arange
from matching.core.problem import AssignmentProblem, IntArray

ROW_ITEM, ROW_SEAT, ROW_RESOURCE, ROW_CONFLICT = 0, 1, 2, 3


@dataclass(frozen=True)
class LinearProgram:
    """A 0-1 linear program over arc variables, with both objectives as coefficient vectors.

    Attributes
    ----------
    var_lower:
        ``int64[m]``: 1 for the single arc of a required item, else 0 (upper bounds are 1).
    row_kind:
        ``int64[rows]``: ``ROW_ITEM``, ``ROW_SEAT``, ``ROW_RESOURCE`` or ``ROW_CONFLICT``.
    row_lower, row_upper:
        ``int64[rows]``: bounds of each row.
    matrix:
        ``rows x m`` CSR matrix (int64), sorted indices, no duplicates.
    placed_coef, quality_coef:
        ``int64[m]``: each arc's contribution to placed value and to quality.
    """

    var_lower: IntArray
    row_kind: IntArray
    row_lower: IntArray
    row_upper: IntArray
    matrix: sparse.csr_matrix
    placed_coef: IntArray
    quality_coef: IntArray

    @property
    def n_vars(self) -> int:
        """Number of variables (arcs)."""
        return len(self.var_lower)

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return len(self.row_kind)

    def row_entries(self) -> tuple[IntArray, IntArray, NDArray[np.int64]]:
        """Return the matrix as ``(row, column, coefficient)`` arrays in row-major order."""
        rows = np.repeat(np.arange(self.n_rows, dtype=np.int64), np.diff(self.matrix.indptr))
        return rows, self.matrix.indices.astype(np.int64), self.matrix.data.astype(np.int64)


def build_linear_program(problem: AssignmentProblem) -> LinearProgram:
    """Build the 0-1 model of `problem` (see the module docstring for the rows)."""
    m = problem.n_arcs
    blocks = [
        _item_rows(problem),
        _seat_rows(problem),
        _resource_rows(problem),
        _conflict_rows(problem),
    ]
    offset = 0
    rows, cols, coefs, kinds, lowers, uppers = [], [], [], [], [], []
    for kind, (row, col, coef, lower, upper) in enumerate(blocks):
        rows.append(row + offset)
        cols.append(col)
        coefs.append(coef)
        kinds.append(np.full(len(lower), kind, dtype=np.int64))
        lowers.append(lower)
        uppers.append(upper)
        offset += len(lower)
    matrix = sparse.coo_matrix(
        (np.concatenate(coefs), (np.concatenate(rows), np.concatenate(cols))),
        shape=(offset, m),
        dtype=np.int64,
    ).tocsr()
    matrix.sum_duplicates()
    matrix.sort_indices()

    counts = np.bincount(problem.arc_item, minlength=problem.n_items)
    var_lower = (problem.item_required & (counts == 1))[problem.arc_item].astype(np.int64)
    return LinearProgram(
        var_lower=var_lower,
        row_kind=np.concatenate(kinds),
        row_lower=np.concatenate(lowers),
        row_upper=np.concatenate(uppers),
        matrix=matrix,
        placed_coef=problem.item_value[problem.arc_item].astype(np.int64),
        quality_coef=problem.arc_score.astype(np.int64),
    )


_Block = tuple[IntArray, IntArray, IntArray, IntArray, IntArray]


def _item_rows(problem: AssignmentProblem) -> _Block:
    """One row per item with two or more arcs, and an empty (infeasible) row per required
    item without arcs, so that the model alone says the problem is infeasible."""
    counts = np.bincount(problem.arc_item, minlength=problem.n_items)
    items = np.flatnonzero((counts >= 2) | (problem.item_required & (counts == 0)))
    row_of_item = np.full(problem.n_items, -1, dtype=np.int64)
    row_of_item[items] = np.arange(len(items))
    arcs = np.flatnonzero(counts[problem.arc_item] >= 2)
    lower = problem.item_required[items].astype(np.int64)
    return (
        row_of_item[problem.arc_item[arcs]],
        arcs,
        np.ones(len(arcs), dtype=np.int64),
        lower,
        np.ones(len(items), dtype=np.int64),
    )


def _seat_rows(problem: AssignmentProblem) -> _Block:
    """One row per bin that has more arcs than seats."""
    counts = np.bincount(problem.arc_bin, minlength=problem.n_bins)
    bins = np.flatnonzero(counts > problem.bin_capacity)
    row_of_bin = np.full(problem.n_bins, -1, dtype=np.int64)
    row_of_bin[bins] = np.arange(len(bins))
    arcs = np.flatnonzero(row_of_bin[problem.arc_bin] >= 0)
    return (
        row_of_bin[problem.arc_bin[arcs]],
        arcs,
        np.ones(len(arcs), dtype=np.int64),
        np.zeros(len(bins), dtype=np.int64),
        problem.bin_capacity[bins].astype(np.int64),
    )


def _resource_rows(problem: AssignmentProblem) -> _Block:
    """One row per resource whose total possible use exceeds its capacity."""
    total = np.bincount(
        problem.use_resource, weights=problem.use_amount, minlength=problem.n_resources
    )
    # Float totals are exact here: the problem keeps the total use below 2**53.
    resources = np.flatnonzero(total > problem.resource_capacity)
    row_of = np.full(problem.n_resources, -1, dtype=np.int64)
    row_of[resources] = np.arange(len(resources))
    uses = np.flatnonzero(row_of[problem.use_resource] >= 0)
    return (
        row_of[problem.use_resource[uses]],
        problem.use_arc[uses],
        problem.use_amount[uses].astype(np.int64),
        np.zeros(len(resources), dtype=np.int64),
        problem.resource_capacity[resources].astype(np.int64),
    )


def _conflict_rows(problem: AssignmentProblem) -> _Block:
    """One row per effective conflict (i, j, bin) at a bin with two or more seats."""
    triples = conflict_triples(problem)
    triples = triples[problem.bin_capacity[triples[:, 2]] >= 2]
    t = len(triples)
    nb = problem.n_bins
    # Arcs grouped by (item, bin) key, so each triple finds its arcs by two range look-ups.
    keys = problem.arc_item * nb + problem.arc_bin
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    row_parts, arc_parts = [], []
    for side in (0, 1):
        probe = triples[:, side] * nb + triples[:, 2]
        first = np.searchsorted(sorted_keys, probe, side="left")
        last = np.searchsorted(sorted_keys, probe, side="right")
        counts = last - first
        arc_parts.append(order[ragged_arange(first, counts)])
        row_parts.append(np.repeat(np.arange(t, dtype=np.int64), counts))
    arcs = np.concatenate(arc_parts).astype(np.int64)
    return (
        np.concatenate(row_parts),
        arcs,
        np.ones(len(arcs), dtype=np.int64),
        np.zeros(t, dtype=np.int64),
        np.ones(t, dtype=np.int64),
    )
