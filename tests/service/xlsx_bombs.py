"""Crafted XLSX files for the upload limit tests, written part by part in streaming mode
(the test never holds a bomb's unpacked text in memory).

- ``huge_cell``: one cell of 90 MB (a shared string by default, or an inline string); the
  archive is about 90 KB.
- ``many_shared_strings``: a shared-strings table of three million one-letter entries
  (about 51 MB unpacked; the archive about 230 KB).
- ``ordinary``: a valid clients sheet of ``rows`` rows.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<Types xmlns="{PACKAGE}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OFFICE}.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{REL}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = [
    "id",
    "age",
    "home_municipality",
    "lat",
    "lon",
    "days_per_week",
    "hours_per_day",
    "waiting_since",
]


def _write(path: Path, sheet: Iterable[str], shared: Iterable[str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, pieces in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)):
            with archive.open(name, "w", force_zip64=True) as part:
                for piece in pieces:
                    part.write(piece.encode())
    return path


def _header_row() -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for i, name in enumerate(HEADER)
    )
    return f'<row r="1">{cells}</row>'


def _sheet(rows: Iterable[str]) -> Iterable[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
    yield _header_row()
    yield from rows
    yield "</sheetData></worksheet>"


def huge_cell(path: Path, megabytes: int = 90, inline: bool = False) -> Path:
    """One data row whose ``id`` cell holds ``megabytes`` MB of 'A'."""
    chunk = "A" * 1_000_000

    def text() -> Iterable[str]:
        for _ in range(megabytes):
            yield chunk

    if inline:
        row = ['<row r="2"><c r="A2" t="inlineStr"><is><t>', *text(), "</t></is></c></row>"]
        shared: list[str] = [f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="0"/>']
        return _write(path, _sheet(row), shared)

    def strings() -> Iterable[str]:
        yield f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'
        yield from text()
        yield "</t></si></sst>"

    return _write(path, _sheet(['<row r="2"><c r="A2" t="s"><v>0</v></c></row>']), strings())


def many_shared_strings(path: Path, entries: int = 3_000_000) -> Path:
    """A shared-strings table of ``entries`` one-letter texts (a sheet of one data row)."""

    def strings() -> Iterable[str]:
        yield f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="{entries}">'
        block = "<si><t>x</t></si>" * 10_000
        for _ in range(entries // 10_000):
            yield block
        yield "</sst>"

    return _write(path, _sheet(['<row r="2"><c r="A2" t="s"><v>0</v></c></row>']), strings())


def ordinary(path: Path, rows: int = 3) -> Path:
    """A valid clients sheet of ``rows`` data rows (inline strings, numbers)."""

    def data() -> Iterable[str]:
        for n in range(2, rows + 2):
            values = [f"C{n}", 40, "564", 65.0, 25.4, 2, 4, "2025-01-01"]
            cells = "".join(
                f'<c r="{chr(65 + i)}{n}" t="inlineStr"><is><t>{v}</t></is></c>'
                if isinstance(v, str)
                else f'<c r="{chr(65 + i)}{n}"><v>{v}</v></c>'
                for i, v in enumerate(values)
            )
            yield f'<row r="{n}">{cells}</row>'

    return _write(path, _sheet(data()), [f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="0"/>'])
