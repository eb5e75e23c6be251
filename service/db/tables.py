"""The service's tables, as typed SQLAlchemy 2 declarative classes.

Engine fields of clients and placements are kept as one JSON document (``attributes``) that
round-trips through the domain model, next to plain columns for everything the service filters
or joins on. That keeps the stored record and ``models.Client``/``models.Placement`` from
drifting apart; the personal data of a client lives in its own table, ``client_personal``, so
that the engine's pseudonymous view and the identifying data never share a row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = dict[str, Any]


def utcnow() -> datetime:
    """Now, timezone-aware UTC (stored as such on both SQLite and PostgreSQL)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention, so migrations are stable."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        Json: JSON,
        list[Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class CommutingAreaRow(Base):
    """A commuting area (työssäkäyntialue)."""

    __tablename__ = "commuting_areas"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class MunicipalityRow(Base):
    """A municipality of the county."""

    __tablename__ = "municipalities"
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str | None] = mapped_column(String(200))
    commuting_area_id: Mapped[str] = mapped_column(ForeignKey("commuting_areas.id"))
    centre_lat: Mapped[float | None] = mapped_column(Float)
    centre_lon: Mapped[float | None] = mapped_column(Float)
    employment_area_id: Mapped[str | None] = mapped_column(
        ForeignKey("employment_areas.id")
    )  # 0018


class EmploymentAreaRow(Base):
    """An employment area of the county's classification (0018)."""

    __tablename__ = "employment_areas"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class GeographySourceRow(Base):
    """One imported classification of the county's geography: its source and date; the
    latest row is the one in force (0018)."""

    __tablename__ = "geography_sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(Text)
    source_date: Mapped[date | None] = mapped_column(Date)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(255))


class OrganisationRow(Base):
    """A producer of placements; municipality users belong to one."""

    __tablename__ = "organisations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    municipality_code: Mapped[str | None] = mapped_column(String(3))


class CoachRow(Base):
    """An individual coach (omaohjaaja)."""

    __tablename__ = "coaches"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    caseload_capacity: Mapped[int] = mapped_column(Integer)
    municipalities: Mapped[list[Any]] = mapped_column(default=list)


class PlacementRow(Base):
    """A placement; ``attributes`` holds the domain record's other fields.

    ``no_replacement_attested_on`` is a column of its own, so that an audit can list the
    placements whose written no-replacement attestation (THL) is missing or old. The site's
    address and contact person are columns too, kept out of the engine's input (``attributes``).
    """

    __tablename__ = "placements"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    no_replacement_attested_on: Mapped[date | None] = mapped_column(Date)
    attributes: Mapped[Json] = mapped_column()
    street_address: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    post_office: Mapped[str | None] = mapped_column(String(200))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClientRow(Base):
    """A client's pseudonymous engine record (``attributes``); no names here."""

    __tablename__ = "clients"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    home_municipality: Mapped[str] = mapped_column(String(3), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    attributes: Mapped[Json] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClientPersonalRow(Base):
    """Identifying data and the client's sharing consent, apart from the engine record."""

    __tablename__ = "client_personal"
    client_id: Mapped[str] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    display_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))
    shared_fields: Mapped[list[Any]] = mapped_column(default=list)
    # The personal identity code (henkilötunnus): AES-GCM ciphertext, the id of its key, and
    # the masked form shown in lists (service/identity.py); never the code in clear.
    identity_code_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    identity_code_key: Mapped[str | None] = mapped_column(String(32))
    identity_code_masked: Mapped[str | None] = mapped_column(String(11))


LIVE_ASSIGNMENT = "status = 'active'"
"""The predicate of a client's live seat-holding record (the partial unique index's)."""


