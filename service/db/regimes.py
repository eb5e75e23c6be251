"""The county's legal regime versions, as admins entered or reviewed them.

A row is one ``models.regime.RegimeVersion`` (its rules in ``regime``, JSON); a version Paikka
ships (``models.regime.SHIPPED_HISTORY``) applies until a row with the same id replaces it.
Who created and who last reviewed each version is kept here; every change is also audited.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db.tables import Base, Json, utcnow


class RegimeVersionRow(Base):
    """One dated version of the regime: status, dates, sources and rules."""

    __tablename__ = "regime_versions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    regime: Mapped[Json] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by: Mapped[str] = mapped_column(String(200))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
