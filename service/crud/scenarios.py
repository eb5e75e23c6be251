"""Scenario jobs: creating one, its life cycle, and its stored output files."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from matching.explain.notices import scenario_error_text
from service.auth import Principal
from service.config import Settings
from service.crud.scenario_base import PreparedJob
from service.db.tables import ScenarioFileRow, ScenarioJobRow, utcnow
from service.errors import Conflict, NotFound
from service.schemas.scenarios import JobStatus, ScenarioJobCreate

ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)

MEDIA_TYPES = {
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
COMPARISON = "comparison.json"


def get(session: Session, job_id: int) -> ScenarioJobRow:
    """A job by id (404 if unknown)."""
    row = session.get(ScenarioJobRow, job_id)
    if row is None:
        raise NotFound(
            f"scenario job {job_id} not found",
            code="api.not_found.scenario",
            params={"id": str(job_id)},
        )
    return row


def list_(
    session: Session, *, status: JobStatus | None, offset: int, limit: int
) -> tuple[Sequence[ScenarioJobRow], int]:
    """One page of jobs, newest first, and how many there are in all."""
    query = select(ScenarioJobRow)
    if status is not None:
        query = query.where(ScenarioJobRow.status == status.value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ScenarioJobRow.id.desc()).offset(offset).limit(limit)
    ).all()
    return rows, total


def ensure_idle(session: Session, settings: Settings) -> None:
    """409 while another scenario job of the county is queued or running."""
    active = session.scalar(
        select(ScenarioJobRow).where(ScenarioJobRow.active_lock == settings.county)
    )
    if active is not None:
        raise Conflict(
            f"scenario job {active.id} is still {active.status}; try later",
            code="api.scenario_active",
            params={"id": str(active.id)},
        )


def create(
    session: Session,
    user: Principal,
    body: ScenarioJobCreate,
    prepared: PreparedJob,
    settings: Settings,
) -> ScenarioJobRow:
    """Queue a checked job. The unique ``active_lock`` refuses a second active job even when
    two requests race past :func:`ensure_idle` (an integrity error, also a 409)."""
    work = prepared.work
    row = ScenarioJobRow(
        county=settings.county,
        active_lock=settings.county,
        status=JobStatus.QUEUED.value,
        name=body.name,
        description=body.description,
        base=prepared.base,
        planning_date=work.base.planning_date,
        base_clients=len(work.base.clients),
        base_placements=len(work.base.placements),
        scenarios=[s.model_dump(mode="json", exclude_none=True) for s in work.scenarios],
        options=work.options(),
        work=work.to_json(),
        created_by=user.name,
    )
    session.add(row)
    session.flush()
    return row


def store_outputs(
    session: Session,
    job_id: int,
    summary: list[dict[str, Any]],
    files: Sequence[tuple[str, bytes]],
    owner: str | None = None,
) -> bool:
    """Store a finished job's figures and files and mark it succeeded, in one transaction
    that starts with the conditional move to ``succeeded`` (still running, still ``owner``'s
    lease): a job stopped meanwhile keeps no late outputs."""
    moved = session.execute(
        update(ScenarioJobRow)
        .where(ScenarioJobRow.id == job_id, ScenarioJobRow.status.in_(ACTIVE))
        .where(
            ScenarioJobRow.lease_owner == owner
            if owner is not None
            else ScenarioJobRow.id == job_id
        )
        .values(
            status=JobStatus.SUCCEEDED.value,
            summary=summary,
            error=None,
            active_lock=None,
            finished_at=utcnow(),
            lease_owner=None,
            lease_until=None,
        )
    )
    if not getattr(moved, "rowcount", 0):
        session.rollback()
        return False
    session.add_all(
        ScenarioFileRow(
            job_id=job_id,
            name=name,
            media_type=media_type(name),
            size=len(content),
            content=content,
        )
        for name, content in files
        if FILE_NAME.fullmatch(name)
    )
    session.commit()
    return True


def media_type(name: str) -> str:
    """The media type of an output file, by its suffix."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return MEDIA_TYPES.get(suffix, "application/octet-stream")


def files(session: Session, job_id: int) -> list[tuple[str, str, int]]:
    """(name, media type, size) of a job's files, by name (contents are not loaded)."""
    get(session, job_id)
    rows = session.execute(
        select(ScenarioFileRow.name, ScenarioFileRow.media_type, ScenarioFileRow.size)
        .where(ScenarioFileRow.job_id == job_id)
        .order_by(ScenarioFileRow.name)
    ).all()
    return [(name, media, size) for name, media, size in rows]


def file(session: Session, job_id: int, name: str) -> ScenarioFileRow:
    """One output file of a job, looked up by its stored name (404 if there is none)."""
    get(session, job_id)
    row = session.scalar(
        select(ScenarioFileRow).where(
            ScenarioFileRow.job_id == job_id, ScenarioFileRow.name == name
        )
    )
    if row is None:
        raise NotFound(
            f"scenario job {job_id} has no file '{name[:100]}'",
            code="api.not_found.scenario_file",
            params={"id": str(job_id), "name": name[:100]},
        )
    return row


def comparison(session: Session, job_id: int) -> bytes:
    """The comparison JSON document of a succeeded job (409 before it has succeeded)."""
    job = get(session, job_id)
    if job.status != JobStatus.SUCCEEDED.value:
        raise Conflict(
            f"scenario job {job_id} is {job.status}; the comparison needs succeeded",
            code="api.scenario_not_succeeded",
            params={"id": str(job_id)},
        )
    return file(session, job_id, COMPARISON).content


def error_words(job: ScenarioJobRow, lang: str) -> str | None:
    """A failed job's stored error code in the planner's words (None without a code)."""
    if not job.error_code:
        return None
    stored = job.error_params or {}
    refused = stored.get("error")
    return scenario_error_text(
        job.error_code,
        dict(stored.get("params") or {}),
        lang,
        refused if isinstance(refused, dict) else None,
    )
