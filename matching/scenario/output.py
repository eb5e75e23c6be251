"""Files of a batch: comparison JSON, CSV and XLSX, and charts (PNG and SVG) if matplotlib is
installed (drawn with its Agg backend, no display needed)."""

from __future__ import annotations

import csv
import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from matching.scenario.compare import (
    ScenarioMetrics,
    SeatGroupValue,
    SeatValue,
    Utilisation,
    WeekFigures,
    compare,
)

CHART_NAMES = (
    "placement_rate_by_municipality",
    "utilisation",
    "utilisation_by_department",
    "waiting_time",
    "scenario_comparison",
)


def _table_rows(metrics: list[ScenarioMetrics]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Sheet name → (header, rows) of every table written."""
    comparison = compare(metrics)
    names = [m.scenario for m in metrics]
    wide: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in comparison:
        wide.setdefault((r.section, r.key, r.metric), {})[r.scenario] = (r.value, r.delta)
    summary_header = ["section", "key", "metric", *names, *[f"{n} Δ" for n in names[1:]]]
    summary = [
        [
            *key,
            *[cells.get(n, (None, None))[0] for n in names],
            *[cells.get(n, (None, None))[1] for n in names[1:]],
        ]
        for key, cells in wide.items()
    ]
    return {
        "summary": (summary_header, summary),
        "comparison": (
            ["scenario", "section", "key", "metric", "base", "value", "delta"],
            [
                [r.scenario, r.section, r.key, r.metric, r.base, r.value, r.delta]
                for r in comparison
            ],
        ),
        "utilisation": (
            ["scenario", *Utilisation.model_fields],
            [[m.scenario, *u.model_dump().values()] for m in metrics for u in m.utilisation],
        ),
        "unplaced": (
            ["scenario", "client", "reason", "admissible"],
            [[m.scenario, u.client, u.reason, u.admissible] for m in metrics for u in m.unplaced],
        ),
        "weeks": (
            ["scenario", *WeekFigures.model_fields],
            [[m.scenario, *w.model_dump().values()] for m in metrics for w in m.weeks],
        ),
        "seat_values": (
            ["scenario", "rank", *SeatValue.model_fields],
            [
                [m.scenario, k + 1, *s.model_dump().values()]
                for m in metrics
                for ranked in (m.seat_values, m.support_values)
                for k, s in enumerate(ranked)
            ],
        ),
        "seat_value_groups": (
            ["scenario", *SeatGroupValue.model_fields],
            [[m.scenario, *g.model_dump().values()] for m in metrics for g in m.seat_value_groups],
        ),
    }


def _write_csv(path: Path, header: Sequence[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def matplotlib_available() -> bool:
    """True when matplotlib can be imported."""
    return importlib.util.find_spec("matplotlib") is not None


def write_outputs(metrics: list[ScenarioMetrics], outdir: str | Path) -> list[Path]:
    """Write ``comparison.json``, one CSV per table, ``comparison.xlsx`` and charts."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    doc = {
        "base": metrics[0].scenario if metrics else None,
        "scenarios": [m.model_dump(mode="json") for m in metrics],
        "comparison": [r.model_dump(mode="json") for r in compare(metrics)],
    }
    path = out / "comparison.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(path)
    tables = _table_rows(metrics)
    book = Workbook()
    default = book.active
    for sheet, (header, rows) in tables.items():
        name = "comparison.csv" if sheet == "comparison" else f"{sheet}.csv"
        _write_csv(out / name, header, rows)
        written.append(out / name)
        ws = book.create_sheet(sheet)
        ws.append(list(header))
        for row in rows:
            ws.append(list(row))
    if default is not None:
        book.remove(default)
    book.save(out / "comparison.xlsx")
    written.append(out / "comparison.xlsx")
    if matplotlib_available():
        from matching.scenario.charts import write_charts

        written += write_charts(metrics, out)
    return written
