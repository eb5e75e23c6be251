"""Execution of scenario jobs, the planners' batches of what-if scenarios.

A job is run like the weekly run (``service.jobs``): a supervisor thread in the service process
starts the engine (``matching.scenario.run_batch`` and ``write_outputs``) in a child of the
same fork server and waits for its answer, watching for a cancel request and for the job's
wall-clock limit (``scenario_timeout_s``); either terminates the child. The child gets the
already checked, pseudonymised base, computes, writes the output files to a temporary
directory and sends their bytes back: it never touches the database. The supervisor stores
the files in the database in one transaction with the job's final state.

With ``scenario_workers`` > 1 the child solves the scenarios on a process pool; it then leads
its own process group so that cancel and timeout stop the pool's workers with it. With
``dask_scheduler`` the batch runs on that Dask cluster; stopping the child drops its client,
and the cluster abandons the job's remaining tasks.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from matching.scenario import ScenarioError, ScenarioMetrics
from service.config import Settings
from service.crud import scenarios as store
from service.db.tables import ScenarioJobRow
from service.jobs import Stopped, Supervision, Watch, receive, start_child
from service.scenario_base import ScenarioWork
from service.schemas.scenarios import JobStatus

log = logging.getLogger(__name__)

Batch = Callable[..., list[ScenarioMetrics]]
Write = Callable[[list[ScenarioMetrics], Path], list[Path]]


@dataclass(frozen=True)
class ScenarioEngine:
    """The engine functions a job calls; tests inject fakes (module-level functions, sent to
    the child by reference)."""

    batch: Batch
    write: Write
    version: str


def scenario_engine() -> ScenarioEngine:
    """The real engine: ``matching.scenario.run_batch`` and ``write_outputs``."""
    import matching
    from matching.scenario import run_batch, write_outputs

    return ScenarioEngine(batch=run_batch, write=write_outputs, version=matching.__version__)


class ScenarioFailed(Exception):
    """A scenario could not be applied or run; the message names it (shown to the planner)."""


def summary_of(metrics: list[ScenarioMetrics]) -> list[dict[str, Any]]:
    """The headline figures of each scenario."""
    return [
        {
            "scenario": m.scenario,
            "status": m.status,
            "clients": m.clients,
            "placed": m.placed,
            "placement_rate": m.placement_rate,
            "top3_share": m.top3_share,
            "seconds": m.seconds,
        }
        for m in metrics
    ]


def compute(engine: ScenarioEngine, work: ScenarioWork) -> dict[str, Any]:
    """Run the batch and write its outputs: ``{"summary": [...], "files": [(name, bytes)]}``."""
    extra = {"scheduler": work.scheduler} if work.scheduler else {}
    metrics = engine.batch(
        work.base, list(work.scenarios), workers=work.workers, settings=work.settings, **extra
    )
    with tempfile.TemporaryDirectory(prefix="paikka-scenarios-") as tmp:
        paths = engine.write(metrics, Path(tmp))
        files = [(path.name, path.read_bytes()) for path in paths if path.is_file()]
    if store.COMPARISON not in {name for name, _ in files}:
        from matching.scenario.compare import comparison_document

        document = json.dumps(comparison_document(metrics), indent=2, ensure_ascii=False)
        files.insert(0, (store.COMPARISON, document.encode()))
    return {"summary": summary_of(metrics), "files": files}


def _child(engine: ScenarioEngine, work: ScenarioWork, group: bool, conn: Connection) -> None:
    """Entry point of the child process: send ("ok", outputs), ("scenario", message) when a
    scenario cannot be run, or ("error", traceback)."""
    if group:
        os.setpgid(0, 0)  # workers it starts join this group; stopping the job ends them all
    try:
        conn.send(("ok", compute(engine, work), ""))
    except ScenarioError as error:
        conn.send(("scenario", str(error), ""))
    except BaseException:
        conn.send(("error", traceback.format_exc(limit=20), ""))
    conn.close()


class ScenarioJobManager(Supervision):
    """Starts, watches and cancels the scenario jobs of one service process (one at a time:
    the database lock admits no second active job)."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        engine: ScenarioEngine | None = None,
    ) -> None:
        super().__init__(sessions, ScenarioJobRow)
        self.settings = settings
        self._engine = engine

    @property
    def engine(self) -> ScenarioEngine:
        """The engine, resolved when first needed."""
        return self._engine or scenario_engine()

    def start(self, job_id: int, work: ScenarioWork) -> None:
        """Start the supervisor thread of a queued job."""
        self._launch(
            job_id, f"scenario-job-{job_id}", lambda event: self._supervise(job_id, work, event)
        )

    def _supervise(self, job_id: int, work: ScenarioWork, cancel: threading.Event) -> None:
        try:
            self._execute(job_id, work, cancel)
        except Stopped as stop:
            self._finish(job_id, stop.status, str(stop))
        except ScenarioFailed as failed:
            self._finish(job_id, JobStatus.FAILED, str(failed))
        except Exception:
            log.exception("scenario job %s failed", job_id)
            self._finish(job_id, JobStatus.FAILED, traceback.format_exc(limit=20))

    def _finish(self, job_id: int, status: JobStatus, error: str | None) -> None:
        with self.sessions() as session:
            store.finish(session, job_id, status, error)

    def _execute(self, job_id: int, work: ScenarioWork, cancel: threading.Event) -> None:
        limit = self.settings.scenario_timeout_s
        deadline = time.monotonic() + limit
        engine = self.engine
        with self.sessions() as session:
            if cancel.is_set() or not store.mark_running(session, job_id, engine.version):
                raise Stopped(JobStatus.CANCELLED, "cancelled before it started")
        if self.settings.run_executor == "process":
            outputs = self._in_child(
                engine,
                work,
                job_id,
                Watch(cancel, lambda: self._cancelled(job_id, cancel), deadline, limit),
            )
        else:
            try:
                outputs = compute(engine, work)
            except ScenarioError as error:
                raise ScenarioFailed(str(error)) from error
            if self._cancelled(job_id, cancel):
                raise Stopped(JobStatus.CANCELLED, "cancelled; the finished outputs were discarded")
            if time.monotonic() > deadline:
                raise Stopped(JobStatus.TIMED_OUT, "timed out; the late outputs were discarded")
        with self.sessions() as session:
            store.store_outputs(session, job_id, outputs["summary"], outputs["files"])

    @staticmethod
    def _in_child(
        engine: ScenarioEngine, work: ScenarioWork, job_id: int, watch: Watch
    ) -> dict[str, Any]:
        group = work.workers > 1 and work.scheduler is None
        child = start_child(
            _child, (engine, work, group), f"paikka-scenarios-{job_id}", group=group
        )
        try:
            kind, payload, _ = receive(child, watch)
        finally:
            child.stop()
        if kind == "scenario":
            raise ScenarioFailed(str(payload))
        if kind != "ok":
            raise RuntimeError(f"the scenario engine failed:\n{payload}")
        outputs: dict[str, Any] = payload
        return outputs
