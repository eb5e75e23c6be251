"""Clients: coordinators manage them; others read the view their role allows. Every access
is audited with its purpose."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from service import audit, documents
from service.audit import Action
from service.crud import clients as store
from service.crud.runs import erase_client_texts
from service.deps import IdempotencyKey, SessionDep, SettingsDep, purpose
from service.idempotency import Outcome, erase_client, fingerprint, run_once
from service.identity import keyring_of
from service.routes.common import ERRORS, ClientReaders, Coordinator, UploadedFile, read_upload
from service.schemas.clients import (
    ClientCreate,
    ClientOut,
    ClientUpdate,
    ClientView,
    IdentityCodeOut,
)
from service.schemas.placements import ImportResult

router = APIRouter(prefix="/clients", tags=["clients"], responses=ERRORS)

ReadPurpose = Annotated[str, Depends(purpose("placement planning"))]
WritePurpose = Annotated[str, Depends(purpose("client record maintenance"))]


@router.get("")
def list_clients(
    session: SessionDep, user: ClientReaders, why: ReadPurpose, include_inactive: bool = False
) -> list[ClientView]:
    """List clients in the caller's view: full, shared (municipality) or pseudonymous."""
    rows, where = store.list_rows(session, user, include_inactive=include_inactive)
    out = [store.view(session, user, row, where.get(row.id)) for row in rows]
    audit.record(session, user, Action.READ, "clients", why, ids=[r.id for r in rows])
    session.commit()
    return out


@router.get("/{client_id}")
def read_client(
    session: SessionDep, user: ClientReaders, why: ReadPurpose, client_id: str
) -> ClientView:
    """Read one client in the caller's view."""
    try:
        out = store.get_for(session, user, client_id)
    finally:
        # A refused or failed look-up of a client is audited too.
        audit.record(session, user, Action.READ, "clients", why, record_id=client_id[:200])
        session.commit()
    return out


@router.post("", status_code=201, response_model=ClientOut)
def create_client(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: WritePurpose,
    body: ClientCreate,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Create a client (coordinators)."""

    def produce() -> Outcome:
        row = store.create(session, body, keyring_of(settings))
        audit.record(session, user, Action.CREATE, "clients", why, record_id=row.id)
        return Outcome(201, store.view(session, user, row), f"/clients/{row.id}")

    print_ = fingerprint("POST", request.url.path, body.model_dump(mode="json"))
    return run_once(session, user, idempotency_key, print_, produce)


@router.patch("/{client_id}")
def update_client(
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: WritePurpose,
    client_id: str,
    body: ClientUpdate,
) -> ClientOut:
    """Change fields of a client (coordinators)."""
    row = store.update(session, client_id, body, keyring_of(settings))
    fields = sorted(body.model_fields_set)
    audit.record(session, user, Action.UPDATE, "clients", why, record_id=row.id, fields=fields)
    out = store.view(session, user, row)
    session.commit()
    assert isinstance(out, ClientOut)
    return out


@router.delete("/{client_id}", status_code=204)
def delete_client(
    session: SessionDep, user: Coordinator, why: WritePurpose, client_id: str
) -> Response:
    """The client leaves the service: identifying data is erased, the pseudonymous record
    stays for past runs and decisions."""
    store.deactivate(session, client_id)
    erase_client(session, client_id)
    erase_client_texts(session, client_id)
    documents.erase_client(session, client_id)
    audit.record(session, user, Action.DELETE, "clients", why, record_id=client_id)
    session.commit()
    return Response(status_code=204)


@router.post("/import", status_code=201, response_model=ImportResult)
def import_clients(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: WritePurpose,
    file: UploadedFile,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Import clients from CSV or XLSX, all or nothing (coordinators)."""
    filename, content = read_upload(file, settings)

    def produce() -> Outcome:
        rows = store.import_file(session, filename, content, keyring_of(settings))
        audit.record(session, user, Action.IMPORT, "clients", why, ids=[r.id for r in rows])
        return Outcome(201, ImportResult(imported=len(rows), ids=[r.id for r in rows]))

    print_ = fingerprint("POST", request.url.path, content)
    return run_once(session, user, idempotency_key, print_, produce)


RevealPurpose = Annotated[str, Depends(purpose("identity code for a document"))]


@router.get("/{client_id}/identity-code")
def reveal_identity_code(
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: RevealPurpose,
    client_id: str,
) -> IdentityCodeOut:
    """The client's personal identity code in clear (coordinators; every reveal, and every
    refused one, is audited with its purpose)."""
    try:
        code = store.reveal_identity_code(session, client_id, keyring_of(settings))
    finally:
        audit.record(session, user, Action.READ, "identity_codes", why, record_id=client_id[:200])
        session.commit()
    return IdentityCodeOut(client_id=client_id, identity_code=code)
