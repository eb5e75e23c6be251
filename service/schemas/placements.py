"""Placements on the wire: create, partial update, read."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field

from models import TaskCategory, Weekday, WorkDemand
from models.base import YesNo
from models.placement import ContactText, Email, OtherService, Phone, PostalCode
from service.schemas.common import Code, Id, LocationIn, Name, Tag, Text, WireIn, WireOut

PLACEMENT_EXAMPLE: dict[str, Any] = {
    "id": "P-OULU-KITCHEN-1",
    "organisation": "O-OULU-CATERING",
    "department": "Central kitchen",
    "municipality": "564",
    "location": {"lat": 65.012, "lon": 25.465},
    "task_category": "kitchen",
    "description": "Assisting in the central kitchen: dishwashing, food preparation.",
    "seats": 3,
    "weekdays": ["mon", "tue", "wed", "thu"],
    "min_hours_per_day": 4,
    "max_hours_per_day": 6,
    "demands": ["physical_load", "early_start"],
    "skills": ["cooking"],
    "support_units": 4,
    "youth_workshop": False,
    "languages": ["fi"],
    "available_from": "2026-01-05",
    "available_until": None,
    "no_replacement_attested_on": "2025-12-15",
    "street_address": "Keittiökuja 3",
    "postal_code": "90100",
    "post_office": "Oulu",
    "contact_person": "Ruokapalveluesihenkilö Maija Esimerkki",
    "contact_phone": "+358 8 000 0000",
    "contact_email": "keittio@example.fi",
}


SHEET_HEADERS: dict[str, tuple[str, str]] = {
    "id": ("Paikan tunnus", "Platsens kod"),
    "department": ("Paikan nimi", "Platsens namn"),
    "municipality": ("Kunta", "Kommun"),
    "lat": ("Leveysaste", "Latitud"),
    "lon": ("Pituusaste", "Longitud"),
    "task_category": ("Tehtäväala", "Uppgiftsområde"),
    "description": ("Tehtävät", "Uppgifter"),
    "seats": ("Paikkoja", "Platser"),
    "weekdays": ("Päivät", "Dagar"),
    "min_hours_per_day": ("Tunteja päivässä vähintään", "Timmar per dag minst"),
    "max_hours_per_day": ("Tunteja päivässä enintään", "Timmar per dag högst"),
    "demands": ("Työn vaatimukset", "Arbetets krav"),
    "skills": ("Taidot", "Färdigheter"),
    "languages": ("Työkielet", "Arbetsspråk"),
    "support_units": ("Ohjaajan tukiresurssi", "Handledarresurs"),
    "youth_workshop": ("Nuorten työpaja (kyllä/ei)", "Ungdomsverkstad (ja/nej)"),
    "available_from": ("Avoinna alkaen", "Öppen från"),
    "available_until": ("Avoinna asti", "Öppen till"),
    "no_replacement_attested_on": (
        "Vahvistus ettei korvaa palkkatyötä (pvm)",
        "Bekräftelse att inte ersätta avlönat arbete (datum)",
    ),
    "street_address": ("Osoite", "Adress"),
    "postal_code": ("Postinumero", "Postnummer"),
    "post_office": ("Postitoimipaikka", "Postanstalt"),
    "contact_person": ("Yhteyshenkilö", "Kontaktperson"),
    "contact_phone": ("Puhelin", "Telefon"),
    "contact_email": ("Sähköposti", "E-post"),
}
"""Field → (Finnish, Swedish) column header a municipality writes in its placement list; the
API import and the web import read both, and the field names themselves."""
HEADER_FIELDS: dict[str, str] = {
    **{field: field for field in SHEET_HEADERS},
    **{h.lower(): field for field, pair in SHEET_HEADERS.items() for h in pair},
}
"""A column header, lower-cased → the field it holds."""


def _not_after_today(day: date) -> date:
    if day > date.today():
        raise ValueError("an attestation cannot be dated after today")
    return day


AttestationDate = Annotated[
    date,
    AfterValidator(_not_after_today),
    Field(
        description=(
            "Date the producer last attested in writing that the clients' tasks are extra or "
            "assisting work and replace no paid staff (THL); not after today. Where the "
            "county requires it (PAIKKA_NO_REPLACEMENT_ATTESTATION_MONTHS), a placement "
            "without a recent enough attestation gets no new clients."
        )
    ),
]


class SharedUseIn(WireIn):
    """Seats and supervisor time taken by people on another service (counts only)."""

    service: OtherService
    from_date: date
    until_date: date | None = None
    seats: int = Field(default=0, ge=0, le=500)
    support_units: int = Field(default=0, ge=0, le=1000)


class PlacementFields(WireIn):
    """Fields of a placement that a municipality contact edits."""

    department: Name
    municipality: Code
    location: LocationIn
    task_category: TaskCategory
    description: Text = ""
    seats: int = Field(ge=0, le=500, description="Clients at once.")
    weekdays: list[Weekday] = Field(min_length=1, max_length=7)
    starts_at: time = Field(
        default=time(8, 0),
        description="Agreed start of the day, Finnish time (HH:MM): trips arrive by it.",
    )
    min_hours_per_day: float = Field(ge=0, le=24)
    max_hours_per_day: float = Field(ge=0, le=24)
    demands: list[WorkDemand] = Field(default_factory=list, max_length=20)
    skills: list[Tag] = Field(default_factory=list, max_length=50)
    support_units: int = Field(ge=0, le=1000)
    youth_workshop: YesNo = False
    languages: list[Tag] = Field(default_factory=lambda: ["fi"], max_length=20)
    available_from: date
    available_until: date | None = None
    no_replacement_attested_on: AttestationDate | None = None
    shared_use: list[SharedUseIn] = Field(
        default_factory=list,
        max_length=50,
        description=(
            "Seats and supervisor time people on other services take (work trial, "
            "pay-subsidised work, social rehabilitation, youth coaching): service, dates, counts."
        ),
    )
    street_address: ContactText | None = None
    postal_code: PostalCode | None = None
    post_office: ContactText | None = None
    contact_person: ContactText | None = Field(
        default=None, description="The site's contact person (name, title)."
    )
    contact_phone: Phone | None = Field(default=None, description="The site's work phone.")
    contact_email: Email | None = Field(default=None, description="The site's work e-mail.")


class PlacementCreate(PlacementFields):
    """A new placement; ``organisation`` must be the caller's own for municipality users."""

    model_config = ConfigDict(json_schema_extra={"examples": [PLACEMENT_EXAMPLE]})

    id: Id
    organisation: Id


