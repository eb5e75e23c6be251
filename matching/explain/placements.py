"""Per-placement explanations: use of seats and support units, pressure, value of a seat."""

from __future__ import annotations

import numpy as np

from matching.explain.changes import ChangeEngine
from matching.explain.context import Context
from matching.explain.documents import PlacementExplanation, SeatValue
from matching.explain.messages import message


def turned_away(ctx: Context, placement: int) -> list[int]:
    """Eligible clients (usable pair here) not placed here although here was not worse for
    them: unassigned, or placed elsewhere with a lower own score than here. Kept ongoing
    clients are not counted (they could not move)."""
    cand = ctx.compiled.candidates
    arcs = np.flatnonzero((ctx.arc_placement == placement) & ctx.usable)
    clients = ctx.arc_client[arcs]
    current = ctx.chosen[clients]
    elsewhere = ctx.placement_of[clients] != placement
    current_score = np.zeros(current.size, dtype=np.int64)
    current_score[current >= 0] = cand.score[current[current >= 0]]
    lower = (current < 0) | (current_score < cand.score[arcs])
    movable = ~ctx.compiled.pinned[clients]
    return [int(c) for c in clients[elsewhere & lower & movable]]


def explain_placement(
    ctx: Context, engine: ChangeEngine | None, placement: int
) -> PlacementExplanation:
    """Seats and support units used, eligible and turned-away clients, value of one seat."""
    t = ctx.tables
    pid = t.placement_ids[placement]
    eligible = int(np.count_nonzero((ctx.arc_placement == placement) & ctx.usable))
    support = ctx.family("support_units")
    used_support = int(ctx.family_used["support_units"][placement]) if support else 0
    away = turned_away(ctx, placement)
    here = [t.client_ids[i] for i in ctx.holders["seats"].get(placement, [])]
    messages = [
        message(
            "placement.summary",
            placement=pid,
            seats=int(t.placement_seats[placement]),
            seats_used=int(ctx.seats_used[placement]),
            support=int(t.placement_support[placement]),
            support_used=used_support,
            eligible=eligible,
            turned_away=len(away),
        )
    ]
    seat = None
    if engine is not None:
        change = engine.extra_seat(placement)
        seat = SeatValue(change=change)
        code = "placement.seat_value_exact" if change.exact else "placement.seat_value_bound"
        messages.append(
            message(
                code,
                placement=pid,
                placed_clients=change.placed_clients,
                placed_value=change.placed_value,
                quality=change.quality,
                method=change.method,
            )
        )
    return PlacementExplanation(
        placement=pid,
        seats=int(t.placement_seats[placement]),
        seats_used=int(ctx.seats_used[placement]),
        support_units=int(t.placement_support[placement]),
        support_used=used_support,
        eligible=eligible,
        placed_here=here,
        turned_away=[t.client_ids[i] for i in away],
        one_more_seat=seat,
        messages=messages,
    )
