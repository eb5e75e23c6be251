"""Tables of the cycle as files: the Finnish Excel dialect (CSV) and XLSX.

The Finnish Excel dialect is what Excel opens with a double click on a Finnish desktop:
semicolon-separated, decimal comma, dates as ``d.m.yyyy``, UTF-8 with a byte-order mark (so
ä and ö survive) and CRLF line ends. A text that begins with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return would be run as a formula by a spreadsheet (CSV injection); it gets a
leading apostrophe in both formats, and XLSX cells are written as text, never as formulas.

Each ``*_table`` function turns results into a header and rows with the words of the catalogue
(codes become words), ready for either writer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from matching.cooperation.money import AbsenceReportRow, MonthlySummary, MunicipalityFigures
from matching.cooperation.outcomes import OutcomeRow
from matching.cooperation.periods import Alert, NoticeDue
from matching.cooperation.texts import DEFAULT_ORGANISER, text
from models.benefits import BenefitPayer
from models.cooperation import OnwardPath

__all__ = [
    "Table",
    "absence_report_table",
    "alerts_table",
    "csv_bytes",
    "municipality_table",
    "neutralise",
    "notices_table",
    "outcome_table_rows",
    "summary_table",
    "xlsx_bytes",
]

Table = tuple[list[str], list[list[Any]]]
"""A header and its rows; a cell is a str, int, Decimal, date, bool or None."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A text that a spreadsheet would run as a formula, made inert with an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _csv_cell(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return text("word.yes" if value else "word.no", lang)
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, date):
        return f"{value.day}.{value.month}.{value.year}"
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def csv_bytes(table: Table, lang: str = "fi") -> bytes:
    """The table in the Finnish Excel dialect, as bytes to send or save."""
    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v, lang) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Mapping[str, Table], lang: str = "fi") -> bytes:
    """The tables as sheets of one workbook; texts stay texts, numbers numbers, dates dates."""
    # openpyxl (a few tenths of a second to import) loads only when a workbook is written.
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, (header, rows) in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        for r, row in enumerate([header, *rows], start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, bool):
                    cell.value = text("word.yes" if value else "word.no", lang)
                elif isinstance(value, Decimal):
                    cell.value = value
                    cell.number_format = "0.00"
                elif isinstance(value, date):
                    cell.value = value
                    cell.number_format = "d.m.yyyy"
                elif value is None or isinstance(value, int | float):
                    cell.value = value
                else:
                    cell.value = neutralise(str(value))
                    cell.data_type = "s"  # never a formula, whatever the text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _payer(payer: BenefitPayer | None, lang: str, organiser: str) -> str:
    return text(f"payer.{payer.value}", lang, organiser) if payer is not None else ""


def summary_table(
    summaries: Iterable[MonthlySummary],
    categories: Sequence[str],
    lang: str = "fi",
    organiser: str = DEFAULT_ORGANISER,
) -> Table:
    """Monthly summaries, one row per client and period; a column per absence category."""
    header = [
        text("col.month", lang),
        text("col.client", lang),
        text("col.period", lang),
        text("col.placement", lang),
        text("col.municipality", lang),
        text("col.payer", lang),
        text("col.present_days", lang),
        text("col.allowance_days", lang),
        text("col.daily_rate", lang),
        text("col.allowance_eur", lang),
        *(text(f"absence.{code}", lang) for code in categories),
        text("col.benefit_kept_days", lang),
        text("col.benefit_lost_days", lang),
        text("col.not_arranged_days", lang),
        text("col.certificate_missing", lang),
    ]
    rows = [
        [
            f"{s.month}/{s.year}",
            s.client,
            s.period,
            s.placement,
            s.municipality,
            _payer(s.payer, lang, organiser),
            s.present_days,
            s.allowance_days,
            s.daily_rate_eur,
            s.allowance_eur,
            *(s.absences.get(code, 0) for code in categories),
            s.benefit_kept_days,
            s.benefit_lost_days,
            s.not_arranged_days,
            ", ".join(_csv_cell(d, lang) for d in s.certificate_missing),
        ]
        for s in summaries
    ]
    return header, rows


