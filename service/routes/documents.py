"""Documents as PDF: the activity agreement printed in Finnish or Swedish, each print stored
once (a version per content) and audited; the stored versions listed and fetched again."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import select

from service import audit
from service.audit import Action
from service.auth import Principal, Role
from service.crud import agreements
from service.crud.runs import county_regime
from service.db.documents import DocumentRow
from service.deps import SessionDep, SettingsDep, purpose, require
from service.documents import PDF, render_pdf, store
from service.errors import NotFound
from service.routes.common import ERRORS, Coordinator, IntId
from service.schemas.documents import DocumentOut

router = APIRouter(tags=["documents"], responses=ERRORS)

Printers = Annotated[Principal, Depends(require(Role.COORDINATOR, Role.MUNICIPALITY, Role.COACH))]
Why = Annotated[str, Depends(purpose("printing a document"))]
PDF_RESPONSE: dict[int | str, dict[str, object]] = {200: {"content": {PDF: {}}}}


def _pdf(row: DocumentRow) -> Response:
    return Response(
        content=row.content,
        media_type=PDF,
        headers={
            "X-Document-Id": str(row.id),
            "X-Document-Version": str(row.version),
            "X-Content-SHA256": row.sha256,
            "Content-Disposition": f'inline; filename="{row.kind}-{row.subject_id}-'
            f'{row.language}-v{row.version}.pdf"',
        },
    )


@router.get("/agreements/{agreement_id}/print.pdf", response_class=Response, responses=PDF_RESPONSE)
def print_agreement_pdf(
    session: SessionDep,
    settings: SettingsDep,
    user: Printers,
    why: Why,
    agreement_id: IntId,
    lang: Annotated[Literal["fi", "sv"], Query()] = "fi",
) -> Response:
    """The agreement as a PDF in Finnish or Swedish, from its print page: stored once per
    content (a changed agreement prints a new version replacing the last), every print
    audited with the version printed."""
    page = agreements.printable(session, user, agreement_id, lang, county_regime(settings))
    row = agreements.get(session, user, agreement_id)
    stored = store(
        session,
        kind="agreement",
        subject_id=str(agreement_id),
        client_id=row.client_id,
        language=lang,
        content=render_pdf(page),
        created_by=user.name,
    )
    _audit_print(session, user, why, stored.row, new=stored.new)
    session.commit()
    return _pdf(stored.row)


def _audit_print(
    session: SessionDep, user: Principal, why: str, row: DocumentRow, *, new: bool
) -> None:
    audit.record(
        session,
        user,
        Action.PRINT,
        "documents",
        why,
        record_id=str(row.id),
        ids=[row.client_id] if row.client_id else (),
        kind=row.kind,
        subject=row.subject_id,
        language=row.language,
        version=row.version,
        sha256=row.sha256,
        stored=new,
    )


@router.get("/documents")
def list_documents(
    session: SessionDep,
    user: Coordinator,
    why: Why,
    kind: Annotated[str, Query(max_length=32, pattern=r"^[a-z_]+$")],
    subject_id: Annotated[str, Query(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")],
) -> list[DocumentOut]:
    """Every stored version of a subject's document, oldest first (coordinators)."""
    rows = session.scalars(
        select(DocumentRow)
        .where(DocumentRow.kind == kind, DocumentRow.subject_id == subject_id)
        .order_by(DocumentRow.language, DocumentRow.version)
    ).all()
    audit.record(
        session,
        user,
        Action.READ,
        "documents",
        why,
        ids=sorted({r.client_id for r in rows if r.client_id}),
        kind=kind,
        subject=subject_id,
    )
    session.commit()
    return [DocumentOut.model_validate(r) for r in rows]


@router.get("/documents/{document_id}", response_class=Response, responses=PDF_RESPONSE)
def get_document(session: SessionDep, user: Coordinator, why: Why, document_id: IntId) -> Response:
    """A stored version, byte for byte as it was printed (coordinators; audited as a print)."""
    row = session.get(DocumentRow, document_id)
    if row is None:
        audit.record(session, user, Action.PRINT, "documents", why, record_id=str(document_id))
        session.commit()
        raise NotFound(
            f"document {document_id} not found",
            code="api.not_found.document",
            params={"id": str(document_id)},
        )
    _audit_print(session, user, why, row, new=False)
    session.commit()
    return _pdf(row)
