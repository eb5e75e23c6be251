"""The one life cycle of every queued job (weekly runs and scenario jobs).

A job is ``queued`` when created, ``running`` while a worker holds its lease, then final
(``succeeded``, ``failed``, ``cancelled``, ``timed_out``). Every change of state is one
conditional ``UPDATE … WHERE status IN (…)`` (and, for a worker, ``AND lease_owner = me``), so
two processes can never both move the same job: the one whose update touched no row lost.

Leases: a worker claims a job for ``lease_s`` seconds and renews the lease with heartbeats.
Only a job whose lease has expired is recovered (by any process): it goes back to the queue
while it has attempts left, else it fails with the reason. A live job of another worker is
never touched. Cancel goes through the database: a queued job is cancelled at once, a running
one gets ``cancel_requested`` and its worker (which reads the flag every
``service.jobs.CANCEL_POLL_S``) stops the engine, then finishes the job and frees the county.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.db.tables import RunRow, ScenarioJobRow, utcnow
from service.errors import Conflict

QUEUED = "queued"
RUNNING = "running"
ACTIVE = (QUEUED, RUNNING)
FINAL = frozenset({"succeeded", "failed", "cancelled", "timed_out"})

JobTable = type[RunRow] | type[ScenarioJobRow]
JobRow = RunRow | ScenarioJobRow
KINDS: dict[str, JobTable] = {"run": RunRow, "scenario": ScenarioJobRow}


@dataclass(frozen=True)
class Beat:
    """What a heartbeat learnt: does the worker still hold the lease, is a cancel asked?"""

    held: bool
    cancel: bool


def _rows(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def next_queued(session: Session, table: JobTable) -> int | None:
    """The oldest queued job's id, if any."""
    return session.scalar(
        select(table.id).where(table.status == QUEUED).order_by(table.id).limit(1)
    )


def claim(
    session: Session, table: JobTable, job_id: int, owner: str, lease_s: float, version: str
) -> bool:
    """queued → running for ``owner`` with a lease of ``lease_s`` seconds; False if another
    worker took it first or it was cancelled meanwhile."""
    now = utcnow()
    done = session.execute(
        update(table)
        .where(table.id == job_id, table.status == QUEUED, table.cancel_requested.is_(False))
        .values(
            status=RUNNING,
            lease_owner=owner,
            lease_until=now + timedelta(seconds=lease_s),
            heartbeat_at=now,
            attempts=table.attempts + 1,
            started_at=now,
            engine_version=version,
        )
    )
    session.commit()
    return _rows(done) == 1


def heartbeat(session: Session, table: JobTable, job_id: int, owner: str, lease_s: float) -> Beat:
    """Renew ``owner``'s lease (while the job is running or its run explained) and read the
    cancel flag. ``held`` is False once the lease was lost (expired and recovered elsewhere)."""
    now = utcnow()
    done = session.execute(
        update(table)
        .where(table.id == job_id, table.lease_owner == owner)
        .values(lease_until=now + timedelta(seconds=lease_s), heartbeat_at=now)
    )
    session.commit()
    cancel = session.scalar(select(table.cancel_requested).where(table.id == job_id))
    return Beat(held=_rows(done) == 1, cancel=bool(cancel))


def cancel_requested(session: Session, table: JobTable, job_id: int) -> bool:
    """Whether a cancel of the job was asked."""
    flagged = session.scalar(select(table.cancel_requested).where(table.id == job_id))
    session.commit()
    return bool(flagged)


def finish(
    session: Session,
    table: JobTable,
    job_id: int,
    status: str,
    error: str | None = None,
    *,
    owner: str | None = None,
    from_statuses: tuple[str, ...] = ACTIVE,
    **values: Any,
) -> bool:
    """Active → ``status`` (final), releasing the county's lock; with ``owner``, only if that
    worker still holds the lease; ``from_statuses`` narrows the states it may leave. False
    if the job was no longer this caller's to finish."""
    assert status in FINAL
    query = update(table).where(table.id == job_id, table.status.in_(from_statuses))
    if owner is not None:
        query = query.where(table.lease_owner == owner)
    done = session.execute(
        query.values(
            status=status,
            error=error[:2_000] if error else None,
            active_lock=None,
            finished_at=utcnow(),
            lease_owner=None,
            lease_until=None,
            **values,
        )
    )
    session.commit()
    return _rows(done) == 1


