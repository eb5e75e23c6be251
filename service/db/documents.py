"""The document store (issue #22): generated documents, stored once, versioned, never changed.

A document is the exact bytes people file or sign (a PDF), kept with its SHA-256. Printing
the same content again finds the stored version (stored once); printing changed content adds
a version that names the one it replaces (``replaces_id``): a correction never edits a
stored document, and the database refuses an ``UPDATE`` of one (migration
``0016a_documents``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.tables import Base, utcnow


class DocumentRow(Base):
    """One version of a generated document of a subject (e.g. agreement 7 in Swedish)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "language", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(2))
    version: Mapped[int] = mapped_column(Integer)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
