"""The placement list a municipality writes in a spreadsheet: the template (Finnish or
Swedish headers, dd.mm.yyyy dates, decimal comma, municipality names, kyllä/ei) and reading
it back into the API's placement records, row by row, with a preview of what would be
added, changed and refused before anything is saved. The same list uploaded again updates
the placements it names (by the placement's code) instead of failing.

Each row is validated by the API's own models (``PlacementCreate``/``PlacementUpdate``,
then ``models.Placement``) and the same reference checks as ``service.crud.placements``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Placement, TaskCategory, Weekday, WorkDemand
from service.auth import Principal
from service.crud import placements as placement_store
from service.crud.convert import placement_contact, placement_record
from service.db.tables import MunicipalityRow, OrganisationRow, PlacementRow
from service.schemas.placements import (
    HEADER_FIELDS,
    SHEET_HEADERS,
    PlacementCreate,
    PlacementUpdate,
)
from service.uploads import read_table
from service.web.forms import message
from service.web.i18n import Texts, catalogue

# Column of the file → field of the record, in the order the template lists them (the site's
# address and contact person last: lists written before they were asked still read the same).
COLUMNS = (
    "id",
    "department",
    "municipality",
    "lat",
    "lon",
    "task_category",
    "description",
    "seats",
    "weekdays",
    "min_hours_per_day",
    "max_hours_per_day",
    "demands",
    "skills",
    "languages",
    "support_units",
    "youth_workshop",
    "available_from",
    "available_until",
    "no_replacement_attested_on",
    "street_address",
    "postal_code",
    "post_office",
    "contact_person",
    "contact_phone",
    "contact_email",
)
YES = {"kyllä", "k", "ja", "yes", "y", "true", "1", "x"}
NO = {"ei", "e", "nej", "no", "n", "false", "0", ""}


def header(language: str, column: str) -> str:
    """The header a municipality writes for ``column`` (fi or sv)."""
    return SHEET_HEADERS[column][1 if language == "sv" else 0]


def _lookup(kind: str, values: list[str]) -> dict[str, str]:
    """Label (fi, sv, en, or the code itself), lower-cased → code."""
    out = {v: v for v in values}
    for language in ("fi", "sv", "en"):
        texts = catalogue(language)
        for v in values:
            label = texts.get(f"{kind}.{v}")
            if isinstance(label, str):
                out[label.lower()] = v
    return out


TASKS = _lookup("task", [c.value for c in TaskCategory])
DEMANDS = _lookup("demand", [d.value for d in WorkDemand])
DAYS = {
    **_lookup("day", [d.value for d in Weekday]),
    **_lookup("dayshort", [d.value for d in Weekday]),
}


def template(language: str, t: Texts) -> bytes:
    """The CSV template in the Finnish Excel dialect (semicolon, decimal comma, UTF-8 with
    BOM), with one example row."""
    example = {
        "id": "OULU-KEITTIO-1",
        "department": t("sheet.example_department"),
        "street_address": t("sheet.example_street_address"),
        "postal_code": "90100",
        "post_office": "Oulu",
        "municipality": "Oulu",
        "lat": "65,012",
        "lon": "25,465",
        "task_category": str(catalogue(language)["task.kitchen"]),
        "description": t("sheet.example_description"),
        "seats": "3",
        "weekdays": t("sheet.example_weekdays"),
        "min_hours_per_day": "4",
        "max_hours_per_day": "6",
        "demands": "",
        "skills": "",
        "languages": "fi",
        "support_units": "4",
        "youth_workshop": t("word.no"),
        "available_from": "5.1.2026",
        "available_until": "",
        "no_replacement_attested_on": "15.12.2025",
        "contact_person": t("sheet.example_contact_person"),
        "contact_phone": "040 000 0000",
        "contact_email": "keittio@example.fi",
    }
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([header(language, c) for c in COLUMNS])
    writer.writerow([example[c] for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@dataclass
class Refusal:
    """One refused cell: spreadsheet row, column header, reason in the user's language."""

    row: int
    column: str
    reason: str


