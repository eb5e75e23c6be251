"""Files of a batch: comparison JSON (codes and numbers, for machines), CSV and XLSX tables
in the planner's language, and charts (PNG and SVG) if matplotlib is installed.

Tables are for people: headers, sections, figures and categories are words from the
catalogues, rates are percentages (68.6, not 0.686). CSV is written in the dialect the
language's spreadsheet opens without an import wizard: in Finnish and Swedish the Finnish
Excel dialect (semicolon, decimal comma, UTF-8 with a byte-order mark), in English a comma
and a decimal point. A text cell that a spreadsheet would read as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe, in CSV and
XLSX alike, so a scenario or unit name cannot run as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matching.explain.messages import catalogue, date_text, word
from matching.scenario.compare import compare, comparison_document
from matching.scenario.figures import (
    ScenarioMetrics,
    SeatGroupValue,
    SeatValue,
    Utilisation,
    WeekFigures,
)
from matching.scenario.labels import scenario_name

CHART_NAMES = (
    "placement_rate_by_municipality",
    "utilisation",
    "utilisation_by_department",
    "waiting_time",
    "scenario_comparison",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
RATE_FIELDS = frozenset(
    {
        "placement_rate",
        "population_placement_rate",
        "top3_share",
        "seat_rate",
        "support_rate",
    }
)
"""Figures kept as shares 0–1 in the JSON and written as percentages in tables."""
SEAT_SHOWN = frozenset(SeatValue.model_fields) - {"placed_value"}
"""Seat-value columns for people: the solver's weighted placement value stays in the JSON."""


@dataclass(frozen=True)
class CsvDialect:
    """How a spreadsheet of a language reads CSV."""

    delimiter: str
    decimal: str
    bom: bool


EXCEL_FI = CsvDialect(delimiter=";", decimal=",", bom=True)
"""Finnish (and Finland-Swedish) Excel: semicolon, decimal comma, UTF-8 with BOM."""
EXCEL_EN = CsvDialect(delimiter=",", decimal=".", bom=False)


def dialect_for(lang: str) -> CsvDialect:
    """The CSV dialect of a language: the Finnish Excel dialect for Finnish and Swedish."""
    return EXCEL_FI if lang in ("fi", "sv") else EXCEL_EN


def neutralise(value: str) -> str:
    """A text cell that cannot start a formula (a leading apostrophe when it would)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


class _Cells:
    """Turns figures into cells of a table for people in ``lang``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.entries = catalogue(lang)

    def label(self, prefix: str, code: str) -> str:
        entry = self.entries.get(f"{prefix}.{code}")
        return entry["coordinator"] if entry else code

    def header(self, field: str) -> str:
        return self.label("column", field)

    def key(self, section: str, key: str) -> str:
        if key == "all":
            return self.label("key", "all")
        if section in ("age_band", "support_level"):
            return self.label(f"group.{section}", key)
        if section == "utilisation_by_task_category":
            return self.label("category", key)
        if section == "unplaced":
            return self.reason(key)
        return key

    def reason(self, code: str) -> str:
        if code.startswith("rule:"):
            return self.label("rule", code.removeprefix("rule:"))
        return self.label("reason", code.removeprefix("capacity:") if ":" in code else code)

    def value(self, field: str, value: Any) -> Any:
        """A figure as a table shows it: words for codes, percentages for shares."""
        if isinstance(value, bool):
            return word(self.lang, "word.yes" if value else "word.no")
        if field in RATE_FIELDS and isinstance(value, (int, float)):
            return round(100 * value, 1)
        if field == "task_category" and isinstance(value, str):
            return self.label("category", value)
        if field == "status" and isinstance(value, str):
            return self.label("status", value)
        if field == "resource" and isinstance(value, str):
            return self.label("resource", value)
        if field == "dimension" and isinstance(value, str):
            return self.label("dimension", value)
        if field == "reason" and isinstance(value, str):
            return self.reason(value)
        if isinstance(value, dt.date):
            return date_text(value, self.lang)
        return value

    def record(self, scenario: str, model: Any, shown: frozenset[str] | None = None) -> list[Any]:
        data = model.model_dump()
        out = [scenario]
        for f, v in data.items():
            if shown is not None and f not in shown:
                continue
            if f == "group" and data.get("dimension") == "task_category":
                out.append(self.label("category", v))
            else:
                out.append(self.value(f, v))
        return out


def _metric_value(metric: str, value: Any) -> Any:
    if metric in RATE_FIELDS and isinstance(value, (int, float)):
        return round(100 * value, 2)
    return value


