"""Job execution shared by weekly runs and scenario jobs, and the weekly run's own job.

A solver worker (``service.worker``) claims a queued job (``service.crud.jobs.claim``) and
executes it while a :class:`Lease` renews its lease in the background. The lease's heartbeat
also reads the cancel flag: a cancel sent to any web process reaches the worker through the
database, and the worker stops the engine's child process (``service.supervise``). If the
heartbeats stop (the worker was killed, the database is unreachable for longer than the
lease), another process recovers the job once its lease has expired: it is queued again while
attempts are left, else failed with that reason.

The weekly run: the worker builds the ``AllocationProblem`` from the database, the engine
solves it in a child process that never touches the database, and the worker stores the
result in one transaction that is conditional on still holding the lease. Explanations
(``matching.explain``) are made by the same child after it has sent the result: the run is
already ``succeeded`` and its proposals open for decisions while they are made;
``explanation_status`` goes ``pending`` → ``ready`` (or ``failed``: the proposals stand
without them).

With ``run_executor="thread"`` the engine runs in the worker thread itself. A thread cannot be
stopped in Python, so cancel and timeout there only take effect when the solve returns: the
result is then discarded. The engine's own ``time_limit_s`` still bounds every solve.

Errors: what a user sees (``run.error``) is a plain sentence with an error id; the traceback
and any SQL go to the log under that id only.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import matching
from matching.explain import explain_run
from models import AllocationProblem, AllocationResult
from service.config import Settings
from service.crud import jobs as lifecycle
from service.crud import runs as run_store
from service.crud.regimes import regime_on
from service.supervise import Child, Stopped, Watch, receive, start_child

log = logging.getLogger(__name__)

Allocate = Callable[..., AllocationResult]
Check = Callable[[AllocationProblem, AllocationResult], list[Any]]
Explain = Callable[[AllocationProblem, AllocationResult], dict[str, Any]]
T = TypeVar("T")


@dataclass(frozen=True)
class Solver:
    """The engine functions a weekly run calls; tests inject fakes. In process mode they must
    be importable module-level functions (they are sent to the child by reference).
    ``explain`` (optional) maps client id → explanation JSON."""

    allocate: Allocate
    check: Check
    version: str
    explain: Explain | None = None


UNPLACED_CHANGES_MIN_S = 5.0
"""Seconds at least for finding the unplaced clients' smallest changes (each verified by a
re-solve); otherwise as long as the run's own solve took, so explaining at most doubles it."""


def explain_clients(problem: AllocationProblem, result: AllocationResult) -> dict[str, Any]:
    """Per-client explanations of a result (``matching.explain``): breakdown, the three best
    alternatives and the reasons, with texts for the coordinator in Finnish and English
    message codes. Exact objective changes are skipped for the proposals to keep this cheap;
    for the unplaced clients the smallest change that would place them is searched and
    verified within a bounded time (``UNPLACED_CHANGES_MIN_S`` or the solve's time), so the
    board can show it (``matching.explain.unplaced_summary``)."""

    explained = explain_run(problem, result, k=3, lang="fi", changes=False)
    out = {item.client: item.model_dump(mode="json") for item in explained.clients}
    if result.unassigned:
        budget = max(UNPLACED_CHANGES_MIN_S, result.timings.total_s)
        unplaced = explain_run(
            problem, result, k=3, lang="fi", clients=list(result.unassigned), budget_s=budget
        )
        out.update({item.client: item.model_dump(mode="json") for item in unplaced.clients})
    return out


def matching_solver() -> Solver:
    """The real engine, ``matching.allocate`` and ``matching.check_allocation``."""

    return Solver(
        allocate=matching.allocate,
        check=matching.check_allocation,
        version=matching.__version__,
        explain=explain_clients,
    )


def solve(solver: Solver, problem: AllocationProblem, hint: dict[str, str]) -> tuple[str, str]:
    """Allocate and check; the result as JSON and the violations joined by newlines."""
    result = solver.allocate(problem, hint=hint or None)
    violations = [str(v) for v in solver.check(problem, result)]
    return result.model_dump_json(), "\n".join(violations)


def _child(solver: Solver, problem_json: str, hint: dict[str, str], conn: Connection) -> None:
    """Entry point of the child process: solve, send ("ok", result, violations) or an error;
    then, if the check passed, send ("explained", json) or ("unexplained", error)."""
    try:
        problem = AllocationProblem.model_validate_json(problem_json)
        result_json, violations = solve(solver, problem, hint)
        conn.send(("ok", result_json, violations))
    except BaseException:
        conn.send(("error", traceback.format_exc(limit=20), ""))
        conn.close()
        return
    if solver.explain is not None and not violations:
        try:
            # Explanations are background work: let requests and the next solve go first.
            os.nice(10)
            result = AllocationResult.model_validate_json(result_json)
            conn.send(("explained", json.dumps(solver.explain(problem, result)), ""))
        except BaseException:
            conn.send(("unexplained", traceback.format_exc(limit=5), ""))
    conn.close()


