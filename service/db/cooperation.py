"""The cooperation cycle's tables: the site's answer, the start meeting, the activity
agreement, the period and its end, the start notice, the end-of-period feedback and the
certificates seen for absences.

They share ``Base`` with the service's tables; migration ``0008_cooperation`` creates them.
Each row round-trips through its domain record in ``models.cooperation`` (the crud layer
validates there, so the rules have one implementation); columns hold what the service filters
or joins on, JSON the lists (weekdays, participants, contact persons, extensions, answers).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.db.tables import Base, utcnow


class SiteConfirmationRow(Base):
    """The placement contact's answer to an accepted proposal: confirmed, or declined with a
    reason code and text (one answer per proposal)."""

    __tablename__ = "site_confirmations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), unique=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    placement_id: Mapped[str] = mapped_column(String(64), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class StartMeetingRow(Base):
    """The three parties' meeting before the start (aloituspalaveri)."""

    __tablename__ = "start_meetings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    placement_id: Mapped[str] = mapped_column(String(64))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(300))
    participants: Mapped[list[Any]] = mapped_column(default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgreementRow(Base):
    """The activity agreement (sopimus kuntouttavasta työtoiminnasta) and its status:
    drafted, agreed or cancelled."""

    __tablename__ = "activity_agreements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("start_meetings.id"))
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    placement_id: Mapped[str] = mapped_column(String(64), index=True)
    municipality_code: Mapped[str] = mapped_column(String(3))
    task_category: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="drafted", index=True)
    tasks: Mapped[str] = mapped_column(Text)
    goals: Mapped[str] = mapped_column(Text, default="")
    support: Mapped[str] = mapped_column(Text, default="")
    weekdays: Mapped[list[Any]] = mapped_column()
    days_per_week: Mapped[int | None] = mapped_column(Integer)
    hours_per_day: Mapped[float] = mapped_column(Float)
    start_date: Mapped[date] = mapped_column(Date)
    first_review_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    contact_persons: Mapped[list[Any]] = mapped_column(default=list)
    when_absent: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2), default="fi")
    agreed_on: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


LIVE_PERIOD = "ended_on IS NULL"
"""The predicate of a client's live period (the partial unique index's)."""


class PeriodRow(Base):
    """A client's period at a placement, started from an agreed agreement (or ``imported``:
    running before the county used Paikka, with the dates it was agreed with and no agreement
    record) on the assignment that holds its seat; its extensions, the 24-month plan review
    date, its end, and its days (``AttendanceRow``). A client has at most one period not
    ended: the partial unique index ``uq_periods_live_client`` (0013)."""

    __tablename__ = "periods"
    __table_args__ = (
        Index(
            "uq_periods_live_client",
            "client_id",
            unique=True,
            sqlite_where=text(LIVE_PERIOD),
            postgresql_where=text(LIVE_PERIOD),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity_agreements.id"), unique=True
    )
    imported: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    placement_id: Mapped[str] = mapped_column(String(64), index=True)
    municipality_code: Mapped[str] = mapped_column(String(3), index=True)
    task_category: Mapped[str | None] = mapped_column(String(32))
    weekdays: Mapped[list[Any]] = mapped_column()
    days_per_week: Mapped[int] = mapped_column(Integer)
    hours_per_day: Mapped[float] = mapped_column(Float)
    start_date: Mapped[date] = mapped_column(Date)
    first_review_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    planned_end_date: Mapped[date] = mapped_column(Date)
    plan_review_date: Mapped[date] = mapped_column(Date)
    payer: Mapped[str | None] = mapped_column(String(32))
    prior_days: Mapped[int] = mapped_column(Integer, default=0)
    extensions: Mapped[list[Any]] = mapped_column(default=list)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(48))
    onward_path: Mapped[str | None] = mapped_column(String(32))
    end_note: Mapped[str] = mapped_column(Text, default="")
    ended_by: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StartNoticeRow(Base):
    """The organiser's notice of a period's start to the employment authority."""

    __tablename__ = "start_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), unique=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    authority: Mapped[str] = mapped_column(String(200))
    sent_on: Mapped[date] = mapped_column(Date)
    sent_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedbackRow(Base):
    """The client's or the site's short form at the end of a period (one of each)."""

    __tablename__ = "period_feedback"
    __table_args__ = (UniqueConstraint("period_id", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    given_on: Mapped[date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(2), default="fi")
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    given_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CertificateRow(Base):
    """A doctor's or nurse's certificate seen for an absence day (own illness over 3 days
    needs one); who recorded it and when. Coordinators only: it is health data."""

    __tablename__ = "attendance_certificates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    attendance_id: Mapped[int] = mapped_column(ForeignKey("attendance.id"), unique=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
