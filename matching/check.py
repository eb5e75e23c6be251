"""Independent checker of an allocation against every hard rule and capacity.

Deliberately written apart from the model builder: plain Python over the domain records, one
assignment at a time, sharing no code with ``matching.rules``, ``matching.tables`` or the
solvers. A bug in the vectorised rules or in the model therefore shows up here as a violation
instead of being confirmed by the same code. Every engine test runs it on every solution.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from matching.transit import UNREACHABLE, trip_table
from models import (
    AllocationProblem,
    AllocationResult,
    Client,
    Criterion,
    OngoingAssignment,
    Placement,
)


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: which rule, which records, and a sentence saying how.

    ``message`` is the checker's own terse English; texts for people are written from
    ``code`` (the finding, ``rule`` unless the rule has several) and ``params`` (its numbers
    and dates) by the catalogues (``matching.explain.notices``).
    """

    rule: str
    client: str | None
    placement: str | None
    message: str
    params: dict[str, int | float | str] = field(default_factory=dict, compare=False)
    code: str = field(default="", compare=False)


def _months_later(day: date, months: int) -> date:
    year = day.year + (day.month - 1 + months) // 12
    month = (day.month - 1 + months) % 12 + 1
    last = 31
    while True:
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            last -= 1


def _age(client: Client, on: date) -> int:
    if client.birth_date is None:
        return client.age or 0
    b = client.birth_date
    return on.year - b.year - (1 if (on.month, on.day) < (b.month, b.day) else 0)


