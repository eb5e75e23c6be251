"""Attendance to money and outcomes, from the database: the monthly summary of a period,
the month's report (summaries, the absence report owed to the benefit payer, figures per
municipality) with its CSV and XLSX files, and the planners' outcomes.

The figures are computed by ``matching.cooperation.money`` / ``report`` / ``outcomes`` from
the stored periods and attendance days; amounts and categories come from
``models.benefits.BenefitRules``.

Public functions:

* ``period_month(session, user, period_id, year, month, today, regime, rules)`` – one summary;
* ``month_report(session, user, year, month, today, regime, rules)`` – the whole month
  (coordinators: every period; sites: their placements' periods; their own municipality's
  figures only);
* ``report_files(report, fmt, sheet, lang)`` – the report as CSV (Finnish Excel dialect) or XLSX;
* ``outcomes(session, dimension, regime)`` – ended periods by onward path, small counts
  hidden, pseudonymous;
* ``feedback(session, dimension, kind, regime)`` – mean answers of the forms, small groups
  hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.cooperation import report as reports
from matching.cooperation.money import MonthlySummary, monthly_summary
from matching.cooperation.outcomes import Dimension, FeedbackRow, feedback_summary, outcome_table
from models import LegalRegime
from models.benefits import BenefitRules, BenefitSpell
from models.cooperation import ClientFeedback, SiteFeedback
from service.auth import Principal, Role
from service.crud import periods
from service.crud.regimes import regime_on
from service.db.cooperation import FeedbackRow as FeedbackFormRow
from service.db.cooperation import PeriodRow
from service.db.tables import ClientRow, OrganisationRow
from service.errors import Forbidden

MONEY_ROLES = (Role.COORDINATOR, Role.MUNICIPALITY, Role.COACH)


def period_month(
    session: Session,
    user: Principal,
    period_id: int,
    year: int,
    month: int,
    today: date,
    regime: LegalRegime,
    rules: BenefitRules,
) -> MonthlySummary:
    """One client's month in one period (absence categories: not for the site)."""
    row = periods.get(session, user, period_id)
    summary = monthly_summary(
        periods.domain(row, regime),
        periods.day_records(session, row),
        year,
        month,
        today,
        rules,
        client_benefits(session, [row.client_id]).get(row.client_id, ()),
    )
    if user.role is Role.MUNICIPALITY:
        return _without_categories(summary)
    return summary


def client_benefits(session: Session, ids: list[str]) -> dict[str, tuple[BenefitSpell, ...]]:
    """The recorded benefit spells of the clients ``ids`` (from their engine records)."""
    if not ids:
        return {}
    rows = session.scalars(select(ClientRow).where(ClientRow.id.in_(ids)))
    return {
        row.id: tuple(BenefitSpell.model_validate(b) for b in row.attributes.get("benefits", ()))
        for row in rows
    }


def _without_categories(summary: MonthlySummary) -> MonthlySummary:
    """Absence categories tell of health: the site sees the total only, as 'absent'."""
    total = summary.absence_days
    return replace(summary, absences={"absent": total} if total else {}, certificate_missing=())


def month_report(
    session: Session,
    user: Principal,
    year: int,
    month: int,
    today: date,
    regime: LegalRegime,
    rules: BenefitRules,
) -> reports.MonthReport:
    """The month of every period the caller may see (coordinators: the whole county)."""
    if user.role not in (Role.COORDINATOR, Role.MUNICIPALITY):
        raise Forbidden(
            f"the {user.role.value} role may not read the month's report",
            code="api.forbidden.month_report",
        )
    rows = periods.list_(session, user, everyone=True)
    domains = [periods.domain(r, regime) for r in rows]
    entries = {str(r.id): periods.day_records(session, r) for r in rows}
    report = reports.month_report(
        domains,
        entries,
        year,
        month,
        today,
        rules,
        client_benefits(session, sorted({r.client_id for r in rows})),
        regime_on(session, date(year, month, 1), regime).organiser,  # the month's organiser
    )
    if user.role is not Role.MUNICIPALITY:
        return report
    own = session.scalar(
        select(OrganisationRow.municipality_code).where(OrganisationRow.id == user.organisation)
    )
    return reports.MonthReport(
        year=report.year,
        month=report.month,
        categories=(),
        summaries=tuple(_without_categories(s) for s in report.summaries),
        absences=(),
        municipalities=tuple(m for m in report.municipalities if m.municipality == own),
        organiser=report.organiser,
    )


SHEETS = ("summary", "absences", "municipalities")


def report_files(
    report: reports.MonthReport, fmt: str, sheet: str, lang: str
) -> tuple[bytes, str, str]:
    """The report as a file: (content, media type, file name)."""
    stem = f"{report.year}-{report.month:02d}"
    if fmt == "xlsx":
        return (
            reports.month_report_xlsx(report, lang),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"kela-{stem}.xlsx",
        )
    files = list(reports.month_report_csv(report, lang).items())
    name, content = files[SHEETS.index(sheet)]
    return content, "text/csv; charset=utf-8", name


def _age(record: dict[str, Any], on: date) -> int | None:
    """Age in whole years on ``on`` (from the birth date, else the age recorded)."""
    born = record.get("birth_date")
    if born:
        b = date.fromisoformat(str(born))
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))
    age = record.get("age")
    return int(age) if age is not None else None


def _ages(session: Session, rows: Sequence[PeriodRow]) -> dict[str, int]:
    """Each client's age at the start of their period."""
    starts = {r.client_id: r.start_date for r in rows}
    ages: dict[str, int] = {}
    for client in session.scalars(select(ClientRow).where(ClientRow.id.in_(starts))):
        age = _age(client.attributes, starts[client.id])
        if age is not None:
            ages[client.id] = age
    return ages


def _ended(session: Session) -> Sequence[PeriodRow]:
    return session.scalars(select(PeriodRow).where(PeriodRow.ended_on.is_not(None))).all()


def outcomes(
    session: Session, dimension: Dimension, regime: LegalRegime, min_count: int = 5
) -> list[Any]:
    """Ended periods of the county by ``dimension`` and onward path (no client ids out)."""
    rows = _ended(session)
    ages = _ages(session, rows) if dimension is Dimension.AGE_BAND else {}
    return outcome_table([periods.domain(r, regime) for r in rows], dimension, ages, min_count)


def feedback(
    session: Session,
    dimension: Dimension,
    kind: str,
    regime: LegalRegime,
    min_count: int = 5,
) -> list[FeedbackRow]:
    """Mean answers of the client's (or the site's) forms by ``dimension``, groups under
    ``min_count`` forms hidden."""
    rows = _ended(session)
    ages = _ages(session, rows) if dimension is Dimension.AGE_BAND else {}
    forms: list[ClientFeedback | SiteFeedback] = []
    for f in session.scalars(select(FeedbackFormRow).where(FeedbackFormRow.kind == kind)):
        common = {"period": str(f.period_id), "given_on": f.given_on, "answers": f.answers}
        if kind == "client":
            forms.append(ClientFeedback.model_validate({**common, "language": f.language}))
        else:
            forms.append(SiteFeedback.model_validate({**common, "given_by": f.given_by}))
    domains = [periods.domain(r, regime) for r in rows]
    return feedback_summary(forms, domains, dimension, ages, min_count)
