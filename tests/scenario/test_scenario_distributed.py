"""Scenario batches on Dask give the same figures as in-process and on the process pool.

Two clusters on 127.0.0.1: a ``LocalCluster`` of two worker processes, and a cluster started
with Dask's own command-line tools as separate processes, reached by its address as a county
would configure it. Dask is in the ``dev`` extra, so these tests never skip.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from matching.cli import main
from matching.sample import generate_county
from matching.scenario import ScenarioError, ScenarioMetrics, parse_scenarios, run_batch
from matching.scenario.distributed import ClusterError, connect, local_cluster
from matching.scenario.run import RunSettings
from tests.scenario.test_scenario_run import SCENARIOS as RUN_SCENARIOS

# Dask and distributed load only in the tests that use them (imported there): every test
# here is slow, and the short loop's collection should not import them for nothing.
if TYPE_CHECKING:
    from distributed import Client

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
# Seat values without re-solves never depend on the clock, so any budget gives equal files.
SETTINGS = RunSettings(seat_values=3, time_limit_s=10.0)
SCENARIOS = [
    *RUN_SCENARIOS,
    {"name": "weeks", "seed": 3, "horizon": {"weeks": 4, "arrivals_per_week": 3}},
]
UNREACHABLE = ["--scheduler", "tcp://127.0.0.1:9"]
EXCLUSIVE = ["--scheduler", "tcp://127.0.0.1:8786", "--local-cluster", "2"]
BAD = {"name": "oops", "changes": [{"kind": "remove_placements", "select": {"ids": ["X"]}}]}


def _figures(batch: list[ScenarioMetrics]) -> list[dict[str, Any]]:
    return [m.model_dump(exclude={"seconds"}) for m in batch]


@pytest.fixture(scope="module")
def local_client() -> Iterator[Client]:
    """A two-process ``LocalCluster`` shared by this module's tests; closed even on failure."""
    with local_cluster(2) as client:
        client.wait_for_workers(2, timeout=60)
        yield client


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End a process group this module started: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A cluster of separate processes started with ``dask scheduler`` and ``dask worker``.

    The scheduler picks a free loopback port (``--port 0``) and writes its address to a
    scheduler file, so no port is guessed. Each tool runs in its own session so teardown can
    end it and the worker processes it spawned.
    """
    folder = tmp_path_factory.mktemp("dask-cluster")
    file = folder / "scheduler.json"
    processes: list[subprocess.Popen[bytes]] = []

    def start(module: str, *args: str) -> None:
        log = (folder / f"{module.rsplit('.', 1)[-1]}.log").open("wb")
        command = [sys.executable, "-m", module, *args]
        processes.append(
            subprocess.Popen(
                command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )

    try:
        start(
            "distributed.cli.dask_scheduler",
            *("--host", "127.0.0.1", "--port", "0", "--no-dashboard"),
            *("--scheduler-file", str(file)),
        )
        deadline = time.monotonic() + 60
        address = ""
        while not address:
            if time.monotonic() > deadline or processes[0].poll() is not None:
                log = (folder / "dask_scheduler.log").read_text(errors="replace")
                pytest.fail(f"dask scheduler did not start:\n{log[-3000:]}")
            try:
                address = json.loads(file.read_text(encoding="utf-8"))["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.2)
        start(
            "distributed.cli.dask_worker",
            *("--scheduler-file", str(file), "--host", "127.0.0.1", "--no-dashboard"),
            *("--nworkers", "2", "--nthreads", "1"),
        )
        from distributed import Client

        with Client(address) as client:
            client.wait_for_workers(2, timeout=90)
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)


def test_local_cluster_matches_in_process_and_pool(local_client: Client) -> None:
    base = generate_county(70, seed=11)
    scenarios = parse_scenarios(SCENARIOS)
    one = run_batch(base, scenarios, workers=1, settings=SETTINGS)
    pool = run_batch(base, scenarios, workers=2, settings=SETTINGS)
    on_dask = run_batch(base, scenarios, settings=SETTINGS, client=local_client)
    assert [m.scenario for m in on_dask] == ["base", "kitchens", "demand", "three-days", "weeks"]
    assert all(m.status == "optimal" for m in one)
    assert _figures(on_dask) == _figures(one) == _figures(pool)
    assert on_dask[4].weeks, "the horizon scenario ran its weeks on the worker"
    # The shared client stays open and usable after the batch.
    assert local_client.status == "running"


def test_rerun_on_cluster_is_reproducible(local_client: Client) -> None:
    base = generate_county(50, seed=5)
    scenarios = parse_scenarios(SCENARIOS[1:3])
    first = run_batch(base, scenarios, settings=SETTINGS, client=local_client)
    again = run_batch(base, list(reversed(scenarios)), settings=SETTINGS, client=local_client)
    assert _figures(first) == list(reversed(_figures(again)))


def test_scheduler_and_client_exclude_each_other(local_client: Client) -> None:
    base = generate_county(10, seed=1)
    with pytest.raises(ValueError, match="either"):
        run_batch(base, parse_scenarios([]), scheduler="tcp://127.0.0.1:9", client=local_client)


def test_configured_scheduler_address(scheduler_address: str) -> None:
    base = generate_county(60, seed=3)
    scenarios = parse_scenarios(SCENARIOS)
    one = run_batch(base, scenarios, workers=1, settings=SETTINGS)
    remote = run_batch(base, scenarios, settings=SETTINGS, scheduler=scheduler_address)
    assert [m.scenario for m in remote] == [m.scenario for m in one]
    assert _figures(remote) == _figures(one)
    from distributed import Client

    with Client(scheduler_address) as observer:
        # run_batch closed the client it opened, so the workers drop the base and results.
        deadline = time.monotonic() + 10
        while any(observer.has_what().values()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(observer.has_what().values())


def test_scenario_error_names_the_scenario(local_client: Client) -> None:
    base = generate_county(20, seed=1)
    bad = parse_scenarios([SCENARIOS[2], BAD])
    with pytest.raises(ScenarioError, match=r"scenario 'oops': changes\[0\]\.select\.ids"):
        run_batch(base, bad, settings=SETTINGS, client=local_client)
    with pytest.raises(ScenarioError) as pool_error:
        run_batch(base, bad, workers=2, settings=SETTINGS)
    with pytest.raises(ScenarioError) as dask_error:
        run_batch(base, bad, settings=SETTINGS, client=local_client)
    assert str(dask_error.value) == str(pool_error.value)


def test_unreachable_scheduler_is_a_cluster_error() -> None:
    import dask

    with (
        dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
        pytest.raises(
            ClusterError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
        ),
    ):
        connect("tcp://127.0.0.1:9")


def test_missing_dask_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    base = generate_county(10, seed=1)
    with pytest.raises(ClusterError, match=r"pip install 'paikka\[distributed\]'"):
        run_batch(base, parse_scenarios([]), scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ClusterError, match="paikka"), local_cluster(1):
        pass


def _comparison(path: Path) -> Any:
    """``comparison.json`` without the wall-clock fields, which vary from run to run."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if k != "seconds" and value.get("metric") != "seconds"
            }
        if isinstance(value, list):
            return [
                strip(v)
                for v in value
                if not (isinstance(v, dict) and v.get("metric") == "seconds")
            ]
        return value

    return strip(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("engine", ["--local-cluster", "--scheduler"])
def test_cli_on_dask_writes_the_same_comparison(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    value = "2" if engine == "--local-cluster" else request.getfixturevalue("scheduler_address")
    base = tmp_path / "base.json"
    base.write_text(generate_county(50, seed=2).model_dump_json(), encoding="utf-8")
    changes = tmp_path / "changes.json"
    changes.write_text(json.dumps(SCENARIOS), encoding="utf-8")
    common = [str(base), str(changes), "--time-limit", "10", "--seat-values", "3"]
    assert main(["scenario", *common, "-o", str(tmp_path / "one"), "--workers", "1"]) == 0
    assert main(["scenario", *common, "-o", str(tmp_path / "dask"), engine, value]) == 0
    one = _comparison(tmp_path / "one" / "comparison.json")
    on_dask = _comparison(tmp_path / "dask" / "comparison.json")
    assert [s["scenario"] for s in on_dask["scenarios"]][:2] == ["base", "kitchens"]
    assert on_dask == one


def test_cli_unreachable_scheduler_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "base.json"
    base.write_text(generate_county(10, seed=2).model_dump_json(), encoding="utf-8")
    changes = tmp_path / "changes.json"
    changes.write_text("[]", encoding="utf-8")
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["scenario", str(base), str(changes), "-o", str(tmp_path), *UNREACHABLE])
    assert code == 2
    assert "error: cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err


def test_cli_scheduler_and_local_cluster_exclude_each_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["scenario", "b.json", "c.yaml", "-o", str(tmp_path), *EXCLUSIVE])
    assert exit_info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
