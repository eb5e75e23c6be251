"""Bulk import of placements and clients from CSV or XLSX: all or nothing.

The first row names the columns; data rows are numbered as a spreadsheet shows them (the
first data row is row 2). List cells separate items with ``;`` or spaces, locations come as
``lat`` and ``lon`` columns. Every error names row, column and rule, e.g.
``row 7, column seats: -1 is below 0``; a file with any error imports nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from service.errors import InvalidInput

MAX_ROWS = 20_000
LIST_SPLIT = re.compile(r"[;\s]+")


def read_table(filename: str, content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a CSV (UTF-8, ``,`` or ``;`` separated) or XLSX file as (row number, cells)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif name.endswith(".csv") or name.endswith(".txt") or not name:
        rows = _csv_rows(content)
    else:
        raise InvalidInput(f"file '{filename}': only .csv and .xlsx files can be imported")
    if not rows:
        raise InvalidInput("the file has no header row")
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidInput(f"the file has more than {MAX_ROWS} rows")
    out = []
    for number, cells in enumerate(rows[1:], start=2):
        if all(cell in (None, "") for cell in cells):
            continue
        record = {col: cells[i] if i < len(cells) else None for i, col in enumerate(header) if col}
        out.append((number, record))
    return out


def _csv_rows(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the CSV file is not UTF-8 text") from exc
    if "\x00" in text:
        raise InvalidInput("the CSV file contains NUL characters")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput("the file is not a readable XLSX workbook") from exc
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def cell_text(value: Any) -> str | None:
    """A cell as text (``None`` for empty); XLSX dates become ISO dates."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def cell_list(value: Any) -> list[str] | None:
    """A list cell: items separated by ``;`` or whitespace."""
    text = cell_text(value)
    if text is None:
        return None
    return [item for item in LIST_SPLIT.split(text) if item]


def describe(err: Any) -> str:
    """One pydantic error as a rule in words, e.g. ``-1 is below 0``."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if kind == "missing":
        return "is required"
    if kind == "greater_than_equal":
        return f"{value} is below {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"{value} is above {ctx.get('le')}"
    if kind == "greater_than":
        return f"{value} is not above {ctx.get('gt')}"
    if kind == "less_than":
        return f"{value} is not below {ctx.get('lt')}"
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if isinstance(value, str | int | float):
        return f"'{value}': {msg}"
    return msg


def validate_rows(
    rows: Sequence[tuple[int, dict[str, Any]]],
    to_record: Callable[[dict[str, Any]], dict[str, Any]],
    schema: type[BaseModel],
    column_of: Callable[[tuple[Any, ...]], str],
    extra_checks: Callable[[int, BaseModel], list[tuple[str, str]]] | None = None,
    exists: Callable[[str], bool] | None = None,
) -> list[tuple[int, BaseModel]]:
    """Validate every row; raise one ``InvalidInput`` listing all errors, or return records.

    Ids are checked on the raw cells, so a repeated or existing id is reported even in a row
    with other errors; ``exists`` tells whether an id is already stored.
    """
    errors: list[dict[str, Any]] = []
    records: list[tuple[int, BaseModel]] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        key = cell_text(cells.get("id"))
        if key is not None:
            if key in seen:
                errors.append(_error(number, "id", f"'{key}' repeats row {seen[key]}"))
            elif exists is not None and exists(key):
                errors.append(_error(number, "id", f"'{key}' already exists"))
            seen.setdefault(key, number)
        try:
            record = schema.model_validate(to_record(cells))
        except ValidationError as exc:
            for err in exc.errors():
                column = column_of(tuple(err.get("loc", ())))
                errors.append(_error(number, column, describe(err)))
            continue
        if extra_checks is not None:
            for column, rule in extra_checks(number, record):
                errors.append(_error(number, column, rule))
        records.append((number, record))
    if errors:
        raise InvalidInput(f"{len(errors)} error(s) in the file; nothing was imported", errors)
    return records


def _error(row: int, column: str, rule: str) -> dict[str, Any]:
    return {
        "row": row,
        "column": column,
        "rule": rule,
        "message": f"row {row}, column {column}: {rule}",
    }


def column_of(loc: tuple[Any, ...]) -> str:
    """The file column of a validation error location (``location.lat`` is column ``lat``)."""
    if not loc:
        return "(row)"
    if loc[0] in ("location", "centre") and len(loc) > 1:
        return str(loc[1])
    return str(loc[0])


def row_error(row: int, column: str, rule: str) -> InvalidInput:
    """An import error for one cell."""
    return InvalidInput(f"row {row}, column {column}: {rule}", [_error(row, column, rule)])
