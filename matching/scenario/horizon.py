"""A horizon of several weeks: clients arrive, periods end, placements open and close.

Week ``w`` is planned on ``planning_date + 7 w`` days. Before each week: ongoing periods that
have ended end the client's service (the client leaves). Which periods have ended is read as
every run reads a county (``matching.screen.ended_periods``): past their agreed last day,
past the regime's maximum, or at a placement whose ``available_until`` has passed. A period
the horizon makes (and a base period with no agreed last day) is agreed for
``period_months``; new clients arrive (a seeded Poisson number, resampled from
the base's clients with new pseudonymous ids, waiting from that week). Placements open and
close by their own ``available_from``/``available_until`` (the engine's period rule). Each
week is solved with the previous week's placements kept as ongoing assignments (and as the
solver's hint); the unplaced keep waiting.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from matching.scenario.apply import ScenarioError, _State
from matching.scenario.compare import WeekFigures
from matching.scenario.definition import Horizon
from matching.screen import ended_periods, screen_problem
from matching.solve import allocate
from models import AllocationProblem
from models.client import OngoingAssignment
from models.dates import add_months


def _open(problem: AllocationProblem, on: date) -> list[int]:
    end = add_months(on, problem.regime.min_period_months)
    return [
        p.seats
        for p in problem.placements
        if not p.closed
        and p.available_from <= on
        and (p.available_until is None or p.available_until >= end)
    ]


def _agreed(
    period: OngoingAssignment, months: int, not_before: date | None = None
) -> OngoingAssignment:
    """The period with an agreed last day: its own, or ``months`` from its start (a base
    period already past that runs until ``not_before``, the horizon's first day, and ends
    before the next week)."""
    if period.end_date is not None:
        return period
    last = add_months(period.start_date, months) - timedelta(days=1)
    if not_before is not None:
        last = max(last, not_before)
    return period.model_copy(update={"end_date": last})


def run_horizon(problem: AllocationProblem, horizon: Horizon, seed: int) -> list[WeekFigures]:
    """Figures of each week of the horizon, starting from ``problem`` as week 0."""
    rng = np.random.default_rng([seed, 7_919])
    state = _State.of(problem)
    start = problem.planning_date
    state.ongoing = [_agreed(a, horizon.period_months, start) for a in state.ongoing]
    source = list(problem.clients)
    hint: dict[str, str] = {}
    out = []
    taken = {c.id for c in problem.clients}
    for week in range(horizon.weeks):
        on = start + timedelta(days=7 * week)
        ended: set[str] = set()
        arrivals = 0
        if week > 0:
            now = state.problem.model_copy(
                update={
                    "planning_date": on,
                    "regime": state.regime,
                    "placements": tuple(state.placements),
                    "ongoing": tuple(state.ongoing),
                }
            )
            ended = {note.id for note in ended_periods(now)}
            state.drop_clients(ended)
            arrivals = int(rng.poisson(horizon.arrivals_per_week)) if source else 0
            for k, pick in enumerate(rng.integers(0, len(source), size=arrivals).tolist()):
                new_id = f"w{week}-{k}"
                while new_id in taken:
                    new_id += "x"
                taken.add(new_id)
                state.clients.append(
                    source[pick].model_copy(
                        update={"id": new_id, "avoid_clients": frozenset(), "waiting_since": on}
                    )
                )
        state.problem = state.problem.model_copy(update={"planning_date": on})
        week_problem = screen_problem(state.build(f"{problem.name} / week {week}")).problem
        result = allocate(week_problem, hint=hint or None)
        if result.status.value in ("infeasible_input", "no_solution"):
            raise ScenarioError(f"horizon week {week}: {result.status.value}: {result.message}")
        waiting_since = {c.id: c.waiting_since for c in week_problem.clients}
        placed_ids = {a.client for a in result.assignments}
        unplaced_months = [
            (on.year - waiting_since[c].year) * 12 + on.month - waiting_since[c].month
            for c in result.unassigned
        ]
        previous = {a.client: a for a in state.ongoing}
        state.ongoing = [
            (
                previous[a.client]
                if a.client in previous and previous[a.client].placement == a.placement
                else _agreed(
                    OngoingAssignment(client=a.client, placement=a.placement, start_date=on),
                    horizon.period_months,
                )
            )
            for a in result.assignments
        ]
        hint = {a.client: a.placement for a in result.assignments}
        seats = _open(week_problem, on)
        kept = sum(1 for a in result.assignments if a.kept_ongoing)
        n = len(week_problem.clients)
        out.append(
            WeekFigures(
                week=week,
                planning_date=on,
                clients=n,
                arrivals=arrivals,
                ended=len(ended),
                open_placements=len(seats),
                seats=sum(seats),
                placed=len(placed_ids),
                kept_ongoing=kept,
                new_placements=len(placed_ids) - kept,
                placement_rate=round(len(placed_ids) / n, 4) if n else 0.0,
                waiting_unplaced_median=(
                    round(float(np.median(unplaced_months)), 2) if unplaced_months else None
                ),
                status=result.status.value,
            )
        )
    return out
