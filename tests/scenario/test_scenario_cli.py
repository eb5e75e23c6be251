"""``python -m matching scenario``: JSON, CSV, XLSX and charts round trip."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from matching.cli import main
from matching.sample import generate_county
from matching.scenario.output import CHART_NAMES, matplotlib_available


@pytest.mark.slow
def test_round_trip(tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    base.write_text(generate_county(60, seed=2).model_dump_json(), encoding="utf-8")
    changes = tmp_path / "changes.yaml"
    changes.write_text(
        "scenarios:\n"
        "  - name: parks\n"
        "    changes:\n"
        "      - {kind: resize_placements, select: {task_category: [parks]}, seats: 6}\n"
        "  - name: young\n"
        "    seed: 4\n"
        "    changes: [{kind: scale_demand, factor: 2, age_band: [under_25]}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = main(
        [
            "scenario",
            str(base),
            str(changes),
            "-o",
            str(out),
            "--time-limit",
            "2",
            "--seat-values",
            "3",
            "--seat-budget",
            "1",
        ]
    )
    assert code == 0
    doc = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert [s["scenario"] for s in doc["scenarios"]] == ["base", "parks", "young"]
    assert doc["base"] == "base"
    # Finnish by default: the Finnish Excel dialect, headers and figures in words
    with (out / "comparison.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    rate = [
        r
        for r in rows
        if r["Luku"] == "Paikan saaneita, % palvelun piirissä olevista"
        and r["Osa"] == "Kokonaisuus"
    ]
    assert [r["Skenaario"] for r in rate] == ["Nykytila", "parks", "young"]
    for name in ("unplaced.csv", "utilisation.csv", "seat_values.csv", "summary.csv", "weeks.csv"):
        assert (out / name).stat().st_size > 0
    book = load_workbook(out / "comparison.xlsx")
    assert book.sheetnames == [
        "summary",
        "comparison",
        "utilisation",
        "unplaced",
        "referral_changes",
        "weeks",
        "seat_values",
        "seat_value_groups",
    ]
    header = [c.value for c in book["summary"][1]]
    assert header[:6] == ["Osa", "Ryhmä", "Luku", "Nykytila", "parks", "young"]
    if matplotlib_available():
        for chart in CHART_NAMES:
            assert (out / f"{chart}.png").read_bytes()[:4] == b"\x89PNG"
            assert b"<svg" in (out / f"{chart}.svg").read_bytes()[:2000]


def test_bad_changes_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "base.json"
    base.write_text(generate_county(10, seed=2).model_dump_json(), encoding="utf-8")
    changes = tmp_path / "changes.yaml"
    changes.write_text(
        "- {name: x, changes: [{kind: remove_placements, select: {department: [Nowhere]}}]}\n"
    )
    out = str(tmp_path / "o")
    assert main(["scenario", str(base), str(changes), "-o", out, "--lang", "fi"]) == 2
    assert "Muutos 1: yksiköstä ”Nowhere” ei löydy yhtään paikkaa" in capsys.readouterr().err
