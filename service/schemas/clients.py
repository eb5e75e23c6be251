"""Clients on the wire, in three views: full (coordinator), shared (municipality contact,
only what the client consented to) and pseudonymous (planner)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from models import TaskCategory, TravelMeans, Weekday, WorkDemand
from models.base import YesNo
from models.benefits import Benefit
from models.identity_code import IdentityCodeError, parse_identity_code
from service.schemas.common import Code, Id, LocationIn, Name, Tag, WireIn, WireOut

Phone = Annotated[str, StringConstraints(max_length=50, pattern=r"^[0-9 +()\-]*$")]
Email = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$")]


class SharedField(StrEnum):
    """What a client may agree to show the contact of a placement they are placed or proposed
    at. Anything not listed stays hidden from municipality users."""

    DISPLAY_NAME = "display_name"
    PHONE = "phone"
    EMAIL = "email"
    SCHEDULE = "schedule"
    LANGUAGES = "languages"
    APTITUDES = "aptitudes"
    WORK_CONSTRAINTS = "work_constraints"


class BenefitSpellIn(WireIn):
    """The client received ``benefit`` from ``from_date`` to ``until_date`` (None = still)."""

    benefit: Benefit
    from_date: date
    until_date: date | None = None


class PreferenceIn(WireIn):
    """One ranked wish: a placement or a task category (exactly one)."""

    placement: Id | None = None
    task_category: TaskCategory | None = None


CLIENT_EXAMPLE: dict[str, Any] = {
    "id": "C-0001",
    "display_name": "Matti Meikäläinen",
    "phone": "+358 40 123 4567",
    "email": "matti@example.org",
    "shared_fields": ["display_name", "phone", "schedule"],
    "birth_date": "1990-04-01",
    "home_municipality": "564",
    "location": {"lat": 65.01, "lon": 25.47},
    "max_travel_minutes": 45,
    "days_per_week": 3,
    "hours_per_day": 5,
    "available_weekdays": ["mon", "tue", "wed", "thu"],
    "preferences": [{"task_category": "kitchen"}],
    "aptitudes": ["cooking"],
    "interests": ["kitchen"],
    "work_constraints": ["physical_load"],
    "languages": ["fi"],
    "support_units": 1,
    "waiting_since": "2025-11-03",
}


class ClientFields(WireIn):
    """Engine fields of a client (pseudonymous and derived; no diagnoses)."""

    birth_date: date | None = Field(default=None, description="Or give age.")
    age: int | None = Field(default=None, ge=15, le=100)
    home_municipality: Code
    commuting_area: Id | None = None
    consent_outside_commuting_area: YesNo = False
    location: LocationIn
    max_travel_minutes: int = Field(default=60, ge=5, le=240)
    travel_means: TravelMeans = Field(
        default="public_transport",
        description="How the client travels: by public transport (the county's timetables), or "
        "by their own means (walks, cycles, drives, taxi decision), which override the feed.",
    )
    referral_basis: Tag = "activation_plan"
    days_per_week: int = Field(ge=1, le=7)
    hours_per_day: float = Field(ge=1, le=12)
    available_weekdays: list[Weekday] = Field(min_length=1, max_length=7)
    preferences: list[PreferenceIn] = Field(default_factory=list, max_length=20)
    aptitudes: list[Tag] = Field(default_factory=list, max_length=50)
    interests: list[TaskCategory] = Field(default_factory=list, max_length=20)
    work_constraints: list[WorkDemand] = Field(default_factory=list, max_length=20)
    languages: list[Tag] = Field(default_factory=lambda: ["fi"], min_length=1, max_length=20)
    support_units: int = Field(default=1, ge=0, le=100)
    waiting_since: date
    coach: Id | None = None
    avoid_placements: list[Id] = Field(default_factory=list, max_length=100)
    avoid_clients: list[Id] = Field(default_factory=list, max_length=100)
    benefits: list[BenefitSpellIn] = Field(default_factory=list, max_length=50)
    work_hours_per_week: float = Field(default=0, ge=0, le=80)
    full_time_entrepreneur: YesNo = False
    full_time_student: YesNo = False
    other_employment_service: YesNo = False


def _identity_code(value: str) -> str:
    """A valid personal identity code, upper case (the reason named, the code never
    repeated: the refusal carries only the field and what is wrong)."""
    try:
        return parse_identity_code(value).text
    except IdentityCodeError as exc:
        raise PydanticCustomError(exc.code, str(exc)) from None


IdentityCodeIn = Annotated[
    str,
    StringConstraints(min_length=11, max_length=11),
    AfterValidator(_identity_code),
    Field(
        description=(
            "Personal identity code (henkilötunnus) DDMMYYCZZZQ; stored encrypted, shown "
            "masked (010190-***X), revealed only to coordinators (GET "
            "/clients/{id}/identity-code, audited)."
        ),
        json_schema_extra={"writeOnly": True},
    ),
]


class PersonalFields(WireIn):
    """Identifying data and sharing consent; stored apart from the engine record."""

    identity_code: IdentityCodeIn | None = None
    display_name: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    shared_fields: list[SharedField] = Field(
        default_factory=list, description="What placement contacts may see."
    )


class ClientCreate(ClientFields, PersonalFields):
    """A new client; without ``id`` the service makes a pseudonymous one."""

    model_config = ConfigDict(json_schema_extra={"examples": [CLIENT_EXAMPLE]})

    id: Id | None = None


class ClientUpdate(WireIn):
    """A partial update of a client: only the fields given change."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"days_per_week": 4}]})

    birth_date: date | None = None
    age: int | None = Field(default=None, ge=15, le=100)
    home_municipality: Code | None = None
    commuting_area: Id | None = None
    consent_outside_commuting_area: YesNo | None = None
    location: LocationIn | None = None
    max_travel_minutes: int | None = Field(default=None, ge=5, le=240)
    travel_means: TravelMeans | None = None
    referral_basis: Tag | None = None
    days_per_week: int | None = Field(default=None, ge=1, le=7)
    hours_per_day: float | None = Field(default=None, ge=1, le=12)
    available_weekdays: list[Weekday] | None = Field(default=None, min_length=1, max_length=7)
    preferences: list[PreferenceIn] | None = Field(default=None, max_length=20)
    aptitudes: list[Tag] | None = Field(default=None, max_length=50)
    interests: list[TaskCategory] | None = Field(default=None, max_length=20)
    work_constraints: list[WorkDemand] | None = Field(default=None, max_length=20)
    languages: list[Tag] | None = Field(default=None, min_length=1, max_length=20)
    support_units: int | None = Field(default=None, ge=0, le=100)
    waiting_since: date | None = None
    coach: Id | None = None
    avoid_placements: list[Id] | None = Field(default=None, max_length=100)
    avoid_clients: list[Id] | None = Field(default=None, max_length=100)
    benefits: list[BenefitSpellIn] | None = Field(default=None, max_length=50)
    work_hours_per_week: float | None = Field(default=None, ge=0, le=80)
    full_time_entrepreneur: YesNo | None = None
    full_time_student: YesNo | None = None
    other_employment_service: YesNo | None = None
    active: bool | None = None
    identity_code: IdentityCodeIn | None = Field(default=None, description="null removes it")
    display_name: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    shared_fields: list[SharedField] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> ClientUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self


