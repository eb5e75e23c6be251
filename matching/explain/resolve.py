"""Exact re-solves of one independent component of the compiled model, modified.

The compiled core problem splits into independent components (``matching.core.decompose``);
a modification (fix a client to one placement, one more seat) affects one component only, so
only that component is re-solved, with the core solver, from the already built arrays.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from matching import core
from matching.core.decompose import Component, decompose
from matching.core.problem import AssignmentProblem
from matching.explain.context import Context
from matching.solve import core_options
from matching.tables import BoolArray, IntArray


def subset_arcs(
    problem: AssignmentProblem,
    keep: BoolArray,
    *,
    required: BoolArray | None = None,
    bin_capacity: IntArray | None = None,
    resource_capacity: IntArray | None = None,
) -> tuple[AssignmentProblem, IntArray]:
    """The problem on the ``keep`` arcs (uses remapped), optionally with changed arrays.

    Returns the new problem and the original index of each of its arcs.
    """
    index = np.flatnonzero(keep).astype(np.int64)
    sub = problem.subproblem(
        index,
        item_required=required,
        bin_capacity=bin_capacity,
        resource_capacity=resource_capacity,
    )
    return sub, index


@dataclass(frozen=True)
class Outcome:
    """Objective of a modified component: proven optimum, bound, or infeasible."""

    placed: int
    quality: int
    exact: bool
    feasible: bool
    chosen: IntArray | None
    """Local arc per component item (exact outcomes only)."""


@dataclass
class Components:
    """The independent components of a context's compiled model and their result values."""

    ctx: Context

    @cached_property
    def parts(self) -> list[Component]:
        """Components with two or more clients."""
        return decompose(self.ctx.compiled.core, self.ctx.usable).components

    @cached_property
    def of_item(self) -> IntArray:
        """Component of each client row, -1 when alone or without a usable arc."""
        out = np.full(len(self.ctx.chosen), -1, dtype=np.int64)
        for k, part in enumerate(self.parts):
            out[part.items] = k
        return out

    @cached_property
    def of_bin(self) -> IntArray:
        """Component of each placement row (-1: only lone clients, or no usable arc)."""
        core_problem = self.ctx.compiled.core
        out = np.full(core_problem.n_bins, -1, dtype=np.int64)
        for k, part in enumerate(self.parts):
            out[core_problem.arc_bin[part.global_arcs(np.arange(part.size))]] = k
        return out

    def local_chosen(self, k: int) -> IntArray:
        """The result's assignment of component ``k`` in local arc indices."""
        part = self.parts[k]
        arcs = self.ctx.chosen[part.items]
        return part.local_arcs(arcs)

    def solve(self, k: int, problem: AssignmentProblem, time_limit: float) -> Outcome:
        """Solve a modified version of component ``k`` (same items, arcs may differ)."""
        options = replace(core_options(self.ctx.problem), time_limit_s=max(time_limit, 0.05))
        try:
            solution = core.solve(problem, options)
        except core.InfeasibleInput:
            return Outcome(0, 0, exact=True, feasible=False, chosen=None)
        except core.NoSolutionFound:
            return Outcome(0, 0, exact=False, feasible=True, chosen=None)
        if solution.status is core.SolveStatus.OPTIMAL:
            return Outcome(solution.placed_value, solution.quality, True, True, solution.chosen_arc)
        return Outcome(solution.placed_bound, solution.quality_bound, False, True, None)

    def fix_pair(self, item: int, arc: int, time_limit: float) -> tuple[int, Outcome]:
        """Re-solve the client's component with the client required on ``arc`` (global).

        Returns the component index and the outcome; the outcome's ``chosen`` uses arcs of
        the component as ``parts[k].arcs`` numbers them.
        """
        k = int(self.of_item[item])
        part = self.parts[k]
        local_item = int(np.flatnonzero(part.items == item)[0])
        local_arc = int(np.flatnonzero(part.arcs == arc)[0])
        sub = part.problem
        keep = (sub.arc_item != local_item) | (np.arange(sub.n_arcs) == local_arc)
        required = sub.item_required.copy()
        required[local_item] = True
        fixed, index = subset_arcs(sub, keep, required=required)
        outcome = self.solve(k, fixed, time_limit)
        if outcome.chosen is not None:
            back = np.where(outcome.chosen >= 0, index[np.maximum(outcome.chosen, 0)], -1)
            outcome = replace(outcome, chosen=back.astype(np.int64))
        return k, outcome

    def extra_seat(self, placement: int, time_limit: float) -> tuple[int, Outcome]:
        """Re-solve the placement's component with one more seat there."""
        k = int(self.of_bin[placement])
        part = self.parts[k]
        core_problem = self.ctx.compiled.core
        global_bins = core_problem.arc_bin[part.arcs]
        local_bin = int(part.problem.arc_bin[np.flatnonzero(global_bins == placement)[0]])
        capacity = part.problem.bin_capacity.copy()
        capacity[local_bin] += 1
        keep = np.ones(part.problem.n_arcs, dtype=np.bool_)
        more, _ = subset_arcs(part.problem, keep, bin_capacity=capacity)
        return k, self.solve(k, more, time_limit)


class Budget:
    """A wall-clock budget shared by the optional, expensive parts of an explanation."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.perf_counter() + seconds

    def left(self) -> float:
        """Seconds left (may be negative)."""
        return self.deadline - time.perf_counter()

    def spent(self) -> bool:
        """True once the budget is used up."""
        return self.left() <= 0
