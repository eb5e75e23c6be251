"""Solver workers: ``python -m service.worker`` executes the queued runs and scenario jobs.

Production runs any number of web processes (``uvicorn --workers N``) beside one or more of
these worker processes, all on one PostgreSQL database: web processes only queue jobs and
read; workers claim queued jobs with a conditional update, hold a lease renewed by heartbeats,
and run the engine in child processes. Each worker process has one loop per kind of job (the
weekly run, scenario jobs), each executing one job at a time.

Every loop also recovers jobs whose lease has expired (their worker was killed or lost the
database): queued again while attempts are left, else failed with the reason.

A web process can embed the same loops (``PAIKKA_EMBEDDED_WORKER``): ``all`` (the default,
for the demo and a one-command SQLite installation) takes every queued job, ``own`` only the
jobs that process queued (tests), ``off`` none (production: separate workers).

    python -m service.worker [--kinds run,scenario] [--migrate]
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from matching.version import __version__
from service.config import Settings
from service.crud import jobs as lifecycle
from service.db.session import make_engine, make_session_factory, upgrade
from service.jobs import Lease, RunJob, Solver, matching_solver
from service.scenario_jobs import ScenarioEngine, ScenarioJob
from service.supervise import warm_up
from service.telemetry import JOB, configure_logging
from service.tracing import install_worker, job_span

log = logging.getLogger(__name__)

KINDS = tuple(lifecycle.KINDS)


def owner_name() -> str:
    """A unique name of this worker process, readable in the database (host:pid:random)."""
    return f"{socket.gethostname()[:100]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _solver_or_none() -> Solver | None:
    try:
        return matching_solver()
    except (ImportError, AttributeError):
        return None


class Loop:
    """Claims and executes jobs of one kind, one at a time, in its own thread."""

    def __init__(
        self,
        kind: str,
        settings: Settings,
        sessions: sessionmaker[Session],
        owner: str,
        *,
        poll: bool,
        solver: Solver | None = None,
        scenario_engine: ScenarioEngine | None = None,
    ) -> None:
        self.kind = kind
        self.table = lifecycle.KINDS[kind]
        self.settings = settings
        self.sessions = sessions
        self.owner = owner
        self.poll = poll
        self.solver = solver
        self.scenario_engine = scenario_engine
        self._own: deque[int] = deque()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._busy = threading.Event()
        self._lease: Lease | None = None
        self._lock = threading.Lock()
        self._next_recovery = 0.0
        self.thread = threading.Thread(target=self._run, name=f"worker-{kind}", daemon=True)

    def submit(self, job_id: int) -> None:
        """A job this process queued: take it now (an ``own`` loop takes only these)."""
        with self._lock:
            self._own.append(job_id)
        self._wake.set()

    def idle(self) -> bool:
        """Nothing executing and nothing handed over waiting."""
        with self._lock:
            return not self._own and not self._busy.is_set()

    def start(self) -> None:
        """Start the loop's thread (again, after a ``stop``)."""
        if self.thread.ident is not None:  # started before: a thread runs only once
            self.thread = threading.Thread(
                target=self._run, name=f"worker-{self.kind}", daemon=True
            )
        self._stopping.clear()
        self.thread.start()

    def stop(self, timeout: float = 15) -> None:
        """Stop taking jobs; hand the current one back to the queue (its child is stopped)."""
        self._stopping.set()
        self._wake.set()
        lease = self._lease
        if lease is not None:
            lease.hand_back()
        if self.thread.is_alive():
            self.thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                worked = self.step()
            except SQLAlchemyError as exc:
                log.warning("worker %s: database unavailable: %s", self.kind, exc)
                worked = False
            except Exception:
                log.exception("worker %s: unexpected error", self.kind)
                worked = False
            if not worked:
                self._wake.wait(self.settings.worker_poll_s)
                self._wake.clear()

    def _candidate(self, session: Session) -> int | None:
        with self._lock:
            if self._own:
                return self._own.popleft()
        if self.poll:
            return lifecycle.next_queued(session, self.table)
        return None

    def recover(self) -> None:
        """Recover the jobs of this kind whose lease has expired."""
        with self.sessions() as session:
            found = lifecycle.recover_expired(
                session,
                self.table,
                self.settings.max_attempts,
                # a loop taking only its own jobs recovers only its own (tests share a database)
                owner=None if self.poll else self.owner,
            )
        if found:
            log.warning(
                "recovered %s job(s) with an expired lease: %s", self.kind, [r.id for r in found]
            )
        for job in found:
            if job.queued and job.owner == self.owner and not self.poll:
                self.submit(job.id)  # a loop that takes only its own jobs takes it again

    def step(self) -> bool:
        """Recover expired leases (now and then), claim one job and execute it; True if a
        job was executed."""
        now = time.monotonic()
        if now >= self._next_recovery:
            self._next_recovery = now + self.settings.lease_s / 2
            self.recover()
        self._busy.set()
        try:
            with self.sessions() as session:
                job_id = self._candidate(session)
                if job_id is None:
                    return False
                version = self._version()
                if not lifecycle.claim(
                    session, self.table, job_id, self.owner, self.settings.lease_s, version
                ):
                    return True  # taken by another worker or cancelled: look again at once
            lease = Lease(self.sessions, self.table, job_id, self.owner, self.settings.lease_s)
            self._lease = lease
            token = JOB.set(f"{self.kind}:{job_id}")  # every log line of the job names it
            try:
                log.info("%s %s claimed", self.kind, job_id)
                with lease, job_span(self.kind, job_id):
                    self._execute(lease)
            finally:
                log.info("%s %s done", self.kind, job_id)
                JOB.reset(token)
                self._lease = None
            return True
        finally:
            self._busy.clear()

    def _version(self) -> str:
        if self.kind == "run":
            return self.solver.version if self.solver is not None else "unavailable"
        return self.scenario_engine.version if self.scenario_engine is not None else _version()

    def _execute(self, lease: Lease) -> None:
        if self.kind == "run":
            RunJob(self.settings, self.solver, lease).execute()
        else:
            ScenarioJob(self.settings, self.scenario_engine, lease).execute()


