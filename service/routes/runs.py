"""Weekly runs as jobs: start (202 + Location), poll, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from service import audit
from service.audit import Action
from service.auth import Principal, Role
from service.crud import runs as store
from service.deps import IdempotencyKey, SessionDep, SettingsDep, purpose, require
from service.idempotency import Outcome, fingerprint, run_once
from service.jobs import JobManager
from service.routes.common import ERRORS, Coordinator, IntId, Page, PageSize, window
from service.schemas.runs import RunCreate, RunOut, RunStatus

router = APIRouter(prefix="/runs", tags=["runs"], responses=ERRORS)

RunReaders = Annotated[Principal, Depends(require(Role.COORDINATOR, Role.PLANNER, Role.ADMIN))]
RunPurpose = Annotated[str, Depends(purpose("weekly allocation run"))]

CANCEL_WAIT_S = 5.0


def _jobs(request: Request) -> JobManager:
    jobs: JobManager = request.app.state.jobs
    return jobs


@router.post("", status_code=202, response_model=RunOut)
def start_run(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: RunPurpose,
    body: RunCreate,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Queue the weekly run; poll the `Location` URL. 409 while another run is active."""
    jobs = _jobs(request)

    def produce() -> Outcome:
        row = store.create(session, user, body, settings)
        # The run reads every active client's record: one audit row for the whole run.
        audit.record(session, user, Action.RUN, "runs", why, record_id=str(row.id))
        return Outcome(
            202,
            RunOut.model_validate(row),
            f"/runs/{row.id}",
            after_commit=[lambda: jobs.start(row.id)],
        )

    print_ = fingerprint("POST", request.url.path, body.model_dump(mode="json"))
    return run_once(session, user, idempotency_key, print_, produce)


@router.get("")
def list_runs(
    session: SessionDep,
    settings: SettingsDep,
    _user: RunReaders,
    status: RunStatus | None = None,
    page: Page = 1,
    page_size: PageSize = None,
) -> list[RunOut]:
    """List runs, newest first."""
    offset, limit = window(page, page_size, settings.default_page_size)
    return [
        RunOut.model_validate(r)
        for r in store.list_(session, status=status, offset=offset, limit=limit)
    ]


@router.get("/{run_id}")
def read_run(session: SessionDep, _user: RunReaders, run_id: IntId) -> RunOut:
    """Poll a run."""
    return RunOut.model_validate(store.get(session, run_id))


@router.post("/{run_id}/cancel")
def cancel_run(request: Request, session: SessionDep, _user: Coordinator, run_id: IntId) -> RunOut:
    """Cancel a queued or running run; waits briefly for it to stop (409 if already final)."""
    jobs = _jobs(request)
    run = store.get(session, run_id)
    store.request_cancel(session, run)
    if jobs.is_tracking(run_id):
        jobs.cancel(run_id)
        jobs.wait(run_id, CANCEL_WAIT_S)
    else:
        # No supervisor in this process (e.g. left over from a stopped service).
        store.finish(session, run_id, RunStatus.CANCELLED, "cancelled (no active job)")
    session.expire_all()
    return RunOut.model_validate(store.get(session, run_id))