def _table_rows(
    metrics: list[ScenarioMetrics], lang: str = "fi"
) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Sheet name → (header, rows) of every table written, in ``lang``."""
    cells = _Cells(lang)
    shown = {m.scenario: scenario_name(m, lang) for m in metrics}
    metrics = [m.model_copy(update={"scenario": shown[m.scenario]}) for m in metrics]
    comparison = compare(metrics)
    names = [m.scenario for m in metrics]
    wide: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in comparison:
        wide.setdefault((r.section, r.key, r.metric), {})[r.scenario] = (r.value, r.delta)
    change = cells.header("delta")
    summary_header = [
        cells.header("section"),
        cells.header("key"),
        cells.header("metric"),
        *names,
        *[f"{n}: {change}" for n in names[1:]],
    ]
    summary = [
        [
            cells.label("section", section),
            cells.key(section, key),
            cells.label("metric", metric),
            *[_metric_value(metric, cells_.get(n, (None, None))[0]) for n in names],
            *[_metric_value(metric, cells_.get(n, (None, None))[1]) for n in names[1:]],
        ]
        for (section, key, metric), cells_ in wide.items()
    ]
    h = cells.header
    return {
        "summary": (summary_header, summary),
        "comparison": (
            [h(f) for f in ("scenario", "section", "key", "metric", "base", "value", "delta")],
            [
                [
                    r.scenario,
                    cells.label("section", r.section),
                    cells.key(r.section, r.key),
                    cells.label("metric", r.metric),
                    _metric_value(r.metric, r.base),
                    _metric_value(r.metric, r.value),
                    _metric_value(r.metric, r.delta),
                ]
                for r in comparison
            ],
        ),
        "utilisation": (
            [h("scenario"), *[h(f) for f in Utilisation.model_fields]],
            [cells.record(m.scenario, u) for m in metrics for u in m.utilisation],
        ),
        "unplaced": (
            [h(f) for f in ("scenario", "client", "reason", "admissible")],
            [
                [m.scenario, u.client, cells.reason(u.reason), u.admissible]
                for m in metrics
                for u in m.unplaced
            ],
        ),
        "referral_changes": (
            [h(f) for f in ("scenario", "client", "benefit", "referral_before", "referral_after")],
            [
                [
                    m.scenario,
                    r.client,
                    r.benefit or "",
                    r.before,
                    r.after if r.after is not None else cells.label("key", "referral_lost"),
                ]
                for m in metrics
                for r in m.referral_changes
            ],
        ),
        "weeks": (
            [h("scenario"), *[h(f) for f in WeekFigures.model_fields]],
            [cells.record(m.scenario, w) for m in metrics for w in m.weeks],
        ),
        "seat_values": (
            [h("scenario"), h("rank"), *[h(f) for f in SeatValue.model_fields if f in SEAT_SHOWN]],
            [
                [m.scenario, k + 1, *cells.record("", s, SEAT_SHOWN)[1:]]
                for m in metrics
                for ranked in (m.seat_values, m.support_values)
                for k, s in enumerate(ranked)
            ],
        ),
        "seat_value_groups": (
            [h("scenario"), *[h(f) for f in SeatGroupValue.model_fields]],
            [cells.record(m.scenario, g) for m in metrics for g in m.seat_value_groups],
        ),
    }


def _csv_cell(value: Any, dialect: CsvDialect) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, float):
        text = repr(round(value, 4)) if not value.is_integer() else str(int(value))
        return text.replace(".", dialect.decimal)
    return str(value)


def write_csv(
    path: Path, header: Sequence[str], rows: list[list[Any]], dialect: CsvDialect
) -> None:
    """One table as CSV in ``dialect``; text cells neutralised against formulas."""
    encoding = "utf-8-sig" if dialect.bom else "utf-8"
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, delimiter=dialect.delimiter)
        writer.writerow([_csv_cell(c, dialect) for c in header])
        writer.writerows([_csv_cell(c, dialect) for c in row] for row in rows)


def _xlsx_cell(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def matplotlib_available() -> bool:
    """True when matplotlib can be imported."""
    return importlib.util.find_spec("matplotlib") is not None


def summary_line(m: ScenarioMetrics, lang: str = "fi") -> str:
    """One scenario in a sentence: placed of those eligible and, when a rule change made
    clients ineligible, how many and the rate over everyone before the change."""
    return word(
        lang,
        "scenario.summary",
        scenario=scenario_name(m, lang),
        placed=m.placed,
        clients=m.clients,
        rate=m.placement_rate,
        ineligible=m.ineligible,
        population=m.population or m.clients,
        population_rate=m.population_placement_rate if m.population else m.placement_rate,
        top3=m.top3_share,
        seconds=m.seconds,
    )


def write_outputs(
    metrics: list[ScenarioMetrics],
    outdir: str | Path,
    lang: str = "fi",
    dialect: CsvDialect | None = None,
) -> list[Path]:
    """Write ``comparison.json``, one CSV per table, ``comparison.xlsx`` and charts; tables
    and charts in ``lang``, CSV in ``dialect`` (by default the language's)."""
    dialect = dialect or dialect_for(lang)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    doc = comparison_document(metrics, lang)
    path = out / "comparison.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(path)
    tables = _table_rows(metrics, lang)
    # openpyxl (a few tenths of a second to import) loads only when a workbook is written.
    from openpyxl import Workbook

    book = Workbook()
    default = book.active
    for sheet, (header, rows) in tables.items():
        name = "comparison.csv" if sheet == "comparison" else f"{sheet}.csv"
        write_csv(out / name, header, rows, dialect)
        written.append(out / name)
        ws = book.create_sheet(sheet)
        ws.append([_xlsx_cell(c) for c in header])
        for row in rows:
            ws.append([_xlsx_cell(c) for c in row])
    if default is not None:
        book.remove(default)
    book.save(out / "comparison.xlsx")
    written.append(out / "comparison.xlsx")
    if matplotlib_available():
        from matching.scenario.charts import write_charts

        written += write_charts(metrics, out, lang)
    return written
