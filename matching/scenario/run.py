"""Run a batch of scenarios: in-process, on a process pool, or on a Dask cluster.

Every scenario is applied and solved independently from the same base with its own seed, so
the figures do not depend on the worker count or on the order the pool finishes in (results
are returned in the batch's order). Wall-clock seconds are the only varying field. The Dask
path lives in ``matching.scenario.distributed`` and is imported only when asked for.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matching.scenario.apply import ScenarioError, apply_scenario
from matching.scenario.compare import ScenarioMetrics, scenario_metrics
from matching.scenario.horizon import run_horizon
from matching.scenario.model import Scenario
from matching.solve import allocate
from models import AllocationProblem

if TYPE_CHECKING:
    from distributed import Client


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
    if scenario.horizon is not None:
        weeks = run_horizon(problem, scenario.horizon, scenario.seed)
        metrics = metrics.model_copy(update={"weeks": weeks})
    return metrics.model_copy(update={"seconds": round(time.perf_counter() - start, 3)})


_BASE: AllocationProblem | None = None


def _init(base: AllocationProblem) -> None:
    global _BASE
    _BASE = base


def scenario_outcome(
    base: AllocationProblem, scenario: Scenario, settings: RunSettings
) -> ScenarioMetrics | str:
    """One scenario's figures, or the text of its ``ScenarioError``.

    What a pool or cluster worker runs: module-level so it pickles by reference, and the
    error comes back as text so the caller can name the scenario in one message.
    """
    try:
        return run_scenario(base, scenario, settings)
    except ScenarioError as error:
        return str(error)


def _run_in_worker(scenario: Scenario, settings: RunSettings) -> ScenarioMetrics | str:
    assert _BASE is not None
    return scenario_outcome(_BASE, scenario, settings)


def run_batch(
    base: AllocationProblem,
    scenarios: list[Scenario],
    workers: int = 1,
    settings: RunSettings = RunSettings(),
    *,
    scheduler: str | None = None,
    client: Client | None = None,
) -> list[ScenarioMetrics]:
    """Figures of every scenario, in the given order; ``workers`` processes (1: in-process).

    With ``scheduler`` (a Dask scheduler address such as ``tcp://10.0.0.5:8786``) or an open
    ``distributed.Client`` as ``client``, the batch runs on that Dask cluster instead and
    ``workers`` is ignored; the figures are the same as in-process.

    Raises ``ScenarioError`` naming the scenario and change if one cannot be applied.
    """
    outcomes: list[ScenarioMetrics | str]
    if scheduler is not None or client is not None:
        from matching.scenario.distributed import run_outcomes

        outcomes = run_outcomes(base, scenarios, settings, scheduler=scheduler, client=client)
    elif workers < 1:
        raise ValueError("workers must be at least 1")
    elif workers == 1 or len(scenarios) <= 1:
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
