"""Faults survived: concurrent decisions, an unreachable database (503 with Retry-After,
never 500), a run whose database goes away while it stores its outcome (it ends failed with
a reason or resumes; never stuck), and the append-only audit log."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from service import audit
from service.app import create_app
from service.auth import Principal, Role
from service.db.tables import AssignmentRow, AuditRow, ProposalRow
from service.jobs import Solver
from tests.service.svc_helpers import PLANNING, Seed, sessions_of, settings_for


def test_concurrent_decisions_on_one_proposal_exactly_one_wins(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    """An accept and overrides sent at once: one 200, the others 409; the stored decision
    and the assignment are those of the winner."""
    h = seed.h("coordinator")
    bodies: list[dict[str, Any]] = [
        {"decision": "accept", "reason_code": "good_fit"},
        {"decision": "override", "reason_code": "client_wish", "placement": "P2"},
        {"decision": "override", "reason_code": "travel", "placement": "P3"},
        {"decision": "accept", "reason_code": "client_agreed"},
    ]
    barrier = threading.Barrier(len(bodies))
    answers: list[tuple[int, dict[str, Any]]] = []

    def decide(body: dict[str, Any]) -> None:
        barrier.wait()
        response = client.post(f"/proposals/{seed.proposal_id}/decision", json=body, headers=h)
        answers.append((response.status_code, body))

    threads = [threading.Thread(target=decide, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(code for code, _ in answers)
    assert codes == [200, 409, 409, 409], answers
    (winner,) = [body for code, body in answers if code == 200]
    with sessions_of(app)() as session:
        proposal = session.get(ProposalRow, seed.proposal_id)
        assert proposal is not None and proposal.reason_code == winner["reason_code"]
        made = session.scalars(
            select(AssignmentRow).where(AssignmentRow.proposal_id == seed.proposal_id)
        ).all()
        assert len(made) == 1
        assert made[0].placement_id == winner.get("placement", "P1")


def test_audit_log_refuses_update_and_delete_in_the_database(app: FastAPI, seed: Seed) -> None:
    """Even the service's own database user cannot rewrite or remove audit rows."""
    with sessions_of(app)() as session:
        who = Principal(0, "a", Role.COORDINATOR, None)
        audit.record(session, who, audit.Action.READ, "x", "p")
        session.commit()
        with pytest.raises(Exception, match="append-only"):
            session.execute(update(AuditRow).values(actor="someone else"))
        session.rollback()
        with pytest.raises(Exception, match="append-only"):
            session.execute(text("DELETE FROM audit_log"))
        session.rollback()
        assert session.scalar(select(AuditRow.actor).where(AuditRow.resource == "x")) == "a"


class Outage:
    """Makes every new database connection of an app fail, and invalidates the pooled
    ones, as a database restart or a network cut does."""

    def __init__(self, app: FastAPI) -> None:
        self.engine = app.state.db_engine
        self.down = False
        from sqlalchemy import event

        def refuse(*_args: Any, **_kwargs: Any) -> None:
            if self.down:
                raise OperationalError("connect", {}, Exception("connection refused (test)"))

        event.listen(self.engine, "do_connect", refuse)
        self._refuse = refuse

    def __enter__(self) -> Outage:
        self.down = True
        self.engine.dispose()  # a new pool: connections in use are dropped when returned
        return self

    def __exit__(self, *_exc: object) -> None:
        self.down = False
        from sqlalchemy import event

        event.remove(self.engine, "do_connect", self._refuse)


def test_requests_during_an_outage_get_503_with_retry_after(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    h = seed.h("coordinator")
    with Outage(app):
        for method, url, body in [
            ("GET", "/runs", None),
            ("GET", f"/runs/{seed.run_id}/proposals", None),
            (
                "POST",
                f"/proposals/{seed.proposal_id}/decision",
                {"decision": "accept", "reason_code": "good_fit"},
            ),
            ("POST", "/runs", {"options": {"time_limit_s": 1}}),
        ]:
            response = client.request(method, url, json=body, headers=h)
            assert response.status_code == 503, (url, response.status_code, response.text)
            assert int(response.headers["Retry-After"]) > 0
            assert "Traceback" not in response.text and "SELECT" not in response.text
    # back: the decision goes through, nothing was half-written
    response = client.post(
        f"/proposals/{seed.proposal_id}/decision",
        json={"decision": "accept", "reason_code": "good_fit"},
        headers=h,
    )
    assert response.status_code == 200


class Logged(logging.Handler):
    """Notes when the job worker logs a message containing ``needle``: an outage lasts until
    the worker has met it at the step a test is about, instead of a fixed number of seconds
    that is too short under load or needlessly long on a quiet machine."""

    def __init__(self, needle: str) -> None:
        super().__init__(logging.DEBUG)
        self.needle = needle
        self.seen = threading.Event()
        self.logger = logging.getLogger("service.jobs")

    def emit(self, record: logging.LogRecord) -> None:
        if self.needle in record.getMessage():
            self.seen.set()

    def __enter__(self) -> Logged:
        self.logger.addHandler(self)
        self.level_before = self.logger.level
        self.logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level_before)

    def wait(self, timeout: float = 60) -> None:
        assert self.seen.wait(timeout), f"the worker never logged {self.needle!r}"


