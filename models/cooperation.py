"""The cooperation cycle from an accepted proposal to the client's onward path, as records.

The county's cooperation model (``seed-cooperation-model.txt``) and the law (domain.md
§§ 1.5, 1.8–1.9, 3, 7.6) give the steps: the site confirms or declines the coordinator's
accepted proposal; the three parties (client, coordinator, the site's supervisor, optionally
the coach) hold a start meeting; they write the activity agreement; the period starts only from
an agreed agreement and the organiser notifies the employment authority; the period may be
extended; it ends with a reason and an onward path; the client and the site give feedback.

Limits come from :class:`models.regime.LegalRegime` through pydantic's validation context
(``Model.model_validate(data, context={"regime": regime})``); without one the regime in force
is used. Errors are pydantic ``ValidationError`` entries located at the offending field
(``end_date``, ``extensions.1.end_date``), so the service can answer with a 4xx naming it.

Dates are calendar days; an end date is the period's last day (inclusive).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Self

from pydantic import Field, ValidationError, ValidationInfo, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from models.base import DomainModel, MunicipalityCode, RecordId, SortedSet, Weekday
from models.benefits import BenefitPayer
from models.dates import add_months
from models.placement import TaskCategory
from models.regime import LegalRegime

Loc = tuple[str | int, ...]


def last_day_of_months(start: date, months: int) -> date:
    """The last day of a span of ``months`` that begins on ``start`` (1.6. + 3 mo → 31.8.)."""
    return add_months(start, months) - timedelta(days=1)


def regime_of(info: ValidationInfo | None) -> LegalRegime:
    """The regime given in the validation context, or the one in force."""
    context = info.context if info is not None else None
    if isinstance(context, dict) and isinstance(context.get("regime"), LegalRegime):
        return context["regime"]
    return LegalRegime()


def issue(loc: Loc, code: str, message: str, value: Any) -> InitErrorDetails:
    """One error entry located at ``loc`` with a machine ``code`` and a message for people."""
    return InitErrorDetails(type=PydanticCustomError(code, message), loc=loc, input=value)


def refuse(title: str, issues: list[InitErrorDetails]) -> None:
    """Raise one ``ValidationError`` with every issue, if there is any."""
    if issues:
        raise ValidationError.from_exception_data(title, issues)


# ---------------------------------------------------------------------------------------------
# The site's confirmation
# ---------------------------------------------------------------------------------------------


class SiteDecision(StrEnum):
    """The site's answer to a proposal the coordinator accepted."""

    CONFIRMED = "confirmed"
    DECLINED = "declined"


class DeclineReason(StrEnum):
    """Why the site declined; the coordinator sees it and the pair is not proposed again
    until the client's or the placement's record changes."""

    NO_FREE_PLACE = "no_free_place"
    SUPERVISOR_UNAVAILABLE = "supervisor_unavailable"
    TASKS_DO_NOT_FIT = "tasks_do_not_fit"
    SCHEDULE_DOES_NOT_FIT = "schedule_does_not_fit"
    SITE_REQUIREMENT = "site_requirement"
    EARLIER_EXPERIENCE = "earlier_experience"
    OTHER = "other"


class SiteConfirmation(DomainModel):
    """The placement contact's confirmation or decline of one accepted proposal."""

    proposal: RecordId = Field(description="The accepted proposal this answers.")
    client: RecordId
    placement: RecordId
    decision: SiteDecision
    reason: DeclineReason | None = Field(default=None, description="Required for a decline.")
    text: str = Field(default="", max_length=2000, description="Free text for the coordinator.")
    decided_by: str = Field(min_length=1, max_length=200)
    decided_at: datetime

    @model_validator(mode="after")
    def _reason_with_decline(self) -> Self:
        issues = []
        if self.decision is SiteDecision.DECLINED and self.reason is None:
            issues.append(issue(("reason",), "reason_required", "a decline needs a reason", None))
        if self.decision is SiteDecision.CONFIRMED and self.reason is not None:
            issues.append(
                issue(("reason",), "reason_not_allowed", "only a decline has a reason", None)
            )
        if self.reason is DeclineReason.OTHER and not self.text:
            issues.append(
                issue(("text",), "text_required", "reason 'other' needs a text", self.text)
            )
        refuse("SiteConfirmation", issues)
        return self