def _whole_months(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``, counted one month at a time (0 if earlier)."""
    months = 0
    while _months_later(start, months + 1) <= end:
        months += 1
    return months


def periods_in_force(problem: AllocationProblem) -> dict[str, OngoingAssignment]:
    """The ongoing periods in force on the planning date, by client: those whose placement has
    not ended (``available_until`` on or after the planning date), whose agreed last day
    (``end_date``) has not passed, and that have not reached the regime's maximum length
    (``max_period_months``, 189/2001 § 13) by the planning date.

    The checker's own reading, written apart from ``matching.screen`` (which the runs, the
    command line and the scenarios use) so that a county is judged the same way without
    sharing the code: a period that ended is no commitment to keep, and staying at its
    placement is a new placement that must pass every rule. Tests hold the two readings equal.
    """
    on = problem.planning_date
    ended = {
        p.id for p in problem.placements if p.available_until is not None and p.available_until < on
    }
    out: dict[str, OngoingAssignment] = {}
    for period in problem.ongoing:
        if period.placement in ended:
            continue
        if period.end_date is not None and period.end_date < on:
            continue
        if _months_later(period.start_date, problem.regime.max_period_months) <= on:
            continue
        out[period.client] = period
    return out


def expected_points(
    problem: AllocationProblem,
    client: Client,
    placement: Placement,
    in_force: dict[str, OngoingAssignment] | None = None,
) -> dict[Criterion, int]:
    """Points per soft criterion of a pair, as the objective defines them (README, Weights).

    Written from the definitions, not from ``matching.rules.soft``: each criterion's fit in
    [0, 1] times 1,000 times its weight, rounded half to even. ``in_force``: the problem's
    :func:`periods_in_force`, when the caller has read them already.
    """
    weights = problem.options.weights
    periods = periods_in_force(problem) if in_force is None else in_force
    ongoing = {who: a.placement for who, a in periods.items()}
    rank = 0
    for k, wish in enumerate(client.preferences, start=1):
        if wish.placement == placement.id or wish.task_category == placement.task_category:
            rank = k
            break
    preference = (6 - rank) / 5 if 1 <= rank <= 5 else 0.0
    interested = 1.0 if placement.task_category in client.interests else 0.0
    skills = (
        len(placement.skills & client.aptitudes) / len(placement.skills)
        if (placement.skills)
        else 0.5
    )
    minutes = _trip_minutes(problem, client, placement)
    travel = min(1.0, max(0.0, 1.0 - minutes / client.max_travel_minutes))
    waiting = 0.0
    if problem.options.waiting_priority and client.id not in ongoing:
        waiting = min(_whole_months(client.waiting_since, problem.planning_date), 24) / 24
    free_seats, free_support = _free_capacity(problem, placement)
    per_seat = free_support / max(free_seats, 1)
    need = client.support_units
    fits = {
        Criterion.PREFERENCE: preference,
        Criterion.APTITUDE: 0.5 * interested + 0.5 * skills,
        Criterion.TRAVEL: travel,
        Criterion.WAITING: waiting,
        Criterion.CONTINUITY: 1.0 if ongoing.get(client.id) == placement.id else 0.0,
        Criterion.SUPPORT_FIT: min(1.0, per_seat / max(need, 1)) if need > 0 else 1.0,
    }
    return {
        criterion: round(1000.0 * getattr(weights, criterion.value) * fit)
        for criterion, fit in fits.items()
    }


_POSITIONS: dict[int, tuple[AllocationProblem, dict[str, int], dict[str, int]]] = {}


def _table_entry(
    problem: AllocationProblem, client: Client, placement: Placement
) -> tuple[int, int] | None:
    """The pair's minutes and mode in the problem's trip table (the same matrix the engine
    reads), or None without a feed. Looked up by the records' ids, not the engine's indices."""
    table = trip_table(problem)
    if table is None:
        return None
    known = _POSITIONS.get(id(problem))
    if known is None or known[0] is not problem:
        known = (
            problem,
            {c.id: i for i, c in enumerate(problem.clients)},
            {p.id: j for j, p in enumerate(problem.placements)},
        )
        _POSITIONS.clear()
        _POSITIONS[id(problem)] = known
    i, j = known[1][client.id], known[2][placement.id]
    return int(table.minutes[i, j]), int(table.mode[i, j])


def _trip_minutes(problem: AllocationProblem, client: Client, placement: Placement) -> int:
    entry = _table_entry(problem, client, placement)
    if entry is not None:
        return entry[0]
    lat1, lon1 = math.radians(client.location.lat), math.radians(client.location.lon)
    lat2, lon2 = math.radians(placement.location.lat), math.radians(placement.location.lon)
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    km = 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, max(0.0, a))))
    model = problem.options.travel
    return math.ceil(model.fixed_minutes + km * model.road_factor / model.speed_kmh * 60 - 1e-9)


def pair_violations(
    problem: AllocationProblem, client: Client, placement: Placement
) -> list[Violation]:
    """Every hard single-pair rule the pair breaks (empty if the pair is admissible)."""
    out: list[Violation] = []

    def broken(rule: str, message: str, **params: int | float | str) -> None:
        out.append(Violation(rule, client.id, placement.id, message, params))

    start = problem.planning_date
    regime = problem.regime
    if placement.closed:
        broken("placement_open", "the placement is closed to new clients")
    period_end = _months_later(start, regime.min_period_months)
    if placement.available_from > start or (
        placement.available_until is not None and placement.available_until < period_end
    ):
        broken(
            "placement_period",
            f"not open for {regime.min_period_months} months from {start}",
            months=regime.min_period_months,
            date=start.isoformat(),
        )
    valid_months = regime.no_replacement_attestation_months
    attested = placement.no_replacement_attested_on
    if valid_months is not None:
        if attested is None:
            broken(
                "no_replacement_attestation",
                "no written attestation that the tasks replace no paid work",
            )
        elif _months_later(attested, valid_months) < start:
            broken(
                "no_replacement_attestation",
                f"the no-replacement attestation of {attested} is older than {valid_months} "
                f"months on {start}",
                since=attested.isoformat(),
                months=valid_months,
            )
    area_of = {m.code: m.commuting_area for m in problem.municipalities}
    client_area = client.commuting_area or area_of.get(client.home_municipality)
    if area_of.get(placement.municipality) != client_area and not (
        client.consent_outside_commuting_area
    ):
        broken("commuting_area", "outside the commuting area without the client's consent")
    entry = _table_entry(problem, client, placement)
    unreachable = entry is not None and entry[1] == UNREACHABLE
    if unreachable:
        broken("reachable", "no public transport there by the start or back after the day")
    minutes = _trip_minutes(problem, client, placement)
    if minutes > client.max_travel_minutes and not unreachable:
        broken(
            "travel_time",
            f"{minutes} min trip, client's maximum {client.max_travel_minutes}",
            minutes=minutes,
            limit=client.max_travel_minutes,
        )
    if placement.youth_workshop and _age(client, start) >= regime.youth_age_limit:
        broken(
            "youth_workshop_age",
            f"youth workshop, client is {_age(client, start)}",
            age=_age(client, start),
            limit=regime.youth_age_limit,
        )
    if len(client.available_weekdays & placement.weekdays) < client.days_per_week:
        broken("weekdays", "too few common weekdays for the plan's days a week")
    if not placement.min_hours_per_day <= client.hours_per_day <= placement.max_hours_per_day:
        broken(
            "hours_per_day",
            f"{client.hours_per_day:g} h a day is not offered",
            hours=client.hours_per_day,
        )
    if client.work_constraints & placement.demands:
        broken("work_demands", "the work has a demand the client must avoid")
    if placement.languages and not client.languages & placement.languages:
        broken("languages", "no common language of work")
    if placement.id in client.avoid_placements:
        broken("avoided_placement", "the placement is marked to avoid for this client")
    return out


def check_allocation(problem: AllocationProblem, result: AllocationResult) -> list[Violation]:
    """Every hard-rule or capacity violation in ``result``; an empty list means valid."""
    clients = {c.id: c for c in problem.clients}
    placements = {p.id: p for p in problem.placements}
    ongoing = periods_in_force(problem)
    out: list[Violation] = []
    seen: Counter[str] = Counter(a.client for a in result.assignments)
    for cid, n in sorted(seen.items()):
        if n > 1:
            out.append(Violation("one_placement", cid, None, f"assigned {n} times", {"count": n}))
    listed = set(seen) | set(result.unassigned)
    if listed != set(clients) or len(result.unassigned) != len(set(result.unassigned)):
        out.append(
            Violation("completeness", None, None, "clients missing or listed twice", code="missing")
        )
    if set(result.unassigned) & set(seen):
        out.append(
            Violation("completeness", None, None, "a client is both placed and not", code="both")
        )
    placed_at: dict[str, list[Client]] = defaultdict(list)
    for a in result.assignments:
        client, placement = clients.get(a.client), placements.get(a.placement)
        if client is None or placement is None:
            out.append(Violation("reference", a.client, a.placement, "unknown client or placement"))
            continue
        placed_at[placement.id].append(client)
        current = ongoing.get(client.id)
        stays = current is not None and current.placement == placement.id
        if a.kept_ongoing != stays:
            out.append(Violation("ongoing_flag", client.id, placement.id, "wrong kept flag"))
        if not stays:
            out.extend(pair_violations(problem, client, placement))
        if a.score != sum(a.breakdown.values()):
            out.append(Violation("score_sum", client.id, placement.id, "parts do not add up"))
        expected = expected_points(problem, client, placement, ongoing)
        for criterion in sorted(set(expected) | set(a.breakdown)):
            if a.breakdown.get(criterion, 0) != expected.get(criterion, 0):
                out.append(
                    Violation(
                        "score",
                        client.id,
                        placement.id,
                        f"{criterion.value}: {a.breakdown.get(criterion, 0)} points reported, "
                        f"{expected.get(criterion, 0)} by the definition",
                        {
                            "criterion": criterion.value,
                            "reported": a.breakdown.get(criterion, 0),
                            "expected": expected.get(criterion, 0),
                        },
                    )
                )
        if a.travel_minutes != _trip_minutes(problem, client, placement):
            out.append(Violation("travel_minutes", client.id, placement.id, "wrong trip time"))
    out.extend(_objective_violations(result))
    out.extend(_ongoing_violations(problem, result))
    out.extend(_capacity_violations(problem, placed_at))
    return sorted(out)


def _objective_violations(result: AllocationResult) -> list[Violation]:
    """The reported objective is what the assignments add up to: one per placed client, and
    the sum of their scores (README: the objective)."""
    out = []
    placed = len({a.client for a in result.assignments})
    quality = sum(a.score for a in result.assignments)
    if result.objective.placed_value != placed:
        out.append(
            Violation(
                "objective",
                None,
                None,
                f"{result.objective.placed_value} placed reported, the assignments place {placed}",
                {"reported": result.objective.placed_value, "expected": placed},
                "placed",
            )
        )
    if result.objective.quality != quality:
        out.append(
            Violation(
                "objective",
                None,
                None,
                f"quality {result.objective.quality} reported, the scores add up to {quality}",
                {"reported": result.objective.quality, "expected": quality},
                "quality",
            )
        )
    if result.stats.placed != placed:
        out.append(
            Violation(
                "objective",
                None,
                None,
                "stats.placed differs from the assignments",
                {"reported": result.stats.placed, "expected": placed},
                "stats",
            )
        )
    return out


def _ongoing_violations(problem: AllocationProblem, result: AllocationResult) -> list[Violation]:
    assigned = {a.client: a.placement for a in result.assignments}
    regime, options = problem.regime, problem.options
    out = []
    for a in periods_in_force(problem).values():
        young = _months_later(a.start_date, regime.commitment_months) > problem.planning_date
        if (young or not options.allow_moving_ongoing) and assigned.get(a.client) != a.placement:
            out.append(
                Violation(
                    "ongoing_commitment",
                    a.client,
                    a.placement,
                    f"ongoing since {a.start_date} must be kept",
                    {"since": a.start_date.isoformat()},
                )
            )
        elif a.client not in assigned:
            out.append(
                Violation(
                    "ongoing_commitment", a.client, None, "ongoing client unplaced", code="unplaced"
                )
            )
    return out


def _free_capacity(problem: AllocationProblem, placement: Placement) -> tuple[int, int]:
    """Seats and support units left for this activity: the placement's, less the most that
    other services take on any day of the minimum period from the planning date (counted
    day by day here, independently of the engine's tables)."""
    if not placement.shared_use:
        return placement.seats, placement.support_units
    first = problem.planning_date
    end = _months_later(first, problem.regime.min_period_months)
    taken_seats = taken_support = 0
    day = first
    while day < end:
        seats = support = 0
        for use in placement.shared_use:
            if use.from_date <= day and (use.until_date is None or day <= use.until_date):
                seats += use.seats
                support += use.support_units
        taken_seats, taken_support = max(taken_seats, seats), max(taken_support, support)
        day = date.fromordinal(day.toordinal() + 1)
    return (
        max(placement.seats - taken_seats, 0),
        max(placement.support_units - taken_support, 0),
    )


def _capacity_violations(
    problem: AllocationProblem, placed_at: dict[str, list[Client]]
) -> list[Violation]:
    out = []
    caseload: Counter[str] = Counter()
    for placement in problem.placements:
        here = placed_at.get(placement.id, [])
        free_seats, free_support = _free_capacity(problem, placement)
        if len(here) > free_seats:
            out.append(
                Violation(
                    "seats",
                    None,
                    placement.id,
                    f"{len(here)} clients, {free_seats}",
                    {"count": len(here), "limit": free_seats},
                )
            )
        need = sum(c.support_units for c in here)
        if need > free_support:
            out.append(
                Violation(
                    "support_units",
                    None,
                    placement.id,
                    f"{need} support units needed, {free_support} available",
                    {"count": need, "limit": free_support},
                )
            )
        ids = {c.id for c in here}
        apart = {tuple(sorted((c.id, other))) for c in here for other in c.avoid_clients & ids}
        for first, second in sorted(apart):
            out.append(
                Violation(
                    "avoided_clients", first, placement.id, f"with {second}", {"other": second}
                )
            )
        caseload.update(c.coach for c in here if c.coach is not None)
    for coach in problem.coaches:
        if caseload[coach.id] > coach.caseload_capacity:
            out.append(
                Violation(
                    "coach_caseload",
                    None,
                    None,
                    f"coach {coach.id}: {caseload[coach.id]} clients, capacity "
                    f"{coach.caseload_capacity}",
                    {
                        "coach": coach.id,
                        "count": caseload[coach.id],
                        "limit": coach.caseload_capacity,
                    },
                )
            )
    return out