class JobFailed(Exception):
    """The job failed; the message is what the user sees (details are in the log)."""


def error_id() -> str:
    """A short id that ties what a user sees to the log entry with the details."""
    return uuid.uuid4().hex[:12]


def shown_error(what: str, detail: str) -> str:
    """Log ``detail`` (a traceback, SQL) under a new error id; the sentence a user sees."""
    ident = error_id()
    log.error("%s [error id %s]:\n%s", what, ident, detail, extra={"error_id": ident})
    return f"{what} (error id {ident}); the operator finds the details in the service log"


CANCEL_POLL_S = 0.5
"""How often (seconds) a worker reads its job's cancel flag between heartbeats: a cancel
stops the engine within about this time plus the engine's own stop."""


class Lease:
    """A worker's hold on one claimed job: a heartbeat thread renews the lease every third
    of ``lease_s`` and reads the cancel flag every ``CANCEL_POLL_S``. ``cancel`` is set on a
    cancel request, when the lease was lost (another process recovered the job), or when no
    heartbeat got through for the whole lease (the database is unreachable: another worker
    may take over)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        table: lifecycle.JobTable,
        job_id: int,
        owner: str,
        lease_s: float,
    ) -> None:
        self.sessions = sessions
        self.table = table
        self.job_id = job_id
        self.owner = owner
        self.lease_s = lease_s
        self.cancel = threading.Event()
        self.stopped: Stopped | None = None
        self._done = threading.Event()
        self._valid_until = time.monotonic() + lease_s
        self._thread = threading.Thread(
            target=self._beat, name=f"lease-{table.__tablename__}-{job_id}", daemon=True
        )

    def __enter__(self) -> Lease:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join(5)

    def reason(self) -> Stopped:
        """Why the job must stop (for ``supervise.receive``)."""
        return self.stopped or Stopped("cancelled", "cancelled while running")

    def hand_back(self) -> None:
        """The worker is shutting down: stop the engine and queue the job again."""
        self._stop(Stopped(lifecycle.QUEUED, "the worker stopped; the job was queued again"))

    def _stop(self, stop: Stopped) -> None:
        if self.stopped is None:
            self.stopped = stop
        self.cancel.set()

    def beat(self) -> None:
        """One heartbeat (also called by the executing thread at its checkpoints)."""
        try:
            with self.sessions() as session:
                beat = lifecycle.heartbeat(
                    session, self.table, self.job_id, self.owner, self.lease_s
                )
        except SQLAlchemyError as exc:
            log.warning("heartbeat of %s %s failed: %s", self.table.__tablename__, self.job_id, exc)
            if time.monotonic() > self._valid_until:
                self._stop(Stopped("failed", "the database was unreachable for the whole lease"))
            return
        self._valid_until = time.monotonic() + self.lease_s
        if not beat.held:
            self._stop(Stopped("failed", "the lease was lost to another worker"))
        elif beat.cancel:
            self._stop(Stopped("cancelled", "cancelled while running"))

    def watch_cancel(self) -> None:
        """Read the cancel flag alone (one small query; a failure waits for the next)."""
        try:
            with self.sessions() as session:
                flagged = lifecycle.cancel_requested(session, self.table, self.job_id)
        except SQLAlchemyError:
            return
        if flagged:
            self._stop(Stopped("cancelled", "cancelled while running"))

    def _beat(self) -> None:
        every = self.lease_s / 3
        next_beat = time.monotonic() + every
        while not self._done.wait(min(CANCEL_POLL_S, every)):
            if time.monotonic() >= next_beat:
                next_beat = time.monotonic() + every
                self.beat()
            elif not self.cancel.is_set():
                self.watch_cancel()

    def persist(self, what: str, action: Callable[[Session], T]) -> T:
        """``action`` in a session, retried while the database is unreachable and the lease
        still holds (a stored result must not be lost to a short outage)."""
        delay = 0.2
        while True:
            try:
                with self.sessions() as session:
                    return action(session)
            except SQLAlchemyError as exc:
                if time.monotonic() + delay > self._valid_until or self.stopped is not None:
                    raise
                log.warning("%s of %s failed, retrying: %s", what, self.job_id, exc)
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def finish(self, status: str, error: str | None, **values: Any) -> bool:
        """Put the job in a final state if this worker still holds it (retried over outages;
        if the database stays away, the lease expires and the job is recovered elsewhere);
        ``values``: more columns of the job's row to set with it."""

        def act(session: Session) -> bool:
            if status == lifecycle.QUEUED:  # the worker is stopping: hand the job back
                return lifecycle.requeue(session, self.table, self.job_id, self.owner)
            return lifecycle.finish(
                session, self.table, self.job_id, status, error, owner=self.owner, **values
            )

        try:
            return self.persist("finishing", act)
        except SQLAlchemyError:
            log.exception("could not finish %s %s", self.table.__tablename__, self.job_id)
            return False


