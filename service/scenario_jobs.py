"""Execution of scenario jobs, the planners' batches of what-if scenarios.

A job has the life cycle of every queued job (``service.crud.jobs``, ``service.jobs.Lease``):
a solver worker claims it, reads the checked, pseudonymised work stored with it, and starts
the engine (``matching.scenario.run_batch`` and ``write_outputs``) in a child of the fork
server, watching the lease's cancel event and the job's wall-clock limit
(``scenario_timeout_s``); either terminates the child. The child computes, writes the output
files to a temporary directory and sends their bytes back: it never touches the database. The
worker stores the files in one transaction with the job's final state.

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
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

import matching
from matching.scenario import ScenarioError, ScenarioMetrics, run_batch, write_outputs
from matching.scenario.compare import comparison_document
from service.config import Settings
from service.crud import scenarios as store
from service.crud.scenario_base import ScenarioWork
from service.db.tables import ScenarioJobRow
from service.jobs import JobFailed, Lease, shown_error
from service.schemas.scenarios import JobStatus
from service.supervise import Stopped, Watch, receive, start_child

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

    return ScenarioEngine(batch=run_batch, write=write_outputs, version=matching.__version__)


class ScenarioFailed(Exception):
    """A scenario could not be applied or run: the message names it in English (``error``
    for programs and the log); ``code`` and ``params`` (``failure_of``) word it for the
    planner from the catalogue."""

    def __init__(self, message: str, failure: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = (failure or {}).get("code")
        self.params = (failure or {}).get("params")


def failure_of(error: ScenarioError) -> dict[str, Any]:
    """The catalogue code of a scenario error and its values, as JSON (stored with the job):
    ``params`` and, for a refused value, pydantic's ``error`` entry."""
    values = {"params": error.params, "error": error.error}
    return {"code": error.code, "params": json.loads(json.dumps(values, default=str))}


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
        conn.send(("scenario", str(error), failure_of(error)))
    except BaseException:
        conn.send(("error", traceback.format_exc(limit=20), ""))
    conn.close()


class ScenarioJob:
    """One claimed scenario job: run its batch in a child and store the outputs."""

    def __init__(self, settings: Settings, engine: ScenarioEngine | None, lease: Lease) -> None:
        self.settings = settings
        self.engine = engine or scenario_engine()
        self.lease = lease
        self.job_id = lease.job_id

    def execute(self) -> None:
        """Run the job to a final state; never raises."""
        try:
            self._execute()
        except Stopped as stop:
            self.lease.finish(stop.status, str(stop))
        except ScenarioFailed as failed:
            self.lease.finish(
                JobStatus.FAILED.value,
                str(failed),
                error_code=failed.code,
                error_params=failed.params,
            )
        except JobFailed as failed:
            self.lease.finish(JobStatus.FAILED.value, str(failed))
        except Exception:
            self.lease.finish(
                JobStatus.FAILED.value,
                shown_error(f"scenario job {self.job_id} failed", traceback.format_exc()),
            )

    def _work(self, session: Session) -> ScenarioWork:
        row = session.get(ScenarioJobRow, self.job_id)
        if row is None or row.work is None:
            raise JobFailed("the job's scenarios were not stored with it; start it again")
        return ScenarioWork.from_json(row.work, self.settings.dask_scheduler.strip() or None)

    def _execute(self) -> None:
        limit = self.settings.scenario_timeout_s
        deadline = time.monotonic() + limit
        lease = self.lease
        work = lease.persist("reading the work", self._work)
        if self.settings.run_executor == "process":
            watch = Watch(lease.cancel, lease.reason, deadline, limit)
            outputs = self._in_child(work, watch)
        else:
            try:
                outputs = compute(self.engine, work)
            except ScenarioError as error:
                raise ScenarioFailed(str(error), failure_of(error)) from error
            lease.beat()
            if lease.cancel.is_set():
                raise lease.reason()
            if time.monotonic() > deadline:
                raise Stopped(JobStatus.TIMED_OUT, "timed out; the late outputs were discarded")

        def act(session: Session) -> bool:
            return store.store_outputs(
                session, self.job_id, outputs["summary"], outputs["files"], owner=lease.owner
            )

        lease.persist("storing the outputs", act)

    def _in_child(self, work: ScenarioWork, watch: Watch) -> dict[str, Any]:
        group = work.workers > 1 and work.scheduler is None
        child = start_child(
            _child, (self.engine, work, group), f"paikka-scenarios-{self.job_id}", group=group
        )
        try:
            kind, payload, failure = receive(child, watch)
        except RuntimeError as exc:
            raise JobFailed(str(exc)) from None
        finally:
            child.stop()
        if kind == "scenario":
            raise ScenarioFailed(str(payload), failure if isinstance(failure, dict) else None)
        if kind != "ok":
            raise JobFailed(
                shown_error(f"the scenario engine failed in job {self.job_id}", payload)
            )
        outputs: dict[str, Any] = payload
        return outputs
