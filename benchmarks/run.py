"""Benchmark driver: every phase of every instance, with baselines, in one run.

For each instance and variant it measures, in a fresh subprocess (so peak memory is the
instance's own): generating the county, candidate building (tables + vectorised rules),
compiling the generic model, the engine's solve, and in the same process two baselines, the
greedy construction and the min-cost-flow optimum of the seats-only relaxation (an upper bound
no method can beat). Results are printed and written to ``benchmarks/results/`` as a Markdown
table with the machine, date and commit. Timings on a shared 2-core machine are noisy: read
the ratios, which compare methods run side by side in the same process.

    python -m benchmarks.run                 # S, M, L, XL
    python -m benchmarks.run --sizes S,M     # a subset
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import resource
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def _measure(name: str, variant: str) -> dict[str, Any]:
    """Run one instance/variant and return its figures (runs inside a subprocess)."""
    from benchmarks.registry import REGISTRY, VARIANTS
    from matching import allocate, check_allocation
    from matching.compile import compile_problem
    from matching.core import greedy_assign, objective_of, solve_seats_flow
    from matching.tables import Tables

    instance = REGISTRY[name]
    t0 = time.perf_counter()
    problem = VARIANTS[variant](instance.build())
    t1 = time.perf_counter()
    tables = Tables(problem)
    compiled = compile_problem(problem, tables)
    t2 = time.perf_counter()
    result = allocate(problem, compiled=compiled)
    t3 = time.perf_counter()
    violations = check_allocation(problem, result)
    t4 = time.perf_counter()
    flow = solve_seats_flow(compiled.core)
    t5 = time.perf_counter()
    greedy = greedy_assign(compiled.core)
    t6 = time.perf_counter()
    greedy_placed, greedy_quality = objective_of(compiled.core, greedy)
    return {
        "instance": name,
        "variant": variant,
        "clients": instance.clients,
        "placements": instance.placements,
        "arcs": result.stats.arcs,
        "components": result.stats.components,
        "generate_s": t1 - t0,
        "candidates_s": t2 - t1,
        "solve_s": t3 - t2,
        "core_s": result.timings.phases.get("total", t3 - t2),
        "check_s": t4 - t3,
        "flow_s": t5 - t4,
        "greedy_s": t6 - t5,
        "status": result.status.value,
        "method": result.method,
        "gap": result.gap,
        "target_gap": instance.target_gap,
        "time_limit_s": instance.time_limit_s,
        "placed": len(result.assignments),
        "placed_value": result.objective.placed_value,
        "quality": result.objective.quality,
        "flow_placed_value": flow.placed,
        "flow_quality": flow.quality,
        "greedy_placed_value": greedy_placed,
        "greedy_quality": greedy_quality,
        "greedy_placed": int((greedy >= 0).sum()),
        "violations": len(violations),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "phases": result.timings.phases,
    }


def _worker(name: str, variant: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    queue.put(_measure(name, variant))


def measure(name: str, variant: str) -> dict[str, Any]:
    """Run ``_measure`` in a fresh spawned process (own memory peak, no warm caches)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_worker, args=(name, variant, queue))
    process.start()
    row = queue.get()
    process.join()
    return dict(row)


def machine() -> str:
    """CPU model, cores and Python version of this machine."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {mp.cpu_count()} cores, Python {platform.python_version()}"


def commit() -> str:
    """Short hash of the checked-out commit (with '+dirty' for uncommitted changes)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def table(rows: list[dict[str, Any]]) -> str:
    """The Markdown table of the results."""
    head = (
        "| instance | variant | arcs | comps | candidates s | solve s | core s | flow s "
        "| core/flow "
        "| status | method | gap | placed | welfare vs greedy | quality vs greedy "
        "| flow bound gap | peak MB | violations |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for r in rows:
        welfare = r["placed_value"] / max(r["greedy_placed_value"], 1) - 1
        quality = r["quality"] / max(r["greedy_quality"], 1) - 1
        bound_gap = 1 - r["quality"] / max(r["flow_quality"], 1)
        if r["placed_value"] < r["flow_placed_value"]:
            bound_gap_text = f"{r['flow_placed_value'] - r['placed_value']} value"
        else:
            bound_gap_text = f"{bound_gap:.3%}"
        lines.append(
            f"| {r['instance']} | {r['variant']} | {r['arcs']:,} | {r['components']} "
            f"| {r['candidates_s']:.2f} | {r['solve_s']:.2f} | {r['core_s']:.3f} "
            f"| {r['flow_s']:.3f} | {r['core_s'] / max(r['flow_s'], 1e-9):.1f}× "
            f"| {r['status']} | {r['method']} "
            f"| {r['gap']:.4%} | {r['placed']} (greedy {r['greedy_placed']}) | {welfare:+.2%} "
            f"| {quality:+.2%} | {bound_gap_text} | {r['peak_rss_mb']:.0f} | {r['violations']} |"
        )
    return head + "\n".join(lines) + "\n"


def main() -> None:
    """Run the suite and write the results table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="S,M,L,XL")
    parser.add_argument("--variants", default="full,seats-only")
    args = parser.parse_args()
    rows = []
    for name in args.sizes.split(","):
        for variant in args.variants.split(","):
            row = measure(name, variant)
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "phases"}), flush=True)
    stamp = datetime.now(UTC)
    text = (
        f"# Engine benchmark\n\nmachine: {machine()}  \ndate: {stamp:%Y-%m-%d %H:%M} UTC  \n"
        f"commit: {commit()}\n\n{table(rows)}\n"
        "solve s: all of `allocate` after candidates (core solve, decoding, input hash); "
        "core s: the core solver alone; core/flow: it against the bare min-cost flow of the "
        "seats-only relaxation, timed in the same process. welfare: clients placed against "
        "greedy; quality: match points (waiting priority included) against greedy. flow bound "
        "gap: quality below the seats-only optimum, an upper bound no method can beat.\n"
    )
    RESULTS.mkdir(exist_ok=True)
    name = f"engine-{stamp:%Y%m%d-%H%M}.md"
    (RESULTS / name).write_text(text)
    (RESULTS / "engine-latest.md").write_text(text)
    (RESULTS / "engine-latest.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(text)


if __name__ == "__main__":
    main()
