"""Inverse ranking: the eligible clients of one placement, existing or newly announced.

Vectorised over all clients × the one placement with the registry's own rules and criteria,
so the ranking agrees with what the engine would score (no second implementation).
"""

from __future__ import annotations

import numpy as np

from matching.candidates import score
from matching.explain.clients import rule_counts
from matching.explain.documents import InverseRanking, RankedClient
from matching.explain.messages import message
from matching.pairs import Pairs
from matching.rules import CRITERIA, admissible
from matching.rules.soft import preference_rank
from matching.tables import Tables
from models import AllocationProblem, AllocationResult, Placement


class UnknownPlacement(ValueError):
    """The placement is neither in the problem nor a valid new placement for it."""


def _with_placement(problem: AllocationProblem, new: Placement) -> AllocationProblem:
    """The problem with ``new`` appended (references checked, no full re-validation)."""
    problems = []
    if new.id in {p.id for p in problem.placements}:
        problems.append(f"placement id '{new.id}' already exists in the problem")
    if new.municipality not in {m.code for m in problem.municipalities}:
        problems.append(f"placement '{new.id}' is in unknown municipality '{new.municipality}'")
    if problems:
        raise UnknownPlacement("; ".join(problems))
    return problem.model_copy(update={"placements": (*problem.placements, new)})


def rank_clients(
    problem: AllocationProblem,
    placement: str | Placement,
    result: AllocationResult | None = None,
    *,
    limit: int | None = None,
    tables: Tables | None = None,
) -> InverseRanking:
    """Clients eligible for ``placement`` (an id, or a new ``Placement``), best fit first.

    Ties are broken by longer waiting, then client id. ``limit`` caps the list (the count of
    eligible clients is always complete). ``tables`` may be passed to reuse column arrays.
    """
    new = isinstance(placement, Placement)
    if isinstance(placement, Placement):
        problem = _with_placement(problem, placement)
        tables = Tables(problem)
        pid = placement.id
    else:
        pid = placement
        tables = tables or Tables(problem)
        if pid not in tables.placement_index:
            raise UnknownPlacement(f"unknown placement '{pid}'")
    j = tables.placement_index[pid]
    n = len(tables.client_ids)
    pairs = Pairs.of(tables, np.arange(n), np.full(n, j))
    excluded = rule_counts(pairs, unit="clients")
    open_ = admissible(pairs)
    ok = pairs.subset(open_)
    parts, total = score(ok)
    ranks = preference_rank(ok)
    waiting = tables.client_waiting_months[ok.client]
    order = np.lexsort((ok.client, -waiting, -total))
    if limit is not None:
        order = order[:limit]
    current = _current(result)
    criteria = [c for c, _ in CRITERIA]
    out = []
    seats = int(tables.placement_seats[j])
    support = int(tables.placement_support[j])
    for rank, k in enumerate(order, start=1):
        i = int(ok.client[k])
        cid = tables.client_ids[i]
        where, where_score = current.get(cid, (None, None))
        minutes = int(ok.travel_minutes[k])
        out.append(
            RankedClient(
                client=cid,
                rank=rank,
                score=int(total[k]),
                breakdown={c: int(v) for c, v in zip(criteria, parts[k], strict=True)},
                preference_rank=int(ranks[k]) or None,
                travel_minutes=minutes,
                waiting_months=int(waiting[k]),
                current_placement=where,
                current_score=where_score,
                fits_capacity=seats > 0 and int(tables.client_support[i]) <= support,
                message=message(
                    "inverse.client",
                    client=cid,
                    rank=rank,
                    score=int(total[k]),
                    preference=int(ranks[k]) or None,
                    wish=int(ranks[k]),
                    minutes=minutes,
                    waiting=int(waiting[k]),
                    current=where,
                ),
            )
        )
    return InverseRanking(
        placement=pid, new=new, eligible=int(open_.sum()), clients=out, excluded=excluded
    )


def _current(result: AllocationResult | None) -> dict[str, tuple[str | None, int | None]]:
    if result is None:
        return {}
    return {a.client: (a.placement, a.score) for a in result.assignments}