def _solver(allocate: str, explain: str | None = None) -> Solver:
    from tests.service import fake_engine as fakes

    return Solver(
        allocate=getattr(fakes, allocate),
        check=fakes.check_ok,
        version="fake-1",
        explain=getattr(fakes, explain) if explain else None,
    )


def _wait_status(
    client: TestClient, url: str, h: dict[str, str], done: Any, timeout: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = client.get(url, headers=h).json()
        if done(body):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


RUN = {"planning_date": PLANNING.isoformat(), "options": {"time_limit_s": 5}}


def _solving(body: dict[str, Any]) -> bool:
    """The run's problem is built (its screened records are stored, ``[]`` if none): the
    engine has the problem, and an outage from now on meets the solve, not the build."""
    return body["status"] == "running" and body["set_aside"] is not None


def test_a_short_outage_while_a_run_solves_and_stores_it_resumes(
    database_url: str, seed: Seed
) -> None:
    """The database is away from before the result is stored until storing it has failed:
    the worker retries within its lease and the run succeeds with its proposals."""
    app = create_app(settings_for(database_url, lease_s=30), solver=_solver("pause"))
    h = seed.h("coordinator")
    with TestClient(app) as client:
        run = client.post("/runs", json=RUN, headers=h).json()
        url = f"/runs/{run['id']}"
        _wait_status(client, url, h, _solving)
        with Logged("storing the result of") as logged, Outage(app):
            logged.wait()
        body = _wait_status(client, url, h, lambda b: b["status"] not in ("queued", "running"))
        assert body["status"] == "succeeded", body["error"]
        page = client.get(f"{url}/proposals", headers=h).json()
        # C2 keeps the seat of the period from before Paikka: not proposed again
        assert page["total"] == body["stats"]["placed"] - 1 > 0


def test_a_long_outage_while_a_run_solves_ends_it_failed_with_the_reason(
    database_url: str, seed: Seed
) -> None:
    """The database is away for longer than the lease: the worker stops the engine, and
    once the database is back the run is failed with the reason (no attempts left), the
    county's lock released: never left running."""
    settings = settings_for(database_url, lease_s=2, max_attempts=1, worker_poll_s=0.2)
    app = create_app(settings, solver=_solver("pause"))
    h = seed.h("coordinator")
    with TestClient(app) as client:
        run = client.post("/runs", json=RUN, headers=h).json()
        url = f"/runs/{run['id']}"
        _wait_status(client, url, h, _solving)
        with Logged("could not finish") as logged, Outage(app):
            logged.wait()  # the lease ran out and the worker could not record an ending
        body = _wait_status(client, url, h, lambda b: b["status"] not in ("queued", "running"))
        assert body["status"] == "failed"
        assert "lease" in body["error"] or "database" in body["error"]
        assert "Traceback" not in body["error"]
        again = client.post("/runs", json=RUN, headers=h)
        assert again.status_code == 202
        client.post(f"/runs/{again.json()['id']}/cancel", headers=h)


def test_an_outage_while_explaining_keeps_the_run_and_fails_only_the_explanations(
    database_url: str, seed: Seed
) -> None:
    settings = settings_for(database_url, lease_s=2, worker_poll_s=0.2)
    app = create_app(settings, solver=_solver("first_fit", "slow_explain"))
    h = seed.h("coordinator")
    with TestClient(app) as client:
        run = client.post("/runs", json=RUN, headers=h).json()
        url = f"/runs/{run['id']}"
        _wait_status(client, url, h, lambda b: b["status"] == "succeeded")
        with Logged("storing the explanations of run") as logged, Outage(app):
            logged.wait()  # the explanations (or their absence) could not be stored
        body = _wait_status(client, url, h, lambda b: b["explanation_status"] != "pending")
        assert body["status"] == "succeeded"
        assert body["explanation_status"] == "failed"
        page = client.get(f"{url}/proposals", headers=h).json()
        assert page["total"] > 0 and all(p["status"] == "proposed" for p in page["items"])
