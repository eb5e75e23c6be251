"""Placements: open positions at a site where clients do their work activity."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from models.base import (
    DomainModel,
    LanguageCode,
    Location,
    MunicipalityCode,
    RecordId,
    SortedSet,
    Weekday,
    YesNo,
    field_error,
)
from models.dates import add_months


class TaskCategory(StrEnum):
    """Kind of work at a placement (domain.md § 6.1)."""

    KITCHEN = "kitchen"
    CLEANING = "cleaning"
    PROPERTY_MAINTENANCE = "property_maintenance"
    PARKS = "parks"
    OFFICE = "office"
    ELDERLY_CARE = "elderly_care"
    DAYCARE = "daycare"
    LIBRARY = "library"
    RECYCLING = "recycling"
    WOOD_WORKSHOP = "wood_workshop"
    METAL_WORKSHOP = "metal_workshop"
    TEXTILE_WORKSHOP = "textile_workshop"
    MEDIA_WORKSHOP = "media_workshop"
    LOGISTICS = "logistics"
    RETAIL = "retail"


class WorkDemand(StrEnum):
    """A demand of the work that some clients must avoid.

    Clients carry the same names as opaque work-constraint flags ("must avoid"), never a
    diagnosis: the engine only needs to know that a pair does not fit.
    """

    PHYSICAL_LOAD = "physical_load"
    CUSTOMER_CONTACT = "customer_contact"
    NOISE = "noise"
    OUTDOOR_WORK = "outdoor_work"
    ALCOHOL_ACCESS = "alcohol_access"
    MEDICINE_ACCESS = "medicine_access"
    MACHINERY = "machinery"
    CHILDREN = "children"
    EARLY_START = "early_start"


POSTAL_CODE = re.compile(r"^\d{5}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,24}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _postal_code(value: str) -> str:
    if not POSTAL_CODE.match(value):
        raise PydanticCustomError("postal_code", "a Finnish postal code has five digits")
    return value


def _phone(value: str) -> str:
    if not PHONE.match(value) or sum(c.isdigit() for c in value) < 5:
        raise PydanticCustomError(
            "phone", "a phone number has digits, spaces, '-', '(' ')' and may start with '+'"
        )
    return value


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise PydanticCustomError("email", "an e-mail address looks like name@example.fi")
    return value.lower()


ContactText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PostalCode = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_postal_code)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=30), AfterValidator(_phone)
]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)
]
CONTACT_FIELDS = (
    "street_address",
    "postal_code",
    "post_office",
    "contact_person",
    "contact_phone",
    "contact_email",
)
"""The site's address and its contact person: shown to coordinators and clients, never used by
the engine (the service keeps them apart from the engine's input). The phone and e-mail are
the site's work contacts, not anyone's private ones."""


class OtherService(StrEnum):
    """A service other than this activity whose participants share a site's seats and
    supervisor (the cooperation model, youth workshops)."""

    WORK_TRIAL = "work_trial"
    PAY_SUBSIDISED_WORK = "pay_subsidised_work"
    SOCIAL_REHABILITATION = "social_rehabilitation"
    YOUTH_COACHING = "youth_coaching"
    OTHER = "other"


class SharedUse(DomainModel):
    """Seats and supervisor time at a placement taken by people on another service, from
    ``from_date`` to ``until_date`` (last day; None = open-ended). Counts only: no personal
    data of the people is needed or kept."""

    service: OtherService
    from_date: date
    until_date: date | None = None
    seats: int = Field(default=0, ge=0, le=500, description="Seats taken, people at once.")
    support_units: int = Field(
        default=0, ge=0, le=1000, description="Supervisor support units taken."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.until_date is not None and self.until_date < self.from_date:
            raise field_error(
                "SharedUse",
                "until_date",
                "range_order",
                f"until_date {self.until_date} is before from_date {self.from_date}",
                self.until_date.isoformat(),
            )
        return self

    def covers(self, day: date) -> bool:
        """Whether the use includes ``day``."""
        return self.from_date <= day and (self.until_date is None or day <= self.until_date)


def shared_peak(uses: tuple[SharedUse, ...], first: date, last: date) -> tuple[int, int]:
    """The most seats and support units other services take on any day ``first``–``last``
    (the counts change only where a use starts, so those days and ``first`` suffice)."""
    days = {first} | {u.from_date for u in uses if first < u.from_date <= last}
    seats = support = 0
    for day in days:
        here = [u for u in uses if u.covers(day)]
        seats = max(seats, sum(u.seats for u in here))
        support = max(support, sum(u.support_units for u in here))
    return seats, support


class Placement(DomainModel):
    """An open position at a site; ``seats`` clients can take part at once.

    Hours are hours per day, support units are the supervisor's capacity to guide clients
    (each client needs ``Client.support_units`` of it).

    ``no_replacement_attested_on`` is the audit record of THL's rule that the activity must not
    replace paid work: the date of the producer's latest written attestation that the clients'
    tasks are extra, assisting work and that no staff member is replaced or stood in for. Only
    the date is kept (the signed document stays with the organisation), so no personal data of
    the signer enters the engine. Source: THL, organising and procuring the activity,
    https://thl.fi/aiheet/hyvinvoinnin-ja-terveyden-edistamisen-johtaminen/osallisuuden-edistaminen/tyoelamaosallisuus/kuntouttava-tyotoiminta/kuntouttavan-tyotoiminnan-jarjestaminen-ja-hankinta
    """

    id: RecordId
    organisation: RecordId = Field(description="Producer organisation id.")
    department: str = Field(min_length=1, description="Department or unit, e.g. 'Central kitchen'.")
    municipality: MunicipalityCode
    location: Location
    task_category: TaskCategory
    description: str = Field(default="", max_length=2000)
    seats: int = Field(ge=0, le=500, description="Clients at once.")
    weekdays: SortedSet[Weekday] = Field(min_length=1, description="Days the activity runs.")
    starts_at: time = Field(
        default=time(8, 0),
        description="Agreed start of the day, Finnish time: trips arrive by it.",
    )
    min_hours_per_day: float = Field(ge=0, le=24)
    max_hours_per_day: float = Field(ge=0, le=24)
    demands: SortedSet[WorkDemand] = frozenset()
    skills: SortedSet[str] = Field(
        default=frozenset(), description="Aptitudes the tasks use, e.g. 'cooking', 'it'."
    )
    support_units: int = Field(
        ge=0, le=1000, description="Supervisor support capacity, in support units."
    )
    youth_workshop: YesNo = Field(
        default=False, description="A youth workshop: only for clients under the youth age limit."
    )
    languages: SortedSet[LanguageCode] = Field(
        default=frozenset({"fi"}),
        description="Languages of work (ISO 639-1); empty means any language will do.",
    )
    available_from: date
    available_until: date | None = Field(default=None, description="Last day; None = open-ended.")
    closed: YesNo = Field(default=False, description="Closed positions take no new clients.")
    no_replacement_attested_on: date | None = Field(
        default=None,
        description=(
            "Date the producer organisation last attested in writing that the clients' tasks "
            "are extra or assisting work and replace no paid staff (THL: the activity must not "
            "replace work done in employment relationships); None = no attestation on record."
        ),
    )

    shared_use: tuple[SharedUse, ...] = Field(
        default=(),
        max_length=50,
        description=(
            "Seats and supervisor time taken by people on other services (work trial, "
            "pay-subsidised work, social rehabilitation, youth coaching): counted against "
            "seats and support_units by the engine, the write screen and the figures."
        ),
    )

    street_address: ContactText | None = Field(
        default=None, description="Street address of the site, e.g. 'Kauppurienkatu 10 B'."
    )
    postal_code: PostalCode | None = Field(default=None, description="Five digits, e.g. '90100'.")
    post_office: ContactText | None = Field(default=None, description="Post office, e.g. 'Oulu'.")
    contact_person: ContactText | None = Field(
        default=None, description="The site's contact person for coordinators (name, title)."
    )
    contact_phone: Phone | None = Field(default=None, description="The site's work phone.")
    contact_email: Email | None = Field(default=None, description="The site's work e-mail.")

    def free_capacity(self, first: date, months: int) -> tuple[int, int]:
        """Seats and support units left for this activity over a period of ``months`` from
        ``first``: the placement's, less the most that other services take on any day of it
        (``shared_use``), never below 0."""
        last = add_months(first, months) - timedelta(days=1)
        seats, support = shared_peak(self.shared_use, first, last)
        return max(self.seats - seats, 0), max(self.support_units - support, 0)

    @model_validator(mode="after")
    def _ranges_are_ordered(self) -> Self:
        if self.min_hours_per_day > self.max_hours_per_day:
            raise field_error(
                "Placement",
                "min_hours_per_day",
                "range_order",
                f"min_hours_per_day {self.min_hours_per_day:g} is above "
                f"max_hours_per_day {self.max_hours_per_day:g}",
                self.min_hours_per_day,
            )
        if self.available_until is not None and self.available_until < self.available_from:
            raise field_error(
                "Placement",
                "available_until",
                "range_order",
                f"available_until {self.available_until} is before available_from "
                f"{self.available_from}",
                self.available_until.isoformat(),
            )
        return self
