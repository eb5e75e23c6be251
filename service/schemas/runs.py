"""Runs, proposals, decisions, assignments and attendance on the wire."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from models import Weights
from service.schemas.common import Id, Text, WireIn, WireOut


class RunOptions(WireIn):
    """Options of a run; ``time_limit_s`` is capped by the server's ``max_time_limit_s``.

    ``weights`` is the engine's own value object (``models.Weights``) rather than a copy, so
    that its criteria and defaults can never drift from the engine's.
    """

    weights: Weights = Field(default_factory=Weights)
    waiting_priority: bool = True
    allow_moving_ongoing: bool = False
    time_limit_s: float = Field(default=10.0, gt=0, le=3600)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    method: Literal["auto", "flow", "highs", "cpsat", "greedy"] = "auto"


class RunCreate(WireIn):
    """Start a weekly run. Without ``planning_date`` it plans for next Monday."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"planning_date": "2026-01-05", "options": {"time_limit_s": 30}}]
        }
    )

    planning_date: date | None = Field(
        default=None, ge=date(2020, 1, 1), le=date(2100, 12, 31), description="A Monday, usually."
    )
    options: RunOptions = Field(default_factory=RunOptions)


class RunStatus(StrEnum):
    """Life cycle of a run; the last four are final."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"


FINAL = frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.TIMED_OUT})


class RunPreviewOut(WireOut):
    """What a new run would change, asked before starting it: the week's open proposals it
    replaces, and what it keeps as people decided it."""

    open_proposals: int = Field(description="Undecided proposals the new run replaces.")
    pending_notes: int = Field(
        description="Of those, proposals left pending with a note: the note goes on with the "
        "client to the new run's proposal."
    )
    decisions_kept: int = Field(description="Accepted or overridden proposals: they stand.")
    site_answers_kept: int = Field(description="The sites' confirmations and declines.")
    seats_kept: int = Field(
        description="Clients holding a seat: not proposed again where they are."
    )
    periods_kept: int = Field(description="Live periods, imported ones included.")


class RunOut(WireOut):
    """A run and, once done, its outcome."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "status": "succeeded",
                    "county": "pohde",
                    "planning_date": "2026-01-05",
                    "options": {"time_limit_s": 30},
                    "engine_version": "0.1.0",
                    "input_hash": "3f5a…",
                    "solve_status": "optimal",
                    "superseded": False,
                    "created_by": "alice",
                }
            ]
        },
    )

    id: int
    status: RunStatus
    county: str
    planning_date: date
    options: dict[str, Any]
    engine_version: str | None
    input_hash: str | None
    solve_status: str | None
    objective: dict[str, Any] | None
    stats: dict[str, Any] | None
    timings: dict[str, Any] | None
    unassigned: list[str] | None
    set_aside: list[dict[str, Any]] | None = Field(
        default=None,
        description=(
            "Stored records the run left out or changed, each with its reason (kind, id, "
            "action set_aside/released/review, rule, field, value, code, params) and text: "
            "the reason in words, in the language of Accept-Language."
        ),
    )
    message: str | None
    error: str | None
    matches_previous: bool | None = Field(
        description="Same input hash as an earlier run: did it give the same assignments?"
    )
    explanation_status: Literal["pending", "ready", "failed"] | None = Field(
        description="Explanations are attached after the run succeeds; null if none are made."
    )
    cancel_requested: bool
    superseded: bool
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ProposalStatus(StrEnum):
    """A proposal waits for a decision, is decided, or was replaced by a newer run."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    OVERRIDDEN = "overridden"
    SUPERSEDED = "superseded"


class DisplacedProposal(WireOut):
    """A pending proposal that a decision displaces."""

    proposal_id: int
    client_id: str
    placement_id: str


class ProposalOut(WireOut):
    """One proposed placement with its score breakdown (points per criterion)."""

    id: int
    run_id: int
    client_id: str
    placement_id: str
    municipality: str = Field(validation_alias="municipality_code")
    score: int
    breakdown: dict[str, int]
    travel_minutes: int
    preference_rank: int | None
    kept_ongoing: bool
    explanation: dict[str, Any] | None
    status: ProposalStatus
    reason_code: str | None
    reason_text: str | None
    decided_placement_id: str | None
    decided_by: str | None
    decided_at: datetime | None
    displaces: list[DisplacedProposal] = Field(
        default_factory=list,
        description=(
            "In a decision's response: the other pending proposals of the week that can no "
            "longer be accepted after this decision (capacity or avoided clients)."
        ),
    )


class ReasonCode(StrEnum):
    """Why a coordinator accepted or overrode a proposal (recorded with free text)."""

    GOOD_FIT = "good_fit"
    CLIENT_AGREED = "client_agreed"
    CLIENT_DECLINED = "client_declined"
    CLIENT_WISH = "client_wish"
    SITE_DECLINED = "site_declined"
    HEALTH_OR_SUPPORT = "health_or_support"
    TRAVEL = "travel"
    BETTER_ALTERNATIVE = "better_alternative"
    NOT_READY = "not_ready"
    OTHER = "other"


class DecisionIn(WireIn):
    """Accept a proposal, or override it with another placement (or none: not placed)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"decision": "accept", "reason_code": "client_agreed", "text": "Agreed by phone."},
                {
                    "decision": "override",
                    "reason_code": "client_wish",
                    "text": "Prefers the library.",
                    "placement": "P-OULU-LIBRARY-1",
                },
            ]
        }
    )

    decision: Literal["accept", "override"]
    reason_code: ReasonCode
    text: Text = ""
    placement: Id | None = None
    consent_outside_commuting_area: bool | None = Field(
        default=None,
        description=(
            "The client gave their consent at the meeting to work outside their commuting "
            "area (THL). Recorded on the client's record, which the rules then see; it is not "
            "a bypass of any other rule."
        ),
    )
    period_months: int | None = Field(
        default=None,
        ge=1,
        le=120,
        description=(
            "Agreed length of the period in months (3-24 by 189/2001 § 13, checked against "
            "the legal regime); its last day is stored. None: not agreed, 24 months at most."
        ),
    )

    @model_validator(mode="after")
    def _placement_only_for_override(self) -> DecisionIn:
        if self.decision == "accept" and self.placement is not None:
            raise ValueError("'placement' is given only with decision 'override'")
        return self


