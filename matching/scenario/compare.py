"""Figures of one scenario's run, and the side-by-side comparison against the base.

Group figures (municipality, age band, support level) and the top-3 share come from the
explanation layer's run report; the reason a client stayed out is the explanation layer's
first-failing hard rule, or capacity when the client had admissible placements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from matching.explain.changes import RESOLVE_MAX_ARCS, ChangeEngine
from matching.explain.clients import rule_counts_by_client
from matching.explain.context import Context
from matching.explain.documents import ObjectiveChange
from matching.explain.report import run_report
from matching.explain.resolve import Budget
from models import AllocationProblem, AllocationResult
from models.placement import Placement

GROUP_DIMENSIONS = ("municipality", "age_band", "support_level")
UTILISATION_DIMENSIONS = ("department", "municipality", "task_category")


class Figures(BaseModel):
    """Base of the output records."""

    model_config = ConfigDict(extra="forbid")


class GroupFigure(Figures):
    """Placement in one group of clients."""

    dimension: str
    group: str
    clients: int
    placed: int
    placement_rate: float


class Waiting(Figures):
    """Waiting time in whole months by the planning date (None: nobody in the group)."""

    placed_median: float | None
    placed_p90: float | None
    unplaced_median: float | None
    unplaced_p90: float | None


class Utilisation(Figures):
    """Seats and support units offered (open placements) and used in one group of placements:
    a department (organisation and unit), a municipality or a task category."""

    dimension: str = Field(description="'department', 'municipality' or 'task_category'.")
    group: str
    placements: int
    seats: int
    seats_used: int
    seat_rate: float
    support_units: int
    support_used: int
    support_rate: float


class Unplaced(Figures):
    """A client left without a place and what kept them out."""

    client: str
    reason: str = Field(description="'capacity' or 'rule:<first failing hard rule>'.")
    admissible: int = Field(description="Placements the hard rules allow for the client.")


Resource = Literal["seat", "support_unit"]


class SeatValue(Figures):
    """Value of one more seat or supervisor support unit at a placement (the explanation
    layer's change engine): clients it would place, placement value and fit it adds."""

    resource: Resource = "seat"
    placement: str
    department: str = Field(description="Organisation and unit, as in utilisation.")
    municipality: str
    task_category: str
    extra_placed: int = Field(description="More clients placed (exact, or at most this).")
    extra_placed_at_least: int = Field(
        description="Proven lower bound: a feasible assignment with the extra capacity."
    )
    placed_value: int
    quality: int = Field(description="Fit added, quality points (exact, or at most this).")
    quality_at_least: int = Field(
        description="Fit that assignment adds (with ``extra_placed_at_least`` more placed)."
    )
    exact: bool = Field(description="False: upper bounds, with the lower bounds beside them.")


class WeekFigures(Figures):
    """Outcome of one week of a horizon."""

    week: int
    planning_date: date
    clients: int
    arrivals: int
    ended: int
    open_placements: int
    seats: int
    placed: int
    kept_ongoing: int
    new_placements: int
    placement_rate: float
    waiting_unplaced_median: float | None
    status: str


class SeatGroupValue(Figures):
    """Where one more seat (or support unit) in a department or municipality does most good:
    its best placement there."""

    resource: Resource = "seat"
    dimension: str = Field(description="'department' or 'municipality'.")
    group: str
    best_placement: str
    extra_placed: int
    quality: int
    exact: bool


class ScenarioMetrics(Figures):
    """Every figure of one scenario's run."""

    scenario: str
    description: str = ""
    notes: list[str] = Field(default_factory=list)
    status: str
    clients: int
    placed: int
    placement_rate: float
    top3_share: float
    mean_travel_minutes: float | None
    waiting: Waiting
    groups: list[GroupFigure]
    utilisation: list[Utilisation]
    unplaced: list[Unplaced]
    unplaced_reasons: dict[str, int]
    seat_values: list[SeatValue] = Field(default_factory=list)
    support_values: list[SeatValue] = Field(
        default_factory=list, description="Placements ranked by one more support unit."
    )
    seat_value_groups: list[SeatGroupValue] = Field(default_factory=list)
    weeks: list[WeekFigures] = Field(
        default_factory=list, description="Horizon weeks, when the scenario has a horizon."
    )
    waiting_months_placed: list[int] = Field(default_factory=list)
    waiting_months_unplaced: list[int] = Field(default_factory=list)
    seconds: float = Field(default=0.0, description="Wall clock; varies from run to run.")


class ComparisonRow(Figures):
    """One figure of one scenario beside the base's."""

    scenario: str
    section: str
    key: str
    metric: str
    base: float | None
    value: float | None
    delta: float | None


def _pct(values: np.ndarray, q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values.size else None


def department_label(problem: AllocationProblem, placement: Placement) -> str:
    """A department named with its organisation: unit names such as 'Keskuskeittiö' repeat
    from one municipality to the next."""
    names = {o.id: o.name for o in problem.organisations}
    return f"{names.get(placement.organisation, placement.organisation)}: {placement.department}"


def municipality_name(problem: AllocationProblem, code: str) -> str:
    """The municipality's name (as in the run report's groups), or its code if unnamed."""
    return next((m.name_fi for m in problem.municipalities if m.code == code), code)


def _utilisation(problem: AllocationProblem, result: AllocationResult) -> list[Utilisation]:
    """Seat and support-unit use of open placements by department, municipality and task
    category (a closed placement's seats count as not offered)."""
    support = {c.id: c.support_units for c in problem.clients}
    used_seats: dict[str, int] = defaultdict(int)
    used_support: dict[str, int] = defaultdict(int)
    for a in result.assignments:
        used_seats[a.placement] += 1
        used_support[a.placement] += support[a.client]
    rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for p in problem.placements:
        for key in (
            ("department", department_label(problem, p)),
            ("municipality", municipality_name(problem, p.municipality)),
            ("task_category", p.task_category.value),
        ):
            row = rows[key]
            row[0] += 1
            row[1] += 0 if p.closed else p.seats
            row[2] += used_seats[p.id]
            row[3] += 0 if p.closed else p.support_units
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


DEEP_RESOLVE_MAX_ARCS = 5_000_000
"""Largest component re-solved for a seat value in the best-first pass (bounded by time)."""


def _upper(change: ObjectiveChange) -> tuple[int, int]:
    return change.placed_value, change.quality


def _lower(change: ObjectiveChange) -> tuple[int, int]:
    """Proven lower bound: extra capacity never makes the optimum worse, so 0 at least."""
    if change.exact:
        return change.placed_value, change.quality
    return change.lower_placed_value or 0, change.lower_quality or 0


@dataclass
class SeatRanking:
    """Placements ranked by one more seat or support unit, and how far the ranking is proven."""

    rows: list[SeatValue]
    resolves: int = 0
    """Components re-solved in the best-first pass."""
    top_proven: bool = False
    """No placement outside the top ``top`` can beat the ``top``-th lower bound."""


def seat_values(
    ctx: Context,
    budget: Budget | float,
    resolves: int = 0,
    resource: Resource = "seat",
    top: int = 10,
) -> SeatRanking:
    """Every open placement ranked by what one more seat (or support unit) there gives:
    guaranteed clients placed and fit (quality points) first, then the upper bounds.

    First every placement gets the change engine's cheap answer: exact from the relaxation,
    slack or a lone client (with ``resolves``, also a re-solve when its component is small),
    or else an upper bound with the lower bound of filling the capacity directly. Then, best
    upper bound first, up to ``resolves`` placements are re-solved exactly, stopping as soon
    as no unresolved placement's upper bound exceeds the ``top``-th best lower bound (the top
    is then proven) or the budget (seconds, or a shared ``Budget``) runs out. A re-solve that
    proves optimality gives the same answer on any machine, so the output depends on timing
    only when the budget or a time limit binds.
    """
    budget = budget if isinstance(budget, Budget) else Budget(budget)
    # With re-solves on, small components are re-solved for every placement at once (a few
    # milliseconds each); the count below is for the larger ones.
    engine = ChangeEngine(ctx, budget, resolve_max_arcs=RESOLVE_MAX_ARCS if resolves else 0)
    problem = ctx.problem

    def measure(j: int) -> ObjectiveChange:
        return engine.extra_seat(j) if resource == "seat" else engine.extra_support_unit(j)

    open_rows = [j for j, p in enumerate(problem.placements) if not p.closed]
    changes = {j: measure(j) for j in open_rows}
    done = 0
    tried: set[int] = set()
    top_proven = False
    engine.resolve_max_arcs = DEEP_RESOLVE_MAX_ARCS
    while True:
        lowers = sorted((_lower(changes[j]) for j in open_rows), reverse=True)
        kth = lowers[min(top, len(lowers)) - 1] if lowers else (0, 0)
        pending = [j for j in open_rows if not changes[j].exact and _upper(changes[j]) > kth]
        if not pending:
            top_proven = True
            break
        pending = [j for j in pending if j not in tried]
        if not pending or done >= resolves or budget.spent():
            break
        best = max(pending, key=lambda j: (_upper(changes[j]), -j))
        tried.add(best)
        changes[best] = measure(best)
        done += 1
    rows = []
    for j in open_rows:
        p = problem.placements[j]
        change = changes[j]
        low = _lower(change)
        rows.append(
            SeatValue(
                resource=resource,
                placement=p.id,
                department=department_label(problem, p),
                municipality=municipality_name(problem, p.municipality),
                task_category=p.task_category.value,
                extra_placed=change.placed_clients,
                extra_placed_at_least=change.placed_clients if change.exact else low[0],
                placed_value=change.placed_value,
                quality=change.quality,
                quality_at_least=low[1],
                exact=change.exact,
            )
        )
    rows.sort(
        key=lambda s: (
            -s.extra_placed_at_least,
            -s.quality_at_least,
            -s.extra_placed,
            -s.quality,
            s.placement,
        )
    )
    return SeatRanking(rows, done, top_proven)


def seat_value_groups(ranked: list[SeatValue]) -> list[SeatGroupValue]:
    """Best placement for one more seat (or unit) in each department and municipality, in
    the ranking's order (best first)."""
    best: dict[tuple[str, str, str], SeatValue] = {}
    for s in ranked:  # ranked best first: keep the first of each group
        for key in (
            (s.resource, "department", s.department),
            (s.resource, "municipality", s.municipality),
        ):
            best.setdefault(key, s)
    return [
        SeatGroupValue(
            resource=resource,
            dimension=dim,
            group=group,
            best_placement=s.placement,
            extra_placed=s.extra_placed,
            quality=s.quality,
            exact=s.exact,
        )
        for (resource, dim, group), s in best.items()
    ]


def scenario_metrics(
    name: str,
    problem: AllocationProblem,
    result: AllocationResult,
    *,
    description: str = "",
    notes: list[str] | None = None,
    seat_top: int = 0,
    seat_budget_s: float = 30.0,
    seat_resolves: int = 0,
) -> ScenarioMetrics:
    """Every figure of a run of ``problem``."""
    ctx = Context.build(problem, result)
    report = run_report(ctx)
    waiting = ctx.tables.client_waiting_months
    placed = ctx.chosen >= 0
    travel = [a.travel_minutes for a in result.assignments]
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
                    f"{resource} values: the top {seat_top} is not proven"
                    + (f" after {ranking.resolves} re-solves" if seat_resolves else "")
                    + (f" (the {seat_budget_s:g} s budget ran out)" if spent else "")
                    + "; figures marked exact: false are bounds"
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
        top3_share=report.top3_share,
        mean_travel_minutes=round(float(np.mean(travel)), 2) if travel else None,
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


def flat_figures(m: ScenarioMetrics) -> dict[tuple[str, str, str], float | None]:
    """``(section, key, metric) → value`` of every comparable figure."""
    out: dict[tuple[str, str, str], float | None] = {
        ("overall", "all", "clients"): m.clients,
        ("overall", "all", "placed"): m.placed,
        ("overall", "all", "placement_rate"): m.placement_rate,
        ("overall", "all", "top3_share"): m.top3_share,
        ("overall", "all", "mean_travel_minutes"): m.mean_travel_minutes,
    }
    for field, value in m.waiting.model_dump().items():
        out[("waiting_months", "all", field)] = value
    for g in m.groups:
        out[(g.dimension, g.group, "clients")] = g.clients
        out[(g.dimension, g.group, "placement_rate")] = g.placement_rate
    for u in m.utilisation:
        section = f"utilisation_by_{u.dimension}"
        out[(section, u.group, "seats")] = u.seats
        out[(section, u.group, "seat_rate")] = u.seat_rate
        out[(section, u.group, "support_units")] = u.support_units
        out[(section, u.group, "support_rate")] = u.support_rate
    for reason, count in m.unplaced_reasons.items():
        out[("unplaced", reason, "clients")] = count
    return out


def compare(metrics: list[ScenarioMetrics]) -> list[ComparisonRow]:
    """Every figure of every scenario beside the base's (the first), with the difference."""
    if not metrics:
        return []
    base = flat_figures(metrics[0])
    rows = []
    for m in metrics:
        figures = flat_figures(m)
        for key in sorted(set(base) | set(figures)):
            b = base.get(key)
            v = figures.get(key)
            if key[0] == "unplaced":  # a reason absent from one side means 0 clients
                b, v = b or 0, v or 0
            delta = None if b is None or v is None else round(v - b, 4)
            rows.append(
                ComparisonRow(
                    scenario=m.scenario,
                    section=key[0],
                    key=key[1],
                    metric=key[2],
                    base=b,
                    value=v,
                    delta=delta,
                )
            )
    return rows


def comparison_document(metrics: list[ScenarioMetrics]) -> dict[str, Any]:
    """The JSON document of a batch: every scenario's figures and the comparison rows."""
    return {
        "base": metrics[0].scenario if metrics else None,
        "scenarios": [m.model_dump(mode="json") for m in metrics],
        "comparison": [r.model_dump(mode="json") for r in compare(metrics)],
    }
