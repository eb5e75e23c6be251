"""Stability audit: justified-envy pairs of an allocation.

Client ``c`` has justified envy towards placement ``p`` held by ``h`` when ``c`` prefers ``p``
to their own outcome (unassigned, or a higher own score at ``p`` than at their placement),
``c`` has a usable pair at ``p``, and ``h`` has both lower priority (fewer months waited:
first come, first served) and a lower fit at ``p`` than ``c``. Fit is the score without the
criteria that depend on the client alone (waiting time), so that it compares the pairs, not
the people. The reasons say why the optimum departs from first-come-first-served there.
"""

from __future__ import annotations

import numpy as np

from matching.explain.changes import ChangeEngine
from matching.explain.clients import change_message
from matching.explain.context import Context
from matching.explain.documents import EnvyPair, Message
from matching.explain.messages import message
from matching.tables import IntArray

CLIENT_ONLY = ("waiting",)
"""Criteria whose points depend on the client alone, not on the pair."""


def _reasons(ctx: Context, c: int, h: int, arc_c: int) -> list[Message]:
    t = ctx.tables
    j = int(ctx.arc_placement[arc_c])
    pid = t.placement_ids[j]
    out = []
    if ctx.compiled.pinned[h]:
        out.append(message("envy.reason.kept", placement=pid))
    support = ctx.family("support_units")
    if support is not None:
        need_c, need_h = int(t.client_support[c]), int(t.client_support[h])
        used = int(ctx.family_used["support_units"][j])
        if used - need_h + need_c > int(t.placement_support[j]):
            out.append(message("envy.reason.support_units", placement=pid, client=t.client_ids[c]))
    coach = ctx.family("coach_caseload")
    if coach is not None and ctx.chosen[c] < 0:
        k, k_h = int(t.client_coach[c]), int(t.client_coach[h])
        if k >= 0 and k != k_h and ctx.family_used["coach_caseload"][k] >= coach.capacity[k]:
            out.append(message("envy.reason.coach"))
    others = [p for p in ctx.conflict_partners.get(c, []) if p != h and ctx.placement_of[p] == j]
    if others:
        out.append(message("envy.reason.avoided", placement=pid))
    if not out:
        code = "envy.reason.capacity_elsewhere" if ctx.chosen[c] >= 0 else "envy.reason.objective"
        out.append(message(code))
    return out


def envy_pairs(
    ctx: Context, limit: int | None = None, engine: ChangeEngine | None = None
) -> list[EnvyPair]:
    """Every justified-envy pair (``limit`` caps the list), by placement then client.

    With an ``engine``, each pair also carries the objective change of moving the client
    there (exact or a proven bound), which says in numbers why the optimum departs.
    """
    found = _pairs(ctx, limit)
    if engine is None:
        return [pair for pair, _, _ in found]
    relaxation = engine.relaxation
    if relaxation is not None:
        relaxation.prepare(
            [relaxation.bin_node(int(ctx.arc_placement[arc])) for _, _, arc in found]
        )
    out = []
    for pair, c, arc in found:
        change = engine.fix_pair(c, arc)
        note = change_message(change)
        out.append(pair.model_copy(update={"change": change, "reasons": [*pair.reasons, note]}))
    return out


def pair_fit(ctx: Context) -> IntArray:
    """Points of each arc without the criteria that depend on the client alone."""
    cand = ctx.compiled.candidates
    personal = [k for k, c in enumerate(cand.criteria) if c.value in CLIENT_ONLY]
    return cand.score - cand.parts[:, personal].sum(axis=1)


def _pairs(ctx: Context, limit: int | None) -> list[tuple[EnvyPair, int, int]]:
    """Envy pairs with the envious client's row and arc."""
    t = ctx.tables
    cand = ctx.compiled.candidates
    value = t.client_waiting_months
    fit = pair_fit(ctx)
    out: list[tuple[EnvyPair, int, int]] = []
    order = np.argsort(ctx.arc_placement, kind="stable")
    bounds = np.searchsorted(ctx.arc_placement[order], np.arange(len(t.placement_ids) + 1))
    for j in range(len(t.placement_ids)):
        holders = ctx.holders["seats"].get(j, [])
        if not holders:
            continue
        arcs = order[bounds[j] : bounds[j + 1]]
        arcs = arcs[ctx.usable[arcs]]
        clients = ctx.arc_client[arcs]
        current = ctx.chosen[clients]
        here = cand.score[arcs]
        current_score = np.zeros(current.size, dtype=np.int64)
        current_score[current >= 0] = cand.score[current[current >= 0]]
        prefers = (current < 0) | (current_score < here)
        fit_here = fit[arcs]
        prefers &= (ctx.placement_of[clients] != j) & ~ctx.compiled.pinned[clients]
        for h in holders:
            arc_h = int(ctx.chosen[h])
            envious = prefers & (value[clients] > value[h]) & (fit_here > fit[arc_h])
            for k in np.flatnonzero(envious):
                c, arc_c = int(clients[k]), int(arcs[k])
                cur = int(current[k])
                pair = (
                    EnvyPair(
                        client=t.client_ids[c],
                        client_placement=t.placement_ids[ctx.placement_of[c]] if cur >= 0 else None,
                        client_score=int(cand.score[cur]) if cur >= 0 else None,
                        placement=t.placement_ids[j],
                        score_there=int(here[k]),
                        holder=t.client_ids[h],
                        holder_score=int(cand.score[arc_h]),
                        client_priority=int(value[c]),
                        holder_priority=int(value[h]),
                        reasons=[
                            message(
                                "envy.pair" if cur >= 0 else "envy.pair_unplaced",
                                client=t.client_ids[c],
                                placement=t.placement_ids[j],
                                holder=t.client_ids[h],
                                score_there=int(here[k]),
                                client_score=int(cand.score[cur]) if cur >= 0 else None,
                                holder_score=int(cand.score[arc_h]),
                                client_priority=int(value[c]),
                                holder_priority=int(value[h]),
                            ),
                            *_reasons(ctx, c, h, arc_c),
                        ],
                    ),
                    c,
                    arc_c,
                )
                out.append(pair)
                if limit is not None and len(out) >= limit:
                    return out
    return out