class AssignmentOut(WireOut):
    """A client's ongoing (or ended) assignment to a placement."""

    id: int
    client_id: str
    placement_id: str
    start_date: date
    end_date: date | None
    status: Literal["active", "ended"]
    proposal_id: int | None


class AssignmentEnd(WireIn):
    """End an assignment on a date."""

    end_date: date


class AttendanceStatus(StrEnum):
    """A day of an assignment (Kela: 'service not arranged' is not an absence)."""

    PRESENT = "present"
    ABSENT = "absent"
    SERVICE_NOT_ARRANGED = "service_not_arranged"


class AbsenceReason(StrEnum):
    """Kela's categories of absence (domain.md § 1.9)."""

    OWN_ILLNESS = "own_illness"
    CHILD_ILLNESS = "child_illness"
    JOB_INTERVIEW = "job_interview"
    POSITION_OF_TRUST = "position_of_trust"
    OTHER = "other"


class AttendanceIn(WireIn):
    """One day's attendance; an absence needs a reason, other days must not have one."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"day": "2026-01-07", "status": "present"},
                {"day": "2026-01-08", "status": "absent", "absence_reason": "child_illness"},
            ]
        }
    )

    day: date
    status: AttendanceStatus
    absence_reason: AbsenceReason | None = None

    @model_validator(mode="after")
    def _reason_iff_absent(self) -> AttendanceIn:
        if (self.status is AttendanceStatus.ABSENT) != (self.absence_reason is not None):
            raise ValueError("absence_reason is required for an absence and only for one")
        return self


class AttendanceCorrectionIn(AttendanceIn):
    """A recorded day marked again, with why (kept with who and when)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "day": "2026-01-08",
                    "status": "absent",
                    "absence_reason": "own_illness",
                    "correction_reason": "The client phoned in sick; marked present by mistake.",
                }
            ]
        }
    )

    correction_reason: Text = Field(min_length=1)


class AttendanceOut(WireOut):
    """A recorded day; ``absence_reason`` is shown to coordinators only."""

    id: int
    period_id: int = Field(description="The period the day belongs to.")
    assignment_id: int | None = Field(
        default=None, description="The assignment (seat) the period runs on, when asked by it."
    )
    day: date
    status: AttendanceStatus
    absence_reason: AbsenceReason | None
    recorded_by: str
    recorded_at: datetime
    flags: list[str] = Field(
        default_factory=list,
        description=(
            "What the coordinator should see about the day, by the period's agreement: "
            "'certificate_needed' (own illness over 3 days without a certificate), "
            "'over_category_limit' (a child's illness over 4 days)."
        ),
    )


class AuditOut(WireOut):
    """One audit row."""

    id: int
    at: datetime
    actor: str
    role: str
    action: str
    resource: str
    record_id: str | None
    purpose: str
    detail: dict[str, Any] | None
