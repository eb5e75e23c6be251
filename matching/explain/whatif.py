"""Smallest changes that would have placed an unassigned client, each verified by a re-solve.

Candidates, in this order (smallest first): one more seat, more support units or one more
caseload place where the client's best admissible placements were full; consent to work
outside the commuting area; one more available weekday; a longer maximum travel time. Each is
applied to a copy of the problem and solved with ``allocate``; only changes after which the
client is placed, and the independent checker passes, are reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.check import check_allocation
from matching.explain.changes import ChangeEngine
from matching.explain.clients import blockers, ranked_arcs
from matching.explain.context import Context
from matching.explain.documents import Change, ObjectiveChange
from matching.explain.messages import message
from matching.explain.resolve import Budget
from matching.explain.sensitivity import Unavailable
from matching.pairs import Pairs
from matching.rules import PAIR_RULES
from matching.solve import allocate
from models import AllocationProblem, Weekday

BEST_PLACEMENTS = 3
"""Capacity changes are tried at the client's best few admissible placements."""
MAX_TRIES = 5
"""Candidate changes re-solved per client at most (the budget is shared by all clients)."""
MAX_VERIFIED = 2
"""Verified changes reported per client (the smallest first)."""


@dataclass(frozen=True)
class Candidate:
    """A change to try: its kind, target and amount, and how to apply it."""

    kind: str
    target: str
    amount: int


def _failures(ctx: Context, client: int) -> dict[str, np.ndarray]:
    t = ctx.tables
    n_p = len(t.placement_ids)
    pairs = Pairs.of(t, np.full(n_p, client), np.arange(n_p))
    return {name: ~rule(pairs) for name, rule in PAIR_RULES} | {"_minutes": pairs.travel_minutes}


def candidates(ctx: Context, client: int) -> list[Candidate]:
    """Candidate changes for an unassigned client, smallest first."""
    t = ctx.tables
    c = ctx.problem.clients[client]
    out: list[Candidate] = []
    for arc in ranked_arcs(ctx, client)[:BEST_PLACEMENTS]:
        for use in blockers(ctx, client, arc):
            if use.rule == "seats":
                out.append(Candidate("extra_seat", use.owner, 1))
            elif use.rule == "support_units":
                out.append(
                    Candidate(
                        "extra_support_units", use.owner, use.used + use.needed - use.capacity
                    )
                )
            elif use.rule == "coach_caseload":
                out.append(Candidate("extra_coach_caseload", use.owner, 1))
    fails = _failures(ctx, client)
    others = [n for n, _ in PAIR_RULES]

    def only(*names: str) -> np.ndarray:
        rest = np.zeros(len(t.placement_ids), dtype=np.bool_)
        for n in others:
            if n not in names:
                rest |= fails[n]
        return ~rest & np.any([fails[n] for n in names], axis=0)

    if not c.consent_outside_commuting_area and only("commuting_area").any():
        out.append(Candidate("consent_outside_area", c.id, 1))
    near = only("weekdays")
    if near.any():
        # days that some placement failing only on weekdays runs, best-covered first
        gain: dict[Weekday, int] = {}
        for j in np.flatnonzero(near):
            for day in ctx.problem.placements[j].weekdays - c.available_weekdays:
                gain[day] = gain.get(day, 0) + 1
        for day in sorted(gain, key=lambda d: (-gain[d], list(Weekday).index(d)))[:2]:
            out.append(Candidate("extra_weekday", day.value, 1))
    reach = only("travel_time")
    if reach.any():
        minutes = int(fails["_minutes"][reach].min())
        if minutes <= 240:
            out.append(Candidate("longer_travel", c.id, minutes))
    return list(dict.fromkeys(out))[:MAX_TRIES]


def apply(problem: AllocationProblem, client_id: str, change: Candidate) -> AllocationProblem:
    """The problem with one candidate change applied (records copied, ids unchanged)."""
    update: dict[str, Any] = {}
    if change.kind in ("extra_seat", "extra_support_units"):
        field = "seats" if change.kind == "extra_seat" else "support_units"
        update["placements"] = tuple(
            p.model_copy(update={field: getattr(p, field) + change.amount})
            if p.id == change.target
            else p
            for p in problem.placements
        )
    elif change.kind == "extra_coach_caseload":
        update["coaches"] = tuple(
            k.model_copy(update={"caseload_capacity": k.caseload_capacity + 1})
            if k.id == change.target
            else k
            for k in problem.coaches
        )
    else:
        fields: dict[str, Any] = {}
        client = next(c for c in problem.clients if c.id == client_id)
        if change.kind == "consent_outside_area":
            fields["consent_outside_commuting_area"] = True
        elif change.kind == "extra_weekday":
            fields["available_weekdays"] = client.available_weekdays | {Weekday(change.target)}
        elif change.kind == "longer_travel":
            fields["max_travel_minutes"] = change.amount
        update["clients"] = tuple(
            c.model_copy(update=fields) if c.id == client_id else c for c in problem.clients
        )
    return problem.model_copy(update=update)


def _promising(ctx: Context, engine: ChangeEngine | None, client: int, cand: Candidate) -> bool:
    """Does the seats-only relaxation give an extra seat to this client? (ordering only)"""
    if engine is None or engine.relaxation is None or cand.kind != "extra_seat":
        return False
    try:
        cycle = engine.relaxation.extra_seat(ctx.tables.placement_index[cand.target])
    except Unavailable:
        return False
    return cycle.changes.get(client, -1) >= 0


def verified_changes(
    ctx: Context, client: int, budget: Budget, engine: ChangeEngine | None = None
) -> tuple[list[Change], bool]:
    """Verified changes placing the client, and whether every candidate was checked.

    With an ``engine``, extra seats that the seats-only relaxation would give to this client
    are tried first (an ordering heuristic: every reported change is still re-solved).
    """
    cid = ctx.tables.client_ids[client]
    base = ctx.result.objective
    out: list[Change] = []
    todo = candidates(ctx, client)
    todo.sort(key=lambda cand: not _promising(ctx, engine, client, cand))
    for cand in todo:
        if budget.spent() or ctx.result.timings.total_s > budget.left():
            return out, False
        modified = apply(ctx.problem, cid, cand)
        result = allocate(modified)
        where = {a.client: a.placement for a in result.assignments}.get(cid)
        if where is None or check_allocation(modified, result):
            continue
        change = ObjectiveChange(
            placed_value=result.objective.placed_value - base.placed_value,
            quality=result.objective.quality - base.quality,
            placed_clients=len(result.assignments) - len(ctx.result.assignments),
            exact=result.status.value == "optimal",
            method="resolve",
        )
        params: dict[str, Any] = {"target": cand.target, "amount": cand.amount, "placement": where}
        if cand.kind == "extra_weekday":
            params["weekday"] = cand.target
        if cand.kind in ("extra_seat", "extra_support_units"):
            params["target_placement"] = cand.target
        if cand.kind == "longer_travel":
            params["extra"] = cand.amount - ctx.problem.clients[client].max_travel_minutes
        out.append(
            Change(
                kind=cand.kind,
                target=cand.target,
                amount=cand.amount,
                placement=where,
                objective=change,
                message=message(f"change.{cand.kind}", **params),
            )
        )
        if len(out) >= MAX_VERIFIED:
            break
    return out, True