# ---------------------------------------------------------------------------------------------
# The start meeting
# ---------------------------------------------------------------------------------------------


class ParticipantRole(StrEnum):
    """Who sits at the start meeting (aloituspalaveri, kolmikantapalaveri)."""

    CLIENT = "client"
    COORDINATOR = "coordinator"
    SITE_SUPERVISOR = "site_supervisor"
    COACH = "coach"


REQUIRED_PARTICIPANTS = (
    ParticipantRole.CLIENT,
    ParticipantRole.COORDINATOR,
    ParticipantRole.SITE_SUPERVISOR,
)


class Participant(DomainModel):
    """One person at the meeting; ``name`` is as the agreement prints it."""

    role: ParticipantRole
    name: str = Field(min_length=1, max_length=200)


class StartMeeting(DomainModel):
    """The three parties' meeting before the start: where and when, and who took part."""

    id: RecordId
    client: RecordId
    placement: RecordId
    held_on: date
    place: str = Field(min_length=1, max_length=300)
    participants: tuple[Participant, ...] = Field(min_length=1, max_length=20)
    notes: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _three_parties(self) -> Self:
        roles = [p.role for p in self.participants]
        issues = [
            issue(
                ("participants",),
                "participant_missing",
                f"the start meeting needs a participant with the role '{role.value}'",
                [r.value for r in roles],
            )
            for role in REQUIRED_PARTICIPANTS
            if role not in roles
        ]
        if roles.count(ParticipantRole.CLIENT) > 1:
            issues.append(
                issue(
                    ("participants",),
                    "one_client",
                    "a start meeting is about one client",
                    [r.value for r in roles],
                )
            )
        refuse("StartMeeting", issues)
        return self


# ---------------------------------------------------------------------------------------------
# The activity agreement
# ---------------------------------------------------------------------------------------------


class AgreementStatus(StrEnum):
    """Drafted at or before the meeting, agreed by the parties, or cancelled."""

    DRAFTED = "drafted"
    AGREED = "agreed"
    CANCELLED = "cancelled"


class ContactPerson(DomainModel):
    """Whom to call: the site's supervisor, the coordinator, the coach."""

    role: ParticipantRole
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)


class ActivityAgreement(DomainModel):
    """Sopimus kuntouttavasta työtoiminnasta: tasks, schedule, dates, contacts, absences.

    ``weekdays`` are the days on which the service is arranged for the client and
    ``days_per_week`` how many of them the client comes in a calendar week (defaults to all of
    them): "Mon–Thu, 2 days a week" lets the client and the site agree the days week by week.
    Validated against the regime: 3–24 months, 1–4 days, 4–8 hours, the first review inside.
    """

    id: RecordId
    client: RecordId
    placement: RecordId
    municipality: MunicipalityCode = Field(description="Where the placement is (for follow-up).")
    task_category: TaskCategory | None = None
    meeting: RecordId | None = Field(default=None, description="The start meeting it came from.")
    tasks: str = Field(min_length=1, max_length=4000)
    goals: str = Field(
        default="", max_length=4000, description="Goal of the activity (13 a §, 702/2020)."
    )
    support: str = Field(
        default="", max_length=4000, description="Support and guidance given (13 a §)."
    )
    weekdays: SortedSet[Weekday] = Field(min_length=1)
    days_per_week: int | None = Field(default=None, ge=1, le=7)
    hours_per_day: float = Field(gt=0, le=24)
    start_date: date
    first_review_date: date
    end_date: date
    contact_persons: tuple[ContactPerson, ...] = Field(default=(), max_length=20)
    when_absent: str = Field(
        min_length=1, max_length=2000, description="Whom to tell and how, when absent."
    )
    holidays_arranged: bool = Field(
        default=False,
        description=(
            "The site works on public holidays and the activity is arranged then (a kitchen, a "
            "care home); default: a holiday is 'service not arranged' (Kela)."
        ),
    )
    language: str = Field(default="fi", pattern=r"^(fi|sv|en)$")
    status: AgreementStatus = AgreementStatus.DRAFTED
    agreed_on: date | None = None
    cancel_reason: str = Field(default="", max_length=2000)

    @property
    def weekly_days(self) -> int:
        """Days a calendar week the client takes part."""
        return self.days_per_week if self.days_per_week is not None else len(self.weekdays)

    @model_validator(mode="after")
    def _within_the_law(self, info: ValidationInfo) -> Self:
        refuse("ActivityAgreement", agreement_issues(self, regime_of(info)))
        return self


