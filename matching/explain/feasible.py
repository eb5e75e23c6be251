"""Incremental feasibility of a relaxed assignment changed by one residual cycle.

The seats-only relaxation already respects seats; what remains are the side constraints
(support units, caseloads, avoided pairs). Their use by the relaxed optimum is counted once;
a cycle touches a few clients, so only the resources and conflict pairs of those clients
are recounted: a component's relaxed-plus-cycle assignment is feasible when no resource or
conflict pair of the component is violated afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from matching.core.problem import AssignmentProblem
from matching.tables import IntArray


@dataclass
class LocalCheck:
    """Side-constraint violations of a base assignment, per component, and their updates."""

    problem: AssignmentProblem
    base: IntArray
    """Arc per item, -1 unassigned (the relaxed optimum)."""
    component: IntArray
    """Component of each item (-1: alone)."""
    n_components: int

    @cached_property
    def uses_by_arc(self) -> tuple[IntArray, IntArray]:
        """Resource uses grouped by arc, as ``(order, starts)``: the uses of arc ``a`` are
        ``order[starts[a] : starts[a + 1]]`` (indices into the problem's ``use_*`` arrays)."""
        p = self.problem
        order = np.argsort(p.use_arc, kind="stable").astype(np.int64)
        starts = np.searchsorted(p.use_arc[order], np.arange(p.n_arcs + 1)).astype(np.int64)
        return order, starts

    @cached_property
    def use(self) -> IntArray:
        """Units of each resource used by the base assignment."""
        p = self.problem
        chosen = np.zeros(p.n_arcs, dtype=np.bool_)
        chosen[self.base[self.base >= 0]] = True
        active = chosen[p.use_arc]
        out = np.zeros(p.n_resources, dtype=np.int64)
        np.add.at(out, p.use_resource[active], p.use_amount[active])
        return out

    @cached_property
    def _resource_component(self) -> IntArray:
        p = self.problem
        out = np.full(p.n_resources, -1, dtype=np.int64)
        out[p.use_resource] = self.component[p.arc_item[p.use_arc]]
        return out

    @cached_property
    def over(self) -> IntArray:
        """Over-used resources of the base, counted per component."""
        bad = (self.use > self.problem.resource_capacity) & (self._resource_component >= 0)
        return np.bincount(self._resource_component[bad], minlength=self.n_components)

    @cached_property
    def partners(self) -> dict[int, list[int]]:
        """Conflict partners of each item."""
        out: dict[int, list[int]] = {}
        for a, b in self.problem.conflicts.tolist():
            out.setdefault(a, []).append(b)
            out.setdefault(b, []).append(a)
        return out

    def _bin(self, arc: int) -> int:
        return -1 if arc < 0 else int(self.problem.arc_bin[arc])

    @cached_property
    def clashes(self) -> IntArray:
        """Conflict pairs sharing a bin in the base, counted per component."""
        out = np.zeros(self.n_components, dtype=np.int64)
        for a, b in self.problem.conflicts.tolist():
            bin_a = self._bin(int(self.base[a]))
            if bin_a >= 0 and bin_a == self._bin(int(self.base[b])) and self.component[a] >= 0:
                out[self.component[a]] += 1
        return out

    def feasible(self, k: int, changes: dict[int, int]) -> bool:
        """Is the base, with ``changes`` (item → arc or -1), feasible in component ``k``?"""
        p = self.problem
        order, starts = self.uses_by_arc
        delta: dict[int, int] = {}
        for item, arc in changes.items():
            for sign, a in ((-1, int(self.base[item])), (1, arc)):
                if a < 0:
                    continue
                for u in order[starts[a] : starts[a + 1]]:
                    r = int(p.use_resource[u])
                    delta[r] = delta.get(r, 0) + sign * int(p.use_amount[u])
        capacity = p.resource_capacity
        before = sum(int(self.use[r] > capacity[r]) for r in delta)
        after = sum(int(self.use[r] + d > capacity[r]) for r, d in delta.items())
        if int(self.over[k]) - before + after > 0:
            return False
        if not len(p.conflicts):
            return True
        return self._clashes_after(k, changes) == 0

    def _clashes_after(self, k: int, changes: dict[int, int]) -> int:
        def arc_of(item: int, new: bool) -> int:
            return changes.get(item, int(self.base[item])) if new else int(self.base[item])

        pairs = {(min(a, b), max(a, b)) for a in changes for b in self.partners.get(a, [])}
        count = int(self.clashes[k])
        for a, b in pairs:
            for new, sign in ((False, -1), (True, 1)):
                bin_a = self._bin(arc_of(a, new))
                if bin_a >= 0 and bin_a == self._bin(arc_of(b, new)):
                    count += sign
        return count
