"""A cancel of a running run frees the county only once the engine has stopped.

The probe that found this: a cancel answered "cancelled before it started" in 0.01 s and
freed the county while the engine ran on for 4–6 s. Now only a queued run is cancelled at
once; a running one is stopped by its worker (which reads the flag every
``CANCEL_POLL_S``), and the answer says "still stopping" (202) when the engine has not
stopped within the wait."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.db.tables import RunRow
from tests.service.svc_helpers import Seed, fake_engine, poll, sessions_of, settings_for
from tests.service.test_api_runs import RUN


def children_of(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def engine_processes() -> set[int]:
    """The engine's child processes of this test process: children of its fork server."""
    return {grandchild for child in children_of(os.getpid()) for grandchild in children_of(child)}


def wait_running(client: TestClient, run_id: int, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 30
    while client.get(f"/runs/{run_id}", headers=headers).json()["status"] != "running":
        assert time.monotonic() < deadline, "the run did not start"
        time.sleep(0.05)


def test_a_cancel_stops_the_engine_before_it_frees_the_county(
    database_url: str, seed: Seed
) -> None:
    app = create_app(settings_for(database_url), solver=fake_engine("slow"))
    with TestClient(app) as client:
        h = seed.h("coordinator")
        run = client.post("/runs", json=RUN, headers=h).json()
        wait_running(client, run["id"], h)
        deadline = time.monotonic() + 60  # the fork server imports the engine first
        while not engine_processes():
            assert time.monotonic() < deadline, "no engine process started"
            time.sleep(0.05)
        started = time.monotonic()
        answer = client.post(f"/runs/{run['id']}/cancel", headers=h)
        took = time.monotonic() - started
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["status"] == "cancelled", body
        assert body["error"] == "cancelled while running"
        assert not engine_processes(), "the county was freed while the engine still ran"
        assert took < 5
        with sessions_of(app)() as session:
            row = session.get(RunRow, run["id"])
            assert row is not None and row.active_lock is None and row.lease_owner is None
        again = client.post("/runs", json=RUN, headers=h)
        assert again.status_code == 202, again.text
        client.post(f"/runs/{again.json()['id']}/cancel", headers=h)


@pytest.mark.slow  # waits out a 12 s solve that a thread cannot stop
def test_a_solve_that_cannot_be_stopped_keeps_the_county_and_says_so(
    database_url: str, seed: Seed
) -> None:
    app = create_app(
        settings_for(database_url, run_executor="thread"), solver=fake_engine("slow_12s")
    )
    with TestClient(app) as client:
        h = seed.h("coordinator")
        run = client.post("/runs", json=RUN, headers=h).json()
        wait_running(client, run["id"], h)
        answer = client.post(f"/runs/{run['id']}/cancel", headers=h)
        assert answer.status_code == 202, answer.text
        body = answer.json()
        assert body["status"] == "running" and body["cancel_requested"] is True
        busy = client.post("/runs", json=RUN, headers=h)
        assert busy.status_code == 409, busy.text
        final = poll(client, f"/runs/{run['id']}", h)
        assert final["status"] == "cancelled" and final["error"] == "cancelled while running"
