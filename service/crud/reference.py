"""Reference data: commuting areas, municipalities, organisations and coaches (upsert)."""

from __future__ import annotations

import csv
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.geography import GeographyError, apply_geography, read_classification
from models import AllocationProblem, Municipality
from service.crud.integrity import Touched, refuse_if_breaking
from service.crud.runs import municipalities_of
from service.db.tables import (
    CoachRow,
    CommutingAreaRow,
    EmploymentAreaRow,
    GeographySourceRow,
    MunicipalityRow,
    OrganisationRow,
)
from service.errors import InvalidInput
from service.schemas.reference import (
    CoachIn,
    CommutingAreaIn,
    MunicipalityIn,
    OrganisationIn,
    ReferenceData,
)


def upsert(session: Session, data: ReferenceData) -> None:
    """Insert or update every record of ``data`` (the caller commits)."""
    areas = {a.id for a in data.commuting_areas} | set(session.scalars(select(CommutingAreaRow.id)))
    for i, m in enumerate(data.municipalities):
        if m.commuting_area not in areas:
            raise InvalidInput(
                "unknown reference",
                [
                    {
                        "loc": ["body", "municipalities", i, "commuting_area"],
                        "field": f"body.municipalities.{i}.commuting_area",
                        "msg": f"unknown commuting area '{m.commuting_area}'",
                    }
                ],
                code="api.unknown.commuting_area",
                params={"value": m.commuting_area},
            )
    for area in data.commuting_areas:
        session.merge(CommutingAreaRow(id=area.id, name=area.name))
    session.flush()
    for m in data.municipalities:
        session.merge(
            MunicipalityRow(
                code=m.code,
                name_fi=m.name_fi,
                name_sv=m.name_sv,
                commuting_area_id=m.commuting_area,
                centre_lat=m.centre.lat if m.centre else None,
                centre_lon=m.centre.lon if m.centre else None,
            )
        )
    for o in data.organisations:
        session.merge(
            OrganisationRow(
                id=o.id, name=o.name, type=o.type.value, municipality_code=o.municipality
            )
        )
    for c in data.coaches:
        session.merge(
            CoachRow(
                id=c.id, caseload_capacity=c.caseload_capacity, municipalities=c.municipalities
            )
        )
    session.flush()
    refuse_if_breaking(
        session,
        Touched(
            commuting_areas={a.id for a in data.commuting_areas},
            municipalities={m.code for m in data.municipalities},
            organisations={o.id for o in data.organisations},
            coaches={c.id for c in data.coaches},
        ),
    )


def read(session: Session) -> ReferenceData:
    """All reference data."""
    return ReferenceData(
        commuting_areas=[
            CommutingAreaIn(id=a.id, name=a.name)
            for a in session.scalars(select(CommutingAreaRow).order_by(CommutingAreaRow.id))
        ],
        municipalities=[
            MunicipalityIn.model_validate(
                {
                    "code": m.code,
                    "name_fi": m.name_fi,
                    "name_sv": m.name_sv,
                    "commuting_area": m.commuting_area_id,
                    "centre": (
                        {"lat": m.centre_lat, "lon": m.centre_lon}
                        if m.centre_lat is not None and m.centre_lon is not None
                        else None
                    ),
                }
            )
            for m in session.scalars(select(MunicipalityRow).order_by(MunicipalityRow.code))
        ],
        organisations=[
            OrganisationIn.model_validate(
                {"id": o.id, "name": o.name, "type": o.type, "municipality": o.municipality_code}
            )
            for o in session.scalars(select(OrganisationRow).order_by(OrganisationRow.id))
        ],
        coaches=[
            CoachIn(id=c.id, caseload_capacity=c.caseload_capacity, municipalities=c.municipalities)
            for c in session.scalars(select(CoachRow).order_by(CoachRow.id))
        ],
    )


def import_geography(
    session: Session, content: bytes, source: str, as_of: date | None, imported_by: str
) -> GeographySourceRow:
    """Take in the county's classification table (``matching.geography``, the file the
    command line reads): its commuting areas, employment areas and each municipality's areas
    replace the stored grouping, and the source row records where they come from. Raises
    ``InvalidInput`` naming the row and column of each problem (the caller commits)."""
    stored = tuple(Municipality.model_validate(m) for m in municipalities_of(session))
    current = AllocationProblem.model_construct(
        planning_date=date.today(), commuting_areas=(), municipalities=stored
    )
    try:
        problem = apply_geography(current, read_classification(content), source, as_of)
    except (GeographyError, UnicodeDecodeError, csv.Error) as error:
        lines = error.lines if isinstance(error, GeographyError) else [str(error)]
        raise InvalidInput(
            "not a usable classification table",
            [{"loc": ["body", "file"], "field": "body.file", "msg": line} for line in lines[:20]],
            more=max(0, len(lines) - 20),
            code="api.invalid_geography",
            params={"reason": "; ".join(lines[:5])},
        ) from error
    for area in problem.commuting_areas:
        session.merge(CommutingAreaRow(id=area.id, name=area.name))
    for employment in problem.employment_areas:
        session.merge(EmploymentAreaRow(id=employment.id, name=employment.name))
    session.flush()
    for m in problem.municipalities:
        session.merge(
            MunicipalityRow(
                code=m.code,
                name_fi=m.name_fi,
                name_sv=m.name_sv,
                commuting_area_id=m.commuting_area,
                employment_area_id=m.employment_area,
                centre_lat=m.centre.lat if m.centre else None,
                centre_lon=m.centre.lon if m.centre else None,
            )
        )
    row = GeographySourceRow(source=source, source_date=as_of, imported_by=imported_by)
    session.add(row)
    session.flush()
    refuse_if_breaking(
        session,
        Touched(
            commuting_areas={a.id for a in problem.commuting_areas},
            municipalities={m.code for m in problem.municipalities},
        ),
    )
    return row


def geography_counts(session: Session) -> dict[str, int]:
    """How many municipalities, commuting areas and employment areas are stored."""
    return {
        "municipalities": len(session.scalars(select(MunicipalityRow.code)).all()),
        "commuting_areas": len(session.scalars(select(CommutingAreaRow.id)).all()),
        "employment_areas": len(session.scalars(select(EmploymentAreaRow.id)).all()),
    }
