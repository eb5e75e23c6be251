"""Per-client explanations: score breakdown, tight rules, ranked alternatives, exclusions."""

from __future__ import annotations

import numpy as np

from matching.explain.changes import ChangeEngine
from matching.explain.context import Context, ranked_own_arcs
from matching.explain.documents import (
    Alternative,
    CapacityUse,
    ClientExplanation,
    Message,
    ObjectiveChange,
    RuleCount,
    TightRule,
)
from matching.explain.messages import message
from matching.explain.trip import trip_messages
from matching.pairs import Pairs
from matching.rules import PAIR_RULES
from models import Criterion, Weekday

TRAVEL_NEAR_SHARE = 0.8
"""A trip is "close to the maximum" from this share of the client's maximum travel time."""
FEW_ADMISSIBLE = 3
HOLDERS_KEPT = 20


def first_rule_counts(ctx: Context, client: int) -> list[RuleCount]:
    """Placements excluded by each hard pair rule, attributed to the first failing rule
    (registry order), with the number failing the rule at all beside it."""
    t = ctx.tables
    n_p = len(t.placement_ids)
    return rule_counts(Pairs.of(t, np.full(n_p, client), np.arange(n_p)))


def _count_message(name: str, first: int, later: int, unit: str) -> Message:
    """The sentence of one rule's count. ``unit`` says what is counted: ``placements`` (one
    client's placements) or ``clients`` (one placement's clients). The minimum-period rule
    tells placements that open later from those open for too short a time."""
    if name == "placement_period":
        return message(
            f"excluded.placement_period_{unit}",
            count=first,
            not_yet=later,
            too_short=first - later,
        )
    return message(f"excluded.rule_{unit}", rule=name, count=first)