class ClientOut(WireOut):
    """The full client record (coordinators only)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**CLIENT_EXAMPLE, "active": True}]})

    view: Literal["full"] = "full"
    id: str
    active: bool
    identity_code: str | None = Field(
        default=None, description="Masked (010190-***X); the code itself only by its reveal."
    )
    display_name: str | None
    phone: str | None
    email: str | None
    shared_fields: list[SharedField]
    birth_date: date | None
    age: int | None
    home_municipality: str
    commuting_area: str | None
    consent_outside_commuting_area: bool
    location: LocationIn
    max_travel_minutes: int
    travel_means: TravelMeans = "public_transport"
    referral_basis: str
    days_per_week: int
    hours_per_day: float
    available_weekdays: list[Weekday]
    preferences: list[PreferenceIn]
    aptitudes: list[str]
    interests: list[TaskCategory]
    work_constraints: list[WorkDemand]
    languages: list[str]
    support_units: int
    waiting_since: date
    coach: str | None
    avoid_placements: list[str]
    avoid_clients: list[str]
    benefits: list[BenefitSpellIn] = Field(default_factory=list)
    work_hours_per_week: float = 0
    full_time_entrepreneur: bool = False
    full_time_student: bool = False
    other_employment_service: bool = False


AgeBand = Literal["under_25", "25_28", "29_plus"]


class ClientPseudonymous(WireOut):
    """A planner's view: no name, contact, birth date, location, work constraints or support
    need; the age only as a band."""

    view: Literal["pseudonymous"] = "pseudonymous"
    id: str
    active: bool
    age_band: AgeBand
    commuting_area: str | None
    consent_outside_commuting_area: bool
    days_per_week: int
    hours_per_day: float
    available_weekdays: list[Weekday]
    preferences: list[PreferenceIn]
    aptitudes: list[str]
    interests: list[TaskCategory]
    languages: list[str]
    waiting_since: date


class ClientShared(WireOut):
    """A placement contact's view: the fields the client agreed to share, ``null`` otherwise,
    and the caller's placements the client is placed or proposed at."""

    view: Literal["shared"] = "shared"
    id: str
    placements: list[str]
    display_name: str | None = None
    phone: str | None = None
    email: str | None = None
    days_per_week: int | None = None
    hours_per_day: float | None = None
    available_weekdays: list[Weekday] | None = None
    languages: list[str] | None = None
    aptitudes: list[str] | None = None
    work_constraints: list[WorkDemand] | None = None


ClientView = ClientOut | ClientShared | ClientPseudonymous


class IdentityCodeOut(WireOut):
    """A client's personal identity code, revealed to a coordinator (the reveal is audited)."""

    client_id: str
    identity_code: str
