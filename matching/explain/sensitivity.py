"""Batched sensitivity of the seats-only relaxation by shortest paths in its residual graph.

The seats-only relaxation (``matching.core.flow``) is a min-cost flow whose optimum bounds the
full problem's (lexicographic: placed value, then quality). Fixing one (client, placement)
pair, or adding one seat, changes that optimum by a single cheapest cycle through the changed
arc of the residual graph of an optimal flow (the difference of two flows is a sum of cycles;
cycles not through the changed arc cannot improve an optimum). So one shortest-path search per
placement (Johnson: Bellman–Ford once, then Dijkstra) gives the relaxed optimum of every
"client i fixed at placement p" at once.

Each answer is an upper bound on the modified full problem's optimum. When the modified
relaxed assignment also respects support units, caseloads and conflicts, it is that optimum:
the bound is then exact. Costs are integers held in float64 below 2**53, so sums are exact.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from matching import core
from matching.core.flow import lexicographic_scale
from matching.core.problem import AssignmentProblem
from matching.explain.resolve import subset_arcs
from matching.tables import BoolArray, IntArray

_SOURCE, _SINK, _FIRST = 0, 1, 2
_EXACT_LIMIT = 2.0**52


class Unavailable(RuntimeError):
    """The shortest paths could not be computed (numerical trouble): use another method."""


@dataclass(frozen=True)
class Cycle:
    """A change of the relaxed assignment: ``changes[item] = new arc or -1`` (global arcs)."""

    changes: dict[int, int]


@dataclass
class Relaxation:
    """An optimal seats-only flow of a core problem and its residual graph."""

    problem: AssignmentProblem
    alive: BoolArray
    chosen: IntArray
    """Relaxed optimum: global arc per item, -1 unassigned."""
    index: IntArray
    """Global arc of each arc of the relaxation (the usable arcs)."""
    scale: int
    _paths: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @classmethod
    def build(cls, problem: AssignmentProblem, alive: BoolArray) -> Relaxation | None:
        """The relaxation of ``problem`` on its ``alive`` arcs; None if it cannot be used."""
        sub, index = subset_arcs(problem, alive)
        try:
            flow = core.solve_seats_flow(sub)
        except (core.InfeasibleInput, OverflowError):
            return None
        chosen = np.full(problem.n_items, -1, dtype=np.int64)
        placed = flow.chosen_arc >= 0
        chosen[placed] = index[flow.chosen_arc[placed]]
        relaxation = cls(problem, alive, chosen, index, lexicographic_scale(sub))
        costs = problem.item_value[problem.arc_item] * float(relaxation.scale)
        if costs.size and float(costs.max()) * (problem.n_items + problem.n_bins + 2) > (
            _EXACT_LIMIT
        ):
            return None
        return relaxation

    # ---- graph ---------------------------------------------------------------------------
    def item_node(self, item: int) -> int:
        """Graph node of an item."""
        return _FIRST + item

    def bin_node(self, b: int) -> int:
        """Graph node of a bin."""
        return _FIRST + self.problem.n_items + b

    @cached_property
    def graph(self) -> sparse.csr_matrix:
        """Residual graph of the optimal flow, weights = residual costs."""
        p = self.problem
        n, nb = p.n_items, p.n_bins
        arcs = self.index
        item, b = p.arc_item[arcs], p.arc_bin[arcs]
        cost = -(p.item_value[item].astype(np.float64) * self.scale + p.arc_score[arcs])
        used = self.chosen[item] == arcs
        tails = [np.where(used, _FIRST + n + b, _FIRST + item)]
        heads = [np.where(used, _FIRST + item, _FIRST + n + b)]
        weights = [np.where(used, -cost, cost)]
        optional = np.flatnonzero(~p.item_required)
        placed = self.chosen[optional] >= 0
        tails.append(np.where(placed, _FIRST + optional, _SOURCE))
        heads.append(np.where(placed, _SOURCE, _FIRST + optional))
        weights.append(np.zeros(optional.size))
        if placed.any():
            tails.append(np.array([_SOURCE]))
            heads.append(np.array([_SINK]))
            weights.append(np.zeros(1))
        if (~placed).any():
            tails.append(np.array([_SINK]))
            heads.append(np.array([_SOURCE]))
            weights.append(np.zeros(1))
        seats = np.bincount(p.arc_bin[self.chosen[self.chosen >= 0]], minlength=nb)
        free = np.flatnonzero(seats < p.bin_capacity)
        full = np.flatnonzero(seats > 0)
        tails += [_FIRST + n + free, np.full(full.size, _SINK)]
        heads += [np.full(free.size, _SINK), _FIRST + n + full]
        weights += [np.zeros(free.size), np.zeros(full.size)]
        size = _FIRST + n + nb
        return sparse.csr_matrix(
            (np.concatenate(weights), (np.concatenate(tails), np.concatenate(heads))),
            shape=(size, size),
        )

    def prepare(self, sources: list[int]) -> bool:
        """Shortest paths from every node in ``sources`` (one batched Johnson call)."""
        todo = sorted(set(sources) - set(self._paths))
        if not todo:
            return True
        try:
            dist, pred = csgraph.johnson(
                self.graph, directed=True, indices=todo, return_predecessors=True
            )
        except csgraph.NegativeCycleError:
            return False
        for row, node in enumerate(todo):
            self._paths[node] = (dist[row], pred[row])
        return True

    def _path(self, source: int, target: int) -> list[int] | None:
        """Nodes of a cheapest path, None if there is none; raises ``Unavailable``."""
        if not self.prepare([source]):
            raise Unavailable("negative cycle in the residual graph")
        dist, pred = self._paths[source]
        if not np.isfinite(dist[target]):
            return None
        nodes = [target]
        while nodes[-1] != source:
            nodes.append(int(pred[nodes[-1]]))
        return nodes[::-1]

    def _changes(self, nodes: list[int]) -> dict[int, int]:
        p = self.problem
        n = p.n_items
        out: dict[int, int] = {}
        for u, v in itertools.pairwise(nodes):
            if _FIRST <= u < _FIRST + n and v >= _FIRST + n:
                out[u - _FIRST] = self.arc(u - _FIRST, v - _FIRST - n)
            elif _FIRST <= u < _FIRST + n and v == _SOURCE:
                out[u - _FIRST] = -1
        return out

    @cached_property
    def _keys(self) -> IntArray:
        p = self.problem
        return p.arc_item[self.index] * max(p.n_bins, 1) + p.arc_bin[self.index]

    def arc(self, item: int, b: int) -> int:
        """Global arc of a usable (item, bin) pair."""
        key = item * max(self.problem.n_bins, 1) + b
        pos = int(np.searchsorted(self._keys, key))
        return int(self.index[pos])

    # ---- modifications -------------------------------------------------------------------
    def fixed(self, item: int, arc: int) -> Cycle | None:
        """Relaxed optimum with ``item`` fixed on usable ``arc``; None if infeasible."""
        if self.chosen[item] == arc:
            return Cycle({})
        b = int(self.problem.arc_bin[arc])
        nodes = self._path(self.bin_node(b), self.item_node(item))
        if nodes is None:
            return None
        changes = self._changes(nodes)
        changes[item] = arc
        return Cycle(changes)

    def extra_seat(self, b: int) -> Cycle:
        """Relaxed optimum with one more seat at bin ``b`` (empty if nothing improves)."""
        nodes = self._path(_SINK, self.bin_node(b))
        if nodes is None:
            return Cycle({})
        dist, _ = self._paths[_SINK]
        if dist[self.bin_node(b)] >= 0:
            return Cycle({})
        return Cycle(self._changes(nodes))
