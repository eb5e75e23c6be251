"""Reference data: commuting areas, municipalities, producer organisations, coaches."""

from __future__ import annotations

from pydantic import Field

from models import OrganisationType
from service.schemas.common import Code, Id, LocationIn, Name, WireIn, WireOut


class CommutingAreaIn(WireIn):
    """A commuting area."""

    id: Id
    name: Name


class MunicipalityIn(WireIn):
    """A municipality and its commuting area."""

    code: Code
    name_fi: Name
    name_sv: Name | None = None
    commuting_area: Id
    centre: LocationIn | None = None


class OrganisationIn(WireIn):
    """A producer organisation (a company is refused when a run is built)."""

    id: Id
    name: Name
    type: OrganisationType
    municipality: Code | None = None


class CoachIn(WireIn):
    """An individual coach."""

    id: Id
    caseload_capacity: int = Field(ge=0, le=500)
    municipalities: list[Code] = Field(default_factory=list, max_length=500)


class ReferenceData(WireIn, WireOut):
    """All reference data at once; ``PUT /reference`` inserts or updates each record."""

    commuting_areas: list[CommutingAreaIn] = Field(default_factory=list, max_length=1000)
    municipalities: list[MunicipalityIn] = Field(default_factory=list, max_length=1000)
    organisations: list[OrganisationIn] = Field(default_factory=list, max_length=1000)
    coaches: list[CoachIn] = Field(default_factory=list, max_length=1000)