def absence_report_table(
    report: Iterable[AbsenceReportRow], lang: str = "fi", organiser: str = DEFAULT_ORGANISER
) -> Table:
    """The organiser's absence report to Kela or the fund, one row per day."""
    header = [
        text("col.payer", lang),
        text("col.client", lang),
        text("col.period", lang),
        text("col.day", lang),
        text("col.status", lang),
        text("col.absence_reason", lang),
        text("col.benefit_kept", lang),
        text("col.certificate_received", lang),
    ]
    rows = [
        [
            _payer(r.payer, lang, organiser),
            r.client,
            r.period,
            r.day,
            text(f"status.{r.status.value}", lang),
            text(f"absence.{r.absence_reason}", lang) if r.absence_reason else "",
            r.benefit_kept,
            r.certificate_received if r.absence_reason else None,
        ]
        for r in report
    ]
    return header, rows


def municipality_table(
    figures: Iterable[MunicipalityFigures], lang: str = "fi", organiser: str = DEFAULT_ORGANISER
) -> Table:
    """Figures per municipality for its financing follow-up; a column per payer."""
    payers = list(BenefitPayer)
    header = [
        text("col.municipality", lang),
        text("col.clients", lang),
        text("col.periods", lang),
        text("col.present_days", lang),
        text("col.absence_days", lang),
        text("col.not_arranged_days", lang),
        *(f"{text(f'payer.{p.value}', lang, organiser)} €" for p in payers),
        text("col.allowance_total", lang),
    ]
    rows = [
        [
            f.municipality,
            f.clients,
            f.periods,
            f.present_days,
            f.absence_days,
            f.not_arranged_days,
            *(f.allowance_eur.get(p, Decimal("0.00")) for p in payers),
            f.allowance_total_eur,
        ]
        for f in figures
    ]
    return header, rows


def notices_table(
    notices: Iterable[NoticeDue], lang: str = "fi", organiser: str = DEFAULT_ORGANISER
) -> Table:
    """Start notices due to the employment authority."""
    header = [
        text("col.client", lang),
        text("col.period", lang),
        text("col.placement", lang),
        text("col.municipality", lang),
        text("col.start_date", lang),
        text("col.payer", lang),
        text("col.days_since_start", lang),
    ]
    rows = [
        [
            n.client,
            n.period,
            n.placement,
            n.municipality,
            n.start_date,
            _payer(n.payer, lang, organiser),
            n.days_since_start,
        ]
        for n in notices
    ]
    return header, rows


def alerts_table(alerts: Iterable[Alert], lang: str = "fi") -> Table:
    """Follow-ups coming up: first reviews, commitment ends, period ends, plan reviews."""
    header = [
        text("col.client", lang),
        text("col.period", lang),
        text("col.placement", lang),
        text("col.alert", lang),
        text("col.due", lang),
        text("col.days_left", lang),
    ]
    rows = [
        [a.client, a.period, a.placement, text(f"alert.{a.kind.value}", lang), a.due, a.days_left]
        for a in alerts
    ]
    return header, rows


def outcome_table_rows(outcomes: Iterable[OutcomeRow], lang: str = "fi") -> Table:
    """Outcomes of one dimension; hidden counts are shown as ``..``."""
    paths = list(OnwardPath)
    hidden = text("word.hidden", lang)
    header = [
        text("col.group", lang),
        text("col.ended_periods", lang),
        *(text(f"path.{p.value}", lang) for p in paths),
    ]
    rows = [
        [
            o.key,
            o.periods if o.periods is not None else hidden,
            *(o.paths[p] if o.paths[p] is not None else hidden for p in paths),
        ]
        for o in outcomes
    ]
    return header, rows