def release(session: Session, table: JobTable, job_id: int, owner: str) -> None:
    """The worker is done with a final job (its run's explanations stored): drop the lease."""
    session.execute(
        update(table)
        .where(table.id == job_id, table.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )
    session.commit()


def request_cancel(session: Session, table: JobTable, job: JobRow, what: str) -> None:
    """Cancel through the database: a queued job at once, a running one by its flag (its
    worker stops the engine). 409 if the job is already final."""
    if job.status in FINAL:
        raise Conflict(
            f"{what} {job.id} is already {job.status}",
            code="api.job_final.run" if what == "run" else "api.job_final.scenario",
            params={"id": str(job.id)},
        )
    session.execute(update(table).where(table.id == job.id).values(cancel_requested=True))
    session.commit()
    # Only a queued job is finished here. A running one keeps its status and its county's
    # lock until its worker has stopped the engine and finished it ("cancelled while
    # running"): the county is never free while an engine still runs for it. A worker
    # claiming the job meanwhile sees the flag (``claim`` refuses a flagged job).
    finish(
        session, table, job.id, "cancelled", "cancelled before it started", from_statuses=(QUEUED,)
    )


@dataclass(frozen=True)
class Recovered:
    """A job recovered from an expired lease: its id, the worker that held it, and whether
    it went back to the queue."""

    id: int
    owner: str
    queued: bool


def recover_expired(
    session: Session, table: JobTable, max_attempts: int, owner: str | None = None
) -> list[Recovered]:
    """Jobs whose worker stopped renewing the lease: back to the queue while attempts are
    left, else failed with the reason. A run whose explanations were being made keeps its
    result and gets ``explanation_status = failed``. With ``owner``, only that worker's."""
    now = utcnow()
    query = select(table.id, table.status, table.attempts, table.lease_owner).where(
        table.lease_owner.is_not(None), table.lease_until < now
    )
    if owner is not None:
        query = query.where(table.lease_owner == owner)
    expired = session.execute(query).all()
    recovered = []
    for job_id, status, attempts, owner in expired:
        stale = (table.id == job_id, table.lease_owner == owner, table.lease_until < now)
        if status == RUNNING and (attempts or 0) < max_attempts:
            done = session.execute(
                update(table)
                .where(*stale, table.status == RUNNING)
                .values(status=QUEUED, lease_owner=None, lease_until=None, started_at=None)
            )
        elif status == RUNNING:
            done = session.execute(
                update(table)
                .where(*stale, table.status == RUNNING)
                .values(
                    status="failed",
                    error=(
                        f"the solver worker stopped (its lease expired) {attempts} time(s); "
                        "not retried again"
                    ),
                    active_lock=None,
                    finished_at=now,
                    lease_owner=None,
                    lease_until=None,
                )
            )
        else:  # final, the worker was making the run's explanations
            extra = {"explanation_status": "failed"} if table is RunRow else {}
            done = session.execute(
                update(table).where(*stale).values(lease_owner=None, lease_until=None, **extra)
            )
        if _rows(done):
            recovered.append(
                Recovered(job_id, owner or "", status == RUNNING and (attempts or 0) < max_attempts)
            )
    session.commit()
    return recovered


def lease_left(session: Session, table: JobTable, job_id: int) -> datetime | None:
    """When the job's lease expires (None if no worker holds it)."""
    return session.scalar(select(table.lease_until).where(table.id == job_id))


def requeue(session: Session, table: JobTable, job_id: int, owner: str) -> bool:
    """running → queued: the worker stops (shutdown) and hands the job back at once."""
    done = session.execute(
        update(table)
        .where(table.id == job_id, table.status == RUNNING, table.lease_owner == owner)
        .values(status=QUEUED, lease_owner=None, lease_until=None, started_at=None)
    )
    session.commit()
    return _rows(done) == 1


def active_count(session: Session) -> int:
    """Runs and scenario jobs queued or running, or still held by a worker."""
    total = 0
    for table in KINDS.values():
        total += len(
            session.scalars(
                select(table.id).where(
                    (table.status.in_(ACTIVE)) | (table.lease_owner.is_not(None))
                )
            ).all()
        )
    return total


def wait_final(session: Session, table: JobTable, job_id: int, timeout_s: float) -> None:
    """Wait up to ``timeout_s`` for a job to reach a final state (a cancel's worker to stop
    it), reading the database: the worker may be in another process or machine."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = session.scalar(select(table.status).where(table.id == job_id))
        session.commit()  # end the read transaction so the next read sees the worker's commit
        if status in FINAL or status is None:
            return
        time.sleep(0.05)