def _version() -> str:
    return __version__


def lower_priority(increment: int) -> int:
    """Add ``increment`` to this process's CPU niceness and return the niceness now.

    A solver worker uses every CPU cycle it gets for as long as a run may take; people
    reading pages in the web processes on the same machine should not wait behind it. The
    engine's child processes are forked from this one (the fork server is started after
    this), so they inherit the lower priority. Where the platform has no niceness, nothing
    changes (0)."""
    if not hasattr(os, "nice"):
        return 0
    try:
        return os.nice(increment)
    except OSError:
        return os.nice(0)


class Workers:
    """The loops of one process, one per kind of job."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        poll: bool,
        solver: Solver | None = None,
        scenario_engine: ScenarioEngine | None = None,
        kinds: Sequence[str] = KINDS,
    ) -> None:
        self.owner = owner_name()
        if solver is None:
            solver = _solver_or_none()
        if solver is not None and not settings.explain_runs:
            solver = Solver(solver.allocate, solver.check, solver.version, None)
        self.loops = {
            kind: Loop(
                kind,
                settings,
                sessions,
                self.owner,
                poll=poll,
                solver=solver,
                scenario_engine=scenario_engine,
            )
            for kind in kinds
        }
        self.settings = settings
        self._users = 0
        self._users_lock = threading.Lock()

    def submit(self, kind: str, job_id: int) -> None:
        """Hand a job this process queued to its loop."""
        loop = self.loops.get(kind)
        if loop is not None:
            loop.submit(job_id)

    def start(self) -> None:
        """Start the loops (and the fork server the engine's children come from). Counted:
        an app whose lifespan is entered twice (a test tool nesting it) starts them once,
        and only the last ``stop`` stops them."""
        with self._users_lock:
            self._users += 1
            if self._users > 1:
                return
        if self.settings.run_executor == "process":
            warm_up()
        for loop in self.loops.values():
            loop.start()

    def stop(self) -> None:
        """Stop the loops; a job in progress goes back to the queue."""
        with self._users_lock:
            self._users -= 1
            if self._users > 0:
                return
        for loop in self.loops.values():
            loop._stopping.set()
        for loop in self.loops.values():
            loop.stop()

    def idle(self) -> bool:
        """No loop executes a job or has one handed over waiting."""
        return all(loop.idle() for loop in self.loops.values())


def main(argv: Sequence[str] | None = None) -> int:
    """Run a solver worker until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m service.worker", description=__doc__)
    parser.add_argument(
        "--kinds", default=",".join(KINDS), help="kinds of job to take (run,scenario)"
    )
    parser.add_argument(
        "--migrate", action="store_true", help="upgrade the schema first (under a lock)"
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=None,
        help="CPU niceness to add (default: PAIKKA_WORKER_NICE, 10; 0 keeps the priority)",
    )
    parser.add_argument(
        "--solver",
        default="",
        help="MODULE:FUNCTION returning a service.jobs.Solver instead of the real engine "
        "(stand-in engines of tests)",
    )
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown kinds: {', '.join(unknown)}")
    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    install_worker()
    niceness = lower_priority(settings.worker_nice if args.nice is None else args.nice)
    if args.migrate:
        upgrade(settings.owner_url, service_url=settings.database_url)
    engine = make_engine(settings.database_url)
    solver = None
    if args.solver:
        import importlib

        module, _, name = args.solver.partition(":")
        solver = getattr(importlib.import_module(module), name)()
    workers = Workers(settings, make_session_factory(engine), poll=True, kinds=kinds, solver=solver)
    done = threading.Event()

    def on_signal(_sig: int, _frame: object) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    workers.start()
    log.info(
        "solver worker %s takes %s jobs (niceness %d)", workers.owner, ", ".join(kinds), niceness
    )
    done.wait()
    log.info("solver worker %s stopping", workers.owner)
    workers.stop()
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
