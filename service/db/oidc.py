"""Sign-in sessions opened through the county's OpenID Connect provider: the provider's
session lifetime and the ID token for its logout (migration ``0017_oidc_sessions``). A web session
with such a row ends when the provider's session would, whatever its idle clock says."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db.tables import Base


class OidcSessionRow(Base):
    """The provider's side of one web session: who (issuer and subject), until when, and
    the ID token sent back as ``id_token_hint`` when the user signs out."""

    __tablename__ = "oidc_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    web_session_id: Mapped[int] = mapped_column(
        ForeignKey("web_sessions.id", ondelete="CASCADE"), unique=True
    )
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column()
    id_token: Mapped[str] = mapped_column(Text)
