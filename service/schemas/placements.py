"""Placements on the wire: create, partial update, read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field

from models import TaskCategory, Weekday, WorkDemand
from models.base import YesNo
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
}


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


class PlacementFields(WireIn):
    """Fields of a placement that a municipality contact edits."""

    department: Name
    municipality: Code
    location: LocationIn
    task_category: TaskCategory
    description: Text = ""
    seats: int = Field(ge=0, le=500, description="Clients at once.")
    weekdays: list[Weekday] = Field(min_length=1, max_length=7)
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
    closed: bool
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ImportResult(WireOut):
    """Outcome of an all-or-nothing bulk import."""

    imported: int
    ids: list[str]
