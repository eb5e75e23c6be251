"""Clients (pseudonymous), their coaches and the placements they are already in."""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import Field, model_validator

from models.base import (
    DomainModel,
    LanguageCode,
    Location,
    MunicipalityCode,
    RecordId,
    SortedSet,
    Weekday,
    YesNo,
)
from models.benefits import Benefit, BenefitSpell, benefit_on
from models.placement import TaskCategory, WorkDemand


class Preference(DomainModel):
    """One entry of a client's ranked wishes: a placement or a task category."""

    placement: RecordId | None = None
    task_category: TaskCategory | None = None

    @model_validator(mode="after")
    def _exactly_one_target(self) -> Self:
        if (self.placement is None) == (self.task_category is None):
            raise ValueError("a preference names exactly one of placement or task_category")
        return self


TravelMeans = Literal["public_transport", "walks", "cycles", "drives", "taxi"]
"""How a client gets to a placement: by bus and train (the county's feed where there is one),
or by their own means, which overrides the feed: walking, cycling, driving, or a taxi the
municipality has decided on (door to door, as the estimate by road)."""


class Client(DomainModel):
    """A client of rehabilitative work activity, as the engine needs to see them.

    Only pseudonymous and derived data: ``work_constraints`` are opaque flags ("must avoid this
    demand"), never a diagnosis; ``support_units`` is the support need in the same units as a
    placement's supervisor capacity. Limits such as 1–4 days a week are checked against the
    legal regime of the problem, not here, because the law is being reformed.
    """

    id: RecordId = Field(description="Pseudonymous id; never a name or a personal id code.")
    birth_date: date | None = Field(default=None, description="Or give age.")
    age: int | None = Field(default=None, ge=15, le=100, description="Age in years at start.")
    home_municipality: MunicipalityCode = Field(description="Municipality code of the home.")
    commuting_area: RecordId | None = Field(
        default=None, description="Defaults to the home municipality's commuting area."
    )
    consent_outside_commuting_area: YesNo = Field(
        default=False, description="Client agreed to work outside their commuting area (THL)."
    )
    location: Location
    max_travel_minutes: int = Field(default=60, ge=5, le=240, description="One way, minutes.")
    travel_means: TravelMeans = Field(
        default="public_transport",
        description="Public transport, or the client's own means (overrides the feed).",
    )
    referral_basis: str = Field(default="activation_plan", min_length=1)
    days_per_week: int = Field(ge=1, le=7, description="From the plan; the law allows 1–4.")
    hours_per_day: float = Field(ge=1, le=12, description="From the plan; the law: 4–8.")
    available_weekdays: SortedSet[Weekday] = Field(min_length=1)
    preferences: tuple[Preference, ...] = Field(
        default=(), max_length=20, description="Ranked wishes, best first."
    )
    aptitudes: SortedSet[str] = Field(default=frozenset(), description="Skills, e.g. 'cooking'.")
    interests: SortedSet[TaskCategory] = frozenset()
    work_constraints: SortedSet[WorkDemand] = Field(
        default=frozenset(), description="Demands the client must avoid (opaque flags)."
    )
    languages: SortedSet[LanguageCode] = Field(default=frozenset({"fi"}), min_length=1)
    support_units: int = Field(default=1, ge=0, le=100, description="Support need, units.")
    waiting_since: date = Field(description="Date the client became ready to start.")
    coach: RecordId | None = Field(default=None, description="Individual coach id.")
    avoid_placements: SortedSet[RecordId] = Field(
        default=frozenset(), description="Placements not to propose (e.g. an earlier conflict)."
    )
    avoid_clients: SortedSet[RecordId] = Field(
        default=frozenset(), description="Clients not to place at the same placement."
    )
    benefits: tuple[BenefitSpell, ...] = Field(
        default=(),
        max_length=50,
        description=(
            "The client's benefit with its dates (no overlaps); it decides who pays each "
            "day's allowance and which referral bases the regime allows. Empty = not recorded."
        ),
    )
    work_hours_per_week: float = Field(
        default=0,
        ge=0,
        le=80,
        description="§ 6: regular working time in employment, hours a week (0 = none).",
    )
    full_time_entrepreneur: YesNo = Field(
        default=False, description="§ 6: employed full-time as an entrepreneur or starting so."
    )
    full_time_student: YesNo = Field(default=False, description="§ 6: a full-time student.")
    other_employment_service: YesNo = Field(
        default=False,
        description="§ 6: in an employment-promoting service under Act 1290/2002 (not this).",
    )

    def benefit_on(self, day: date) -> Benefit | None:
        """The benefit the client receives on ``day`` (None = not recorded for that day)."""
        return benefit_on(self.benefits, day)

    @model_validator(mode="after")
    def _age_is_known(self) -> Self:
        if (self.birth_date is None) == (self.age is None):
            raise ValueError("give exactly one of birth_date or age")
        return self


class Coach(DomainModel):
    """The county's individual coach, who supports each placed client (13 a §)."""

    id: RecordId
    caseload_capacity: int = Field(ge=0, le=500, description="Placed clients at most.")
    municipalities: SortedSet[MunicipalityCode] = Field(
        default=frozenset(), description="Municipalities covered (informative)."
    )


class OngoingAssignment(DomainModel):
    """A client already working at a placement since ``start_date``, for a period agreed to
    end on ``end_date`` (its last day; None = not agreed, the regime's maximum applies)."""

    client: RecordId
    placement: RecordId
    start_date: date
    end_date: date | None = Field(default=None, description="Agreed last day of the period.")

    @model_validator(mode="after")
    def _period_is_ordered(self) -> Self:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(f"the period ends {self.end_date}, before it starts {self.start_date}")
        return self
