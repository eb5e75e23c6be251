"""Between stored rows and domain records.

Set-valued domain fields are stored as sorted JSON lists so that the same record always gives
the same document (and the same input hash of a run).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from models import Client, Placement
from models.placement import CONTACT_FIELDS
from service.db.tables import ClientRow, PlacementRow

PLACEMENT_COLUMNS = frozenset(
    {"id", "organisation", "municipality", "closed", "no_replacement_attested_on", *CONTACT_FIELDS}
)
CLIENT_COLUMNS = frozenset({"id", "home_municipality"})


def dump_sorted(record: BaseModel, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """JSON-mode dump with every set-valued field sorted."""
    data = record.model_dump(mode="json", exclude=set(exclude))
    for name, value in record:
        if name in data and isinstance(value, frozenset):
            data[name] = sorted(data[name])
    return data


def placement_attributes(placement: Placement) -> dict[str, Any]:
    """The JSON document stored for a placement (all but the indexed columns)."""
    return dump_sorted(placement, PLACEMENT_COLUMNS)


def placement_record(row: PlacementRow) -> dict[str, Any]:
    """A placement row as the plain dict of the domain record's fields the engine uses (the
    site's address and contact person are left out: see :func:`placement_contact`)."""
    return {
        **row.attributes,
        "id": row.id,
        "organisation": row.organisation_id,
        "municipality": row.municipality_code,
        "closed": row.closed,
        "no_replacement_attested_on": row.no_replacement_attested_on,
    }


def placement_contact(row: PlacementRow) -> dict[str, Any]:
    """The site's address and contact person as stored (``None`` where not given)."""
    return {name: getattr(row, name) for name in CONTACT_FIELDS}


def set_placement_contact(row: PlacementRow, placement: Placement) -> None:
    """Copy the site's address and contact person of ``placement`` onto ``row``."""
    for name in CONTACT_FIELDS:
        setattr(row, name, getattr(placement, name))


def placement_row(placement: Placement) -> PlacementRow:
    """A new row holding ``placement``."""
    row = PlacementRow(
        id=placement.id,
        organisation_id=placement.organisation,
        municipality_code=placement.municipality,
        closed=placement.closed,
        no_replacement_attested_on=placement.no_replacement_attested_on,
        attributes=placement_attributes(placement),
    )
    set_placement_contact(row, placement)
    return row


def placement_domain(row: PlacementRow) -> Placement:
    """The domain record of a placement row, its address and contact person included."""
    return Placement.model_validate({**placement_record(row), **placement_contact(row)})


def client_attributes(client: Client) -> dict[str, Any]:
    """The JSON document stored for a client's engine record."""
    return dump_sorted(client, CLIENT_COLUMNS)


def client_record(row: ClientRow) -> dict[str, Any]:
    """A client row as the plain dict of the domain record's fields."""
    return {**row.attributes, "id": row.id, "home_municipality": row.home_municipality}


def client_domain(row: ClientRow) -> Client:
    """The domain record of a client row."""
    return Client.model_validate(client_record(row))
