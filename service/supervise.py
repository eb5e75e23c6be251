"""Supervision of engine child processes, apart from any job's life cycle.

Engine work (a weekly run's solve and explanations, a scenario batch) runs in a child process
that only computes: it never touches the database, so killing it cannot corrupt or lose stored
data. Children come from a ``forkserver`` that has already imported the engine, so starting
one costs milliseconds instead of a fresh interpreter's imports.

``receive`` waits for a child's next message while watching a cancel event (set by the job's
heartbeat when the database says cancel, or when the lease is lost) and a wall-clock deadline;
``Child.stop`` ends the child and, for a group leader, every process it started.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

POLL_S = 0.05

PRELOAD = ["matching", "models", "service.jobs", "service.scenario_jobs"]
_context: Any = None
_context_lock = threading.Lock()


class Stopped(Exception):
    """The job was cancelled, timed out or lost its lease; ``status`` is the final state
    to record (``cancelled``, ``timed_out``, ``failed``)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = str(status)


def forkserver_context() -> Any:
    """The ``forkserver`` context every kind of job starts its children from; the server
    (one per worker process) has already imported the engine."""
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
    return _context


def warm_up() -> None:
    """Start the fork server in the background, so the first job does not wait for the
    engine's imports (a few seconds)."""
    forkserver_context()
    from multiprocessing import forkserver

    threading.Thread(target=forkserver.ensure_running, name="forkserver", daemon=True).start()


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
    call ``os.setpgid(0, 0)`` first; it is not a daemon, so that it may start processes.

    Every child also watches its parent: when the worker dies (kill -9 included) the child
    ends too (``watch_parent``), so no engine process is left orphaned."""
    context = forkserver_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_guarded, args=(target, os.getpid(), *args, sender), name=name, daemon=not group
    )
    process.start()
    sender.close()
    return Child(process, receiver, group)


def _guarded(target: Callable[..., None], parent: int, *args: Any) -> None:
    watch_parent(parent)
    target(*args)


def watch_parent(parent: int, every_s: float = 0.5) -> None:
    """End this process (and its group, if it leads one) once ``parent`` is gone.

    A fork-server child's parent is the fork server, not the worker, so ``PR_SET_PDEATHSIG``
    would not serve; a thread polls whether the worker still exists instead."""

    def watch() -> None:
        while True:
            time.sleep(every_s)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                try:
                    if os.getpgid(0) == os.getpid():
                        os.killpg(0, signal.SIGKILL)
                except OSError:
                    pass
                os._exit(70)
            except PermissionError:
                continue

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@dataclass(frozen=True)
class Watch:
    """What ends the wait for a child: the ``cancel`` event (set by the job's heartbeat on a
    cancel request or a lost lease, with ``reason`` saying which) or the wall-clock
    ``deadline`` of a ``limit_s`` limit."""

    cancel: threading.Event
    reason: Callable[[], Stopped]
    deadline: float
    limit_s: float


def receive(child: Child, watch: Watch) -> tuple[str, Any, Any]:
    """The child's next message ``(kind, payload, extra)``; raises ``Stopped`` on cancel or
    timeout and ``RuntimeError`` if the child dies without an answer."""
    process, receiver = child.process, child.receiver
    while True:
        if receiver.poll(POLL_S):
            try:
                kind, payload, extra = receiver.recv()
            except EOFError:
                raise RuntimeError(
                    f"the engine process ended without an answer (exit code {process.exitcode})"
                ) from None
            return str(kind), payload, extra
        if watch.cancel.is_set():
            raise watch.reason()
        if time.monotonic() > watch.deadline:
            raise Stopped("timed_out", f"stopped after the wall-clock limit of {watch.limit_s:g} s")
        if not process.is_alive() and not receiver.poll(0):
            raise RuntimeError(f"the engine process died (exit code {process.exitcode})")
