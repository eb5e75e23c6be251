"""The reader of uploaded CSV and XLSX files (bulk import of placements and clients).

The first row names the columns; data rows are numbered as a spreadsheet shows them (the
first data row is row 2). List cells separate items with ``;`` or spaces, locations come as
``lat`` and ``lon`` columns. Every error names row, column and rule, e.g.
``row 7, column seats: -1 is below 0``; a file with any error imports nothing.

Bounded work for any input: at most ``MAX_ROWS`` data rows and ``MAX_COLUMNS`` columns are
read (a file with more is refused, checked while reading, before anything is kept); an XLSX
file is read in streaming (read-only) mode with its sheet's claimed dimension checked before
loading; at most ``MAX_ERRORS`` errors are listed, with the count of the rest.

Before an XLSX file reaches the workbook reader, every part of its archive is decompressed
as a stream (never whole) and its worksheets and shared strings pass through a streaming XML
scan (expat, the text of a cell counted, never gathered): the archive may unpack to at most
``MAX_XLSX_UNPACKED`` bytes (counted while unpacking: a zip bomb or a lying size stops at the
cap), a cell may hold at most ``MAX_CELL_CHARS`` characters, the shared strings at most
``MAX_SHARED_STRINGS`` entries, and no part may declare a DTD (entity expansion). A refusal
names the cell and the cap, never echoes a cell: an error quotes at most
``QUOTED_CHARS`` characters of any value. The worst refused input stays under 100 MB of
memory (``tests/service/test_upload_limits.py`` measures it).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pyexpat import ExpatError, ParserCreate
from typing import Any

from pydantic import BaseModel, ValidationError

from service.errors import InvalidInput

MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_ERRORS = 100
MAX_XLSX_UNPACKED = 50_000_000
"""Bytes an XLSX file may unpack to (all its parts): a sheet at the row and column caps with
ordinary cells (about 40 bytes of XML each for 20,000 rows of 50 filled columns) fits."""
MAX_CELL_CHARS = 10_000
"""Characters one cell may hold: a name, an address or a list of skills needs far fewer."""
MAX_SHARED_STRINGS = 500_000
"""Entries of an XLSX file's shared-strings table (at most one per text cell of a sheet of
20,000 rows with 25 text columns)."""
QUOTED_CHARS = 60
"""Characters of a cell an error message quotes; the rest is shown as its length."""
LIST_SPLIT = re.compile(r"[;\s]+")


def read_table(filename: str, content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a CSV (UTF-8, ``,`` or ``;`` separated) or XLSX file as (row number, cells)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif name.endswith(".csv") or name.endswith(".txt") or not name:
        rows = _csv_rows(content)
    else:
        raise InvalidInput(
            f"file {quoted(filename)}: only .csv and .xlsx files can be imported",
            code="api.file_type",
            params={"name": filename[:100]},
        )
    if not rows:
        raise InvalidInput("the file has no header row", code="api.file_no_header")
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    out = []
    for number, cells in enumerate(rows[1:], start=2):
        if all(cell in (None, "") for cell in cells):
            continue
        record = {col: cells[i] if i < len(cells) else None for i, col in enumerate(header) if col}
        out.append((number, record))
    return out


def _too_many_rows() -> InvalidInput:
    return InvalidInput(
        f"the file has more than {MAX_ROWS} rows",
        code="api.file_too_many_rows",
        params={"limit": MAX_ROWS},
    )


def _too_many_columns(count: int | str) -> InvalidInput:
    return InvalidInput(
        f"the file has {count} columns; at most {MAX_COLUMNS} are read",
        code="api.file_too_many_columns",
        params={"limit": MAX_COLUMNS},
    )


def _capped(rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
    """The rows, refusing (while reading) more rows or columns than the caps."""
    out: list[list[Any]] = []
    for row in rows:
        cells = list(row)
        for index, cell in enumerate(cells):
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                raise _cell_too_long(f"{column_letters(index + 1)}{len(out) + 1}")
        if len(cells) > MAX_COLUMNS:
            while cells and cells[-1] in (None, ""):
                cells.pop()  # a row padded with empty cells is no wider for it
            if len(cells) > MAX_COLUMNS:
                raise _too_many_columns(f"more than {MAX_COLUMNS}")
        out.append(cells)
        if len(out) > MAX_ROWS + 1:
            raise _too_many_rows()
    return out


def column_letters(number: int) -> str:
    """A spreadsheet's name of column ``number`` (1 → A, 27 → AA)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_too_long(cell: str) -> InvalidInput:
    return InvalidInput(
        f"cell {cell} holds more than {MAX_CELL_CHARS} characters",
        code="api.file_cell_too_long",
        params={"cell": cell, "limit": MAX_CELL_CHARS},
    )


