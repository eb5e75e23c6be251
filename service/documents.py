"""Generated documents as PDF, stored once, versioned, every print audited (issue #22).

The pages people file or sign (first: the activity agreement) are rendered from the same
HTML as their print page by WeasyPrint, with Debian's fonts (fontconfig maps the page's Arial
to Liberation Sans; DejaVu covers the rest), as a tagged PDF carrying the document's language.
WeasyPrint's output is a function of the HTML: the same agreement prints to the same bytes,
so a print is looked up by its SHA-256 before anything is stored. A changed agreement prints
to new bytes: a new version naming the one it replaces. Nothing here updates a stored row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.db.documents import DocumentRow

PDF = "application/pdf"


def render_pdf(html: str) -> bytes:
    """The PDF of an HTML page (its ``lang`` attribute becomes the PDF's language)."""
    from weasyprint import HTML  # imported on first print: the web process starts without it

    pdf: bytes = HTML(string=html).write_pdf(pdf_tags=True)
    return pdf


@dataclass(frozen=True)
class Stored:
    """A stored version and whether this print added it."""

    row: DocumentRow
    new: bool


def store(
    session: Session,
    *,
    kind: str,
    subject_id: str,
    client_id: str | None,
    language: str,
    content: bytes,
    created_by: str,
    media_type: str = PDF,
) -> Stored:
    """The version of ``kind``/``subject_id`` in ``language`` whose bytes are ``content``:
    the latest one if it is equal, else a new version replacing the latest (the caller
    commits)."""
    digest = hashlib.sha256(content).hexdigest()
    latest = session.scalars(
        select(DocumentRow)
        .where(
            DocumentRow.kind == kind,
            DocumentRow.subject_id == subject_id,
            DocumentRow.language == language,
        )
        .order_by(DocumentRow.version.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.sha256 == digest:
        return Stored(latest, False)
    row = DocumentRow(
        kind=kind,
        subject_id=subject_id,
        client_id=client_id,
        language=language,
        version=(latest.version + 1) if latest is not None else 1,
        replaces_id=latest.id if latest is not None else None,
        media_type=media_type,
        sha256=digest,
        size=len(content),
        content=content,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return Stored(row, True)


def erase_client(session: Session, client_id: str) -> int:
    """Erasure of a client: their printed documents go with the rest of their identifying
    data (a stored document is never changed, but it can be removed as a whole). The caller
    commits."""
    done = session.execute(delete(DocumentRow).where(DocumentRow.client_id == client_id))
    return int(getattr(done, "rowcount", 0) or 0)
