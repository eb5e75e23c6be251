"""Execution of weekly runs as background jobs.

Each run gets a supervisor thread in the service process. The supervisor builds the
``AllocationProblem`` from the database, then (with ``run_executor="process"``, the default)
starts the engine in a child process and waits for its answer, watching for a cancel request
and for the wall-clock timeout; either terminates the child. The child only computes: it never
touches the database, so killing it cannot corrupt or lose stored data, and the run row keeps
its state (``cancelled``, ``timed_out`` or ``failed`` with the error).

Child processes come from a ``forkserver`` that has already imported the engine, so starting
one costs milliseconds instead of a fresh interpreter's imports. The fork server, the child and
its watch (``start_child``, ``receive``) and the supervisor threads (``Supervision``) serve the
planners' scenario jobs too (``service.scenario_jobs``).

Explanations (``matching.explain``) are made by the same child after it has sent the result:
the run is already ``succeeded`` and its proposals open for decisions while they are made, so
they never slow the run down; ``explanation_status`` goes ``pending`` → ``ready`` (or
``failed``, in which case the proposals stand without them).

With ``run_executor="thread"`` the engine runs in the supervisor thread itself. A thread
cannot be stopped in Python, so cancel and timeout there only take effect when the solve
returns: the result is then discarded and the run marked ``cancelled``/``timed_out``.
The engine's own ``time_limit_s`` still bounds every solve.

Limitation: the jobs live in the process that accepted them. Run the service as one worker
process (the default of ``python -m service``); a restarted service marks runs it finds still
active as ``failed`` (``recover_orphans``).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from models import AllocationProblem, AllocationResult
from service.config import Settings
from service.crud import runs as run_store
from service.db.tables import RunRow, ScenarioJobRow
from service.schemas.runs import RunStatus

log = logging.getLogger(__name__)

POLL_S = 0.05
DB_POLL_S = 0.5

Allocate = Callable[..., AllocationResult]
Check = Callable[[AllocationProblem, AllocationResult], list[Any]]


Explain = Callable[[AllocationProblem, AllocationResult], dict[str, Any]]


@dataclass(frozen=True)
class Engine:
    """The engine functions a run calls; tests inject fakes. In process mode they must be
    importable module-level functions (they are sent to the child by reference).
    ``explain`` (optional) maps client id → explanation JSON."""

    allocate: Allocate
    check: Check
    version: str
    explain: Explain | None = None


def explain_clients(problem: AllocationProblem, result: AllocationResult) -> dict[str, Any]:
    """Per-client explanations of a result (``matching.explain``): breakdown, the three best
    alternatives and the reasons, with texts for the coordinator in Finnish and English
    message codes. Exact objective changes are skipped to keep this cheap."""
    from matching.explain import explain_run

    explained = explain_run(problem, result, k=3, lang="fi", changes=False)
    return {item.client: item.model_dump(mode="json") for item in explained.clients}


def matching_engine() -> Engine:
    """The real engine, ``matching.allocate`` and ``matching.check_allocation``."""
    import matching

    return Engine(
        allocate=matching.allocate,
        check=matching.check_allocation,
        version=matching.__version__,
        explain=explain_clients,
    )


def _lazy_matching_engine() -> Engine | None:
    try:
        return matching_engine()
    except (ImportError, AttributeError):
        return None


def solve(engine: Engine, problem: AllocationProblem, hint: dict[str, str]) -> tuple[str, str]:
    """Allocate and check; the result as JSON and the violations joined by newlines."""
    result = engine.allocate(problem, hint=hint or None)
    violations = [str(v) for v in engine.check(problem, result)]
    return result.model_dump_json(), "\n".join(violations)


def _child(engine: Engine, problem_json: str, hint: dict[str, str], conn: Connection) -> None:
    """Entry point of the child process: solve, send ("ok", result, violations) or an error;
    then, if the check passed, send ("explained", json) or ("unexplained", error)."""
    try:
        problem = AllocationProblem.model_validate_json(problem_json)
        result_json, violations = solve(engine, problem, hint)
        conn.send(("ok", result_json, violations))
    except BaseException:
        conn.send(("error", traceback.format_exc(limit=20), ""))
        conn.close()
        return
    if engine.explain is not None and not violations:
        try:
            # Explanations are background work: let requests and the next solve go first.
            os.nice(10)
            result = AllocationResult.model_validate_json(result_json)
            conn.send(("explained", json.dumps(engine.explain(problem, result)), ""))
        except BaseException:
            conn.send(("unexplained", traceback.format_exc(limit=5), ""))
    conn.close()


class Stopped(Exception):
    """The job was cancelled or timed out; ``status`` says which."""

    def __init__(self, status: RunStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


PRELOAD = ["matching", "models", "service.jobs", "service.scenario_jobs"]
_context: Any = None
_context_lock = threading.Lock()


def forkserver_context() -> Any:
    """The ``forkserver`` context every kind of job starts its children from; the server
    (one per service process) has already imported the engine."""
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
    return _context


@dataclass
class Child:
    """A running engine process and the pipe its answers come through. ``group``: the child
    leads its own process group (it may start workers), which stopping it ends as a whole."""

    process: Any
    receiver: Connection
    group: bool = False

    def stop(self) -> None:
        """Terminate the child (and its group) unless it has ended; close the pipe."""
        process = self.process
        if process.is_alive():
            self._signal(signal.SIGTERM)
            process.join(5)
            if process.is_alive():
                self._signal(signal.SIGKILL)
        process.join(1)
        self.receiver.close()

    def _signal(self, sig: signal.Signals) -> None:
        if self.group and self.process.pid is not None:
            try:
                os.killpg(self.process.pid, sig)
                return
            except (ProcessLookupError, PermissionError):
                pass  # not (yet) a group leader: signal the child alone
        if self.process.is_alive():
            os.kill(self.process.pid, sig)


def start_child(
    target: Callable[..., None], args: tuple[Any, ...], name: str, *, group: bool = False
) -> Child:
    """Start ``target(*args, sender)`` in a child of the fork server. A ``group`` child must
    call ``os.setpgid(0, 0)`` first; it is not a daemon, so that it may start processes."""
    context = forkserver_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(*args, sender), name=name, daemon=not group)
    process.start()
    sender.close()
    return Child(process, receiver, group)


@dataclass(frozen=True)
class Watch:
    """What ends the wait for a child: a cancel (the event, or the flag in the database,
    read every ``DB_POLL_S``) or the wall-clock ``deadline`` of a ``limit_s`` limit."""

    cancel: threading.Event
    flagged: Callable[[], bool]
    deadline: float
    limit_s: float


def receive(child: Child, watch: Watch) -> tuple[str, Any, Any]:
    """The child's next message ``(kind, payload, extra)``; raises ``Stopped`` on cancel or
    timeout and ``RuntimeError`` if the child dies without an answer."""
    process, receiver = child.process, child.receiver
    next_db_poll = time.monotonic() + DB_POLL_S
    while True:
        if receiver.poll(POLL_S):
            try:
                kind, payload, extra = receiver.recv()
            except EOFError:
                raise RuntimeError(
                    f"the engine process ended without an answer (exit code {process.exitcode})"
                ) from None
            return str(kind), payload, extra
        now = time.monotonic()
        if watch.cancel.is_set() or (now >= next_db_poll and watch.flagged()):
            raise Stopped(RunStatus.CANCELLED, "cancelled while running")
        if now >= next_db_poll:
            next_db_poll = now + DB_POLL_S
        if now > watch.deadline:
            raise Stopped(
                RunStatus.TIMED_OUT, f"stopped after the wall-clock limit of {watch.limit_s:g} s"
            )
        if not process.is_alive() and not receiver.poll(0):
            raise RuntimeError(f"the engine process died (exit code {process.exitcode})")


JobRow = RunRow | ScenarioJobRow
"""A table row of a job with a ``cancel_requested`` flag."""


class Supervision:
    """Supervisor threads of one kind of job, by id, each with its cancel event."""

    def __init__(self, sessions: sessionmaker[Session], row_type: type[JobRow]) -> None:
        self.sessions = sessions
        self._row_type = row_type
        self._cancel: dict[int, threading.Event] = {}
        self._threads: dict[int, threading.Thread] = {}
        self._lock = threading.Lock()

    def _cancelled(self, job_id: int, cancel: threading.Event) -> bool:
        """Has this process or the database (another request) asked the job to stop?"""
        if cancel.is_set():
            return True
        with self.sessions() as session:
            row = session.get(self._row_type, job_id)
            return isinstance(row, RunRow | ScenarioJobRow) and bool(row.cancel_requested)

    def _launch(self, job_id: int, name: str, target: Callable[[threading.Event], None]) -> None:
        """Start ``target(cancel_event)`` in a supervisor thread of the job."""
        event = threading.Event()

        def supervise() -> None:
            try:
                target(event)
            finally:
                with self._lock:
                    self._cancel.pop(job_id, None)
                    self._threads.pop(job_id, None)

        thread = threading.Thread(target=supervise, name=name, daemon=True)
        with self._lock:
            self._cancel[job_id] = event
            self._threads[job_id] = thread
        thread.start()

    def is_tracking(self, job_id: int) -> bool:
        """Does a supervisor of this process watch the job?"""
        with self._lock:
            thread = self._threads.get(job_id)
        return thread is not None and thread.is_alive()

    def cancel(self, job_id: int) -> None:
        """Wake the job's supervisor so it stops the job (the flag is in the database too)."""
        with self._lock:
            event = self._cancel.get(job_id)
        if event is not None:
            event.set()

    def wait(self, job_id: int, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the job's supervisor to finish."""
        with self._lock:
            thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)

    def active(self) -> list[threading.Thread]:
        """The supervisor threads still registered."""
        with self._lock:
            return list(self._threads.values())

    def shutdown(self) -> None:
        """Cancel every active job (used when the service stops)."""
        with self._lock:
            events = list(self._cancel.values())
            threads = list(self._threads.values())
        for event in events:
            event.set()
        for thread in threads:
            thread.join(10)


