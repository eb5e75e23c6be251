"""Municipalities and commuting areas (työssäkäyntialueet)."""

from __future__ import annotations

from datetime import date

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
    employment_area: RecordId | None = Field(
        default=None, description="Employment area (seutukunta-level grouping) it belongs to."
    )


class EmploymentArea(DomainModel):
    """An employment area (työssäkäyntialue of the labour administration, TE-alue level)."""

    id: RecordId
    name: str = Field(min_length=1)


class GeographySource(DomainModel):
    """Where the problem's municipalities and areas come from: the file the county supplied
    (a classification of Statistics Finland, say) and its date, or the sample's synthetic
    grouping, labelled as such."""

    source: str = Field(min_length=1, max_length=500)
    as_of: date | None = Field(default=None, description="Date of the classification.")
    synthetic: bool = Field(default=False, description="Made up for synthetic data.")
