"""Travel benchmark: the trip table from the sample county's GTFS feed beside the estimate.

For each county shape (clients × placements, seed), in one process, side by side:

- ``estimate``: the old estimate for every pair (haversine and the travel model), dense;
- ``cold``: the trip table with an empty cache (the feed read from its zip, every scan run);
- ``warm``: the same again as a new weekly run would make it: the feed read again from the
  zip, the scans read from the cache.

Targets (issue 27): 1,000 × 300 at most 10 s cold and 1 s warm; 5,000 × 1,500 at most 60 s
cold. The machine's load (``uptime``) is recorded beside the figures: it is shared by other
work on 2 cores, so read the ratios.

    python -m benchmarks.travel                     # M and L
    python -m benchmarks.travel --sizes M -o benchmarks/results/travel.md
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from matching.sample import generate_county
from matching.transit import MODE_NAMES, SAMPLE_FEED, build_trip_table, clear_cache, load_feed
from matching.transit import store as transit_store
from matching.travel import distance_km, travel_minutes
from models import AllocationProblem

SIZES = {"M": (1000, 300, 12), "L": (5000, 1500, 13)}
TARGETS = {"M": (10.0, 1.0), "L": (60.0, None)}


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _estimate(problem: AllocationProblem) -> np.ndarray:
    c_lat = np.array([c.location.lat for c in problem.clients])
    c_lon = np.array([c.location.lon for c in problem.clients])
    p_lat = np.array([p.location.lat for p in problem.placements])
    p_lon = np.array([p.location.lon for p in problem.placements])
    km = distance_km(c_lat[:, None], c_lon[:, None], p_lat[None, :], p_lon[None, :])
    return travel_minutes(km, problem.options.travel)


def run(size: str, root: Path) -> dict[str, object]:
    n_c, n_p, seed = SIZES[size]
    base = generate_county(n_c, n_p, seed=seed)
    travel = base.options.travel.model_copy(update={"feed": SAMPLE_FEED})
    problem = base.model_copy(
        update={"options": base.options.model_copy(update={"travel": travel})}
    )
    load_feed(SAMPLE_FEED, root)  # makes the sample zip once; not part of any timing
    t, cpu = time.perf_counter(), time.process_time()
    estimate = _estimate(problem)
    t_est, cpu_est = time.perf_counter() - t, time.process_time() - cpu

    clear_cache(SAMPLE_FEED, root)
    load_before = _load()
    t, cpu = time.perf_counter(), time.process_time()
    cold = build_trip_table(problem, load_feed(SAMPLE_FEED, root), root)
    t_cold, cpu_cold = time.perf_counter() - t, time.process_time() - cpu

    transit_store._LOADED.clear()
    t, cpu = time.perf_counter(), time.process_time()
    warm = build_trip_table(problem, load_feed(SAMPLE_FEED, root), root)
    t_warm, cpu_warm = time.perf_counter() - t, time.process_time() - cpu
    load_after = _load()
    assert warm.scanned_columns == 0
    assert np.array_equal(cold.minutes, warm.minutes) and np.array_equal(cold.mode, warm.mode)
    modes = {MODE_NAMES[m]: int((cold.mode == m).sum()) for m in range(len(MODE_NAMES))}
    timed = cold.mode == 2
    ratio = (
        float(np.median(cold.minutes[timed] / np.maximum(estimate[timed], 1)))
        if timed.any()
        else float("nan")
    )
    return {
        "size": size,
        "clients": n_c,
        "placements": n_p,
        "seed": seed,
        "estimate_s": t_est,
        "estimate_cpu_s": cpu_est,
        "cold_cpu_s": cpu_cold,
        "warm_cpu_s": cpu_warm,
        "cold_s": t_cold,
        "warm_s": t_warm,
        "scanned": cold.scanned_columns,
        "modes": modes,
        "median_transit_over_estimate": ratio,
        "load_before": load_before,
        "load_after": load_after,
    }


def report(rows: list[dict[str, object]]) -> str:
    lines = [
        "# Travel benchmark: trip table from the sample feed beside the estimate",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, `python -m benchmarks.travel`, "
        f"sample feed `{SAMPLE_FEED}`; a shared machine (2 cores, other helpers' jobs running): "
        "the load is recorded per row. Wall seconds are the targets' measure; the process's "
        "CPU seconds beside them show how much of the wall time was the machine's load.",
        "",
        "| size | clients × placements | estimate s | cold s | warm s | cold/estimate | "
        "warm/estimate | target cold / warm | scanned columns | CPU s: estimate / cold / warm |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in rows:
        cold_t, warm_t = TARGETS[str(r["size"])]
        est = max(float(r["estimate_s"]), 1e-9)  # type: ignore[arg-type]
        lines.append(
            f"| {r['size']} | {r['clients']:,} × {r['placements']:,} | {r['estimate_s']:.3f} | "
            f"{r['cold_s']:.2f} | {r['warm_s']:.2f} | {float(r['cold_s']) / est:.0f}× | "  # type: ignore[arg-type]
            f"{float(r['warm_s']) / est:.0f}× | ≤ {cold_t:g} s / "  # type: ignore[arg-type]
            f"{'≤ ' + format(warm_t, 'g') + ' s' if warm_t else '–'} | {r['scanned']:,} | "
            f"{r['estimate_cpu_s']:.3f} / {r['cold_cpu_s']:.2f} / {r['warm_cpu_s']:.2f} |"
        )
    lines += ["", "Pairs by how their minutes were found (cold = warm, checked):", ""]
    for r in rows:
        lines.append(
            f"- {r['size']}: {r['modes']}; median transit minutes / estimate minutes on the "
            f"pairs timed by the feed: {r['median_transit_over_estimate']:.2f}"
        )
    lines += ["", "Load (`uptime`) before the cold and after the warm run:", ""]
    for r in rows:
        lines.append(f"- {r['size']}: before `{r['load_before']}`; after `{r['load_after']}`")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="M,L")
    parser.add_argument("-o", "--output", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="paikka-travel-bench-") as tmp:
        root = Path(os.environ.get("PAIKKA_TRANSIT_DIR") or tmp)
        rows = [run(size, root) for size in args.sizes.split(",")]
    text = report(rows)
    print(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
