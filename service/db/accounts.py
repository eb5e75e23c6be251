"""The web app's tables: user accounts, sign-in sessions and attendance
corrections. They share ``Base`` (and so the metadata and naming convention) with the
service's tables; migration ``0006_users`` creates them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db.tables import Base, utcnow


class UserRow(Base):
    """A person who signs in: role, organisations (municipality contacts: one or more units
    of one municipality), caseload (coordinators: client ids), Argon2id password hash and,
    optionally, a TOTP secret (required for admins)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    organisations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    caseload: Mapped[list[Any]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2), default="fi")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebSessionRow(Base):
    """A signed-in browser: only the SHA-256 of the cookie's secret is stored.

    ``second_factor_pending`` is set between a right password and the TOTP code; such a
    session opens no page but the code form."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    second_factor_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)


class AttendanceCorrectionRow(Base):
    """A change to a recorded day: the old and new marking, who changed it, when and why."""

    __tablename__ = "attendance_corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    attendance_id: Mapped[int] = mapped_column(ForeignKey("attendance.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    old_status: Mapped[str] = mapped_column(String(32))
    old_reason: Mapped[str | None] = mapped_column(String(32))
    new_status: Mapped[str] = mapped_column(String(32))
    new_reason: Mapped[str | None] = mapped_column(String(32))
    reason_text: Mapped[str] = mapped_column(Text)
    corrected_by: Mapped[str] = mapped_column(String(200))
    corrected_at: Mapped[datetime] = mapped_column(default=utcnow)
