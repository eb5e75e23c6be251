"""One scenario, applied, solved and measured: what every way of running a batch runs.

The in-process loop and the process pool (``matching.scenario.run``) and a Dask cluster's
workers (``matching.scenario.distributed``) all call :func:`scenario_outcome`, so the figures
are the same whichever runs them. It is module-level so it pickles by reference.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from matching.scenario.apply import ScenarioError, apply_scenario
from matching.scenario.compare import ScenarioMetrics, scenario_metrics
from matching.scenario.definition import Scenario
from matching.scenario.horizon import run_horizon
from matching.screen import screen_problem
from matching.solve import allocate
from models import AllocationProblem


@dataclass(frozen=True)
class RunSettings:
    """How each scenario is run: seat values shown, their re-solves and time budget, and the
    solver's limits (overriding the scenario's own options)."""

    seat_values: int = 10
    """Placements shown in each ranking by one more seat or support unit (0: no rankings)."""
    seat_resolves: int = 0
    """Placements re-solved exactly, best bound first, per ranking (0: relaxation, slack and
    bounds only, which never depend on the machine's speed)."""
    seat_budget_s: float = 30.0
    """Wall-clock cap on the re-solves of both rankings; binding only with re-solves."""
    time_limit_s: float | None = None
    num_workers: int | None = None
    """Solver threads per scenario (a service caps what a scenario's options may ask)."""


def run_scenario(
    base: AllocationProblem, scenario: Scenario, settings: RunSettings = RunSettings()
) -> ScenarioMetrics:
    """Apply, solve and measure one scenario."""
    start = time.perf_counter()
    applied = apply_scenario(base, scenario)
    problem, notes = applied.problem, applied.notes
    limits = {
        name: value
        for name, value in (
            ("time_limit_s", settings.time_limit_s),
            ("num_workers", settings.num_workers),
        )
        if value is not None
    }
    if limits:
        problem = problem.model_copy(update={"options": problem.options.model_copy(update=limits)})
    # Read as every run reads a county (matching.screen): a change of the law or of a
    # placement's dates may end periods; those are released, as the service's run would.
    problem = screen_problem(problem).problem
    result = allocate(problem)
    metrics = scenario_metrics(
        scenario.name,
        problem,
        result,
        description=scenario.description,
        notes=notes,
        seat_top=settings.seat_values,
        seat_budget_s=settings.seat_budget_s,
        seat_resolves=settings.seat_resolves,
        ineligible=applied.ineligible,
    )
    metrics = metrics.model_copy(update={"referral_changes": applied.referral_changes})
    if scenario.horizon is not None:
        weeks = run_horizon(problem, scenario.horizon, scenario.seed)
        metrics = metrics.model_copy(update={"weeks": weeks})
    return metrics.model_copy(update={"seconds": round(time.perf_counter() - start, 3)})


def scenario_outcome(
    base: AllocationProblem, scenario: Scenario, settings: RunSettings
) -> ScenarioMetrics | ScenarioError:
    """One scenario's figures, or its ``ScenarioError`` (returned, not raised).

    What a pool or cluster worker runs: module-level so it pickles by reference, and the
    error comes back as a value (it pickles with its code and params) so the caller can name
    the scenario in one message.
    """
    try:
        return run_scenario(base, scenario, settings)
    except ScenarioError as error:
        return error