def schedule_issues(
    weekdays: frozenset[Weekday],
    days_per_week: int | None,
    hours_per_day: float,
    start_date: date,
    first_review_date: date,
    end_date: date,
    regime: LegalRegime,
) -> list[InitErrorDetails]:
    """The law's limits on a schedule and its dates (an agreement's or a period's): days a
    week, hours a day, 3–24 months, the first review inside; each issue at its field."""
    issues: list[InitErrorDetails] = []
    r = regime
    days = days_per_week if days_per_week is not None else len(weekdays)
    a = _Schedule(weekdays, days_per_week, hours_per_day, start_date, first_review_date, end_date)
    if a.days_per_week is not None and a.days_per_week > len(a.weekdays):
        issues.append(
            issue(
                ("days_per_week",),
                "more_days_than_weekdays",
                f"{a.days_per_week} days a week but only {len(a.weekdays)} weekdays arranged",
                a.days_per_week,
            )
        )
    if not r.min_days_per_week <= days <= r.max_days_per_week:
        field = "days_per_week" if a.days_per_week is not None else "weekdays"
        issues.append(
            issue(
                (field,),
                "days_per_week_range",
                f"{days} days a week; the law allows {r.min_days_per_week}–{r.max_days_per_week}",
                days,
            )
        )
    if not r.min_hours_per_day <= a.hours_per_day <= r.max_hours_per_day:
        issues.append(
            issue(
                ("hours_per_day",),
                "hours_per_day_range",
                f"{a.hours_per_day:g} hours a day; allowed "
                f"{r.min_hours_per_day:g}–{r.max_hours_per_day:g}",
                a.hours_per_day,
            )
        )
    shortest = last_day_of_months(a.start_date, r.min_period_months)
    longest = last_day_of_months(a.start_date, r.max_period_months)
    if a.end_date < shortest:
        issues.append(
            issue(
                ("end_date",),
                "period_too_short",
                f"the period must last at least {r.min_period_months} months: "
                f"end on {shortest.isoformat()} or later",
                a.end_date.isoformat(),
            )
        )
    elif a.end_date > longest:
        issues.append(
            issue(
                ("end_date",),
                "period_too_long",
                f"a period may last at most {r.max_period_months} months: "
                f"end on {longest.isoformat()} or earlier",
                a.end_date.isoformat(),
            )
        )
    if not a.start_date < a.first_review_date <= a.end_date:
        issues.append(
            issue(
                ("first_review_date",),
                "review_outside_period",
                "the first review must fall after the start date and by the end date",
                a.first_review_date.isoformat(),
            )
        )
    return issues


@dataclass(frozen=True)
class _Schedule:
    weekdays: frozenset[Weekday]
    days_per_week: int | None
    hours_per_day: float
    start_date: date
    first_review_date: date
    end_date: date


def agreement_issues(agreement: ActivityAgreement, regime: LegalRegime) -> list[InitErrorDetails]:
    """Every way ``agreement`` breaks the regime or its own status, each at its field."""
    a = agreement
    issues = schedule_issues(
        a.weekdays,
        a.days_per_week,
        a.hours_per_day,
        a.start_date,
        a.first_review_date,
        a.end_date,
        regime,
    )
    if (a.status is AgreementStatus.AGREED) != (a.agreed_on is not None):
        issues.append(
            issue(
                ("agreed_on",),
                "agreed_on_with_status",
                "an agreed agreement has the date it was agreed, and only it",
                a.agreed_on.isoformat() if a.agreed_on else None,
            )
        )
    if a.holidays_arranged and not regime.holidays_by_agreement:
        issues.append(
            issue(
                ("holidays_arranged",),
                "holidays_not_allowed",
                "the regime allows no activity on public holidays",
                True,
            )
        )
    if a.status is AgreementStatus.CANCELLED and not a.cancel_reason:
        issues.append(
            issue(("cancel_reason",), "reason_required", "a cancellation needs a reason", "")
        )
    return issues


# ---------------------------------------------------------------------------------------------
# The period, its extensions and its end
# ---------------------------------------------------------------------------------------------


class Extension(DomainModel):
    """The parties agreed to continue the period to ``end_date`` (any length, while the
    whole period stays within the regime's maximum, 189/2001 § 13)."""

    end_date: date
    agreed_on: date
    note: str = Field(default="", max_length=2000)


