"""Run a batch of scenarios: in-process, on a process pool, or on a Dask cluster.

Every scenario is applied and solved independently from the same base with its own seed, so
the figures do not depend on the worker count or on the order the pool finishes in (results
are returned in the batch's order). Wall-clock seconds are the only varying field. One
scenario's work is ``matching.scenario.one``; the Dask path is ``matching.scenario.distributed``,
which imports Dask itself only when a batch is sent to a cluster.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from matching.scenario.apply import ScenarioError
from matching.scenario.compare import ScenarioMetrics
from matching.scenario.definition import Scenario
from matching.scenario.distributed import run_outcomes
from matching.scenario.one import RunSettings, run_scenario, scenario_outcome
from models import AllocationProblem

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["RunSettings", "run_batch", "run_scenario", "scenario_outcome"]

DEFAULT_SETTINGS = RunSettings()

_BASE: AllocationProblem | None = None


def _init(base: AllocationProblem) -> None:
    global _BASE
    _BASE = base


def _run_in_worker(scenario: Scenario, settings: RunSettings) -> ScenarioMetrics | ScenarioError:
    assert _BASE is not None
    return scenario_outcome(_BASE, scenario, settings)


def run_batch(
    base: AllocationProblem,
    scenarios: list[Scenario],
    workers: int = 1,
    settings: RunSettings = DEFAULT_SETTINGS,
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
    outcomes: list[ScenarioMetrics | ScenarioError]
    if scheduler is not None or client is not None:
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
        if isinstance(outcome, ScenarioError):
            raise ScenarioError(
                f"scenario '{scenario.name}': {outcome}",
                outcome.code,
                {**outcome.params, "scenario": scenario.name},
                outcome.error,
            )
        out.append(outcome)
    return out
