"""Wire schemas of the cooperation cycle: the site's answer, the start meeting, the activity
agreement, the period (extension, end, start notice, feedback), the month's attendance money
and the planners' outcomes.

Requests carry only what the caller types; the ids of the client and the placement come from
the proposal. Every request is checked again by the domain records of ``models.cooperation``
(the one implementation of each rule), whose errors name the field of the body they concern.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from models.base import Weekday
from models.benefits import BenefitPayer
from models.cooperation import (
    AgreementStatus,
    DeclineReason,
    EndReason,
    FeedbackQuestion,
    OnwardPath,
    ParticipantRole,
    SiteDecision,
    SiteFeedbackQuestion,
)
from service.schemas.common import Name, Text, WireIn, WireOut

Language = Literal["fi", "sv", "en"]
Phone = Annotated[str, StringConstraints(max_length=50, pattern=r"^[^\x00]*$")]


class Participant(WireIn):
    """One person at the start meeting, as the agreement prints the name."""

    role: ParticipantRole
    name: Name


class ContactPerson(WireIn):
    """Whom to call: the site's supervisor, the coordinator, the coach."""

    role: ParticipantRole
    name: Name
    phone: Phone = ""
    email: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")] = ""


class ConfirmationIn(WireIn):
    """The site confirms an accepted proposal, or declines it with a reason."""

    decision: SiteDecision
    reason: DeclineReason | None = Field(default=None, description="Required for a decline.")
    text: Text = ""


class ConfirmationOut(WireOut):
    """The site's answer; the coordinator sees the reason of a decline."""

    id: int
    proposal_id: int
    client_id: str
    placement_id: str
    decision: SiteDecision
    reason: DeclineReason | None
    text: str
    decided_by: str
    decided_at: datetime


class PendingConfirmation(WireOut):
    """An accepted proposal waiting for the site's answer."""

    proposal_id: int
    run_id: int
    client_id: str
    placement_id: str
    decided_at: datetime | None


class MeetingIn(WireIn):
    """The start meeting of a confirmed proposal: when, where, who."""

    proposal_id: int = Field(ge=1, le=2_147_483_647)
    held_on: date
    place: Name
    participants: list[Participant] = Field(min_length=1, max_length=20)
    notes: Text = ""


class MeetingOut(WireOut):
    """A recorded start meeting."""

    id: int
    proposal_id: int
    client_id: str
    placement_id: str
    held_on: date
    place: str
    participants: list[Participant]
    notes: str


class AgreementIn(WireIn):
    """The activity agreement as drafted: tasks, schedule, dates (3–24 months), contacts and
    what to do when absent."""

    proposal_id: int = Field(ge=1, le=2_147_483_647)
    meeting_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    tasks: Text = Field(min_length=1)
    goals: Text = ""
    support: Text = ""
    weekdays: list[Weekday] = Field(min_length=1, max_length=7)
    days_per_week: int | None = Field(default=None, ge=1, le=7)
    hours_per_day: float = Field(gt=0, le=24)
    start_date: date
    first_review_date: date
    end_date: date
    contact_persons: list[ContactPerson] = Field(default_factory=list, max_length=20)
    when_absent: Text = Field(min_length=1)
    language: Language = "fi"


class AgreeIn(WireIn):
    """The parties signed the agreement on ``agreed_on``."""

    agreed_on: date


class CancelIn(WireIn):
    """Cancel an agreement, with the reason."""

    reason: Text = Field(min_length=1)


class AgreementOut(WireOut):
    """An activity agreement; ``support`` is shown to the coordinator, the coach and the
    site that gives the support."""

    id: int
    proposal_id: int
    meeting_id: int | None
    client_id: str
    placement_id: str
    municipality_code: str
    task_category: str | None
    status: AgreementStatus
    tasks: str
    goals: str
    support: str
    weekdays: list[Weekday]
    days_per_week: int | None
    hours_per_day: float
    start_date: date
    first_review_date: date
    end_date: date
    contact_persons: list[ContactPerson]
    when_absent: str
    language: str
    agreed_on: date | None
    cancel_reason: str


class PeriodStartIn(WireIn):
    """Start the period of an agreed agreement."""

    agreement_id: int = Field(ge=1, le=2_147_483_647)
    payer: BenefitPayer | None = Field(
        default=None, description="Who pays the client's allowance (None: not known yet)."
    )
    prior_days: int = Field(
        default=0,
        ge=0,
        le=36600,
        description="Days already spent in the activity since the activation plan's review.",
    )


class ExtensionIn(WireIn):
    """Continue the period to ``end_date`` (each extension again at least 3 months)."""

    end_date: date
    agreed_on: date
    note: Text = ""


class PeriodEndIn(WireIn):
    """End the period: last day, reason and onward path."""

    end_date: date
    reason: EndReason
    onward_path: OnwardPath
    note: Text = ""


class ExtensionOut(WireOut):
    """One extension."""

    end_date: date
    agreed_on: date
    note: str