class EndReason(StrEnum):
    """Why a period ended."""

    AGREED_END = "agreed_end"
    MOVED_ON_EARLY = "moved_on_early"
    CLIENT_REQUEST = "client_request"
    HEALTH = "health"
    INTERRUPTED_UNAUTHORISED_ABSENCES = "interrupted_unauthorised_absences"
    SITE_ENDED = "site_ended"
    OTHER = "other"


class OnwardPath(StrEnum):
    """Where the client goes after the period (jatkopolku; domain.md § 3.6, unverified as an
    official code list)."""

    JOB = "job"
    PAY_SUBSIDY = "pay_subsidy"
    WORK_TRIAL = "work_trial"
    EDUCATION = "education"
    SOCIAL_REHABILITATION = "social_rehabilitation"
    NEW_PERIOD = "new_period"
    HEALTH_CARE_OR_PENSION = "health_care_or_pension"
    DROPPED_OUT = "dropped_out"
    OTHER = "other"


class PeriodEnd(DomainModel):
    """The end of a period: its last day, why, and the onward path."""

    end_date: date
    reason: EndReason
    onward_path: OnwardPath
    note: str = Field(default="", max_length=2000)
    recorded_by: str = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _other_needs_text(self) -> Self:
        issues = []
        if self.onward_path is OnwardPath.OTHER and not self.note:
            issues.append(issue(("note",), "text_required", "onward path 'other' needs a note", ""))
        elif self.reason is EndReason.OTHER and not self.note:
            issues.append(issue(("note",), "text_required", "reason 'other' needs a note", ""))
        refuse("PeriodEnd", issues)
        return self


class Period(DomainModel):
    """A client's period at a placement, started from an agreed agreement.

    ``end_date`` is the agreement's; ``extensions`` move it later, by any length while the
    whole period stays within the maximum. ``prior_days`` are days the
    client has already spent in the activity since the activation plan was last reviewed
    (earlier periods), which bring the 24-month review point closer.
    """

    id: RecordId
    agreement: RecordId | None = Field(
        default=None, description="The agreed agreement; None only for an imported period."
    )
    imported: bool = Field(
        default=False,
        description="Running before the county used Paikka: its dates and schedule are the "
        "ones agreed then (kept as they are, not re-judged by today's limits), its days are "
        "checked and paid by the same rules as every period's.",
    )
    client: RecordId
    placement: RecordId
    municipality: MunicipalityCode
    task_category: TaskCategory | None = None
    weekdays: SortedSet[Weekday] = Field(min_length=1)
    days_per_week: int = Field(ge=1, le=7)
    hours_per_day: float = Field(gt=0, le=24)
    start_date: date
    first_review_date: date
    end_date: date
    payer: BenefitPayer | None = Field(
        default=None,
        description=(
            "Who pays the client's allowance when the client's benefit for a day is not "
            "recorded; a recorded benefit decides each day's payer (models.benefits.payer_on)."
        ),
    )
    holidays_arranged: bool = Field(
        default=False, description="From the agreement: the activity is arranged on holidays."
    )
    prior_days: int = Field(default=0, ge=0, le=36600)
    extensions: tuple[Extension, ...] = Field(default=(), max_length=20)
    ended: PeriodEnd | None = None

    @property
    def planned_end(self) -> date:
        """The last agreed day: the latest extension's end or the agreement's."""
        return self.extensions[-1].end_date if self.extensions else self.end_date

    @property
    def last_day(self) -> date:
        """The day the period actually ends (or is planned to end)."""
        return self.ended.end_date if self.ended is not None else self.planned_end

    @model_validator(mode="after")
    def _dates_hold(self, info: ValidationInfo) -> Self:
        refuse("Period", period_issues(self, regime_of(info)))
        return self


