"""Run a batch of scenarios on one machine: in-process or on a process pool.

Every scenario is applied and solved independently from the same base with its own seed, so
the figures do not depend on the worker count or on the order the pool finishes in (results
are returned in the batch's order). Wall-clock seconds are the only varying field.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from matching.scenario.apply import ScenarioError, apply_changes_noted
from matching.scenario.compare import ScenarioMetrics, scenario_metrics
from matching.scenario.horizon import run_horizon
from matching.scenario.model import Scenario
from matching.solve import allocate
from models import AllocationProblem


@dataclass(frozen=True)
class RunSettings:
    """How each scenario is run: seat values shown and their time budget, solver limit."""

    seat_values: int = 10
    seat_budget_s: float = 5.0
    seat_resolve: bool = False
    """Re-solve components for exact seat values while the budget lasts (timing-dependent)."""
    time_limit_s: float | None = None


def run_scenario(
    base: AllocationProblem, scenario: Scenario, settings: RunSettings = RunSettings()
) -> ScenarioMetrics:
    """Apply, solve and measure one scenario."""
    start = time.perf_counter()
    problem, notes = apply_changes_noted(base, scenario)
    if settings.time_limit_s is not None:
        options = problem.options.model_copy(update={"time_limit_s": settings.time_limit_s})
        problem = problem.model_copy(update={"options": options})
    result = allocate(problem)
    metrics = scenario_metrics(
        scenario.name,
        problem,
        result,
        description=scenario.description,
        notes=notes,
        seat_top=settings.seat_values,
        seat_budget_s=settings.seat_budget_s,
        seat_resolve=settings.seat_resolve,
    )
    if scenario.horizon is not None:
        weeks = run_horizon(problem, scenario.horizon, scenario.seed)
        metrics = metrics.model_copy(update={"weeks": weeks})
    return metrics.model_copy(update={"seconds": round(time.perf_counter() - start, 3)})


_BASE: AllocationProblem | None = None


def _init(base: AllocationProblem) -> None:
    global _BASE
    _BASE = base


def _run_in_worker(scenario: Scenario, settings: RunSettings) -> ScenarioMetrics | str:
    assert _BASE is not None
    try:
        return run_scenario(_BASE, scenario, settings)
    except ScenarioError as error:
        return str(error)


def run_batch(
    base: AllocationProblem,
    scenarios: list[Scenario],
    workers: int = 1,
    settings: RunSettings = RunSettings(),
) -> list[ScenarioMetrics]:
    """Figures of every scenario, in the given order; ``workers`` processes (1: in-process).

    Raises ``ScenarioError`` naming the scenario and change if one cannot be applied.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    outcomes: list[ScenarioMetrics | str]
    if workers == 1 or len(scenarios) <= 1:
        _init(base)
        outcomes = [_run_in_worker(s, settings) for s in scenarios]
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=min(workers, len(scenarios)),
            mp_context=context,
            initializer=_init,
            initargs=(base,),
        ) as pool:
            outcomes = list(pool.map(_run_in_worker, scenarios, [settings] * len(scenarios)))
    out = []
    for scenario, outcome in zip(scenarios, outcomes, strict=True):
        if isinstance(outcome, str):
            raise ScenarioError(f"scenario '{scenario.name}': {outcome}")
        out.append(outcome)
    return out
