"""Downloads and follow-up: start notices due, the month's Kela report, the coach's clients,
the planner's outcomes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from matching.cooperation.attendance import current_days
from matching.cooperation.export import (
    absence_report_table,
    csv_bytes,
    municipality_table,
    notices_table,
    summary_table,
    xlsx_bytes,
)
from matching.cooperation.money import monthly_summary
from matching.cooperation.outcomes import AGE_BANDS, Dimension
from matching.cooperation.periods import (
    NoticeDue,
    follow_up_alerts,
)
from matching.cooperation.report import MonthReport, month_report_xlsx
from matching.cooperation.texts import text
from models.benefits import BenefitPayer
from models.cooperation import (
    FeedbackQuestion,
    OnwardPath,
    SiteFeedbackQuestion,
)
from models.placement import TaskCategory
from service import audit
from service.audit import Action
from service.crud import months as month_store
from service.crud import periods as period_store
from service.db.cooperation import (
    AgreementRow,
    PeriodRow,
    SiteConfirmationRow,
)
from service.db.tables import (
    MunicipalityRow,
    ProposalRow,
    RunRow,
)
from service.web.cooperation.common import (
    CSV,
    REGIME,
    RULES,
    XLSX,
    CoachPage,
    CoordinatorPage,
    MunicipalityPage,
    PlannerPage,
    caller,
    download,
    month_of,
    render,
    unit_context,
)
from service.web.coordinator import names_of, placement_infos
from service.web.core import Page, WebError

router = APIRouter(include_in_schema=False)


# --- downloads: start notices due, the month's Kela report ------------------------------------


def _own_notices(page: Page) -> list[NoticeDue]:
    user = caller(page)
    caseload = set(user.caseload or ())
    due = period_store.notices_due(page.session, user, date.today(), REGIME, RULES)
    return [n for _row, n in due if n.client in caseload]


def _named_notices(page: Page, notices: list[NoticeDue]) -> list[NoticeDue]:
    """Notices with the client's and the placement's names instead of their ids (the file
    goes to the employment authority, who knows neither id)."""
    names = {c: str(label) for c, label in names_of(page, [n.client for n in notices]).items()}
    infos = placement_infos(page.session, {n.placement for n in notices})
    munis = dict(page.session.execute(select(MunicipalityRow.code, MunicipalityRow.name_fi)).all())
    return [
        replace(
            n,
            client=names.get(n.client, n.client),
            placement=infos[n.placement].name if n.placement in infos else n.placement,
            municipality=munis.get(n.municipality, n.municipality),
        )
        for n in notices
    ]


@router.get("/coordinator/cooperation/notices.{kind}")
def notices_file(page: CoordinatorPage, kind: str) -> Response:
    """The start notices due, in the Finnish Excel dialect (CSV) or as XLSX."""
    if kind not in ("csv", "xlsx"):
        raise WebError(404, "error.not_found")
    notices = _own_notices(page)
    audit.record(
        page.session,
        caller(page),
        Action.READ,
        "periods",
        "start notices due (download)",
        ids=[n.client for n in notices],
        web=True,
    )
    page.session.commit()
    lang = page.t.language
    table = notices_table(_named_notices(page, notices), lang, page.organiser)
    stem = f"aloitusilmoitukset-{date.today().isoformat()}"
    if kind == "csv":
        return download(csv_bytes(table, lang), f"{stem}.csv", CSV)
    return download(xlsx_bytes({text("col.period", lang): table}, lang), f"{stem}.xlsx", XLSX)


def _month_report(page: Page, first: date) -> tuple[MonthReport, dict[str, str], dict[str, str]]:
    """The month's report of the caller's periods, with client and placement names."""
    session = page.session
    user = caller(page)
    today = date.today()
    report = month_store.month_report(session, user, first.year, first.month, today, REGIME, RULES)
    names = {
        c: str(label)
        for c, label in names_of(page, sorted({s.client for s in report.summaries})).items()
    }
    infos = placement_infos(session, {s.placement for s in report.summaries})
    audit.record(
        session,
        user,
        Action.READ,
        "attendance",
        f"monthly report {first.month}/{first.year}",
        ids=sorted(names),
        web=True,
    )
    session.commit()
    return report, names, {pid: info.name for pid, info in infos.items()}


def _named(report: MonthReport, names: Mapping[str, str], places: Mapping[str, str]) -> MonthReport:
    """The report with names instead of ids, for the files people open."""
    return replace(
        report,
        summaries=tuple(
            replace(
                s,
                client=names.get(s.client, s.client),
                placement=places.get(s.placement, s.placement),
            )
            for s in report.summaries
        ),
        absences=tuple(replace(a, client=names.get(a.client, a.client)) for a in report.absences),
    )


def _first_or_error(month: str) -> date:
    first = month_of(month, date.today())
    if first is None:
        raise WebError(422, "coop.month_invalid")
    return first


@router.get("/coordinator/cooperation/report")
def report_page(page: CoordinatorPage, month: str = "") -> Response:
    """The month's Kela summary per client, the absence report and the municipalities."""
    first = _first_or_error(month)
    report, names, places = _month_report(page, first)
    munis = dict(page.session.execute(select(MunicipalityRow.code, MunicipalityRow.name_fi)).all())
    return render(
        page,
        "cooperation/report.html",
        report=report,
        first=first,
        month_value=f"{first.month}.{first.year}",
        names=names,
        placements=places,
        municipalities=munis,
        rate=RULES.expense_allowance_eur,
    )