def rule_counts_by_client(ctx: Context, rows: list[int]) -> dict[int, list[RuleCount]]:
    """``first_rule_counts`` of many clients at once (one vectorised pass per rule)."""
    t = ctx.tables
    n_p = len(t.placement_ids)
    out: dict[int, list[RuleCount]] = {}
    if not rows or n_p == 0:
        return {i: [] for i in rows}
    block = max(1, 2_000_000 // n_p)
    names = [name for name, _ in PAIR_RULES]
    for start in range(0, len(rows), block):
        chunk = np.array(rows[start : start + block], dtype=np.int64)
        pairs = Pairs.of(t, np.repeat(chunk, n_p), np.tile(np.arange(n_p), chunk.size))
        later_pair = ctx.opens_later[pairs.placement]
        open_ = np.ones(len(pairs), dtype=np.bool_)
        first = np.zeros((chunk.size, len(names)), dtype=np.int64)
        later = np.zeros((chunk.size, len(names)), dtype=np.int64)
        failing = np.zeros((chunk.size, len(names)), dtype=np.int64)
        for r, (_, rule) in enumerate(PAIR_RULES):
            broken = ~rule(pairs)
            first[:, r] = (open_ & broken).reshape(chunk.size, n_p).sum(axis=1)
            later[:, r] = (open_ & broken & later_pair).reshape(chunk.size, n_p).sum(axis=1)
            failing[:, r] = broken.reshape(chunk.size, n_p).sum(axis=1)
            open_ &= ~broken
        for k, i in enumerate(chunk.tolist()):
            out[i] = [
                RuleCount(
                    rule=names[r],
                    placements=int(first[k, r]),
                    failing=int(failing[k, r]),
                    message=_count_message(
                        names[r], int(first[k, r]), int(later[k, r]), "placements"
                    ),
                )
                for r in np.flatnonzero(failing[k])
            ]
    return out


def rule_counts(pairs: Pairs, unit: str = "placements") -> list[RuleCount]:
    """First-failing and any-failing counts of the hard pair rules over a batch of pairs.

    ``unit`` names what the pairs vary over: ``placements`` (one client) or ``clients`` (one
    placement), so that the sentence counts the right thing.
    """
    problem = pairs.tables.problem
    opens = np.array(
        [p.available_from > problem.planning_date for p in problem.placements], dtype=np.bool_
    )
    later_pair = opens[pairs.placement]
    open_ = np.ones(len(pairs), dtype=np.bool_)
    out = []
    for name, rule in PAIR_RULES:
        broken = ~rule(pairs)
        first = int((open_ & broken).sum())
        later = int((open_ & broken & later_pair).sum())
        open_ &= ~broken
        if broken.any():
            out.append(
                RuleCount(
                    rule=name,
                    placements=first,
                    failing=int(broken.sum()),
                    message=_count_message(name, first, later, unit),
                )
            )
    return out


def insufficient_data(ctx: Context, client: int) -> list[Criterion]:
    """Criteria the client's profile lacks the data for (flagged, not silently low)."""
    c = ctx.problem.clients[client]
    weights = ctx.problem.options.weights
    out = []
    if not c.preferences and weights.preference > 0:
        out.append(Criterion.PREFERENCE)
    if not c.aptitudes and not c.interests and weights.aptitude > 0:
        out.append(Criterion.APTITUDE)
    return out


def _use(ctx: Context, rule: str, owner: int, capacity: int, used: int, needed: int) -> CapacityUse:
    key = (rule, owner, needed)
    cached = ctx.capacity_uses.get(key)
    if cached is None:
        cached = ctx.capacity_uses[key] = _new_use(ctx, rule, owner, capacity, used, needed)
    return cached


def _new_use(
    ctx: Context, rule: str, owner: int, capacity: int, used: int, needed: int
) -> CapacityUse:
    t = ctx.tables
    rows = ctx.holders.get(rule, {}).get(owner, [])
    ids = [t.client_ids[i] for i in rows]
    name = t.problem.coaches[owner].id if rule == "coach_caseload" else t.placement_ids[owner]
    return CapacityUse(
        rule=rule,
        owner=name,
        capacity=capacity,
        used=used,
        needed=needed,
        holders=ids[:HOLDERS_KEPT],
        holders_total=len(ids),
    )


def blockers(ctx: Context, client: int, arc: int) -> list[CapacityUse]:
    """Capacities that stop ``client`` joining the arc's placement as the result stands."""
    t = ctx.tables
    j = int(ctx.arc_placement[arc])
    out = []
    seats = int(t.placement_seats[j])
    if ctx.seats_used[j] + 1 > seats:
        out.append(_use(ctx, "seats", j, seats, int(ctx.seats_used[j]), 1))
    for family in ctx.compiled.families:
        owner = int(family.owner[arc])
        if owner < 0:
            continue
        here = ctx.chosen[client]
        if here >= 0 and int(family.owner[here]) == owner:
            continue  # moving does not change this owner's use
        used = int(ctx.family_used[family.rule][owner])
        need = int(family.amount[arc])
        capacity = int(family.capacity[owner])
        if used + need > capacity:
            out.append(_use(ctx, family.rule, owner, capacity, used, need))
    partners = [p for p in ctx.conflict_partners.get(client, []) if int(ctx.placement_of[p]) == j]
    if partners:
        out.append(
            CapacityUse(
                rule="avoided_clients",
                owner=t.placement_ids[j],
                capacity=0,
                used=len(partners),
                needed=1,
                holders=[t.client_ids[p] for p in partners],
                holders_total=len(partners),
            )
        )
    return out


def _held_by_ongoing(ctx: Context, use: CapacityUse) -> bool:
    """Every holder of the capacity is a client whose ongoing period is kept."""
    return (
        bool(use.holders)
        and use.holders_total == len(use.holders)
        and all(h in ctx.ongoing_ids for h in use.holders)
    )


def _blocker_message(ctx: Context, use: CapacityUse) -> Message:
    params: dict[str, object] = {
        "placement": use.owner,
        "owner": use.owner,
        "capacity": use.capacity,
        "used": use.used,
        "needed": use.needed,
        "holders": use.holders,
        "holders_total": use.holders_total,
    }
    if use.rule in ("seats", "support_units") and _held_by_ongoing(ctx, use):
        return message(f"blocked.{use.rule}_ongoing", **params)  # type: ignore[arg-type]
    return message(f"blocked.{use.rule}", **params)  # type: ignore[arg-type]


def tight_rules(ctx: Context, client: int) -> list[TightRule]:
    """Rules binding (or nearly) for an assigned client's proposal."""
    t = ctx.tables
    arc = int(ctx.chosen[client])
    j = int(ctx.arc_placement[arc])
    pid = t.placement_ids[j]
    out = []
    if ctx.compiled.pinned[client]:
        out.append(TightRule(code="kept", message=message("tight.kept", placement=pid)))
    seats = int(t.placement_seats[j])
    if ctx.seats_used[j] >= seats:
        m = message("tight.seats_full", placement=pid, seats=seats, used=int(ctx.seats_used[j]))
        out.append(TightRule(code="seats_full", message=m))
    support = ctx.family("support_units")
    if support is not None and int(support.owner[arc]) >= 0:
        used = int(ctx.family_used["support_units"][j])
        if used >= int(support.capacity[j]):
            m = message(
                "tight.support_full", placement=pid, used=used, capacity=int(support.capacity[j])
            )
            out.append(TightRule(code="support_full", message=m))
    coach = ctx.family("coach_caseload")
    if coach is not None and int(coach.owner[arc]) >= 0:
        k = int(coach.owner[arc])
        used = int(ctx.family_used["coach_caseload"][k])
        if used >= int(coach.capacity[k]):
            m = message(
                "tight.coach_full",
                coach=coach.owner_ids[k],
                used=used,
                capacity=int(coach.capacity[k]),
            )
            out.append(TightRule(code="coach_full", message=m))
    minutes = int(ctx.compiled.candidates.arcs.travel_minutes[arc])
    limit = int(t.client_max_travel[client])
    if minutes >= TRAVEL_NEAR_SHARE * limit:
        m = message("tight.travel_near_max", minutes=minutes, max=limit)
        out.append(TightRule(code="travel_near_max", message=m))
    count = int(np.count_nonzero(ctx.usable[ctx.client_arcs(client)]))
    if count <= FEW_ADMISSIBLE and not ctx.compiled.pinned[client]:
        out.append(
            TightRule(code="few_admissible", message=message("tight.few_admissible", count=count))
        )
    return out


def ranked_arcs(ctx: Context, client: int) -> list[int]:
    """The client's arcs, best own fit first (score, then preference rank, then placement)."""
    return ranked_own_arcs(ctx, client)


def alternatives(
    ctx: Context, engine: ChangeEngine | None, client: int, k: int
) -> list[Alternative]:
    """Up to ``k`` admissible placements other than the proposal, best own fit first."""
    if ctx.compiled.pinned[client]:
        return []
    t = ctx.tables
    cand = ctx.compiled.candidates
    current = int(ctx.chosen[client])
    current_score = int(cand.score[current]) if current >= 0 else None
    out: list[Alternative] = []
    for arc in ranked_arcs(ctx, client):
        if arc == current:
            continue
        if len(out) >= k:
            break
        j = int(ctx.arc_placement[arc])
        pid = t.placement_ids[j]
        score = int(cand.score[arc])
        blocked = blockers(ctx, client, arc)
        reasons = [_blocker_message(ctx, b) for b in blocked]
        if not ctx.usable[arc] and t.client_support[client] > t.placement_support[j]:
            support = ctx.family("support_units")
            capacity = int(support.capacity[j]) if support is not None else 0
            reasons.insert(
                0,
                message(
                    "blocked.never_fits",
                    placement=pid,
                    needed=int(t.client_support[client]),
                    capacity=capacity,
                ),
            )
        elif not blocked:
            if current_score is not None and score <= current_score:
                reasons.append(
                    message(
                        "alternative.lower_fit", placement=pid, score=score, current=current_score
                    )
                )
            else:
                reasons.append(message("alternative.room_not_used", placement=pid, score=score))
        change = engine.fix_pair(client, arc) if engine is not None else None
        if change is not None:
            ongoing = bool(blocked) and all(_held_by_ongoing(ctx, b) for b in blocked)
            reasons.append(change_message(change, ongoing=ongoing))
        out.append(
            Alternative(
                placement=pid,
                score=score,
                breakdown=ctx.breakdown(arc),
                preference_rank=int(cand.rank[arc]) or None,
                travel_minutes=int(cand.arcs.travel_minutes[arc]),
                blockers=blocked,
                change=change,
                reasons=reasons,
            )
        )
    return out


def change_message(change: ObjectiveChange, ongoing: bool = False) -> Message:
    """The message stating an objective change: exact, an interval, a bound, or impossible.

    ``ongoing``: the places are taken by ongoing periods, which is then the reason given for
    an impossible move (rather than "impossible" alone).
    """
    if not change.feasible:
        code = (
            "alternative.change_infeasible_ongoing" if ongoing else "alternative.change_infeasible"
        )
        return message(code)
    if change.exact:
        code = "alternative.change_exact"
    elif change.lower_placed_value is not None:
        code = "alternative.change_interval"
    else:
        code = "alternative.change_bound"
    return message(
        code,
        placed_value=change.placed_value,
        placed_clients=change.placed_clients,
        quality=change.quality,
        method=change.method,
        lower_placed_value=change.lower_placed_value,
        lower_quality=change.lower_quality,
        moved=len(change.moves),
        fewer=-change.placed_clients,
        lower_fewer=None if change.lower_placed_value is None else -change.lower_placed_value,
    )


def admissible_blockers(ctx: Context, client: int) -> list[CapacityUse]:
    """Capacities blocking the client's admissible placements (unassigned clients), each
    capacity once (a full coach caseload blocks every placement alike)."""
    out: dict[tuple[str, str], CapacityUse] = {}
    for arc in ranked_arcs(ctx, client):
        for use in blockers(ctx, client, arc):
            out.setdefault((use.rule, use.owner), use)
    return list(out.values())


def explain_client(
    ctx: Context,
    engine: ChangeEngine | None,
    client: int,
    k: int,
    excluded: list[RuleCount] | None = None,
) -> ClientExplanation:
    """Breakdown, tight rules and alternatives (assigned) or exclusions and blockers.

    ``excluded`` may pass the client's rule counts computed in a batch.
    """
    t = ctx.tables
    cand = ctx.compiled.candidates
    cid = t.client_ids[client]
    arc = int(ctx.chosen[client])
    if excluded is None:
        needs = arc < 0 or bool(ctx.compiled.pinned[client])
        excluded = first_rule_counts(ctx, client) if needs else []
    if excluded or arc < 0 or ctx.compiled.pinned[client]:
        admissible = len(t.placement_ids) - sum(r.placements for r in excluded)
    else:
        admissible = len(ctx.client_arcs(client))
    gaps = insufficient_data(ctx, client)
    data_msgs = [message("data.insufficient", criterion=c.value) for c in gaps]
    if arc < 0:
        code = "client.unassigned" if admissible else "client.unassigned_none_admissible"
        return ClientExplanation(
            client=cid,
            status="unassigned",
            admissible_placements=admissible,
            excluded=excluded,
            blocked=admissible_blockers(ctx, client),
            alternatives=alternatives(ctx, engine, client, k),
            insufficient_data=gaps,
            messages=[message(code, admissible=admissible), *data_msgs],
        )
    j = int(ctx.arc_placement[arc])
    kept = bool(ctx.compiled.pinned[client]) or bool(t.client_ongoing[client] == j)
    since = next((a.start_date.isoformat() for a in ctx.problem.ongoing if a.client == cid), None)
    rank = int(cand.rank[arc]) or None
    minutes = int(cand.arcs.travel_minutes[arc])
    score = int(cand.score[arc])
    client_row = ctx.problem.clients[client]
    days = sorted(
        set(client_row.available_weekdays) & set(ctx.problem.placements[j].weekdays),
        key=list(Weekday).index,
    )
    head = (
        message("client.kept", placement=t.placement_ids[j], since=since, score=score)
        if kept
        else message(
            "client.assigned",
            placement=t.placement_ids[j],
            score=score,
            rank=rank,
            wish=rank or 0,
            minutes=minutes,
            admissible=admissible,
            weekdays=[d.value for d in days],
            days=client_row.days_per_week,
        )
    )
    parts = [
        message("client.part", criterion=c.value, points=v)
        for c, v in ctx.breakdown(arc).items()
        # a client in a placement is not told about waiting: their wait is over
        if v > 0 and not (kept and c is Criterion.WAITING)
    ]
    alts = alternatives(ctx, engine, client, k)
    if ctx.compiled.pinned[client]:
        parts.append(message("alternative.kept"))
    return ClientExplanation(
        client=cid,
        status="kept_ongoing" if kept else "assigned",
        placement=t.placement_ids[j],
        score=score,
        breakdown=ctx.breakdown(arc),
        preference_rank=rank,
        travel_minutes=minutes,
        admissible_placements=admissible,
        tight=tight_rules(ctx, client),
        alternatives=alts,
        insufficient_data=gaps,
        messages=[head, *trip_messages(ctx.problem, client, j), *parts, *data_msgs],
    )