class AssignmentRow(Base):
    """A client's seat at a placement: from an accepted or overridden proposal, or imported.

    It holds the seat from ``start_date`` to ``end_date`` (or while active); the period that
    runs on it (its agreement, dates and days) is ``service.db.cooperation.PeriodRow``, so
    the days a client took part are kept once, in the period. A client holds at most one
    active assignment: the partial unique index ``uq_assignments_live_client`` (0013)."""

    __tablename__ = "assignments"
    __table_args__ = (
        Index(
            "uq_assignments_live_client",
            "client_id",
            unique=True,
            sqlite_where=text(LIVE_ASSIGNMENT),
            postgresql_where=text(LIVE_ASSIGNMENT),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    placement_id: Mapped[str] = mapped_column(ForeignKey("placements.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    planned_end_date: Mapped[date | None] = mapped_column(Date)  # agreed last day (0004)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    # The accepted proposal that moved the client elsewhere and so ended this assignment:
    # a decline by the new site makes it active again (0010).
    ended_by_proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RunRow(Base):
    """A weekly allocation run. ``active_lock`` is set while queued or running; its unique
    constraint is what refuses a second concurrent run for the same county. ``lease_owner``
    and ``lease_until``: the solver worker executing it and until when its lease holds
    (``service.crud.jobs``). The unplaced clients' explanations are loaded only when asked
    for, so listing runs never reads them."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    county: Mapped[str] = mapped_column(String(100))
    active_lock: Mapped[str | None] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    planning_date: Mapped[date] = mapped_column(Date)
    options: Mapped[Json] = mapped_column()
    engine_version: Mapped[str | None] = mapped_column(String(50))
    input_hash: Mapped[str | None] = mapped_column(String(128), index=True)
    solve_status: Mapped[str | None] = mapped_column(String(32))
    objective: Mapped[Json | None] = mapped_column()
    stats: Mapped[Json | None] = mapped_column()
    timings: Mapped[Json | None] = mapped_column()
    unassigned: Mapped[list[Any] | None] = mapped_column()
    set_aside: Mapped[list[Any] | None] = mapped_column()  # screened records (0004)
    message: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    matches_previous: Mapped[bool | None] = mapped_column(Boolean)
    explanation_status: Mapped[str | None] = mapped_column(String(16))
    unassigned_explanations: Mapped[Json | None] = mapped_column(deferred=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(index=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class ProposalRow(Base):
    """One proposed placement of a run, with its score breakdown and the human decision."""

    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_run_status", "run_id", "status"),
        Index("ix_proposals_run_placement", "run_id", "placement_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    placement_id: Mapped[str] = mapped_column(String(64))
    municipality_code: Mapped[str] = mapped_column(String(3))
    score: Mapped[int] = mapped_column(Integer)
    breakdown: Mapped[Json] = mapped_column()
    travel_minutes: Mapped[int] = mapped_column(Integer)
    preference_rank: Mapped[int | None] = mapped_column(Integer)
    kept_ongoing: Mapped[bool] = mapped_column(Boolean, default=False)
    explanation: Mapped[Json | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    reason_code: Mapped[str | None] = mapped_column(String(64))
    reason_text: Mapped[str | None] = mapped_column(Text)
    decided_placement_id: Mapped[str | None] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column()
    pending_note: Mapped[str | None] = mapped_column(Text)
    pending_by: Mapped[str | None] = mapped_column(String(200))
    pending_at: Mapped[datetime | None] = mapped_column()


class ScenarioJobRow(Base):
    """A planner's batch of what-if scenarios. Like a run, ``active_lock`` is set while the
    job is queued or running, and its unique constraint admits one active job per county.
    ``work``: the checked, pseudonymised base and scenarios a solver worker executes."""

    __tablename__ = "scenario_jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    county: Mapped[str] = mapped_column(String(100))
    active_lock: Mapped[str | None] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    base: Mapped[str] = mapped_column(String(16))
    planning_date: Mapped[date] = mapped_column(Date)
    base_clients: Mapped[int] = mapped_column(Integer)
    base_placements: Mapped[int] = mapped_column(Integer)
    scenarios: Mapped[list[Any]] = mapped_column()
    options: Mapped[Json] = mapped_column()
    engine_version: Mapped[str | None] = mapped_column(String(50))
    summary: Mapped[list[Any] | None] = mapped_column()
    work: Mapped[Json | None] = mapped_column(deferred=True)
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(100))
    """Catalogue key of a scenario that could not be applied or run (``scenario.error.*``)."""
    error_params: Mapped[Json | None] = mapped_column()
    """Its values: ``params`` and, for a refused value, pydantic's ``error`` entry."""
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(index=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class ScenarioFileRow(Base):
    """One output file of a scenario job (comparison JSON, CSV, XLSX, charts), kept in the
    database so that its backup holds every job's outputs."""

    __tablename__ = "scenario_files"
    __table_args__ = (UniqueConstraint("job_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_jobs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttendanceRow(Base):
    """One day of a period: present, absent (with Kela's reason) or not arranged. Days belong
    to the period (0013: before, they were keyed by the assignment beside the period's own
    checks); one row per period and day, so a day is recorded, and paid, once."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("period_id", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32))
    absence_reason: Mapped[str | None] = mapped_column(String(32))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditRow(Base):
    """Append-only log of every read or write of client data (the service never updates it)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(String(64), index=True)
    record_id: Mapped[str | None] = mapped_column(String(200), index=True)
    purpose: Mapped[str] = mapped_column(String(500))
    detail: Mapped[Json | None] = mapped_column()
    chain_hash: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the previous row's hash and this row (:mod:`service.audit_chain`); the
    database numbers, stamps and chains each row as it is inserted."""


class AuditChainHeadRow(Base):
    """The last row of the audit chain (one row, ``id`` 1), moved by the database with every
    insert: a deletion at the end of the log no longer matches it."""

    __tablename__ = "audit_chain_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


class TokenRow(Base):
    """An API bearer token: only the SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[str | None] = mapped_column(String(64))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRow(Base):
    """The stored response of a creating request, keyed by token and Idempotency-Key."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("token_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[Json | list[Any] | None] = mapped_column(JSON)
    location: Mapped[str | None] = mapped_column(String(500))
    # The client the stored answer is about (erasure deletes it; 0011). No foreign key: the
    # erased client's row stays, pseudonymous, and this id must not keep the answer alive.
    client_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
