"""Scenario jobs of planners: start (202 + Location), poll, cancel, comparison and files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, Response

from service import audit
from service.audit import Action
from service.auth import Principal, Role
from service.crud import jobs as lifecycle
from service.crud import scenarios as store
from service.crud.scenario_base import prepare
from service.db.tables import ScenarioJobRow
from service.deps import IdempotencyKey, SessionDep, SettingsDep, purpose, require
from service.errors import language_of
from service.idempotency import Outcome, fingerprint, run_once
from service.routes.common import ERRORS, IntId, Page, PageSize, window
from service.routes.runs import submit
from service.schemas.common import Page as PageOf
from service.schemas.scenarios import (
    JobStatus,
    ScenarioFileOut,
    ScenarioJobCreate,
    ScenarioJobOut,
)

router = APIRouter(prefix="/scenario-jobs", tags=["scenario jobs"], responses=ERRORS)

Planners = Annotated[Principal, Depends(require(Role.PLANNER, Role.ADMIN))]
PlanningPurpose = Annotated[str, Depends(purpose("scenario planning"))]
FileName = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$", description="A file's name.")
]

CANCEL_WAIT_S = 5.0
# Outputs are downloads, never pages of this site: an SVG opened here runs no script.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
}


@router.post("", status_code=202, response_model=ScenarioJobOut)
def start_scenario_job(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Planners,
    why: PlanningPurpose,
    body: ScenarioJobCreate,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Queue a batch of scenarios; poll the `Location` URL. 409 while another job is active."""

    def produce() -> Outcome:
        store.ensure_idle(session, settings)
        prepared = prepare(session, body, settings)
        row = store.create(session, user, body, prepared, settings)
        if prepared.client_ids:
            # The base reads every active client's record, support need included.
            audit.record(
                session,
                user,
                Action.READ,
                "scenario_jobs",
                why,
                record_id=str(row.id),
                ids=prepared.client_ids,
                pseudonymised=True,
            )
        return Outcome(
            202,
            ScenarioJobOut.model_validate(row),
            f"/scenario-jobs/{row.id}",
            after_commit=[lambda: submit(request, "scenario", row.id)],
        )

    print_ = fingerprint("POST", request.url.path, body.model_dump(mode="json"))
    return run_once(session, user, idempotency_key, print_, produce)


def _out(row: ScenarioJobRow, request: Request) -> ScenarioJobOut:
    """The job as the API shows it, its error in the caller's words."""
    out = ScenarioJobOut.model_validate(row)
    return out.model_copy(update={"error_message": store.error_words(row, language_of(request))})


@router.get("")
def list_scenario_jobs(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _user: Planners,
    status: JobStatus | None = None,
    page: Page = 1,
    page_size: PageSize = None,
) -> PageOf[ScenarioJobOut]:
    """A page of scenario jobs, newest first."""
    offset, limit = window(page, page_size, settings.default_page_size)
    rows, total = store.list_(session, status=status, offset=offset, limit=limit)
    return PageOf[ScenarioJobOut](
        items=[_out(r, request) for r in rows],
        page=page,
        page_size=limit,
        total=total,
    )


@router.get("/{job_id}")
def read_scenario_job(
    request: Request, session: SessionDep, _user: Planners, job_id: IntId
) -> ScenarioJobOut:
    """Poll a scenario job."""
    return _out(store.get(session, job_id), request)


@router.post(
    "/{job_id}/cancel",
    responses={
        202: {
            "description": (
                "The cancel was asked but the engine is still stopping: the job is still "
                "running (cancel_requested true) and its county stays taken until the "
                "engine has stopped; poll it."
            )
        }
    },
)
def cancel_scenario_job(
    response: Response, session: SessionDep, _user: Planners, job_id: IntId
) -> ScenarioJobOut:
    """Cancel a queued or running job; waits briefly for it to stop (409 if already final).
    The cancel goes through the database to the solver worker running the job."""
    job = store.get(session, job_id)
    lifecycle.request_cancel(session, ScenarioJobRow, job, "scenario job")
    lifecycle.wait_final(session, ScenarioJobRow, job_id, CANCEL_WAIT_S)
    session.expire_all()
    row = store.get(session, job_id)
    if row.status not in lifecycle.FINAL:
        response.status_code = 202  # still stopping: the answer says so
    return ScenarioJobOut.model_validate(row)


@router.get(
    "/{job_id}/comparison",
    response_model=dict[str, Any],
    responses={409: {"description": "The job has not succeeded."}},
)
def read_comparison(session: SessionDep, _user: Planners, job_id: IntId) -> Response:
    """The comparison document: every scenario's figures beside the base's."""
    return Response(content=store.comparison(session, job_id), media_type="application/json")


@router.get("/{job_id}/files")
def list_files(session: SessionDep, _user: Planners, job_id: IntId) -> list[ScenarioFileOut]:
    """The job's output files: JSON, CSV, XLSX and charts (PNG, SVG)."""
    return [
        ScenarioFileOut(name=name, media_type=media, size=size)
        for name, media, size in store.files(session, job_id)
    ]


@router.get(
    "/{job_id}/files/{name}",
    response_class=Response,
    responses={200: {"description": "The file's bytes.", "content": {"*/*": {}}}},
)
def download_file(session: SessionDep, _user: Planners, job_id: IntId, name: FileName) -> Response:
    """Download one output file by its name."""
    row = store.file(session, job_id, name)
    return Response(
        content=row.content,
        media_type=row.media_type,
        headers={
            **DOWNLOAD_HEADERS,
            "Content-Disposition": f'attachment; filename="{row.name}"',
        },
    )
