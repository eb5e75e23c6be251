"""Benchmark of scenario batches: 20 scenarios on the M county with 1 and 2 workers.

Usage: ``python benchmarks/bench_scenario.py [--clients 1000] [--placements 300] [--seed 12]
[--scenarios 20] [--workers 1 2] [-o benchmarks/results/scenario.md]``. Prints (and writes) the
wall-clock seconds of each batch, the speed-up over one worker, how many runs stopped at the
time limit before optimality, and checks that every worker count gave the same figures (a run
cut short by the time limit may differ, hence the generous default limit). Never part of the
tests.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from pathlib import Path
from typing import Any

from matching.sample import generate_county
from matching.scenario import parse_scenarios, run_batch
from matching.scenario.model import Scenario
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


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--placements", type=int, default=300)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--scenarios", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seat-values", type=int, default=10)
    parser.add_argument("--seat-budget", type=float, default=2.0)
    parser.add_argument("--seat-resolve", action="store_true")
    parser.add_argument("-o", "--output", default=None)
    args = parser.parse_args()
    base = generate_county(args.clients, args.placements, seed=args.seed)
    batch = scenarios(base, args.scenarios)
    settings = RunSettings(
        seat_values=args.seat_values,
        seat_budget_s=args.seat_budget,
        seat_resolve=args.seat_resolve,
        time_limit_s=args.time_limit,
    )
    lines = [
        f"# Scenario batch benchmark ({datetime.date.today()})",
        "",
        f"County: {args.clients} clients, {args.placements} placements, seed {args.seed}; "
        f"{len(batch)} scenarios (base included), solver limit {args.time_limit:g} s, "
        f"seat values top {args.seat_values} ("
        + (f"re-solved, {args.seat_budget:g} s budget" if args.seat_resolve else "relaxation")
        + ").",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average at start "
        f"{os.getloadavg()[0]:.1f} (shared machine: other runs inflate the times)",
        "",
        "| workers | batch s | mean scenario s | speed-up | not optimal | same figures |",
        "|---:|---:|---:|---:|---:|:---:|",
    ]
    print("\n".join(lines), flush=True)
    first: list[dict[str, Any]] | None = None
    first_s = 0.0
    for workers in args.workers:
        start = time.perf_counter()
        metrics = run_batch(base, batch, workers=workers, settings=settings)
        seconds = time.perf_counter() - start
        figures = [m.model_dump(exclude={"seconds"}) for m in metrics]
        if first is None:
            first, first_s = figures, seconds
        mean = sum(m.seconds for m in metrics) / len(metrics)
        not_optimal = sum(1 for m in metrics if m.status != "optimal")
        differ = [m.scenario for m, a, b in zip(metrics, figures, first, strict=True) if a != b]
        line = (
            f"| {workers} | {seconds:.1f} | {mean:.2f} | {first_s / seconds:.2f} | "
            f"{not_optimal} | {'yes' if not differ else 'NO: ' + ', '.join(differ)} |"
        )
        lines.append(line)
        print(line, flush=True)
    if args.output:
        Path(args.output).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