@router.get("/coordinator/cooperation/report.xlsx")
def report_xlsx(page: CoordinatorPage, month: str = "") -> Response:
    """The month's report as one workbook (summary, absences, municipalities)."""
    first = _first_or_error(month)
    report, names, places = _month_report(page, first)
    content = month_report_xlsx(_named(report, names, places), page.t.language)
    return download(content, f"kela-{first.year}-{first.month:02d}.xlsx", XLSX)


@router.get("/coordinator/cooperation/report-{part}.csv")
def report_csv(page: CoordinatorPage, part: str, month: str = "") -> Response:
    """One table of the month's report in the Finnish Excel dialect."""
    if part not in ("summary", "absences"):
        raise WebError(404, "error.not_found")
    first = _first_or_error(month)
    report, names, places = _month_report(page, first)
    named = _named(report, names, places)
    lang = page.t.language
    table = (
        summary_table(named.summaries, named.categories, lang)
        if part == "summary"
        else absence_report_table(named.absences, lang)
    )
    return download(csv_bytes(table, lang), f"kela-{part}-{first.year}-{first.month:02d}.csv", CSV)


# --- the municipality's own follow-up ------------------------------------------------------


def _follow_up(page: Page, first: date) -> tuple[MonthReport, dict[str, str]]:
    """The month's figures of the contact's own municipality (the crud layer scopes them) and
    the municipality names."""
    session = page.session
    user = caller(page)
    report = month_store.month_report(
        session, user, first.year, first.month, date.today(), REGIME, RULES
    )
    audit.record(
        session,
        user,
        Action.READ,
        "attendance",
        f"municipality follow-up {first.month}/{first.year}",
        web=True,
    )
    session.commit()
    munis = dict(session.execute(select(MunicipalityRow.code, MunicipalityRow.name_fi)).all())
    return report, munis


@router.get("/municipality/follow-up")
def follow_up_page(page: MunicipalityPage, month: str = "") -> Response:
    """Our municipality's month for its financing follow-up: clients, periods, days and the
    expense allowances by payer."""
    first = _first_or_error(month)
    report, munis = _follow_up(page, first)
    return render(
        page,
        "cooperation/follow_up.html",
        report=report,
        first=first,
        month_value=f"{first.month}.{first.year}",
        municipalities=munis,
        payers=list(BenefitPayer),
        **unit_context(page),
    )


@router.get("/municipality/follow-up.{kind}")
def follow_up_file(page: MunicipalityPage, kind: str, month: str = "") -> Response:
    """Our municipality's figures in the Finnish Excel dialect (CSV) or as XLSX."""
    if kind not in ("csv", "xlsx"):
        raise WebError(404, "error.not_found")
    first = _first_or_error(month)
    report, munis = _follow_up(page, first)
    named = [
        replace(m, municipality=munis.get(m.municipality, m.municipality))
        for m in report.municipalities
    ]
    lang = page.t.language
    table = municipality_table(named, lang)
    stem = f"seuranta-{first.year}-{first.month:02d}"
    if kind == "csv":
        return download(csv_bytes(table, lang), f"{stem}.csv", CSV)
    sheets = {text("sheet.municipalities", lang): table}
    return download(xlsx_bytes(sheets, lang), f"{stem}.xlsx", XLSX)


# --- the coach ------------------------------------------------------------------------------


