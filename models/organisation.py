"""Organisations that produce the work activity, and the rule that companies may not."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from models.base import DomainModel, MunicipalityCode, RecordId


class OrganisationType(StrEnum):
    """Kinds of producer. ``company`` exists only so that it can be refused by name."""

    MUNICIPAL_DEPARTMENT = "municipal_department"
    COUNTY_UNIT = "county_unit"
    ASSOCIATION = "association"
    FOUNDATION = "foundation"
    RELIGIOUS_COMMUNITY = "religious_community"
    STATE = "state"
    COMPANY = "company"


class Organisation(DomainModel):
    """A producer of placements: a municipal department, the county's own unit, an NGO…

    Whether its type may produce the activity depends on the legal regime (THL: not a company);
    the problem's validation refuses a company with an error that says so.
    """

    id: RecordId
    name: str = Field(min_length=1)
    type: OrganisationType
    municipality: MunicipalityCode | None = Field(
        default=None, description="Home municipality (for municipal departments: the owner)."
    )