@dataclass
class SheetPreview:
    """What saving the file would do."""

    added: list[tuple[int, PlacementCreate]] = field(default_factory=list)
    changed: list[tuple[int, str, PlacementUpdate, list[str]]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _columns_of(raw_header: list[str]) -> dict[str, str]:
    found = {h: HEADER_FIELDS.get(h.strip().lower()) for h in raw_header}
    return {h: c for h, c in found.items() if c is not None}


def _number(text: str) -> str:
    return text.replace(" ", "").replace("\u00a0", "").replace(",", ".")


def _date(text: str) -> str:
    parts = text.split(".")
    if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
        d, m, y = (int(p) for p in parts)
        return f"{y:04d}-{m:02d}-{d:02d}"
    return text


def _items(text: str) -> list[str]:
    return [w.strip() for w in text.replace(";", ",").split(",") if w.strip()]


def read(
    session: Session, user: Principal, t: Texts, filename: str, content: bytes
) -> SheetPreview:
    """Validate every row of the file and tell what saving it would do (nothing is saved)."""
    preview = SheetPreview()
    try:
        rows = read_table(filename, content)
    except Exception as exc:  # a damaged or wrong kind of file
        preview.refused.append(Refusal(1, "", t("import.bad_file", detail=str(exc))))
        return preview
    munis: dict[str, str] = {}
    for m in session.scalars(select(MunicipalityRow)):
        munis[m.code] = m.code
        munis[m.name_fi.lower()] = m.code
        if m.name_sv:
            munis[m.name_sv.lower()] = m.code
    orgs = {o.id: o for o in session.scalars(select(OrganisationRow))}
    seen: dict[str, int] = {}
    label_of = {c: header(t.language if t.language in ("fi", "sv") else "fi", c) for c in COLUMNS}
    for number, cells in rows:
        columns = _columns_of(list(cells))
        if number == 2 and "id" not in columns.values():
            preview.refused.append(Refusal(1, label_of["id"], t("import.no_id_column")))
            return preview
        text = {
            columns[h]: ("" if v is None else str(v).strip())
            for h, v in cells.items()
            if h in columns
        }
        problems: list[Refusal] = []

        def refuse(
            column: str, reason: str, row: int = number, found: list[Refusal] = problems
        ) -> None:
            label = label_of.get(column, column)
            if not any(r.row == row and r.column == label for r in found):
                found.append(Refusal(row, label, reason))

        record: dict[str, Any] = {"organisation": user.organisation}
        key = text.get("id", "")
        if key in seen:
            refuse("id", t("import.repeats", row=seen[key]))
        seen.setdefault(key, number)
        for column in COLUMNS:
            value = text.get(column, "")
            if column in ("lat", "lon") or (value == "" and column not in ("youth_workshop",)):
                continue
            if column == "municipality":
                code = munis.get(value.lower())
                if code is None:
                    refuse(column, t("import.unknown_municipality", name=value))
                    continue
                record[column] = code
            elif column == "task_category":
                record[column] = TASKS.get(value.lower(), value)
            elif column == "weekdays":
                record[column] = [DAYS.get(w.lower(), w) for w in _items(value)]
            elif column == "demands":
                record[column] = [DEMANDS.get(w.lower(), w) for w in _items(value)]
            elif column in ("skills", "languages"):
                record[column] = _items(value)
            elif column == "youth_workshop":
                if value.lower() in YES:
                    record[column] = True
                elif value.lower() in NO:
                    record[column] = False
                else:
                    refuse(column, t("import.yes_no", value=value))
            elif column in ("seats", "support_units", "min_hours_per_day", "max_hours_per_day"):
                record[column] = _number(value)
            elif column in ("available_from", "available_until", "no_replacement_attested_on"):
                record[column] = _date(value)
            elif column == "postal_code" and value.isdigit():
                record[column] = value.zfill(5)  # a spreadsheet drops the leading zero
            else:
                record[column] = value
        lat, lon = text.get("lat", ""), text.get("lon", "")
        if lat or lon:
            record["location"] = {"lat": _number(lat) or None, "lon": _number(lon) or None}
        existing = session.get(PlacementRow, key) if key else None
        if existing is not None and existing.organisation_id != user.organisation:
            refuse("id", t("import.not_yours", id=key))
        elif existing is None:
            try:
                created = PlacementCreate.model_validate(record)
                Placement.model_validate(created.model_dump())
            except ValidationError as exc:
                for item in exc.errors():
                    refuse(_column(item), message(t, item))
            else:
                if created.organisation not in orgs:
                    refuse("id", t("import.unknown_organisation"))
                if not problems:
                    preview.added.append((number, created))
        else:
            update = {k: v for k, v in record.items() if k not in ("id", "organisation")}
            try:
                changes = PlacementUpdate.model_validate(update)
                before = {**placement_record(existing), **placement_contact(existing)}
                merged = {**before, **changes.model_dump(exclude_unset=True)}
                Placement.model_validate(merged)
            except ValidationError as exc:
                for item in exc.errors():
                    refuse(_column(item), message(t, item))
            else:
                after = Placement.model_validate(merged).model_dump(mode="json")
                differ = [
                    c
                    for c in changes.model_fields_set
                    if _norm(before.get(c)) != _norm(after.get(c))
                ]
                if existing.closed:
                    refuse("id", t("import.closed", id=key))
                elif not problems and differ:
                    preview.changed.append((number, key, changes, differ))
                elif not problems:
                    preview.unchanged.append(key)
        preview.refused.extend(problems)
    return preview


def _norm(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(str(v) for v in value)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return None if value is None else str(value) if not isinstance(value, float) else value


def _column(item: Any) -> str:
    loc = [str(p) for p in item.get("loc", ()) if not isinstance(p, int)]
    if not loc:
        return "id"
    if loc[0] == "location" and len(loc) > 1:
        return loc[1]
    return loc[0]


def save(session: Session, user: Principal, preview: SheetPreview) -> tuple[int, int]:
    """Store what the preview showed (only when nothing was refused); the caller commits."""
    assert not preview.refused
    for _number, created in preview.added:
        placement_store.create(session, user, created)
    for _number, key, changes, _fields in preview.changed:
        placement_store.update(session, user, key, changes)
    return len(preview.added), len(preview.changed)