def _text_too_long(number: int) -> InvalidInput:
    return InvalidInput(
        f"shared text {number} of the XLSX file holds more than {MAX_CELL_CHARS} characters",
        code="api.xlsx_text_too_long",
        params={"number": number, "limit": MAX_CELL_CHARS},
    )


def quoted(value: Any) -> str:
    """``value`` as an error message may quote it: at most ``QUOTED_CHARS`` characters, a
    longer one cut with its length, e.g. ``'AAAA… (90000000 characters)'``."""
    text = str(value)
    if len(text) <= QUOTED_CHARS:
        return f"'{text}'"
    return f"'{text[:QUOTED_CHARS]}…' ({len(text)} characters)"


def _csv_rows(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the CSV file is not UTF-8 text", code="api.csv_not_utf8") from exc
    if "\x00" in text:
        raise InvalidInput("the CSV file contains NUL characters", code="api.csv_nul")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return _capped(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise InvalidInput(
            f"the CSV file cannot be read: {exc}", code="api.csv_unreadable"
        ) from exc


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    _scan_xlsx(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput(
            "the file is not a readable XLSX workbook", code="api.xlsx_unreadable"
        ) from exc
    try:
        if not book.worksheets:
            raise InvalidInput("the XLSX workbook has no sheet", code="api.xlsx_no_sheet")
        sheet = book.worksheets[0]
        # The claimed dimension is checked first: read-only mode pads every row to it.
        # (A sheet may claim less than it holds: the streaming caps below still hold then.)
        try:
            claimed_columns, claimed_rows = sheet.max_column, sheet.max_row
        except Exception:  # a damaged dimension: read without it
            claimed_columns = claimed_rows = None
        if claimed_columns is not None and claimed_columns > MAX_COLUMNS:
            raise _too_many_columns(claimed_columns)
        if claimed_rows is not None and claimed_rows > MAX_ROWS + 1:
            raise _too_many_rows()
        try:
            return _capped(
                sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1, values_only=True)
            )
        except InvalidInput:
            raise
        except Exception as exc:
            raise InvalidInput(
                "the file is not a readable XLSX workbook", code="api.xlsx_unreadable"
            ) from exc
    finally:
        book.close()


class _Refused(Exception):
    """Raised inside the XML scan's handlers to stop it with a refusal."""

    def __init__(self, error: InvalidInput) -> None:
        super().__init__(error.message)
        self.error = error


def _too_large() -> InvalidInput:
    return InvalidInput(
        f"the XLSX file unpacks to more than {MAX_XLSX_UNPACKED} bytes",
        code="api.xlsx_too_large",
        params={"megabytes": round(MAX_XLSX_UNPACKED / 1_000_000, 1)},
    )


def _unreadable() -> InvalidInput:
    return InvalidInput("the file is not a readable XLSX workbook", code="api.xlsx_unreadable")


class _PartScan:
    """The streaming scan of one XML part: the characters of each cell (``c`` of a sheet,
    ``si`` of the shared strings) are counted as they arrive, never kept."""

    def __init__(self, part: str, shared: bool) -> None:
        self.part = part
        self.shared = shared
        self.unit = "si" if shared else "c"
        self.entries = 0
        self.chars = 0
        self.cell = ""
        self.parser = ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.CharacterDataHandler = self.text
        self.parser.StartDoctypeDeclHandler = self.doctype

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(":")[2] != self.unit:
            return
        self.entries += 1
        self.chars = 0
        if self.shared:
            if self.entries > MAX_SHARED_STRINGS:
                raise _Refused(
                    InvalidInput(
                        f"the XLSX file has more than {MAX_SHARED_STRINGS} shared texts",
                        code="api.xlsx_too_many_texts",
                        params={"limit": MAX_SHARED_STRINGS},
                    )
                )
        else:
            self.cell = str(attrs.get("r", ""))[:20] or f"#{self.entries}"

    def text(self, data: str) -> None:
        self.chars += len(data)
        if self.chars > MAX_CELL_CHARS:
            raise _Refused(
                _text_too_long(self.entries) if self.shared else _cell_too_long(self.cell)
            )

    def doctype(self, *_args: Any) -> None:
        raise _Refused(_unreadable())

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except ExpatError as exc:
            raise _Refused(_unreadable()) from exc


def _scan_xlsx(content: bytes) -> None:
    """Refuse an XLSX file over the caps before the workbook reader sees it: each part is
    decompressed in 64 KB chunks with the unpacked total counted (the declared sizes are
    checked first but not trusted), and the worksheets and shared strings are scanned."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            if sum(item.file_size for item in parts) > MAX_XLSX_UNPACKED:
                raise _too_large()
            unpacked = 0
            for item in parts:
                name = item.filename
                scan = None
                if name.endswith(".xml") and (
                    name.startswith("xl/worksheets/") or name.endswith("sharedStrings.xml")
                ):
                    scan = _PartScan(name, shared=name.endswith("sharedStrings.xml"))
                with archive.open(item) as stream:
                    while chunk := stream.read(65_536):
                        unpacked += len(chunk)
                        if unpacked > MAX_XLSX_UNPACKED:
                            raise _too_large()
                        if scan is not None:
                            scan.feed(chunk)
                if scan is not None:
                    scan.feed(b"", final=True)
    except _Refused as refused:
        raise refused.error from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
        raise _unreadable() from exc
    except (ValueError, OSError, NotImplementedError) as exc:  # e.g. an unknown compression
        raise _unreadable() from exc


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
        return f"{quoted(value)}: {msg}"
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
    total = 0

    def add(error: dict[str, Any]) -> None:
        nonlocal total
        total += 1
        if len(errors) < MAX_ERRORS:  # the rest are only counted: memory stays bounded
            errors.append(error)

    records: list[tuple[int, BaseModel]] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        key = cell_text(cells.get("id"))
        if key is not None:
            if key in seen:
                add(_error(number, "id", f"{quoted(key)} repeats row {seen[key]}"))
            elif exists is not None and exists(key):
                add(_error(number, "id", f"{quoted(key)} already exists"))
            seen.setdefault(key, number)
        try:
            record = schema.model_validate(to_record(cells))
        except ValidationError as exc:
            for err in exc.errors():
                column = column_of(tuple(err.get("loc", ())))
                add(_error(number, column, describe(err)))
            continue
        if extra_checks is not None:
            for column, rule in extra_checks(number, record):
                add(_error(number, column, rule))
        records.append((number, record))
    if total:
        raise too_many(errors, total)
    return records


def too_many(errors: list[dict[str, Any]], total: int | None = None) -> InvalidInput:
    """The error of a file with ``total`` errors (default: ``len(errors)``): at most
    ``MAX_ERRORS`` listed, with the count of the rest."""
    total = len(errors) if total is None else total
    shown = errors[:MAX_ERRORS]
    rest = total - len(shown)
    message = f"{total} error(s) in the file; nothing was imported"
    if rest:
        message += f" (the first {len(shown)} are listed; {rest} more)"
    return InvalidInput(message, shown, more=rest)


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
