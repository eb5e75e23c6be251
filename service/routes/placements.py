"""Placements: municipality contacts manage their own organisation's; everyone reads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter

from service.auth import Principal, Role
from service.crud import placements as store
from service.deps import IdempotencyKey, SessionDep, SettingsDep, require
from service.idempotency import Outcome, fingerprint, run_once
from service.routes.common import ERRORS, Anyone, UploadedFile, json_list, read_upload
from service.schemas.common import Code, Id
from service.schemas.placements import ImportResult, PlacementCreate, PlacementOut, PlacementUpdate

router = APIRouter(prefix="/placements", tags=["placements"], responses=ERRORS)

PLACEMENT_LIST = TypeAdapter(list[PlacementOut])

Editor = Annotated[Principal, Depends(require(Role.MUNICIPALITY, Role.ADMIN))]


@router.get("", response_model=list[PlacementOut])
def list_placements(
    session: SessionDep,
    user: Anyone,
    organisation: Annotated[Id | None, Query()] = None,
    municipality: Annotated[Code | None, Query()] = None,
    include_closed: bool = False,
) -> Response:
    """List placements (a municipality user sees its own organisation's only)."""
    rows = store.list_(
        session,
        user,
        organisation=organisation,
        municipality=municipality,
        include_closed=include_closed,
    )
    return json_list(PLACEMENT_LIST, [store.to_out(row) for row in rows])


@router.get("/{placement_id}")
def read_placement(session: SessionDep, user: Anyone, placement_id: str) -> PlacementOut:
    """Read one placement."""
    return store.to_out(store.get(session, user, placement_id))


@router.post("", status_code=201, response_model=PlacementOut)
def create_placement(
    request: Request,
    session: SessionDep,
    user: Editor,
    body: PlacementCreate,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Create a placement of the caller's organisation."""

    def produce() -> Outcome:
        row = store.create(session, user, body)
        return Outcome(201, store.to_out(row), f"/placements/{row.id}")

    print_ = fingerprint("POST", request.url.path, body.model_dump(mode="json"))
    return run_once(session, user, idempotency_key, print_, produce)


@router.patch("/{placement_id}")
def update_placement(
    session: SessionDep, user: Editor, placement_id: str, body: PlacementUpdate
) -> PlacementOut:
    """Change fields of an open placement (409 if it is closed)."""
    row = store.update(session, user, placement_id, body)
    session.commit()
    return store.to_out(row)


@router.post("/{placement_id}/close")
def close_placement(session: SessionDep, user: Editor, placement_id: str) -> PlacementOut:
    """Close a placement: no new clients; clients already there stay."""
    row = store.close(session, user, placement_id)
    session.commit()
    return store.to_out(row)


@router.post("/import", status_code=201, response_model=ImportResult)
def import_placements(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Editor,
    file: UploadedFile,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Import placements from CSV or XLSX, all or nothing."""
    filename, content = read_upload(file, settings)

    def produce() -> Outcome:
        rows = store.import_file(session, user, filename, content)
        return Outcome(201, ImportResult(imported=len(rows), ids=[r.id for r in rows]))

    print_ = fingerprint("POST", request.url.path, content)
    return run_once(session, user, idempotency_key, print_, produce)