def period_issues(period: Period, regime: LegalRegime) -> list[InitErrorDetails]:
    """The schedule within the law, extensions of any length while the whole period stays
    within the maximum, and the end inside the period. An imported period's schedule was
    agreed before Paikka and is kept as it was: only its dates must hold together (and an
    agreement is what every other period starts from).

    Source: Act 189/2001 § 13 (142/2015).

    The Act bounds a *period* at 3–24 months, not the step by which an agreement is extended:
    a 4-month period extended by 1 month is lawful, a period past 24 months is not. (An
    earlier reading required each extension to last 3 months; that was wrong.)
    """
    if period.imported:
        issues: list[InitErrorDetails] = []
        if not period.start_date <= period.end_date:
            issues.append(
                issue(
                    ("end_date",),
                    "end_before_start",
                    "the period ends before it starts",
                    period.end_date.isoformat(),
                )
            )
    else:
        issues = schedule_issues(
            period.weekdays,
            period.days_per_week,
            period.hours_per_day,
            period.start_date,
            period.first_review_date,
            period.end_date,
            regime,
        )
        if period.agreement is None:
            issues.append(
                issue(
                    ("agreement",),
                    "agreement_required",
                    "a period starts from an agreed agreement",
                    None,
                )
            )
    longest = last_day_of_months(period.start_date, regime.max_period_months)
    previous = period.end_date
    for k, extension in enumerate(period.extensions):
        if extension.end_date <= previous:
            issues.append(
                issue(
                    ("extensions", k, "end_date"),
                    "extension_not_later",
                    f"an extension moves the end later than {previous.isoformat()}",
                    extension.end_date.isoformat(),
                )
            )
        elif extension.end_date > longest:
            issues.append(
                issue(
                    ("extensions", k, "end_date"),
                    "period_too_long",
                    f"with its extensions a period may last at most "
                    f"{regime.max_period_months} months: end on {longest.isoformat()} or earlier",
                    extension.end_date.isoformat(),
                )
            )
        previous = max(previous, extension.end_date)
    if period.ended is not None and not (
        period.start_date <= period.ended.end_date <= period.planned_end
    ):
        issues.append(
            issue(
                ("ended", "end_date"),
                "end_outside_period",
                f"the end must fall between {period.start_date.isoformat()} and "
                f"{period.planned_end.isoformat()}",
                period.ended.end_date.isoformat(),
            )
        )
    return issues


# ---------------------------------------------------------------------------------------------
# The start notice and the feedback
# ---------------------------------------------------------------------------------------------


class StartNotice(DomainModel):
    """The organiser told the employment authority that the period started; the authority
    gives Kela or the unemployment fund its statement (THL toimeentuloturva)."""

    period: RecordId
    client: RecordId
    authority: str = Field(min_length=1, max_length=200, description="e.g. 'Oulun seudun …'.")
    sent_on: date
    sent_by: str = Field(min_length=1, max_length=200)


class FeedbackQuestion(StrEnum):
    """The short end-of-period form: one to five (5 = fully agree)."""

    TASKS_SUITED_ME = "tasks_suited_me"
    GOT_ENOUGH_SUPPORT = "got_enough_support"
    FELT_WELCOME = "felt_welcome"
    CLOSER_TO_GOAL = "closer_to_goal"
    WOULD_RECOMMEND = "would_recommend"


class SiteFeedbackQuestion(StrEnum):
    """The site's short form: one to five."""

    COOPERATION_WORKED = "cooperation_worked"
    SUPPORT_FROM_COUNTY = "support_from_county"
    TASKS_WERE_SUITABLE = "tasks_were_suitable"
    WOULD_TAKE_AGAIN = "would_take_again"


class ClientFeedback(DomainModel):
    """The client's feedback at the end of a period, given in their own language."""

    period: RecordId
    given_on: date
    language: str = Field(default="fi", pattern=r"^(fi|sv|en)$")
    answers: dict[FeedbackQuestion, int] = Field(default_factory=dict)
    comment: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _ratings_one_to_five(self) -> Self:
        refuse("ClientFeedback", _rating_issues(self.answers))
        return self


class SiteFeedback(DomainModel):
    """The site's feedback at the end of a period."""

    period: RecordId
    given_on: date
    given_by: str = Field(min_length=1, max_length=200)
    answers: dict[SiteFeedbackQuestion, int] = Field(default_factory=dict)
    comment: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _ratings_one_to_five(self) -> Self:
        refuse("SiteFeedback", _rating_issues(self.answers))
        return self


def _rating_issues(answers: dict[Any, int]) -> list[InitErrorDetails]:
    return [
        issue(
            ("answers", str(question.value)),
            "rating_range",
            "an answer is a number from 1 to 5",
            value,
        )
        for question, value in answers.items()
        if not 1 <= value <= 5
    ]
