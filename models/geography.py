"""Municipalities and commuting areas (työssäkäyntialueet)."""

from __future__ import annotations

from pydantic import Field

from models.base import DomainModel, Location, MunicipalityCode, RecordId


class CommutingArea(DomainModel):
    """A commuting area: the activity must be inside the client's one unless they consent.

    Source: THL, organising and procurement of rehabilitative work activity.
    """

    id: RecordId
    name: str = Field(min_length=1)


class Municipality(DomainModel):
    """A municipality of the county, with the commuting area it belongs to."""

    code: MunicipalityCode
    name_fi: str = Field(min_length=1)
    name_sv: str | None = Field(default=None, description="Swedish name where one exists.")
    commuting_area: RecordId = Field(description="Id of the commuting area it belongs to.")
    centre: Location | None = Field(default=None, description="Centre of the municipality.")
