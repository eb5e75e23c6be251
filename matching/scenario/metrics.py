"""Every figure of one scenario's run.

Group figures (municipality, age band, support level) and the top-3 share come from the
explanation layer's run report; the reason a client stayed out is the explanation layer's
first-failing hard rule, or capacity when the client had admissible placements.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from matching.explain import Budget, Context, rule_counts_by_client, run_report
from matching.scenario.figures import (
    GroupFigure,
    ScenarioMetrics,
    ScenarioNote,
    Unplaced,
    Utilisation,
    Waiting,
)
from matching.scenario.labels import department_label, municipality_name
from matching.scenario.seat_values import SeatRanking, seat_value_groups, seat_values
from matching.transit.fares import weekly_travel_cost
from models import AllocationProblem, AllocationResult

GROUP_DIMENSIONS = ("municipality", "age_band", "support_level")
UTILISATION_DIMENSIONS = ("department", "municipality", "task_category")


def _pct(values: np.ndarray, q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values.size else None


def _utilisation(problem: AllocationProblem, result: AllocationResult) -> list[Utilisation]:
    """Seat and support-unit use of open placements by department, municipality and task
    category (a closed placement's seats count as not offered; seats and support units that
    other services take are not offered to this activity, ``Placement.shared_use``)."""
    support = {c.id: c.support_units for c in problem.clients}
    used_seats: dict[str, int] = defaultdict(int)
    used_support: dict[str, int] = defaultdict(int)
    for a in result.assignments:
        used_seats[a.placement] += 1
        used_support[a.placement] += support[a.client]
    rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    months = problem.regime.min_period_months
    for p in problem.placements:
        seats, units = p.free_capacity(problem.planning_date, months)
        for key in (
            ("department", department_label(problem, p)),
            ("municipality", municipality_name(problem, p.municipality)),
            ("task_category", p.task_category.value),
        ):
            row = rows[key]
            row[0] += 1
            row[1] += 0 if p.closed else seats
            row[2] += used_seats[p.id]
            row[3] += 0 if p.closed else units
            row[4] += used_support[p.id]
    order = {d: k for k, d in enumerate(UTILISATION_DIMENSIONS)}
    return [
        Utilisation(
            dimension=dimension,
            group=group,
            placements=r[0],
            seats=r[1],
            seats_used=r[2],
            seat_rate=round(r[2] / r[1], 4) if r[1] else 0.0,
            support_units=r[3],
            support_used=r[4],
            support_rate=round(r[4] / r[3], 4) if r[3] else 0.0,
        )
        for (dimension, group), r in sorted(
            rows.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])
        )
    ]


def _unplaced(ctx: Context) -> list[Unplaced]:
    rows = [int(i) for i in np.flatnonzero(ctx.chosen < 0)]
    usable = ctx.usable
    out = []
    no_arc = [i for i in rows if ctx.client_arcs(i).size == 0]
    counts = rule_counts_by_client(ctx, no_arc)
    for i in rows:
        arcs = ctx.client_arcs(i)
        if arcs.size:
            reason = "capacity" if usable[arcs].any() else "capacity:need_exceeds_capacity"
        else:
            rc = counts.get(i, [])
            reason = "rule:" + max(rc, key=lambda r: r.placements).rule if rc else "no_placements"
        out.append(Unplaced(client=ctx.tables.client_ids[i], reason=reason, admissible=arcs.size))
    return out


def scenario_metrics(
    name: str,
    problem: AllocationProblem,
    result: AllocationResult,
    *,
    description: str = "",
    notes: list[ScenarioNote] | None = None,
    seat_top: int = 0,
    seat_budget_s: float = 30.0,
    seat_resolves: int = 0,
    ineligible: list[str] | None = None,
) -> ScenarioMetrics:
    """Every figure of a run of ``problem``; ``ineligible``: clients a rule change of the
    scenario took out of the problem (counted beside the placement rate)."""
    ineligible = list(ineligible or [])
    ctx = Context.build(problem, result)
    report = run_report(ctx)
    waiting = ctx.tables.client_waiting_months
    placed = ctx.chosen >= 0
    travel = [a.travel_minutes for a in result.assignments]
    client_row = {c.id: i for i, c in enumerate(problem.clients)}
    placement_col = {p.id: j for j, p in enumerate(problem.placements)}
    placed_pairs = [
        (client_row[a.client], placement_col[a.placement])
        for a in result.assignments
        if a.client in client_row and a.placement in placement_col
    ]
    unplaced = _unplaced(ctx)
    budget = Budget(seat_budget_s)
    notes = list(notes or [])
    rankings: list[SeatRanking] = []
    if seat_top > 0:
        for resource in ("seat", "support_unit"):
            ranking = seat_values(ctx, budget, seat_resolves, resource, seat_top)
            rankings.append(ranking)
            if not ranking.top_proven:
                # Only re-solves depend on the clock: without them the note is reproducible.
                spent = seat_resolves > 0 and budget.spent()
                notes.append(
                    ScenarioNote(
                        code="scenario.note.unproven",
                        params={
                            "resource": resource,
                            "top": seat_top,
                            "resolves": ranking.resolves if seat_resolves else 0,
                            "spent": 1 if spent else 0,
                            "budget": seat_budget_s,
                        },
                    )
                )
    ranked = rankings[0].rows if rankings else []
    ranked_support = rankings[1].rows if rankings else []
    reasons: dict[str, int] = defaultdict(int)
    for u in unplaced:
        reasons[u.reason] += 1
    return ScenarioMetrics(
        scenario=name,
        description=description,
        notes=notes,
        status=result.status.value,
        clients=report.clients,
        placed=report.placed,
        placement_rate=report.placement_rate,
        ineligible=len(ineligible),
        ineligible_clients=ineligible,
        population=report.clients + len(ineligible),
        population_placement_rate=(
            round(report.placed / (report.clients + len(ineligible)), 4)
            if report.clients + len(ineligible)
            else 0.0
        ),
        top3_share=report.top3_share,
        mean_travel_minutes=round(float(np.mean(travel)), 2) if travel else None,
        weekly_travel_cost_eur=weekly_travel_cost(problem, placed_pairs),
        waiting=Waiting(
            placed_median=_pct(waiting[placed], 50),
            placed_p90=_pct(waiting[placed], 90),
            unplaced_median=_pct(waiting[~placed], 50),
            unplaced_p90=_pct(waiting[~placed], 90),
        ),
        groups=[
            GroupFigure(
                dimension=g.dimension,
                group=g.group,
                clients=g.clients,
                placed=g.placed,
                placement_rate=g.placement_rate,
            )
            for g in report.groups
            if g.dimension in GROUP_DIMENSIONS
        ],
        utilisation=_utilisation(problem, result),
        unplaced=unplaced,
        unplaced_reasons=dict(sorted(reasons.items())),
        seat_values=ranked[:seat_top],
        support_values=ranked_support[:seat_top],
        seat_value_groups=seat_value_groups(ranked) + seat_value_groups(ranked_support),
        waiting_months_placed=sorted(int(w) for w in waiting[placed]),
        waiting_months_unplaced=sorted(int(w) for w in waiting[~placed]),
    )