@router.get("/coach/periods")
def coach_periods(page: CoachPage) -> Response:
    """The coach's own clients' periods, this month's attendance and the latest days."""
    session = page.session
    user = caller(page)
    rows = period_store.list_(session, user)
    today = date.today()
    first = today.replace(day=1)
    names = names_of(page, sorted({r.client_id for r in rows}))
    infos = placement_infos(session, {r.placement_id for r in rows})
    out = []
    for r in sorted(rows, key=lambda r: (r.ended_on is not None, str(names[r.client_id]))):
        period = period_store.domain(r, REGIME)
        entries = period_store.day_records(session, r)
        out.append(
            {
                "period": period,
                "name": names[r.client_id],
                "placement_name": infos[r.placement_id].name
                if r.placement_id in infos
                else r.placement_id,
                "summary": monthly_summary(period, entries, first.year, first.month, today, RULES),
                "alerts": follow_up_alerts([period], today, REGIME),
                "days": sorted(current_days(entries).values(), key=lambda d: d.day, reverse=True)[
                    :10
                ],
            }
        )
    audit.record(
        session, user, Action.READ, "periods", "own clients' periods", ids=sorted(names), web=True
    )
    session.commit()
    return render(page, "cooperation/coach.html", rows=out, first=first)


MIN_COUNT = 5
"""Counts below this are hidden (a small group could point to a person)."""


# --- the planner ----------------------------------------------------------------------------


def _matching_figures(page: Page) -> dict[str, Any] | None:
    """How far the latest run's proposals went: accepted, confirmed, declined, started."""
    session = page.session
    run = session.scalar(
        select(RunRow).where(RunRow.status == "succeeded").order_by(RunRow.id.desc()).limit(1)
    )
    if run is None:
        return None
    proposals = session.execute(
        select(ProposalRow.id, ProposalRow.status).where(ProposalRow.run_id == run.id)
    ).all()
    ids = [p.id for p in proposals]
    answers = session.execute(
        select(SiteConfirmationRow.decision).where(SiteConfirmationRow.proposal_id.in_(ids))
    ).all()
    agreements = select(AgreementRow.id).where(AgreementRow.proposal_id.in_(ids))
    periods = session.execute(
        select(PeriodRow.ended_on).where(PeriodRow.agreement_id.in_(agreements))
    ).all()
    return {
        "planning_date": run.planning_date,
        "proposals": len(proposals),
        "accepted": sum(1 for p in proposals if p.status in ("accepted", "overridden")),
        "confirmed": sum(1 for (d,) in answers if d == "confirmed"),
        "declined": sum(1 for (d,) in answers if d == "declined"),
        "periods": len(periods),
        "ended": sum(1 for (e,) in periods if e is not None),
    }


@router.get("/planner/outcomes")
def outcomes(page: PlannerPage) -> Response:
    """Onward paths of ended periods by placement, task category, municipality and age
    band: pseudonymous, counts under five hidden."""
    session = page.session
    tables = {d: month_store.outcomes(session, d, REGIME, MIN_COUNT) for d in Dimension}
    feedback = {
        (d, kind): month_store.feedback(session, d, kind, REGIME, MIN_COUNT)
        for d in Dimension
        for kind in ("client", "site")
    }
    infos = placement_infos(session)
    munis = dict(session.execute(select(MunicipalityRow.code, MunicipalityRow.name_fi)).all())
    t = page.t
    labels = {
        Dimension.PLACEMENT.value: {pid: i.name for pid, i in infos.items()},
        Dimension.TASK_CATEGORY.value: {
            c.value: t(f"task.{c.value}") for c in TaskCategory if t.has(f"task.{c.value}")
        }
        | {"unknown": t("coop.unknown")},
        Dimension.MUNICIPALITY.value: munis,
        Dimension.AGE_BAND.value: {name: t(f"coop.age_{name}") for _, _, name in AGE_BANDS}
        | {"unknown": t("coop.unknown")},
    }
    audit.record(session, page.principal, Action.READ, "periods", "outcomes (aggregate)", web=True)
    session.commit()
    return render(
        page,
        "cooperation/outcomes.html",
        tables=[(d.value, r) for d, r in tables.items()],
        feedback={(d.value, kind): rows for (d, kind), rows in feedback.items()},
        questions={
            "client": [q.value for q in FeedbackQuestion],
            "site": [q.value for q in SiteFeedbackQuestion],
        },
        labels=labels,
        paths=list(OnwardPath),
        hidden=text("word.hidden", t.language),
        min_count=MIN_COUNT,
        matching=_matching_figures(page),
    )
