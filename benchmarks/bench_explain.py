"""Benchmark of explanations: explaining a whole run against solving it; inverse ranking.

Usage: ``python benchmarks/bench_explain.py [--clients 1000] [--rank-clients 5000]
[--seeds 0 1] [-o benchmarks/results/explain.md]``. Prints (and writes) a table with the
ratio explain/solve (solve = compile + allocate; the explanation reuses the compiled model),
how many objective changes were exact and how many bounds, and the seconds of one inverse
ranking (an existing placement, and a newly announced one).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import time
from pathlib import Path

from matching.compile import compile_problem
from matching.explain import explain_run, rank_clients
from matching.solve import allocate
from models import AllocationProblem


def county(n: int, seed: int) -> AllocationProblem:
    """A synthetic county: ``matching.sample`` if present, else a small generator of ours."""
    try:
        from matching.sample import generate_county
    except ImportError as error:  # pragma: no cover - the shared generator exists
        raise SystemExit("matching.sample is needed for this benchmark") from error
    return generate_county(n, seed=seed)


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        )
        return out.stdout.strip() or "uncommitted"
    except OSError:
        return "unknown"


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rank-clients", type=int, default=5000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("-o", "--output", default=None)
    args = parser.parse_args()
    lines = [
        f"# Explanation benchmark ({datetime.date.today()}, commit {_commit()})",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average at start "
        f"{os.getloadavg()[0]:.1f} (the machine is shared: other runs inflate both columns)",
        "",
        "| clients | seed | solve s | explain s | explain/solve | exact | bounds | infeasible |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for seed in args.seeds:
        problem = county(args.clients, seed)
        started = time.perf_counter()
        compiled = compile_problem(problem)  # counted in the solve, reused by the explanation
        result = allocate(problem, compiled=compiled)
        solve_s = time.perf_counter() - started
        started = time.perf_counter()
        run = explain_run(problem, result, compiled=compiled)
        explain_s = time.perf_counter() - started
        e = run.exactness
        lines.append(
            f"| {args.clients} | {seed} | {solve_s:.2f} | {explain_s:.2f} | "
            f"{explain_s / solve_s:.2f} | {e.exact} | {e.bounds} | {e.infeasible} |"
        )
    big = county(args.rank_clients, 0)
    started = time.perf_counter()
    ranking = rank_clients(big, big.placements[0].id, limit=50)
    existing_s = time.perf_counter() - started
    new = big.placements[1].model_copy(update={"id": "NEW-1"})
    started = time.perf_counter()
    fresh = rank_clients(big, new, limit=50)
    new_s = time.perf_counter() - started
    lines += [
        "",
        "| inverse ranking | clients | eligible | seconds |",
        "|---|---:|---:|---:|",
        f"| existing placement | {args.rank_clients} | {ranking.eligible} | {existing_s:.3f} |",
        f"| new placement | {args.rank_clients} | {fresh.eligible} | {new_s:.3f} |",
    ]
    lines += ["", f"Load average at the end: {os.getloadavg()[0]:.1f}"]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
