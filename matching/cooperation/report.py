"""The month's Kela report in one call: summaries, the absence report and the municipalities.

What the coordinator downloads at the start of a month for the previous one: every client's
summary, the absence days owed to Kela and the funds, and the figures per municipality, as one
XLSX workbook (three sheets) or three CSV files in the Finnish Excel dialect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from matching.cooperation.export import (
    Table,
    absence_report_table,
    csv_bytes,
    municipality_table,
    summary_table,
    xlsx_bytes,
)
from matching.cooperation.money import (
    AbsenceReportRow,
    MonthlySummary,
    MunicipalityFigures,
    absence_report,
    month_bounds,
    monthly_summary,
    municipality_figures,
)
from matching.cooperation.texts import DEFAULT_ORGANISER, text
from models.attendance import DayRecord
from models.benefits import BenefitRules, BenefitSpell
from models.cooperation import Period

__all__ = ["MonthReport", "month_report", "month_report_csv", "month_report_xlsx"]


@dataclass(frozen=True)
class MonthReport:
    """One month of the periods that ran in it."""

    year: int
    month: int
    categories: tuple[str, ...]
    summaries: tuple[MonthlySummary, ...]
    absences: tuple[AbsenceReportRow, ...]
    municipalities: tuple[MunicipalityFigures, ...]
    organiser: str = DEFAULT_ORGANISER
    """The organiser of the regime in force in the month (``LegalRegime.organiser``): it pays
    the activity allowance and is named in the files."""


def month_report(
    periods: Iterable[Period],
    entries: Mapping[str, Sequence[DayRecord]],
    year: int,
    month: int,
    today: date,
    rules: BenefitRules,
    benefits: Mapping[str, Sequence[BenefitSpell]] | None = None,
    organiser: str = DEFAULT_ORGANISER,
) -> MonthReport:
    """Summaries of every period that overlaps the month (by client, then period); each
    day's payer follows from the client's benefit that day (``benefits`` by client id)."""
    spells = benefits or {}
    first, last = month_bounds(year, month)
    running = sorted(
        (p for p in periods if p.start_date <= last and p.last_day >= first),
        key=lambda p: (p.client, p.id),
    )
    summaries = tuple(
        monthly_summary(
            p, entries.get(p.id, ()), year, month, today, rules, spells.get(p.client, ())
        )
        for p in running
    )
    return MonthReport(
        year=year,
        month=month,
        categories=tuple(c.code for c in rules.absence_categories),
        summaries=summaries,
        absences=tuple(absence_report(running, entries, year, month, rules, spells)),
        municipalities=tuple(municipality_figures(summaries)),
        organiser=organiser,
    )


def _tables(report: MonthReport, lang: str) -> dict[str, Table]:
    return {
        text("sheet.summary", lang): summary_table(
            report.summaries, report.categories, lang, report.organiser
        ),
        text("sheet.absences", lang): absence_report_table(report.absences, lang, report.organiser),
        text("sheet.municipalities", lang): municipality_table(
            report.municipalities, lang, report.organiser
        ),
    }


def month_report_xlsx(report: MonthReport, lang: str = "fi") -> bytes:
    """The report as one workbook with three sheets."""
    return xlsx_bytes(_tables(report, lang), lang)


def month_report_csv(report: MonthReport, lang: str = "fi") -> dict[str, bytes]:
    """The report as three CSV files (Finnish Excel dialect), by file name."""
    stem = f"{report.year}-{report.month:02d}"
    return {
        f"{name}-{stem}.csv": csv_bytes(table, lang)
        for name, table in _tables(report, lang).items()
    }
