"""Run a batch of scenarios on a Dask distributed cluster.

The batch is the same as on the local process pool (``matching.scenario.run``): the base county
is shipped to every worker once, each scenario is one task that applies its changes to that
base and solves it with its own seed, and the outcomes come back in the batch's order. So the
figures equal the in-process ones; only ``seconds`` varies.

Dask is optional (``pip install 'paikka[distributed]'``) and imported only when a batch is sent
to a cluster, so the rest of ``matching`` works without it. Workers import
``matching.scenario.one`` by name to run ``scenario_outcome``: they need paikka installed, the
same version as the caller's.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from matching.scenario.apply import ScenarioError
from matching.scenario.compare import ScenarioMetrics
from matching.scenario.definition import Scenario
from matching.scenario.one import RunSettings, scenario_outcome
from models import AllocationProblem

if TYPE_CHECKING:
    from distributed import Client

INSTALL_HINT = "pip install 'paikka[distributed]'"


class ClusterError(RuntimeError):
    """The batch cannot be sent to a Dask cluster: Dask is missing or the scheduler is
    unreachable. Not the scenarios' fault, so not a ``ScenarioError``."""


def _require_distributed() -> None:
    """Fail with an install hint when Dask's ``distributed`` package is missing."""
    try:
        import distributed  # noqa: F401
    except ImportError as error:
        raise ClusterError(
            f"running scenarios on a Dask cluster needs dask.distributed: {INSTALL_HINT}"
        ) from error


def connect(scheduler: str) -> Client:
    """A client of the Dask scheduler at ``scheduler`` (e.g. ``tcp://10.0.0.5:8786``)."""
    _require_distributed()
    from distributed import Client

    try:
        return Client(scheduler)
    except (OSError, TimeoutError) as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from error


@contextmanager
def local_cluster(n_workers: int) -> Iterator[Client]:
    """A Dask cluster on this machine, ``n_workers`` processes of one thread each, and its
    client; both are closed on exit. For trying the distributed path and for benchmarks.

    Scheduler and workers listen on 127.0.0.1 only and the dashboard is off: nothing is
    exposed to the network.
    """
    if n_workers < 1:
        raise ValueError("a local cluster needs at least 1 worker")
    _require_distributed()
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # The scheduler's health/metrics server (kept without the dashboard): any free
            # loopback port, so clusters side by side do not contend for 8787.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.WARNING,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_outcomes(
    base: AllocationProblem,
    scenarios: list[Scenario],
    settings: RunSettings,
    *,
    scheduler: str | None = None,
    client: Client | None = None,
) -> list[ScenarioMetrics | ScenarioError]:
    """Each scenario's figures or error, in the batch's order, computed on Dask.

    Uses ``client`` when given (left open) or else connects to ``scheduler`` (closed after).
    The base is scattered once to every worker rather than pickled into every task.
    """
    if (client is None) == (scheduler is None):
        raise ValueError("give either a Dask scheduler address or a client")
    if not scenarios:
        return []
    own = client is None
    if client is None:
        assert scheduler is not None
        client = connect(scheduler)
    futures = []
    try:
        base_future = client.scatter(base, broadcast=True, hash=False)
        futures.append(base_future)
        # Explicit keys: Dask would otherwise hash every argument to name the task, and the
        # batch id keeps two batches on one cluster apart.
        batch = uuid.uuid4().hex
        tasks = [
            client.submit(scenario_outcome, base_future, s, settings, key=f"paikka-{batch}-{i}")
            for i, s in enumerate(scenarios)
        ]
        futures.extend(tasks)
        outcomes: list[ScenarioMetrics | ScenarioError] = client.gather(tasks)
        return outcomes
    finally:
        if own:
            client.close()
        elif futures:
            # A shared client outlives the batch: free the base copies and stop any tasks
            # still running after an error.
            client.cancel(futures)
