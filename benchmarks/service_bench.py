"""Benchmarks of the service (issue 4): a weekly run through the API against the engine
called directly, listing 1,000 proposals, and 50 concurrent readers while a run executes.

    python benchmarks/service_bench.py [--clients 1000] [--readers 50] [--max-requests 3000]

Everything is on loopback: uvicorn serves the app on 127.0.0.1 from a thread of this process,
with a throw-away SQLite database (``--db`` for another URL). The load test is bounded both
in requests and in seconds. Prints a small table; ``--json PATH`` also writes the numbers.

Targets (issue 4): run ratio ≤ 1.5, listing p95 < 100 ms, readers p95 < 200 ms.

``--layout`` (issue 10) measures instead the production layout on PostgreSQL beside the
one-process layout, side by side in one invocation, on the same database and load:

    python benchmarks/service_bench.py --layout --pg postgresql+psycopg://postgres@127.0.0.1/postgres

- ``production``: ``uvicorn --workers 2`` web processes (no embedded worker) and one
  ``python -m service.worker``;
- ``single``: one web process that also runs the solver (the embedded worker), as before.

A 1,000-client county; a first run gives the proposals to read; then a second run solves
while ``--readers`` (50) concurrent readers list pages of proposals for ``--max-seconds``.
Target (issue 10): production p95 < 200 ms, 0 errors. The machine's load average is printed
with the figures (the machine is shared).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url

from matching import allocate
from matching.sample import generate_county
from service.app import create_app
from service.auth import Role, issue_token
from service.config import Settings
from service.crud.runs import build_problem, county_regime
from service.db.tables import RunRow
from service.demo import load_problem

ROOT = Path(__file__).resolve().parent.parent


def p95(samples: list[float]) -> float:
    """95th percentile in milliseconds."""
    ordered = sorted(samples)
    return 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def serve(url: str, county: str, port: int) -> subprocess.Popen[bytes]:
    """Start ``python -m service`` on 127.0.0.1 in its own process (so the load generator does
    not share the server's interpreter) and wait until it answers."""
    env = {**os.environ, "PAIKKA_COUNTY": county, "PAIKKA_MAX_TIME_LIMIT_S": "3600"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "--db", url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
    except httpx.TransportError:
        pass
    else:
        raise RuntimeError(f"port {port} is already in use; pass --port")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the service did not start")


def run_through_api(http: httpx.Client, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """POST /runs and poll until final; wall seconds and the final run."""
    started = time.perf_counter()
    response = http.post("/runs", json=body)
    response.raise_for_status()
    url = response.headers["Location"]
    while True:
        try:
            run: dict[str, Any] = http.get(url).json()
        except httpx.TransportError:  # a keep-alive connection closed under load: poll again
            time.sleep(0.2)
            continue
        if run["status"] not in ("queued", "running"):
            return time.perf_counter() - started, run
        time.sleep(0.2)


def readers(
    base: str,
    headers: dict[str, str],
    run_id: int,
    clients: list[str],
    args: argparse.Namespace,
    stop: threading.Event,
) -> list[float]:
    """``args.readers`` threads issuing GETs until ``stop``, the request cap or the time cap."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.max_seconds
    paths = [
        "/placements",
        f"/runs/{run_id}",
        f"/runs/{run_id}/proposals?page_size=50",
        *(f"/clients/{c}" for c in clients[:20]),
    ]

    def reader(n: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            i = n
            while not stop.is_set() and time.monotonic() < deadline:
                with lock:
                    if len(latencies) >= args.max_requests:
                        return
                t0 = time.perf_counter()
                http.get(paths[i % len(paths)]).raise_for_status()
                with lock:
                    latencies.append(time.perf_counter() - t0)
                i += 1
                if args.think_ms:
                    stop.wait(args.think_ms / 1000)

    with ThreadPoolExecutor(args.readers) as pool:
        list(pool.map(reader, range(args.readers)))
    return latencies


def _pg_database(admin_url: str) -> tuple[str, Any]:
    """A fresh PostgreSQL database for the benchmark and a function that drops it."""
    import uuid

    import psycopg

    url = make_url(admin_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    name = f"paikka_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(False), drop


def _start_layout(layout: str, url: str, county: str, port: int) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "PAIKKA_DATABASE_URL": url,
        "PAIKKA_COUNTY": county,
        "PAIKKA_MAX_TIME_LIMIT_S": "3600",
        "PAIKKA_MIGRATE_ON_START": "false",
        "PAIKKA_EMBEDDED_WORKER": "off" if layout == "production" else "all",
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    web = [sys.executable, "-m", "uvicorn", "service.app:create_app", "--factory"]
    web += ["--port", str(port), "--log-level", "warning"]
    if layout == "production":
        web += ["--workers", "2"]
    # each in a session of its own: stopping one stops its whole tree (uvicorn's workers)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    processes = [subprocess.Popen(web, env=env, **quiet)]  # type: ignore[call-overload]
    if layout == "production":
        worker = [sys.executable, "-m", "service.worker"]
        processes.append(subprocess.Popen(worker, env=env, **quiet))  # type: ignore[call-overload]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return processes
        except httpx.TransportError:
            time.sleep(0.2)
    _stop(processes)
    raise RuntimeError(f"the {layout} layout did not start")


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each process group started here, then SIGKILL to what is left."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def _proposal_readers(
    base: str, headers: dict[str, str], run_id: int, pages: int, args: argparse.Namespace
) -> dict[str, Any]:
    """``args.readers`` concurrent readers listing pages of proposals for
    ``args.max_seconds``, in a process of their own (``benchmarks/read_load.py``): latencies,
    errors (non-2xx answers and failed requests) and the CPU seconds the load generator
    itself used while it ran."""
    port = base.rsplit(":", 1)[1]
    command = [
        sys.executable,
        str(Path(__file__).resolve().parent / "read_load.py"),
        f"127.0.0.1:{port}",
        "--run-id",
        str(run_id),
        "--pages",
        str(pages),
        "--readers",
        str(args.readers),
        "--max-seconds",
        str(args.max_seconds),
        "--think-ms",
        str(args.think_ms),
    ]
    env = {**os.environ, "PAIKKA_BENCH_AUTHORIZATION": headers["Authorization"]}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of the tree at
    ``root`` (a uvicorn master and its workers; a solver worker and its engine processes),
    from ``/proc``; 0 where there is no ``/proc``."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree = {root}
    grew = True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        grew = bool(more)
        tree |= more
    return sum(used.get(pid, 0.0) for pid in tree)


def _pg_backend_cpu_seconds(database: str) -> float | None:
    """CPU seconds used so far by the live PostgreSQL backends serving ``database`` (their
    process titles read ``postgres: … USER DATABASE HOST(PORT) STATE``), from ``/proc``;
    ``None`` where none is seen (a server on another machine, or no ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, seen = 0.0, False
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            title = (entry / "cmdline").read_bytes().split(b"\0")[0].split()
            if title[:1] != [b"postgres:"] or database.encode() not in title:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        seen = True
        total += (int(fields[11]) + int(fields[12])) / tick
    return total if seen else None


class _KeepSolving:
    """With ``again`` (``--keep-solving``), a new run is started as soon as the last one is
    final (a run ends within seconds on a 1,000-client county, and its explanations follow),
    so that the solver worker is busy for the whole window; otherwise the one run only.
    ``current``: the URL of the latest run; ``finished``: the runs that ended in the window."""

    def __init__(self, http: httpx.Client, body: dict[str, Any], first: str, again: bool):
        self.current, self.finished = first, 0
        self._http, self._body, self._again = http, body, again
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        if self._again:
            self._thread.start()

    def stop(self) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join(timeout=60)

    def _loop(self) -> None:
        while not self._done.wait(0.5):
            run = self._http.get(self.current).json()
            if run["status"] in ("queued", "running") or run["explanation_status"] == "pending":
                continue
            self.finished += 1
            started = self._http.post("/runs", json=self._body)
            if started.status_code == 202:
                self.current = started.headers["Location"]


def layouts(args: argparse.Namespace) -> None:
    """The production layout beside the one-process layout (issue 10), on PostgreSQL."""
    problem = generate_county(args.clients, seed=args.seed)
    rows = []
    for layout in ("production", "single"):
        url, drop = _pg_database(args.pg)
        try:
            app = create_app(Settings(database_url=url, county=problem.name, embedded_worker="off"))
            with app.state.session_factory() as session:
                load_problem(session, problem)
                token = issue_token(session, Role.COORDINATOR, "bench")
                session.commit()
            app.state.db_engine.dispose()
            processes = _start_layout(layout, url, problem.name, args.port)
            base = f"http://127.0.0.1:{args.port}"
            headers = {"Authorization": f"Bearer {token}"}
            body = {
                "planning_date": problem.planning_date.isoformat(),
                "options": {"time_limit_s": 10},
            }
            try:
                with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
                    _, first = run_through_api(http, body)
                    if first["status"] != "succeeded":
                        raise SystemExit(f"run failed: {first['error']}")
                    total = http.get(f"/runs/{first['id']}/proposals?page_size=1").json()["total"]
                    # The worker makes the first run's explanations before it takes the next
                    # job: the readers start once they are there, as coordinators would.
                    while (
                        http.get(f"/runs/{first['id']}").json()["explanation_status"] == "pending"
                    ):
                        time.sleep(0.5)
                    second = http.post(
                        "/runs", json={**body, "options": {"time_limit_s": 3 * args.max_seconds}}
                    )
                    second.raise_for_status()
                    time.sleep(1.0)
                    solving = http.get(second.headers["Location"]).json()["status"]
                    load_before = os.getloadavg()
                    database = make_url(url).database or ""
                    cpu_before = [_cpu_seconds(p.pid) for p in processes]
                    pg_before = _pg_backend_cpu_seconds(database)
                    solver = _KeepSolving(http, body, second.headers["Location"], args.keep_solving)
                    solver.start()
                    load = _proposal_readers(base, headers, first["id"], max(1, total // 50), args)
                    cpu_after = [_cpu_seconds(p.pid) for p in processes]
                    pg_after = _pg_backend_cpu_seconds(database)
                    load_after = os.getloadavg()
                    solver.stop()
                    still = http.get(solver.current).json()["status"]
                    http.post(f"{solver.current}/cancel")
            finally:
                _stop(processes)
        finally:
            drop()
        used = [after - before for before, after in zip(cpu_before, cpu_after, strict=True)]
        pages = max(1, load["requests"])
        pg_used = pg_after - pg_before if pg_before is not None and pg_after is not None else None
        rows.append(
            {
                "layout": layout,
                "requests": load["requests"],
                "errors": load["errors"],
                "p95_ms": load["p95_ms"],
                "median_ms": load["median_ms"],
                "per_s": round(load["requests"] / args.max_seconds, 1),
                "cpu_web_s": round(used[0], 1),
                "cpu_solver_s": round(used[1], 1) if len(used) > 1 else "(in web)",
                "cpu_pg_s": round(pg_used, 1) if pg_used is not None else "(not local)",
                "cpu_loadgen_s": load["cpu_s"],
                "web_ms_per_page": round(1000 * used[0] / pages, 2),
                "pg_ms_per_page": round(1000 * pg_used / pages, 2) if pg_used is not None else "-",
                "run_during_load": f"{solving} → {still}",
                "runs_finished": solver.finished,
                "load_1min": f"{load_before[0]:.1f} → {load_after[0]:.1f}",
            }
        )
    print(
        f"{args.readers} readers listing proposals (pages of 50) for {args.max_seconds:g} s "
        f"while {'runs solve back to back' if args.keep_solving else 'a run solves'}; "
        f"think time {args.think_ms:g} ms; {args.clients} clients; "
        f"PostgreSQL; CPU seconds used in the window by the web processes, the solver "
        f"worker (with its engine processes), the database's PostgreSQL backends and the "
        f"load generator, and the web's and the backends' CPU milliseconds per page"
    )
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row[k]) for k in keys))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    """Run the three measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--max-requests", type=int, default=3000)
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument(
        "--think-ms", type=float, default=0, help="pause of each reader between requests"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument(
        "--layout",
        action="store_true",
        help="measure the production layout beside the one-process layout (PostgreSQL)",
    )
    parser.add_argument(
        "--keep-solving",
        action="store_true",
        help="with --layout: start the next run as soon as one is final, for the whole window",
    )
    parser.add_argument(
        "--pg",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server for --layout (a database is created and dropped)",
    )
    args = parser.parse_args()
    if args.layout:
        layouts(args)
        return

    problem = generate_county(args.clients, seed=args.seed)
    tmp = tempfile.mkdtemp(prefix="paikka-bench-")
    url = args.db or f"sqlite:///{tmp}/bench.db"
    app = create_app(Settings(database_url=url, county=problem.name))
    with app.state.session_factory() as session:
        load_problem(session, problem)
        token = issue_token(session, Role.COORDINATOR, "bench")
        session.commit()
    app.state.db_engine.dispose()
    server = serve(url, problem.name, args.port)
    base = f"http://127.0.0.1:{args.port}"
    headers = {"Authorization": f"Bearer {token}"}
    options = problem.options.model_dump(
        mode="json",
        include={
            "weights",
            "waiting_priority",
            "allow_moving_ongoing",
            "time_limit_s",
            "seed",
            "method",
        },
    )
    body = {"planning_date": problem.planning_date.isoformat(), "options": options}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
            # Last week's run, short: it also warms the service's fork server as in production.
            warm = {**body, "options": {**options, "time_limit_s": 1}}
            run_through_api(http, warm)
            api_s, run = run_through_api(http, body)
            if run["status"] != "succeeded":
                raise SystemExit(f"run failed: {run['error']}")
            listing: list[float] = []
            for _ in range(30):
                t = time.perf_counter()
                page = http.get(f"/runs/{run['id']}/proposals?page_size=1000")
                listing.append(time.perf_counter() - t)
            listed = len(page.json()["items"])

            stop = threading.Event()
            result: dict[str, Any] = {}

            def second_run() -> None:
                try:
                    result["seconds"], result["run"] = run_through_api(http, body)
                finally:
                    stop.set()

            runner = threading.Thread(target=second_run)
            runner.start()
            time.sleep(0.2)
            clients = [c.id for c in problem.clients]
            load = readers(base, headers, run["id"], clients, args, stop)
            runner.join()
    finally:
        server.terminate()
        server.wait(30)

    # The engine's own time on exactly the input the service built (same input hash).
    with app.state.session_factory() as session:
        same, hint = build_problem(
            session, session.get_one(RunRow, run["id"]), county_regime(app.state.settings)
        )
    t0 = time.perf_counter()
    direct = allocate(same, hint=hint or None)
    direct_s = time.perf_counter() - t0

    numbers = {
        "clients": args.clients,
        "engine_s": round(direct_s, 3),
        "api_run_s": round(api_s, 3),
        "ratio": round(api_s / direct_s, 3),
        "same_input_hash": run["input_hash"] == direct.input_hash,
        "list_proposals": listed,
        "list_p95_ms": round(p95(listing), 1),
        "list_median_ms": round(1000 * statistics.median(listing), 1),
        "readers": args.readers,
        "reader_requests": len(load),
        "reader_p95_ms": round(p95(load), 1) if load else None,
        "think_ms": args.think_ms,
        "run_during_load_s": round(result.get("seconds", float("nan")), 3),
    }
    rows = [
        (
            "weekly run via API / engine",
            f"{api_s:.2f} s / {direct_s:.2f} s",
            f"ratio {numbers['ratio']:.2f} (target ≤ 1.5)",
        ),
        (
            f"list {listed} proposals",
            f"p95 {numbers['list_p95_ms']} ms",
            f"median {numbers['list_median_ms']} ms (target p95 < 100)",
        ),
        (
            f"{args.readers} readers during a run",
            f"p95 {numbers['reader_p95_ms']} ms",
            f"{len(load)} requests (target p95 < 200)",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)} | value | note")
    for name, value, note in rows:
        print(f"{name.ljust(width)} | {value} | {note}")
    print(f"same input hash as the direct call: {numbers['same_input_hash']}")
    print(f"engine timings inside the API run: {run['timings']}")
    print(
        f"run created/started/finished: {run['created_at']} {run['started_at']} "
        f"{run['finished_at']}; direct engine timings: {direct.timings.model_dump()}"
    )
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