class RunJob:
    """The weekly run of one claimed job: build the problem, solve it in a child, store."""

    def __init__(self, settings: Settings, solver: Solver | None, lease: Lease) -> None:
        self.settings = settings
        self.solver = solver
        self.lease = lease
        self.run_id = lease.job_id

    def execute(self) -> None:
        """Run the job to a final state; never raises."""
        try:
            self._execute()
        except Stopped as stop:
            self.lease.finish(stop.status, str(stop))
        except JobFailed as failed:
            self.lease.finish("failed", str(failed))
        except SQLAlchemyError as exc:
            # Storing failed for longer than the lease: the job is recovered elsewhere, or,
            # if the database is back, failed here with the reason.
            self.lease.finish(
                "failed", shown_error(f"run {self.run_id}: database error", repr(exc))
            )
        except Exception:
            self.lease.finish(
                "failed",
                shown_error(f"run {self.run_id} failed unexpectedly", traceback.format_exc()),
            )

    def _execute(self) -> None:
        settings, lease = self.settings, self.lease
        deadline = time.monotonic() + settings.run_timeout_s
        solver = self.solver
        if solver is None:
            raise JobFailed("the engine is not available (matching.allocate is missing)")

        def build(session: Session) -> tuple[AllocationProblem, dict[str, str]]:
            run = run_store.get(session, self.run_id)
            # the version of the regime in force on the planning date (service.crud.regimes)
            regime = regime_on(session, run.planning_date, run_store.county_regime(settings))
            built = run_store.build_problem(session, run, regime)
            session.commit()  # the records set aside are stored on the run for the coordinator
            return built

        problem, hint = lease.persist("building the problem", build)
        if settings.run_executor == "process":
            child = start_child(
                _child, (solver, problem.model_dump_json(), hint), f"paikka-run-{self.run_id}"
            )
            try:
                result_json, violations = self._await(child, "ok", deadline)
                result = AllocationResult.model_validate_json(result_json)
                if self._store(result, violations, solver) and solver.explain is not None:
                    self._collect_explanations(child)
            finally:
                child.stop()
            return
        result_json, violations = solve(solver, problem, hint)
        lease.beat()
        if lease.cancel.is_set():
            raise lease.reason()
        if time.monotonic() > deadline:
            raise Stopped("timed_out", "timed out; the late result was discarded")
        result = AllocationResult.model_validate_json(result_json)
        if self._store(result, violations, solver) and solver.explain is not None:
            try:
                explained: dict[str, Any] | None = solver.explain(problem, result)
            except Exception:
                shown_error(f"explaining run {self.run_id} failed", traceback.format_exc())
                explained = None
            self._store_explanations(explained)

    def _store(self, result: AllocationResult, violations: str, solver: Solver) -> bool:
        """Store the result if this worker still holds the run; True if it succeeded."""

        def act(session: Session) -> bool:
            return run_store.store_result(
                session,
                self.run_id,
                result,
                violations.splitlines(),
                explain=solver.explain is not None,
                owner=self.lease.owner,
            )

        return self.lease.persist("storing the result", act)

    def _collect_explanations(self, child: Child) -> None:
        """Wait for the child's explanations (the run is already final; a cancel ends the
        wait, and the run's proposals stand without them)."""
        deadline = time.monotonic() + self.settings.run_timeout_s
        try:
            payload, _ = self._await(child, "explained", deadline)
        except (Stopped, JobFailed) as exc:
            log.warning("no explanations for run %s: %s", self.run_id, exc)
            self._store_explanations(None)
            return
        self._store_explanations(json.loads(payload))

    def _store_explanations(self, explained: dict[str, Any] | None) -> None:
        """Store explanations; a failure here leaves the succeeded run as it is (its
        ``explanation_status`` becomes ``failed`` once the lease expires)."""

        def act(session: Session) -> None:
            run_store.store_explanations(session, self.run_id, explained, owner=self.lease.owner)

        try:
            self.lease.persist("storing the explanations", act)
        except SQLAlchemyError:
            log.exception("storing the explanations of run %s failed", self.run_id)

    def _await(self, child: Child, expected: str, deadline: float) -> tuple[str, str]:
        """The child's next message, watching for cancel, timeout and a dead child."""
        watch = Watch(self.lease.cancel, self.lease.reason, deadline, self.settings.run_timeout_s)
        try:
            kind, payload, violations = receive(child, watch)
        except RuntimeError as exc:  # the child died: its exit code, nothing else
            raise JobFailed(str(exc)) from None
        if kind != expected:
            raise JobFailed(shown_error(f"the engine failed in run {self.run_id}", str(payload)))
        return str(payload), str(violations)
