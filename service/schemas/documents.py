"""Stored documents on the wire: what a version is, never its bytes (those are the PDF)."""

from __future__ import annotations

from datetime import datetime

from service.schemas.common import WireOut


class DocumentOut(WireOut):
    """One stored version of a generated document."""

    id: int
    kind: str
    subject_id: str
    language: str
    version: int
    replaces_id: int | None
    media_type: str
    sha256: str
    size: int
    created_by: str
    created_at: datetime
