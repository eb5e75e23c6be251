"""Compile a domain problem into the generic sparse assignment layer (``matching.core``).

Items are clients, bins are placements (their seats are the bins' capacity), arcs are the
admissible pairs, and the other capacity rules become resources: supervisor support units per
placement, coach caseloads shared across placements. Kept ongoing placements become required
items with a single arc.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from matching.candidates import Candidates, build_candidates
from matching.core import AssignmentProblem
from matching.pairs import Pairs
from matching.rules import CAPACITY_RULES
from matching.rules.capacity import ResourceFamily, avoided_clients, ongoing_commitment, seats
from matching.tables import BoolArray, IntArray, Tables
from models import AllocationProblem


@dataclass(frozen=True)
class CompiledProblem:
    """A domain problem in generic form, with what is needed to map solutions back."""

    tables: Tables
    candidates: Candidates
    families: tuple[ResourceFamily, ...]
    """Capacity families other than seats, in the order their resources are numbered."""
    resource_offset: tuple[int, ...]
    """First core resource index of each family."""
    pinned: BoolArray
    """Clients whose ongoing placement is kept."""
    required: BoolArray
    """Clients that must be placed (kept, or ongoing and allowed to move)."""
    item_value: IntArray
    core: AssignmentProblem


def placement_value(tables: Tables) -> IntArray:
    """Value of placing each client in phase 1 of the objective: 1 each.

    Phase 1 maximises the number of clients placed; waiting time is the ``waiting`` criterion
    of phase 2 (``matching.rules.soft.waiting``). Counting in phase 1 keeps phase 2's "place at
    least as many" row a plain cardinality constraint, which exact solvers handle far better
    than a weighted one, and no soft weight can trade a placed client for fit.
    """
    return np.ones(len(tables.client_ids), dtype=np.int64)


def _pinned_arcs(tables: Tables) -> Pairs:
    """Arcs from each client with an ongoing placement to it (kept or allowed to stay)."""
    clients = np.flatnonzero(tables.client_ongoing >= 0)
    return Pairs.of(tables, clients, tables.client_ongoing[clients])


def _restrict_pinned(candidates: Candidates, pinned: BoolArray) -> Candidates:
    """Drop every arc of a pinned client except the one to its ongoing placement."""
    arcs = candidates.arcs
    t = arcs.tables
    keep = ~pinned[arcs.client] | (t.client_ongoing[arcs.client] == arcs.placement)
    return Candidates(
        arcs=arcs.subset(keep), score=candidates.score[keep], streamed=candidates.streamed
    )


def _narrow(family: ResourceFamily) -> ResourceFamily:
    """The family with its per-arc columns held as int32 where they fit (owners and
    amounts are small; on a 20,000-client county this halves 290 MB kept for explanations)."""
    limit = np.iinfo(np.int32).max
    if max(int(family.owner.max(initial=0)), int(family.amount.max(initial=0))) > limit:
        return family
    return replace(
        family, owner=family.owner.astype(np.int32), amount=family.amount.astype(np.int32)
    )


def _uses_by_arc(
    families: tuple[ResourceFamily, ...], offsets: list[int]
) -> tuple[IntArray, IntArray, IntArray]:
    """The resource uses of every family as ``(arc, resource, amount)``, arc by arc (and
    by family within an arc): sorted by arc and resource, so the core groups them by arc
    without sorting nine million uses again."""
    if not families:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    count = np.zeros(len(families[0].owner), dtype=np.int64)
    for family in families:
        count += family.owner >= 0
    # Each arc's uses go to its own slots, family by family: no arcs x families table and
    # no sort (nine million arcs have eighteen million uses).
    slot = np.cumsum(count) - count
    total = int(count.sum())
    del count
    use_arc = np.empty(total, dtype=np.int64)
    use_res = np.empty(total, dtype=np.int64)
    use_amt = np.empty(total, dtype=np.int64)
    for family, offset in zip(families, offsets, strict=True):
        arcs = np.flatnonzero(family.owner >= 0)
        at = slot[arcs]
        use_arc[at] = arcs
        use_res[at] = family.owner[arcs] + offset
        use_amt[at] = family.amount[arcs]
        slot[arcs] += 1
    return use_arc, use_res, use_amt


def compile_problem(
    problem: AllocationProblem,
    tables: Tables | None = None,
    *,
    deadline: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> CompiledProblem:
    """Candidate arcs, resources, conflicts and kept placements of ``problem`` in core form.

    With a `deadline` (a `clock` reading), candidate generation stops streaming there
    (``build_candidates``): the clients it did not reach get no arcs but their kept
    placement, and ``candidates.streamed`` names them."""
    tables = tables or Tables(problem)
    pinned = np.zeros(len(tables.client_ids), dtype=np.bool_)
    pinned[ongoing_commitment(_pinned_arcs(tables))] = True
    built = build_candidates(tables, extra=_pinned_arcs(tables), deadline=deadline, clock=clock)
    candidates = _restrict_pinned(built, pinned)
    del built  # the unrestricted arcs are garbage from here on
    arcs = candidates.arcs
    families = tuple(_narrow(rule(arcs)) for rule in CAPACITY_RULES if rule is not seats)
    offsets, capacity = [], []
    offset = 0
    for family in families:
        offsets.append(offset)
        capacity.append(family.capacity)
        offset += len(family.owner_ids)
    use_arc, use_res, use_amt = _uses_by_arc(families, offsets)
    required = tables.client_ongoing >= 0
    value = placement_value(tables)

    def cat(parts: list[IntArray]) -> IntArray:
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    core = AssignmentProblem(
        item_value=value,
        item_required=required,
        bin_capacity=tables.placement_seats,
        arc_item=arcs.client,
        arc_bin=arcs.placement,
        arc_score=candidates.score,
        resource_capacity=cat(capacity),
        use_arc=use_arc,
        use_resource=use_res,
        use_amount=use_amt,
        conflicts=avoided_clients(arcs),
    )
    return CompiledProblem(
        tables=tables,
        candidates=candidates,
        families=families,
        resource_offset=tuple(offsets),
        pinned=pinned,
        required=required,
        item_value=value,
        core=core,
    )
