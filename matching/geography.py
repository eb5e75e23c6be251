"""Reference geography from the files a county supplies: municipalities, commuting areas and
employment areas, with where they come from and their date.

The county gives one classification table, a row per municipality, as CSV (UTF-8, comma or
semicolon separated), the way Statistics Finland publishes its correspondence tables:

``code, name_fi, name_sv, commuting_area, commuting_area_name, employment_area,
employment_area_name, lat, lon``

``name_sv``, the employment area and the centre (``lat``, ``lon``) may be empty. The problem's
municipalities and commuting areas are replaced by the table's, each municipality keeping the
centre it had where the table gives none, and the problem records the source and date
(``GeographySource``). The sample county keeps its synthetic grouping, labelled as synthetic.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from models import AllocationProblem, GeographySource, Location, Municipality

COLUMNS = (
    "code",
    "name_fi",
    "name_sv",
    "commuting_area",
    "commuting_area_name",
    "employment_area",
    "employment_area_name",
    "lat",
    "lon",
)
REQUIRED = ("code", "name_fi", "commuting_area", "commuting_area_name")


class GeographyError(ValueError):
    """A classification table that cannot be used; ``lines`` say where, one problem each."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def read_classification(source: str | Path | bytes) -> list[dict[str, str]]:
    """The rows of a classification table (a path or its bytes), stripped, by column name."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    text = data.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    header = [h.strip() for h in (rows[0].keys() if rows else [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise GeographyError([f"columns missing: {', '.join(missing)}"])
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in rows]


def apply_geography(
    problem: AllocationProblem,
    rows: list[dict[str, str]],
    source: str,
    as_of: date | None,
) -> AllocationProblem:
    """``problem`` with the table's municipalities and areas and their source. Raises
    ``GeographyError`` naming the row and column of each problem, or the records that no
    longer fit (a client's home municipality missing from the table, say)."""
    errors: list[str] = []
    areas: dict[str, str] = {}
    employment: dict[str, str] = {}
    old = {m.code: m for m in problem.municipalities}
    municipalities: list[Municipality] = []
    for n, row in enumerate(rows, start=2):
        try:
            centre = None
            if row.get("lat") and row.get("lon"):
                centre = Location(lat=float(row["lat"]), lon=float(row["lon"]))
            elif row["code"] in old:
                centre = old[row["code"]].centre
            municipalities.append(
                Municipality(
                    code=row["code"],
                    name_fi=row["name_fi"],
                    name_sv=row.get("name_sv") or None,
                    commuting_area=row["commuting_area"],
                    employment_area=row.get("employment_area") or None,
                    centre=centre,
                )
            )
        except (ValidationError, ValueError) as error:
            errors.append(f"row {n}: {_first(error)}")
            continue
        areas.setdefault(row["commuting_area"], row["commuting_area_name"] or row["commuting_area"])
        if row.get("employment_area"):
            employment.setdefault(
                row["employment_area"], row.get("employment_area_name") or row["employment_area"]
            )
    if errors:
        raise GeographyError(errors)
    data = problem.model_dump()
    data["municipalities"] = [m.model_dump() for m in municipalities]
    data["commuting_areas"] = [{"id": k, "name": v} for k, v in sorted(areas.items())]
    data["employment_areas"] = [{"id": k, "name": v} for k, v in sorted(employment.items())]
    data["geography_source"] = GeographySource(source=source, as_of=as_of).model_dump()
    try:
        return AllocationProblem.model_validate(data)
    except ValidationError as error:
        raise GeographyError(
            [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in error.errors()]
        ) from error


def _first(error: Exception) -> str:
    if isinstance(error, ValidationError):
        e = error.errors()[0]
        return f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}"
    return str(error)
