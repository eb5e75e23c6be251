"""The state every explanation reads: the compiled model, the result as arcs, capacity use.

Built once per explained run; everything else in ``matching.explain`` is a function of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from matching.compile import CompiledProblem, compile_problem
from matching.core.decompose import usable_arcs
from matching.rules.capacity import ResourceFamily
from matching.solve import input_hash
from matching.tables import BoolArray, IntArray, Tables
from models import AllocationProblem, AllocationResult, Criterion


class ResultMismatch(ValueError):
    """The result does not belong to the problem (unknown ids or pairs that are not arcs).

    ``lines`` are English (logs); ``problems`` the same as catalogue codes and params
    (``cli.result_other_problem``, ``cli.result_pair``) for a text in the user's language."""

    def __init__(self, lines: list[str], problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines
        self.problems = list(problems or [])


@dataclass(frozen=True)
class Context:
    """A problem, its result, the compiled model and the result expressed on its arcs.

    A result whose input hash is not that of the problem (another county, other options, or
    an engine whose defaults changed) is refused: its objective would not be comparable.
    """

    problem: AllocationProblem
    result: AllocationResult
    compiled: CompiledProblem
    chosen: IntArray
    """Arc of each client in the result, -1 if unassigned."""

    @classmethod
    def build(
        cls,
        problem: AllocationProblem,
        result: AllocationResult,
        compiled: CompiledProblem | None = None,
    ) -> Context:
        """Compile (unless given) and map the result's assignments to arcs."""
        if re.fullmatch(r"[0-9a-f]{64}", result.input_hash) and (
            result.input_hash != input_hash(problem)
        ):
            raise ResultMismatch(
                ["the result was computed for another problem or options (input hash differs)"],
                [{"code": "cli.result_other_problem", "params": {}}],
            )
        compiled = compiled or compile_problem(problem)
        t = compiled.tables
        chosen = np.full(len(t.client_ids), -1, dtype=np.int64)
        keys = arc_keys(compiled)
        errors = []
        problems: list[dict[str, Any]] = []
        for a in result.assignments:
            i, j = t.client_index.get(a.client), t.placement_index.get(a.placement)
            arc = -1 if i is None or j is None else find_arc(compiled, keys, i, j)
            if i is None or arc < 0:
                errors.append(f"assignment {a.client} → {a.placement} is not an admissible pair")
                pair = {"client": a.client, "placement": a.placement}
                problems.append({"code": "cli.result_pair", "params": pair})
                continue
            chosen[i] = arc
        if errors:
            raise ResultMismatch(errors, problems)
        return cls(problem, result, compiled, chosen)

    # ---- shortcuts ---------------------------------------------------------------------
    @property
    def tables(self) -> Tables:
        """Column arrays of the problem."""
        return self.compiled.tables

    @property
    def arc_client(self) -> IntArray:
        """Client row of each arc."""
        return self.compiled.candidates.arcs.client

    @property
    def arc_placement(self) -> IntArray:
        """Placement row of each arc."""
        return self.compiled.candidates.arcs.placement

    @cached_property
    def criteria(self) -> list[Criterion]:
        """Criteria of the score breakdown, in registry order."""
        return self.compiled.candidates.criteria

    def breakdown(self, arc: int) -> dict[Criterion, int]:
        """Points per criterion of an arc."""
        parts = self.compiled.candidates.parts[arc]
        return {c: int(v) for c, v in zip(self.criteria, parts, strict=True)}

    @cached_property
    def usable(self) -> BoolArray:
        """Arcs that can be chosen at all (a seat, and each resource's need within capacity)."""
        return usable_arcs(self.compiled.core)

    @cached_property
    def arcs_of_client(self) -> tuple[IntArray, IntArray]:
        """``(order, starts)``: arcs grouped by client (arcs are sorted by client already)."""
        n = len(self.tables.client_ids)
        starts = np.searchsorted(self.arc_client, np.arange(n + 1)).astype(np.int64)
        return np.arange(len(self.arc_client), dtype=np.int64), starts

    def client_arcs(self, i: int) -> IntArray:
        """Arc indices of client row ``i``."""
        _, starts = self.arcs_of_client
        return np.arange(starts[i], starts[i + 1], dtype=np.int64)

    @cached_property
    def placement_of(self) -> IntArray:
        """Placement row of each client in the result, -1 if unassigned."""
        out = np.full(len(self.chosen), -1, dtype=np.int64)
        placed = self.chosen >= 0
        out[placed] = self.arc_placement[self.chosen[placed]]
        return out

    @cached_property
    def ongoing_ids(self) -> frozenset[str]:
        """Clients whose ongoing period is kept (their seats are not free in this run)."""
        ids = self.tables.client_ids
        return frozenset(ids[i] for i in np.flatnonzero(self.compiled.pinned))

    @cached_property
    def opens_later(self) -> BoolArray:
        """Placements that open after the planning date (not open yet, as opposed to open
        for too short a time)."""
        start = self.problem.planning_date
        return np.array([p.available_from > start for p in self.problem.placements], dtype=bool)

    # ---- capacity use --------------------------------------------------------------------
    @cached_property
    def seats_used(self) -> IntArray:
        """Clients placed at each placement."""
        placed = self.placement_of[self.placement_of >= 0]
        return np.bincount(placed, minlength=len(self.tables.placement_ids)).astype(np.int64)

    def family(self, rule: str) -> ResourceFamily | None:
        """The capacity family of a rule (``support_units``, ``coach_caseload``)."""
        for family in self.compiled.families:
            if family.rule == rule:
                return family
        return None

    @cached_property
    def family_used(self) -> dict[str, IntArray]:
        """Units used of each owner, per capacity family, by the result."""
        out = {}
        placed = self.chosen[self.chosen >= 0]
        for family in self.compiled.families:
            owner, amount = family.owner[placed], family.amount[placed]
            keep = owner >= 0
            used = np.zeros(len(family.owner_ids), dtype=np.int64)
            np.add.at(used, owner[keep], amount[keep])
            out[family.rule] = used
        return out

    @cached_property
    def holders(self) -> dict[str, dict[int, list[int]]]:
        """Client rows holding each owner's capacity, per family (and ``seats``)."""
        out: dict[str, dict[int, list[int]]] = {"seats": {}}
        for i in np.flatnonzero(self.chosen >= 0):
            out["seats"].setdefault(int(self.placement_of[i]), []).append(int(i))
        for family in self.compiled.families:
            per: dict[int, list[int]] = {}
            for i in np.flatnonzero(self.chosen >= 0):
                owner = int(family.owner[self.chosen[i]])
                if owner >= 0:
                    per.setdefault(owner, []).append(int(i))
            out[family.rule] = per
        return out

    @cached_property
    def capacity_uses(self) -> dict[tuple[str, int, int], Any]:
        """Cache of capacity-use records (rule, owner, need) built by the explanations."""
        return {}

    @cached_property
    def conflict_partners(self) -> dict[int, list[int]]:
        """Client rows each client must be kept apart from."""
        out: dict[int, list[int]] = {}
        for a, b in self.tables.conflicts.tolist():
            out.setdefault(a, []).append(b)
            out.setdefault(b, []).append(a)
        return out

    @cached_property
    def keys(self) -> IntArray:
        """Sorted pair keys of the arcs."""
        return arc_keys(self.compiled)

    def arc(self, client: int, placement: int) -> int:
        """Arc index of a pair, -1 if not an arc."""
        return find_arc(self.compiled, self.keys, client, placement)

    @cached_property
    def placement_index(self) -> dict[str, int]:
        """Row of each placement id."""
        return self.tables.placement_index


def arc_keys(compiled: CompiledProblem) -> IntArray:
    """Sorted pair keys of the arcs (arcs are numbered in key order)."""
    arcs = compiled.candidates.arcs
    return compiled.tables.pair_key(arcs.client, arcs.placement)


def find_arc(compiled: CompiledProblem, keys: IntArray, client: int, placement: int) -> int:
    """Arc index of a (client row, placement row) pair, or -1 if it is not an arc."""
    t = compiled.tables
    key = int(t.pair_key(np.array([client]), np.array([placement]))[0])
    pos = int(np.searchsorted(keys, key))
    return pos if pos < keys.size and int(keys[pos]) == key else -1


def ranked_own_arcs(ctx: Context, client: int) -> list[int]:
    """The client's arcs, best own fit first (score, then preference rank, then placement)."""
    cand = ctx.compiled.candidates
    arcs = ctx.client_arcs(client)
    rank = np.where(cand.rank[arcs] > 0, cand.rank[arcs], 10**6)
    order = np.lexsort((ctx.arc_placement[arcs], rank, -cand.score[arcs]))
    return [int(a) for a in arcs[order]]
