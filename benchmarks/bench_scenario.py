"""Benchmark of scenario batches: 20 scenarios on the M county, one worker and two, on the
local process pool and on a local Dask cluster.

Usage: ``python -m benchmarks.bench_scenario [--instance M] [--scenarios 20] [--workers 2]
[-o benchmarks/results/scenario.md]``. Runs the same batch three ways side by side in one run:
in-process (1 worker), a spawn process pool of ``--workers`` processes, and a Dask
``LocalCluster`` of ``--workers`` one-thread processes (its start-up timed apart from the
batch). Prints (and writes) the wall-clock seconds of each batch, the speed-up over one worker,
how many runs stopped at the time limit before optimality, the load average before and after,
and checks that all three gave the same figures, naming the fields that differ (a run cut short
by the time limit may differ, hence the generous default limit). Never part of the tests.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.registry import REGISTRY
from matching.scenario import ScenarioMetrics, parse_scenarios, run_batch
from matching.scenario.definition import Scenario
from matching.scenario.distributed import local_cluster
from matching.scenario.run import RunSettings
from models import AllocationProblem


def scenarios(base: AllocationProblem, count: int) -> list[Scenario]:
    """``count`` scenarios (the base first): capacity, demand, rules and weights changes."""
    categories = sorted({p.task_category.value for p in base.placements})
    municipalities = sorted({c.home_municipality for c in base.clients})
    raw: list[dict[str, Any]] = []
    k = 0
    while len(raw) < count - 1:
        kind = k % 5
        name = f"s{k:02d}"
        if kind == 0:
            change: dict[str, Any] = {
                "kind": "resize_placements",
                "select": {"task_category": [categories[k % len(categories)]]},
                "add_seats": 1 + k % 3,
            }
        elif kind == 1:
            change = {
                "kind": "scale_demand",
                "factor": 1.2 + 0.1 * (k % 3),
                "municipality": [municipalities[k % len(municipalities)]],
            }
        elif kind == 2:
            change = {"kind": "scale_demand", "factor": 0.8, "age_band": ["under_25", "25_28"]}
        elif kind == 3:
            change = {"kind": "regime", "set": {"max_days_per_week": 3 + k % 2}}
        else:
            change = {"kind": "weights", "set": {"travel": 0.1 + 0.05 * (k % 4)}}
        raw.append({"name": name, "seed": k, "changes": [change]})
        k += 1
    return parse_scenarios(raw)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--instance", choices=sorted(REGISTRY), default="M")
    parser.add_argument("--scenarios", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="pool and Dask worker processes")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seat-values", type=int, default=10)
    # Without re-solves the figures never depend on the clock; with them, a generous budget
    # keeps the equality check free of load.
    parser.add_argument("--seat-resolves", type=int, default=0)
    parser.add_argument("--seat-budget", type=float, default=60.0)
    parser.add_argument("-o", "--output", default=None)
    args = parser.parse_args()
    instance = REGISTRY[args.instance]
    base = instance.build()
    batch = scenarios(base, args.scenarios)
    settings = RunSettings(
        seat_values=args.seat_values,
        seat_budget_s=args.seat_budget,
        seat_resolves=args.seat_resolves,
        time_limit_s=args.time_limit,
    )
    lines = [
        f"## Run of {datetime.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"County {instance.name}: {instance.clients} clients, {instance.placements} placements, "
        f"seed {instance.seed}; {len(batch)} scenarios (base included), solver limit "
        f"{args.time_limit:g} s, seat values top {args.seat_values} ("
        + (
            f"up to {args.seat_resolves} re-solves, {args.seat_budget:g} s budget"
            if args.seat_resolves
            else "relaxation and bounds"
        )
        + ").",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average (1, 5, 15 min) at start "
        f"{_load()}.",
        "",
        "| engine | workers | start-up s | batch s | mean scenario s | speed-up | not optimal "
        "| same figures |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    print("\n".join(lines), flush=True)

    def in_process() -> tuple[float, list[ScenarioMetrics]]:
        return 0.0, run_batch(base, batch, workers=1, settings=settings)

    def pool() -> tuple[float, list[ScenarioMetrics]]:
        return 0.0, run_batch(base, batch, workers=args.workers, settings=settings)

    def dask() -> tuple[float, list[ScenarioMetrics]]:
        start = time.perf_counter()
        with local_cluster(args.workers) as client:
            client.wait_for_workers(args.workers)
            up = time.perf_counter() - start
            return up, run_batch(base, batch, settings=settings, client=client)

    engines: list[tuple[str, int, Callable[[], tuple[float, list[ScenarioMetrics]]]]] = [
        ("in-process", 1, in_process),
        ("process pool", args.workers, pool),
        ("Dask LocalCluster", args.workers, dask),
    ]
    first: list[dict[str, Any]] | None = None
    first_s = 0.0
    for name, workers, run in engines:
        start = time.perf_counter()
        startup, metrics = run()
        seconds = time.perf_counter() - start - startup
        figures = [m.model_dump(exclude={"seconds"}) for m in metrics]
        if first is None:
            first, first_s = figures, seconds
        mean = sum(m.seconds for m in metrics) / len(metrics)
        not_optimal = sum(1 for m in metrics if m.status != "optimal")
        differ = [
            f"{m.scenario} ({', '.join(k for k in a if a[k] != b.get(k))})"
            for m, a, b in zip(metrics, figures, first, strict=True)
            if a != b
        ]
        line = (
            f"| {name} | {workers} | {startup:.1f} | {seconds:.1f} | {mean:.2f} | "
            f"{first_s / seconds:.2f} | {not_optimal} | "
            f"{'yes' if not differ else 'NO: ' + ', '.join(differ)} |"
        )
        lines.append(line)
        print(line, flush=True)
    lines += ["", f"Load average (1, 5, 15 min) at the end: {_load()}."]
    print(lines[-1], flush=True)
    if args.output:
        with Path(args.output).open("a", encoding="utf-8") as f:
            f.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
