"""Weekly runs as jobs: start (202 + Location), poll, cancel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from matching.explain.notices import note_text
from service import audit
from service.audit import Action
from service.auth import Principal, Role
from service.crud import jobs as lifecycle
from service.crud import runs as store
from service.db.tables import RunRow
from service.deps import IdempotencyKey, SessionDep, SettingsDep, purpose, require
from service.errors import language_of
from service.idempotency import Outcome, fingerprint, run_once
from service.routes.common import ERRORS, Coordinator, IntId, Page, PageSize, window
from service.schemas.runs import RunCreate, RunOut, RunPreviewOut, RunStatus

router = APIRouter(prefix="/runs", tags=["runs"], responses=ERRORS)

RunReaders = Annotated[Principal, Depends(require(Role.COORDINATOR, Role.PLANNER, Role.ADMIN))]
RunPurpose = Annotated[str, Depends(purpose("weekly allocation run"))]

CANCEL_WAIT_S = 5.0


def submit(request: Request, kind: str, job_id: int) -> None:
    """Hand a queued job to this process's embedded worker, if it has one (solver workers
    elsewhere find it in the database)."""
    workers = request.app.state.workers
    if workers is not None:
        workers.submit(kind, job_id)


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

    def produce() -> Outcome:
        row = store.create(session, user, body, settings)
        # The run reads every active client's record: one audit row for the whole run.
        audit.record(session, user, Action.RUN, "runs", why, record_id=str(row.id))
        return Outcome(
            202,
            RunOut.model_validate(row),
            f"/runs/{row.id}",
            after_commit=[lambda: submit(request, "run", row.id)],
        )

    print_ = fingerprint("POST", request.url.path, body.model_dump(mode="json"))
    return run_once(session, user, idempotency_key, print_, produce)


RunReadPurpose = Annotated[str, Depends(purpose("following the weekly run"))]


@router.get("")
def list_runs(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: RunReaders,
    why: RunReadPurpose,
    status: RunStatus | None = None,
    page: Page = 1,
    page_size: PageSize = None,
) -> list[RunOut]:
    """List runs, newest first. Summary columns only: the size of the answer and its cost
    do not grow with the runs' explanations. The unplaced client ids it returns are
    audited."""
    offset, limit = window(page, page_size, settings.default_page_size)
    rows = store.list_(session, status=status, offset=offset, limit=limit)
    _audit_unplaced(session, user, why, rows, "runs")
    lang = language_of(request)
    return [_with_texts(RunOut.model_validate(r), lang) for r in rows]


@router.get("/preview")
def preview_run(session: SessionDep, _user: Coordinator) -> RunPreviewOut:
    """What starting a new run would change, to be confirmed first: the open proposals it
    replaces, and the decisions, pending notes, site answers, seats and periods it keeps."""
    return RunPreviewOut.model_validate(store.replacement_preview(session))


@router.get("/{run_id}")
def read_run(
    request: Request, session: SessionDep, user: RunReaders, why: RunReadPurpose, run_id: IntId
) -> RunOut:
    """Poll a run (its unplaced client ids are audited). Each set-aside note gains ``text``
    in the language of ``Accept-Language``, worded from its stored code and params."""
    row = store.get(session, run_id)
    _audit_unplaced(session, user, why, [row], str(run_id))
    return _with_texts(RunOut.model_validate(row), language_of(request))


def _with_texts(out: RunOut, lang: str) -> RunOut:
    if not out.set_aside:
        return out
    notes = [{**n, "text": note_text(n, lang)} for n in out.set_aside]
    return out.model_copy(update={"set_aside": notes})


def _audit_unplaced(
    session: Session, user: Principal, why: str, rows: Sequence[RunRow], record: str
) -> None:
    ids = [client for row in rows for client in (row.unassigned or [])]
    if ids:
        audit.record(session, user, Action.READ, "runs", why, record_id=record, ids=ids)
        session.commit()


@router.post(
    "/{run_id}/cancel",
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
def cancel_run(
    response: Response, session: SessionDep, _user: Coordinator, run_id: IntId
) -> RunOut:
    """Cancel a queued or running run; waits briefly for it to stop (409 if already final).

    The cancel goes through the database: a queued run is cancelled at once, a running one
    is stopped by its solver worker, wherever that runs."""
    run = store.get(session, run_id)
    lifecycle.request_cancel(session, RunRow, run, "run")
    lifecycle.wait_final(session, RunRow, run_id, CANCEL_WAIT_S)
    session.expire_all()
    row = store.get(session, run_id)
    if row.status not in lifecycle.FINAL:
        response.status_code = 202  # still stopping: the answer says so
    return RunOut.model_validate(row)