class JobManager(Supervision):
    """Starts, watches and cancels the runs of one service process."""

    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], engine: Engine | None
    ) -> None:
        super().__init__(sessions, RunRow)
        self.settings = settings
        self._engine = engine

    @property
    def engine(self) -> Engine | None:
        """The engine, resolved when first needed (``matching.allocate`` may come later)."""
        engine = self._engine or _lazy_matching_engine()
        if engine is not None and not self.settings.explain_runs:
            engine = replace(engine, explain=None)
        return engine

    def warm_up(self) -> None:
        """Start the fork server in the background, so the first run does not wait for the
        engine's imports (a few seconds)."""
        if self.settings.run_executor != "process":
            return
        forkserver_context()
        from multiprocessing import forkserver

        threading.Thread(target=forkserver.ensure_running, name="forkserver", daemon=True).start()

    def start(self, run_id: int) -> None:
        """Start the supervisor thread of a queued run."""
        self._launch(run_id, f"run-{run_id}", lambda event: self._supervise(run_id, event))

    def _supervise(self, run_id: int, cancel: threading.Event) -> None:
        try:
            self._execute(run_id, cancel)
        except Stopped as stop:
            self._finish(run_id, stop.status, str(stop))
        except Exception:
            log.exception("run %s failed", run_id)
            self._finish(run_id, RunStatus.FAILED, traceback.format_exc(limit=20))

    def _finish(self, run_id: int, status: RunStatus, error: str | None) -> None:
        with self.sessions() as session:
            run_store.finish(session, run_id, status, error)

    def _execute(self, run_id: int, cancel: threading.Event) -> None:
        deadline = time.monotonic() + self.settings.run_timeout_s
        engine = self.engine
        if engine is None:
            raise RuntimeError("the engine is not available (matching.allocate is missing)")
        with self.sessions() as session:
            run = run_store.get(session, run_id)
            if run.cancel_requested or cancel.is_set():
                raise Stopped(RunStatus.CANCELLED, "cancelled before it started")
            problem, hint = run_store.build_problem(
                session, run, run_store.county_regime(self.settings)
            )
            run_store.mark_running(session, run_id, engine.version)
        if self.settings.run_executor == "process":
            child = self._start_child(engine, problem, hint, run_id)
            try:
                result_json, violations = self._await(child, "ok", run_id, cancel, deadline)
                result = AllocationResult.model_validate_json(result_json)
                ok = self._store_result(run_id, result, violations, engine)
                if ok and engine.explain is not None:
                    self._collect_explanations(child, run_id, cancel)
            finally:
                self._stop_child(child)
            return
        result_json, violations = solve(engine, problem, hint)
        if self._cancelled(run_id, cancel):
            raise Stopped(RunStatus.CANCELLED, "cancelled; the finished result was discarded")
        if time.monotonic() > deadline:
            raise Stopped(RunStatus.TIMED_OUT, "timed out; the late result was discarded")
        result = AllocationResult.model_validate_json(result_json)
        ok = self._store_result(run_id, result, violations, engine)
        if ok and engine.explain is not None:
            try:
                explained: dict[str, Any] | None = engine.explain(problem, result)
            except Exception:
                log.exception("explaining run %s failed", run_id)
                explained = None
            self._store_explanations(run_id, explained)

    def _store_result(
        self, run_id: int, result: AllocationResult, violations: str, engine: Engine
    ) -> bool:
        """Store a run's result (False when the checker's violations failed the run)."""
        with self.sessions() as session:
            return run_store.store_result(
                session,
                run_id,
                result,
                violations.splitlines(),
                explain=engine.explain is not None,
            )

    def _collect_explanations(self, child: Child, run_id: int, cancel: threading.Event) -> None:
        """Wait for the child's explanations (the run is already final; a cancel or the
        service stopping ends the wait, and the run's proposals stand without them)."""
        deadline = time.monotonic() + self.settings.run_timeout_s
        try:
            payload, _ = self._await(child, "explained", run_id, cancel, deadline)
        except (Stopped, RuntimeError) as exc:
            log.warning("no explanations for run %s: %s", run_id, exc)
            self._store_explanations(run_id, None)
            return
        self._store_explanations(run_id, json.loads(payload))

    def _store_explanations(self, run_id: int, explained: dict[str, Any] | None) -> None:
        """Store explanations; a failure here must not turn a succeeded run into a failed one."""
        try:
            with self.sessions() as session:
                run_store.store_explanations(session, run_id, explained)
        except Exception:
            log.exception("storing the explanations of run %s failed", run_id)

    def _start_child(
        self, engine: Engine, problem: AllocationProblem, hint: dict[str, str], run_id: int
    ) -> Child:
        return start_child(
            _child, (engine, problem.model_dump_json(), hint), f"paikka-run-{run_id}"
        )

    def _await(
        self, child: Child, expected: str, run_id: int, cancel: threading.Event, deadline: float
    ) -> tuple[str, str]:
        """The child's next message, watching for cancel, timeout and a dead child."""
        watch = Watch(
            cancel, lambda: self._cancelled(run_id, cancel), deadline, self.settings.run_timeout_s
        )
        kind, payload, violations = receive(child, watch)
        if kind != expected:
            raise RuntimeError(f"the engine process failed:\n{payload}")
        return str(payload), str(violations)

    @staticmethod
    def _stop_child(child: Child) -> None:
        child.stop()