class PeriodOut(WireOut):
    """A period, its dates, extensions and end. ``end_reason`` and ``end_note`` are not shown
    to the site (they may tell of health)."""

    id: int
    agreement_id: int | None = Field(description="None for an imported period.")
    imported: bool = Field(
        description="Running before the county used Paikka, with the dates it was agreed with; "
        "its days follow the same rules and count in every report."
    )
    assignment_id: int
    client_id: str
    placement_id: str
    municipality_code: str
    task_category: str | None
    weekdays: list[Weekday]
    days_per_week: int
    hours_per_day: float
    start_date: date
    first_review_date: date
    end_date: date
    planned_end_date: date
    plan_review_date: date = Field(
        description="By this day the activation plan must be reviewed (24 months in all)."
    )
    commitment_end_date: date
    payer: BenefitPayer | None
    prior_days: int
    extensions: list[ExtensionOut]
    ended_on: date | None
    end_reason: EndReason | None
    onward_path: OnwardPath | None
    end_note: str | None
    start_notice_sent_on: date | None


class AlertOut(WireOut):
    """A follow-up coming up for a running period; ``days_left`` < 0 means overdue."""

    period_id: int
    client_id: str
    placement_id: str
    kind: Literal["first_review", "commitment_ends", "period_ends", "plan_review"]
    due: date
    days_left: int


class StartNoticeIn(WireIn):
    """The organiser told the employment authority that the period started."""

    authority: Name
    sent_on: date


class StartNoticeOut(WireOut):
    """A recorded start notice."""

    id: int
    period_id: int
    client_id: str
    authority: str
    sent_on: date
    sent_by: str


class NoticeDueOut(WireOut):
    """A period of a client on unemployment benefit with no start notice recorded."""

    period_id: int
    client_id: str
    placement_id: str
    municipality_code: str
    start_date: date
    payer: BenefitPayer
    days_since_start: int


class ClientFeedbackIn(WireIn):
    """The client's short form, one to five per question, in their own language."""

    given_on: date
    language: Language = "fi"
    answers: dict[FeedbackQuestion, int] = Field(default_factory=dict)
    comment: Text = ""


class SiteFeedbackIn(WireIn):
    """The site's short form, one to five per question."""

    given_on: date
    answers: dict[SiteFeedbackQuestion, int] = Field(default_factory=dict)
    comment: Text = ""


class FeedbackOut(WireOut):
    """A stored feedback form."""

    id: int
    period_id: int
    kind: Literal["client", "site"]
    given_on: date
    language: str
    answers: dict[str, int]
    comment: str


class MonthSummaryOut(WireOut):
    """One client's month in one period: the allowance due, absences by Kela category, days
    not arranged, missing certificates and days that break the agreement."""

    period_id: int
    client_id: str
    placement_id: str
    municipality_code: str
    payer: BenefitPayer | None
    payer_missing: bool
    year: int
    month: int
    present_days: int
    allowance_days: int
    daily_rate_eur: Decimal
    allowance_eur: Decimal
    absences: dict[str, int]
    benefit_kept_days: int
    benefit_lost_days: int
    not_arranged_days: int
    certificate_missing: list[date]
    refusals: list[date]


class AbsenceReportRowOut(WireOut):
    """A day the organiser reports to the benefit payer."""

    payer: BenefitPayer
    client_id: str
    period_id: int
    day: date
    status: Literal["absent", "service_not_arranged"]
    absence_reason: str | None
    benefit_kept: bool | None


class MunicipalityFiguresOut(WireOut):
    """A municipality's month for its financing follow-up."""

    municipality_code: str
    clients: int
    periods: int
    present_days: int
    absence_days: int
    not_arranged_days: int
    allowance_eur: dict[str, Decimal]
    allowance_total_eur: Decimal


class MonthReportOut(WireOut):
    """The month's report: every summary, the absence report and the municipalities."""

    year: int
    month: int
    summaries: list[MonthSummaryOut]
    absences: list[AbsenceReportRowOut]
    municipalities: list[MunicipalityFiguresOut]


class OutcomeRowOut(WireOut):
    """One group's ended periods by onward path (``null``: hidden, fewer than 5)."""

    key: str
    periods: int | None
    paths: dict[str, int | None]


class OutcomesOut(WireOut):
    """Outcomes of ended periods by one dimension, pseudonymous, small counts hidden."""

    dimension: Literal["placement", "task_category", "municipality", "age_band"]
    min_count: int
    rows: list[OutcomeRowOut]


class CertificateIn(WireIn):
    """A doctor's or nurse's certificate was seen for this absence day."""

    day: date


class CertificateOut(WireOut):
    """A recorded certificate."""

    period_id: int
    day: date
    recorded_by: str
    recorded_at: datetime


class FeedbackGroupOut(WireOut):
    """One group's forms: how many and the mean answer per question (``null``: hidden)."""

    key: str
    forms: int | None
    means: dict[str, float | None]


class FeedbackSummaryOut(WireOut):
    """The client's or the site's forms by one dimension, groups under 5 forms hidden."""

    dimension: Literal["placement", "task_category", "municipality", "age_band"]
    kind: Literal["client", "site"]
    min_count: int
    rows: list[FeedbackGroupOut]
