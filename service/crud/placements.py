"""Placements: create, update, close, list and import, scoped to the caller's organisation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matching.cooperation.periods import schedule_outside_placement
from models import Placement
from service.auth import Principal, Role
from service.crud.convert import (
    placement_attributes,
    placement_contact,
    placement_record,
    placement_row,
    set_placement_contact,
)
from service.crud.integrity import Touched, refuse_if_breaking
from service.db.cooperation import PeriodRow
from service.db.tables import MunicipalityRow, OrganisationRow, PlacementRow, utcnow
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.schemas.placements import (
    HEADER_FIELDS,
    PlacementCreate,
    PlacementOut,
    PlacementUpdate,
)
from service.uploads import (
    cell_list,
    cell_text,
    column_of,
    describe,
    read_table,
    validate_rows,
)

LIST_COLUMNS = ("weekdays", "demands", "skills", "languages")


def to_out(row: PlacementRow) -> PlacementOut:
    """The wire form of a placement row."""
    return PlacementOut.model_validate(
        {
            **placement_record(row),
            **placement_contact(row),
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
    )


def _scoped(user: Principal) -> Any:
    query = select(PlacementRow)
    if user.role is Role.MUNICIPALITY:
        query = query.where(PlacementRow.organisation_id == user.organisation)
    return query


def get(session: Session, user: Principal, placement_id: str) -> PlacementRow:
    """A placement the caller may see; another organisation's is 404 for a municipality user,
    so that ids of other organisations are not disclosed."""
    row = session.get(PlacementRow, placement_id)
    if row is None or (user.role is Role.MUNICIPALITY and row.organisation_id != user.organisation):
        raise NotFound(
            f"placement '{placement_id}' not found",
            code="api.not_found.placement",
            params={"id": str(placement_id)},
        )
    return row


def list_(
    session: Session,
    user: Principal,
    *,
    organisation: str | None,
    municipality: str | None,
    include_closed: bool,
) -> Sequence[PlacementRow]:
    """Placements the caller may see, filtered."""
    query = _scoped(user).order_by(PlacementRow.id)
    if organisation is not None:
        query = query.where(PlacementRow.organisation_id == organisation)
    if municipality is not None:
        query = query.where(PlacementRow.municipality_code == municipality)
    if not include_closed:
        query = query.where(PlacementRow.closed.is_(False))
    return session.scalars(query).all()


def _check_references(session: Session, placement: Placement) -> None:
    errors = []
    if session.get(OrganisationRow, placement.organisation) is None:
        errors.append(
            (
                "organisation",
                f"unknown organisation '{placement.organisation}'",
                placement.organisation,
            )
        )
    if session.get(MunicipalityRow, placement.municipality) is None:
        errors.append(
            (
                "municipality",
                f"unknown municipality '{placement.municipality}'",
                placement.municipality,
            )
        )
    if errors:
        raise InvalidInput(
            "unknown reference",
            [{"loc": ["body", f], "field": f"body.{f}", "msg": m} for f, m, _ in errors],
            code=f"api.unknown.{errors[0][0]}",
            params={"value": errors[0][2]},
        )


def _check_organisation(user: Principal, organisation: str) -> None:
    if user.role is Role.MUNICIPALITY and organisation != user.organisation:
        raise Forbidden(
            "a municipality user creates placements of its own organisation only",
            code="api.forbidden.own_organisation",
        )


def create(session: Session, user: Principal, body: PlacementCreate) -> PlacementRow:
    """Validate against the domain rules and insert (the caller commits)."""
    _check_organisation(user, body.organisation)
    placement = Placement.model_validate(body.model_dump())
    _check_references(session, placement)
    if session.get(PlacementRow, placement.id) is not None:
        raise Conflict(
            f"placement '{placement.id}' already exists",
            code="api.exists.placement",
            params={"id": str(placement.id)},
        )
    row = placement_row(placement)
    session.add(row)
    session.flush()
    refuse_if_breaking(session, Touched(placements={placement.id}))
    return row


def update(
    session: Session, user: Principal, placement_id: str, body: PlacementUpdate
) -> PlacementRow:
    """Apply a partial update; a closed placement cannot be edited (409)."""
    row = get(session, user, placement_id)
    if row.closed:
        raise Conflict(
            f"placement '{placement_id}' is closed and cannot be edited",
            code="api.placement_closed_edit",
            params={"id": str(placement_id)},
        )
    merged = {
        **placement_record(row),
        **placement_contact(row),
        **body.model_dump(exclude_unset=True),
    }
    placement = Placement.model_validate(merged)
    _check_references(session, placement)
    _refuse_contradicting_agreements(session, placement_id, placement_attributes(placement))
    row.municipality_code = placement.municipality
    row.no_replacement_attested_on = placement.no_replacement_attested_on
    row.attributes = placement_attributes(placement)
    set_placement_contact(row, placement)
    row.updated_at = utcnow()
    session.flush()
    refuse_if_breaking(session, Touched(placements={placement_id}))
    return row


class ContradictsAgreement(InvalidInput):
    """A placement edit that would end or reshape a running agreement."""

    status = 409


PLACEMENT_FIELDS = {
    "weekdays": ("weekdays",),
    "hours_per_day": ("min_hours_per_day", "max_hours_per_day"),
    "end_date": ("available_until",),
}
"""The placement's fields that carry each field of an agreement's schedule."""


def _refuse_contradicting_agreements(
    session: Session, placement_id: str, attributes: dict[str, Any]
) -> None:
    """A site's edit may not end or contradict a period running at the placement (its last
    day before the period's, a weekday or hours the agreement uses): the agreement binds
    three parties, so the change is agreed with the coordinator first (409 naming the
    fields and the period)."""
    today = date.today()
    for period in session.scalars(
        select(PeriodRow)
        .where(
            PeriodRow.placement_id == placement_id,
            or_(PeriodRow.ended_on.is_(None), PeriodRow.ended_on >= today),
        )
        .order_by(PeriodRow.id)
    ):
        last = period.ended_on or period.planned_end_date
        outside = schedule_outside_placement(
            period.weekdays, period.hours_per_day, last, attributes
        )
        if outside:
            raise ContradictsAgreement(
                f"the edit contradicts the agreement of period {period.id}",
                [
                    {
                        "loc": ["body", name],
                        "field": f"body.{name}",
                        "msg": f"period {period.id} runs to {last} with its agreed schedule",
                        "type": "contradicts_agreement",
                    }
                    for field in outside
                    for name in PLACEMENT_FIELDS[field]
                ],
                code="api.placement_contradicts_agreement",
                params={"id": str(period.id)},
            )


def close(session: Session, user: Principal, placement_id: str) -> PlacementRow:
    """Close a placement: it takes no new clients; ongoing ones stay (the engine decides)."""
    row = get(session, user, placement_id)
    if row.closed:
        raise Conflict(
            f"placement '{placement_id}' is already closed",
            code="api.placement_already_closed",
            params={"id": str(placement_id)},
        )
    row.closed = True
    row.updated_at = utcnow()
    session.flush()
    return row


def _row_to_record(cells: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for column, value in cells.items():
        if column in ("lat", "lon"):
            continue
        parsed = cell_list(value) if column in LIST_COLUMNS else cell_text(value)
        if parsed is not None:
            record[column] = parsed
    lat, lon = cell_text(cells.get("lat")), cell_text(cells.get("lon"))
    if lat is not None or lon is not None:
        record["location"] = {"lat": lat, "lon": lon}
    return record


def import_file(
    session: Session, user: Principal, filename: str, content: bytes
) -> list[PlacementRow]:
    """Import a CSV/XLSX of placements; any error anywhere imports nothing. Columns are named
    by the field or by the Finnish or Swedish header of the municipality's list."""
    rows = [
        (number, {HEADER_FIELDS.get(str(k).strip().lower(), k): v for k, v in cells.items()})
        for number, cells in read_table(filename, content)
    ]
    known_orgs = set(session.scalars(select(OrganisationRow.id)))
    known_munis = set(session.scalars(select(MunicipalityRow.code)))

    def exists(key: str) -> bool:
        return session.get(PlacementRow, key) is not None

    def checks(number: int, record: Any) -> list[tuple[str, str]]:
        assert isinstance(record, PlacementCreate)
        found: list[tuple[str, str]] = []
        try:
            Placement.model_validate(record.model_dump())
        except ValidationError as exc:  # a cross-field rule of the domain record
            found.extend((column_of(tuple(e["loc"])), describe(e)) for e in exc.errors())
        if record.organisation not in known_orgs:
            found.append(("organisation", f"unknown organisation '{record.organisation}'"))
        elif user.role is Role.MUNICIPALITY and record.organisation != user.organisation:
            found.append(("organisation", f"'{record.organisation}' is not your organisation"))
        if record.municipality not in known_munis:
            found.append(("municipality", f"unknown municipality '{record.municipality}'"))
        return found

    records = validate_rows(rows, _row_to_record, PlacementCreate, column_of, checks, exists)
    created = []
    for _number, record in records:
        assert isinstance(record, PlacementCreate)
        row = placement_row(Placement.model_validate(record.model_dump()))
        session.add(row)
        created.append(row)
    session.flush()
    refuse_if_breaking(session, Touched(placements={row.id for row in created}))
    return created
