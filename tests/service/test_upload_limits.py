"""XLSX bombs are refused early, in words, without echoing a cell, and within 100 MB.

The probe that found these: an 89 KB XLSX with one 90 MB cell was answered with a 180 MB
error body at a peak of 1.1 GB, and a shared-strings table of millions of entries took
30 s and 0.5 GB to import nothing. ``xlsx_bombs`` writes such files part by part."""

from __future__ import annotations

import struct
import tracemalloc
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service import uploads
from service.errors import InvalidInput
from tests.service import xlsx_bombs
from tests.service.svc_helpers import Seed

MEMORY_BOUND = 100_000_000
"""Bytes the reader may allocate (traced) for the worst upload."""


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The crafted files, by name (each well under the 5 MB upload limit)."""
    folder = Path(tmp_path_factory.mktemp("bombs"))
    files = {
        "cell_90mb_shared": xlsx_bombs.huge_cell(folder / "a.xlsx"),
        "cell_90mb_inline": xlsx_bombs.huge_cell(folder / "b.xlsx", inline=True),
        "cell_40mb_shared": xlsx_bombs.huge_cell(folder / "c.xlsx", megabytes=40),
        "cell_40mb_inline": xlsx_bombs.huge_cell(folder / "d.xlsx", megabytes=40, inline=True),
        "shared_strings_3m": xlsx_bombs.many_shared_strings(folder / "e.xlsx"),
        "shared_strings_1m": xlsx_bombs.many_shared_strings(folder / "f.xlsx", 1_000_000),
    }
    out = {name: path.read_bytes() for name, path in files.items()}
    out["lying_sizes"] = lie_about_sizes(out["cell_40mb_inline"])
    return out


def lie_about_sizes(content: bytes) -> bytes:
    """The archive with every part's uncompressed size in the central directory set to 100
    bytes: a reader trusting the declared sizes would let the bomb through."""
    data = bytearray(content)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        struct.pack_into("<I", data, at + 24, 100)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


EXPECTED = {
    "cell_90mb_shared": "unpacks to more than",
    "cell_90mb_inline": "unpacks to more than",
    "cell_40mb_shared": "shared text 1 of the XLSX file holds more than 10000 characters",
    "cell_40mb_inline": "cell A2 holds more than 10000 characters",
    "shared_strings_3m": "unpacks to more than",
    "shared_strings_1m": "more than 500000 shared texts",
    "lying_sizes": "",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_bomb_is_refused_within_the_memory_bound(bombs: dict[str, bytes], name: str) -> None:
    content = bombs[name]
    assert len(content) < 300_000
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput) as refused:
            uploads.read_table("c.xlsx", content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND, f"{name}: {peak / 1e6:.1f} MB traced"
    assert EXPECTED[name] in refused.value.message
    assert len(refused.value.message) < 200


def test_the_caps_fit_a_real_sheet(tmp_path: Path) -> None:
    """A sheet of 2,000 ordinary rows passes the scan and is read whole."""
    content = xlsx_bombs.ordinary(tmp_path / "ok.xlsx", rows=2_000).read_bytes()
    rows = uploads.read_table("c.xlsx", content)
    assert len(rows) == 2_000 and rows[0][1]["id"] == "C2"


def test_a_long_csv_cell_is_refused_and_never_echoed() -> None:
    long = "B" * (uploads.MAX_CELL_CHARS + 1)
    with pytest.raises(InvalidInput) as refused:
        uploads.read_table("c.csv", f"id,age\n{long},40\n".encode())
    assert "cell A2 holds" in refused.value.message and "B" * 100 not in str(refused.value)


def test_an_error_quotes_at_most_a_few_characters_of_a_cell() -> None:
    text = uploads.quoted("x" * 5_000)
    assert text.startswith("'" + "x" * uploads.QUOTED_CHARS + "…'") and "5000 characters" in text
    assert uploads.quoted("C7") == "'C7'"


FINNISH = {
    "cell_90mb_shared": "Excel-tiedosto on purettuna liian suuri (yli 50 Mt). "
    "Jaa tiedot useampaan tiedostoon.",
    "cell_40mb_inline": "Solussa A2 on yli 10\u00a0000 merkkiä. Näin pitkää tekstiä ei tuoda; "
    "lyhennä solua.",
    "shared_strings_1m": "Excel-tiedostossa on yli 500\u00a0000 eri tekstiä. "
    "Jaa tiedot useampaan tiedostoon.",
}


@pytest.mark.parametrize("name", ["cell_90mb_shared", "cell_40mb_inline", "shared_strings_1m"])
def test_the_api_answers_a_bomb_with_a_short_4xx_in_words(
    client: TestClient, seed: Seed, bombs: dict[str, bytes], name: str
) -> None:
    response = client.post(
        "/clients/import",
        files={"file": ("c.xlsx", bombs[name], "application/octet-stream")},
        headers={**seed.h("coordinator"), "Accept-Language": "fi"},
    )
    assert response.status_code == 422, response.text[:500]
    assert len(response.content) < 2_000
    assert "AAAAAAAAAA" not in response.text
    text = response.json()["message"]
    assert text == FINNISH[name], text