class PlacementUpdate(WireIn):
    """A partial update: only the fields given change."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"seats": 4, "description": "…"}]})

    department: Name | None = None
    municipality: Code | None = None
    location: LocationIn | None = None
    task_category: TaskCategory | None = None
    description: Text | None = None
    seats: int | None = Field(default=None, ge=0, le=500)
    weekdays: list[Weekday] | None = Field(default=None, min_length=1, max_length=7)
    starts_at: time | None = None
    min_hours_per_day: float | None = Field(default=None, ge=0, le=24)
    max_hours_per_day: float | None = Field(default=None, ge=0, le=24)
    demands: list[WorkDemand] | None = Field(default=None, max_length=20)
    skills: list[Tag] | None = Field(default=None, max_length=50)
    support_units: int | None = Field(default=None, ge=0, le=1000)
    youth_workshop: YesNo | None = None
    languages: list[Tag] | None = Field(default=None, max_length=20)
    available_from: date | None = None
    available_until: date | None = None
    no_replacement_attested_on: AttestationDate | None = None
    shared_use: list[SharedUseIn] | None = Field(default=None, max_length=50)
    street_address: ContactText | None = None
    postal_code: PostalCode | None = None
    post_office: ContactText | None = None
    contact_person: ContactText | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None


class PlacementOut(WireOut):
    """A placement as stored."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**PLACEMENT_EXAMPLE, "closed": False}]}
    )

    id: str
    organisation: str
    department: str
    municipality: str
    location: LocationIn
    task_category: TaskCategory
    description: str
    seats: int
    weekdays: list[Weekday]
    starts_at: time = time(8, 0)
    min_hours_per_day: float
    max_hours_per_day: float
    demands: list[WorkDemand]
    skills: list[str]
    support_units: int
    youth_workshop: bool
    languages: list[str]
    available_from: date
    available_until: date | None
    no_replacement_attested_on: date | None
    shared_use: list[SharedUseIn] = Field(default_factory=list)
    street_address: str | None = None
    postal_code: str | None = None
    post_office: str | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    closed: bool
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ImportResult(WireOut):
    """Outcome of an all-or-nothing bulk import."""

    imported: int
    ids: list[str]
