"""The cooperation cycle: the site's answer, the start meeting, the activity agreement, the
period to its onward path, the start notice, feedback, the month's money and outcomes.

Steps out of order are 409 with a ``code`` (``not_confirmed``, ``agreement_not_agreed``,
``already_ended``…); values against the law are 422 naming the field. Every read of client
data is audited with its purpose (header ``X-Purpose``); a coordinator's lists show their own
caseload unless ``scope=all`` is asked for with a stated purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from matching.cooperation.export import (
    csv_bytes,
    notices_table,
    outcome_table_rows,
    xlsx_bytes,
)
from matching.cooperation.money import AbsenceReportRow, MonthlySummary, MunicipalityFigures
from matching.cooperation.outcomes import Dimension
from models.benefits import BenefitRules
from models.cooperation import AgreementStatus, SiteDecision
from service import audit
from service.audit import Action
from service.auth import Principal, Role
from service.crud import agreements, cooperation, months, periods
from service.crud.regimes import regime_on
from service.crud.runs import county_regime
from service.db.cooperation import FeedbackRow, PeriodRow
from service.deps import IdempotencyKey, SessionDep, SettingsDep, purpose, require, utf8_header
from service.errors import InvalidInput
from service.idempotency import Outcome, fingerprint, run_once
from service.routes.common import ERRORS, Coordinator, IntId
from service.schemas.common import Id
from service.schemas.cooperation import (
    AbsenceReportRowOut,
    AgreeIn,
    AgreementIn,
    AgreementOut,
    AlertOut,
    CancelIn,
    CertificateIn,
    CertificateOut,
    ClientFeedbackIn,
    ConfirmationIn,
    ConfirmationOut,
    ExtensionIn,
    FeedbackGroupOut,
    FeedbackOut,
    FeedbackSummaryOut,
    MeetingIn,
    MeetingOut,
    MonthReportOut,
    MonthSummaryOut,
    MunicipalityFiguresOut,
    NoticeDueOut,
    OutcomeRowOut,
    OutcomesOut,
    PendingConfirmation,
    PeriodEndIn,
    PeriodOut,
    PeriodStartIn,
    SiteFeedbackIn,
    StartNoticeIn,
    StartNoticeOut,
)

router = APIRouter(tags=["cooperation"], responses=ERRORS)

CycleReaders = Annotated[
    Principal, Depends(require(Role.COORDINATOR, Role.MUNICIPALITY, Role.COACH))
]
SiteOrCoordinator = Annotated[Principal, Depends(require(Role.COORDINATOR, Role.MUNICIPALITY))]
Planners = Annotated[Principal, Depends(require(Role.PLANNER, Role.COORDINATOR))]
Why = Annotated[str, Depends(purpose("following the cooperation cycle"))]


def _once(
    request: Request,
    session: SessionDep,
    user: Principal,
    key: str | None,
    body: BaseModel,
    status: int,
    step: Callable[[], tuple[BaseModel, str | None]],
) -> JSONResponse:
    """One step of the cycle, done once per ``Idempotency-Key``: a repeat of the same request
    (a retry after a lost answer) gets the first answer and records nothing again. `step`
    writes, audits and returns the answer with the client it is about (its stored copy is
    erased with the client); the transaction commits here."""

    def produce() -> Outcome:
        out, client = step()
        return Outcome(status, out, client_id=client)

    print_ = fingerprint("POST", request.url.path, body.model_dump(mode="json"))
    return run_once(session, user, key, print_, produce)


def _period_client(session: SessionDep, period_id: int) -> str | None:
    row = session.get(PeriodRow, period_id)
    return None if row is None else row.client_id


Scope = Annotated[
    Literal["caseload", "all"],
    Query(description="Coordinators: own caseload (default) or, with an X-Purpose, all."),
]
Year = Annotated[int, Path(ge=2000, le=2100)]
Month = Annotated[int, Path(ge=1, le=12)]
Lang = Annotated[Literal["fi", "sv", "en"], Query()]
RULES = BenefitRules()
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FileFormat = Annotated[
    Literal["json", "csv", "xlsx"],
    Query(alias="format", description="json, or a file: csv (Finnish Excel dialect) or xlsx."),
]


def everyone(request: Request, scope: str) -> bool:
    """``scope=all`` needs a purpose stated in ``X-Purpose`` (it is audited)."""
    if scope != "all":
        return False
    if not utf8_header(request.headers.get("x-purpose", "")).strip():
        raise InvalidInput(
            "a stated purpose is needed",
            [
                {
                    "loc": ["header", "x-purpose"],
                    "field": "header.x-purpose",
                    "msg": "scope=all reads clients outside your caseload: say why in X-Purpose",
                }
            ],
            code="api.purpose_needed",
        )
    return True


# --- the site's answer ----------------------------------------------------------------------


@router.get("/confirmations/pending")
def pending_confirmations(
    session: SessionDep, user: SiteOrCoordinator, why: Why
) -> list[PendingConfirmation]:
    """Accepted proposals waiting for the site's answer (sites: at their placements)."""
    rows = cooperation.pending_confirmations(session, user)
    audit.record(session, user, Action.READ, "confirmations", why, ids=[r.client_id for r in rows])
    session.commit()
    return [
        PendingConfirmation(
            proposal_id=r.id,
            run_id=r.run_id,
            client_id=r.client_id,
            placement_id=cooperation.target_placement(r) or r.placement_id,
            decided_at=r.decided_at,
        )
        for r in rows
    ]


@router.post(
    "/proposals/{proposal_id}/confirmation", status_code=201, response_model=ConfirmationOut
)
def confirm(
    request: Request,
    session: SessionDep,
    user: SiteOrCoordinator,
    why: Why,
    proposal_id: IntId,
    body: ConfirmationIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The site confirms or declines an accepted proposal; a decline returns the client to
    the pool and the pair is not proposed again until either record changes."""

    def step() -> tuple[BaseModel, str | None]:
        row = cooperation.confirm(session, user, proposal_id, body)
        audit.record(
            session,
            user,
            Action.DECIDE,
            "confirmations",
            why,
            record_id=str(proposal_id),
            decision=row.decision,
        )
        return ConfirmationOut.model_validate(row), row.client_id

    return _once(request, session, user, idempotency_key, body, 201, step)


@router.get("/proposals/{proposal_id}/confirmation")
def read_confirmation(
    session: SessionDep, user: CycleReaders, why: Why, proposal_id: IntId
) -> ConfirmationOut:
    """The site's answer to one proposal (the coordinator sees the reason of a decline)."""
    row = cooperation.get_confirmation(session, user, proposal_id)
    audit.record(session, user, Action.READ, "confirmations", why, record_id=str(proposal_id))
    session.commit()
    return ConfirmationOut.model_validate(row)


@router.get("/confirmations")
def list_confirmations(
    session: SessionDep, user: CycleReaders, why: Why, decision: SiteDecision | None = None
) -> list[ConfirmationOut]:
    """The sites' answers, newest first (declines with their reasons)."""
    rows = cooperation.list_confirmations(session, user, decision=decision)
    audit.record(session, user, Action.READ, "confirmations", why, ids=[r.client_id for r in rows])
    session.commit()
    return [ConfirmationOut.model_validate(r) for r in rows]


# --- the start meeting ----------------------------------------------------------------------


@router.post("/start-meetings", status_code=201, response_model=MeetingOut)
def record_meeting(
    request: Request,
    session: SessionDep,
    user: Coordinator,
    why: Why,
    body: MeetingIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The three parties' meeting of a confirmed proposal."""

    def step() -> tuple[BaseModel, str | None]:
        row = cooperation.record_meeting(session, user, body)
        audit.record(session, user, Action.CREATE, "start_meetings", why, record_id=str(row.id))
        return MeetingOut.model_validate(row), row.client_id

    return _once(request, session, user, idempotency_key, body, 201, step)


@router.get("/start-meetings")
def list_meetings(
    session: SessionDep,
    user: CycleReaders,
    why: Why,
    proposal_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> list[MeetingOut]:
    """Start meetings (of one proposal)."""
    rows = cooperation.list_meetings(session, user, proposal_id)
    audit.record(session, user, Action.READ, "start_meetings", why, ids=_clients(rows))
    session.commit()
    return [MeetingOut.model_validate(cooperation.meeting_view(session, user, r)) for r in rows]


@router.get("/start-meetings/{meeting_id}")
def read_meeting(
    session: SessionDep, user: CycleReaders, why: Why, meeting_id: IntId
) -> MeetingOut:
    """One start meeting."""
    row = cooperation.get_meeting(session, user, meeting_id)
    audit.record(session, user, Action.READ, "start_meetings", why, record_id=str(meeting_id))
    session.commit()
    return MeetingOut.model_validate(cooperation.meeting_view(session, user, row))


def _clients(rows: object) -> list[str]:
    return [r.client_id for r in rows]  # type: ignore[attr-defined]


# --- the activity agreement -----------------------------------------------------------------


@router.post("/agreements", status_code=201, response_model=AgreementOut)
def draft_agreement(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: Why,
    body: AgreementIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Draft the activity agreement of a confirmed proposal (3–24 months, checked)."""

    def step() -> tuple[BaseModel, str | None]:
        row = agreements.draft(session, user, body, county_regime(settings))
        audit.record(session, user, Action.CREATE, "agreements", why, record_id=str(row.id))
        return AgreementOut.model_validate(row), row.client_id

    return _once(request, session, user, idempotency_key, body, 201, step)


@router.get("/agreements")
def list_agreements(
    request: Request,
    session: SessionDep,
    user: CycleReaders,
    why: Why,
    proposal_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    status: AgreementStatus | None = None,
    scope: Scope = "caseload",
) -> list[AgreementOut]:
    """Agreements the caller may see."""
    rows = agreements.list_(
        session, user, proposal_id=proposal_id, status=status, everyone=everyone(request, scope)
    )
    audit.record(session, user, Action.READ, "agreements", why, ids=_clients(rows), scope=scope)
    session.commit()
    return [AgreementOut.model_validate(r) for r in rows]


@router.get("/agreements/{agreement_id}")
def read_agreement(
    session: SessionDep, user: CycleReaders, why: Why, agreement_id: IntId
) -> AgreementOut:
    """One agreement."""
    row = agreements.get(session, user, agreement_id)
    audit.record(session, user, Action.READ, "agreements", why, record_id=str(agreement_id))
    session.commit()
    return AgreementOut.model_validate(row)


@router.put("/agreements/{agreement_id}")
def revise_agreement(
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: Why,
    agreement_id: IntId,
    body: AgreementIn,
) -> AgreementOut:
    """Replace a drafted agreement's content."""
    row = agreements.revise(session, user, agreement_id, body, county_regime(settings))
    audit.record(session, user, Action.UPDATE, "agreements", why, record_id=str(agreement_id))
    session.commit()
    return AgreementOut.model_validate(row)


@router.post("/agreements/{agreement_id}/agree", response_model=AgreementOut)
def agree(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: Why,
    agreement_id: IntId,
    body: AgreeIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The parties signed: the agreement becomes agreed."""

    def step() -> tuple[BaseModel, str | None]:
        row = agreements.agree(session, user, agreement_id, body.agreed_on, county_regime(settings))
        audit.record(session, user, Action.UPDATE, "agreements", why, record_id=str(agreement_id))
        return AgreementOut.model_validate(row), row.client_id

    return _once(request, session, user, idempotency_key, body, 200, step)


@router.post("/agreements/{agreement_id}/cancel", response_model=AgreementOut)
def cancel_agreement(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: Why,
    agreement_id: IntId,
    body: CancelIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Cancel an agreement whose period has not started."""

    def step() -> tuple[BaseModel, str | None]:
        row = agreements.cancel(session, user, agreement_id, body.reason, county_regime(settings))
        audit.record(session, user, Action.UPDATE, "agreements", why, record_id=str(agreement_id))
        return AgreementOut.model_validate(row), row.client_id

    return _once(request, session, user, idempotency_key, body, 200, step)


@router.get("/agreements/{agreement_id}/print", response_class=HTMLResponse)
def print_agreement(
    session: SessionDep,
    settings: SettingsDep,
    user: CycleReaders,
    why: Why,
    agreement_id: IntId,
    lang: Lang = "fi",
) -> HTMLResponse:
    """The agreement as a print page (A4 print stylesheet) in Finnish, Swedish or English."""
    page = agreements.printable(session, user, agreement_id, lang, county_regime(settings))
    audit.record(session, user, Action.READ, "agreements", why, record_id=str(agreement_id))
    session.commit()
    return HTMLResponse(page)


# --- periods --------------------------------------------------------------------------------


@router.post("/periods", status_code=201, response_model=PeriodOut)
def start_period(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: Why,
    body: PeriodStartIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Start the period of an agreed agreement (after the site's confirmation and the start
    meeting)."""
    regime = county_regime(settings)

    def step() -> tuple[BaseModel, str | None]:
        row = periods.start(session, user, body, regime)
        audit.record(session, user, Action.CREATE, "periods", why, record_id=str(row.id))
        return periods.out(session, row, user, regime), row.client_id

    return _once(request, session, user, idempotency_key, body, 201, step)


@router.get("/periods")
def list_periods(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CycleReaders,
    why: Why,
    client: Annotated[Id | None, Query()] = None,
    placement: Annotated[Id | None, Query()] = None,
    running: bool | None = None,
    scope: Scope = "caseload",
) -> list[PeriodOut]:
    """Periods the caller may see: coordinators their caseload (or all, with a purpose),
    coaches their own clients', sites those at their placements."""
    rows = periods.list_(
        session,
        user,
        client=client,
        placement=placement,
        running=running,
        everyone=everyone(request, scope),
    )
    audit.record(session, user, Action.READ, "periods", why, ids=_clients(rows), scope=scope)
    session.commit()
    regime = county_regime(settings)
    return [periods.out(session, r, user, regime) for r in rows]


@router.get("/periods/alerts")
def period_alerts(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CycleReaders,
    why: Why,
    scope: Scope = "caseload",
) -> list[AlertOut]:
    """Follow-ups coming up: first review, end of the 3-month commitment, planned end, and
    the 24-month review of the activation plan (also when overdue)."""
    found = periods.alerts(
        session, user, date.today(), county_regime(settings), everyone(request, scope)
    )
    audit.record(
        session, user, Action.READ, "periods", why, ids=[r.client_id for r, _ in found], scope=scope
    )
    session.commit()
    return [
        AlertOut(
            period_id=row.id,
            client_id=row.client_id,
            placement_id=row.placement_id,
            kind=alert.kind.value,
            due=alert.due,
            days_left=alert.days_left,
        )
        for row, alert in found
    ]


@router.get("/periods/{period_id}")
def read_period(
    session: SessionDep, settings: SettingsDep, user: CycleReaders, why: Why, period_id: IntId
) -> PeriodOut:
    """One period."""
    row = periods.get(session, user, period_id)
    audit.record(session, user, Action.READ, "periods", why, record_id=str(period_id))
    session.commit()
    return periods.out(session, row, user, county_regime(settings))


@router.post("/periods/{period_id}/extensions", response_model=PeriodOut)
def extend_period(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: Why,
    period_id: IntId,
    body: ExtensionIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Extend the period (each extension at least 3 months, 24 in all)."""
    regime = county_regime(settings)

    def step() -> tuple[BaseModel, str | None]:
        row = periods.extend(session, user, period_id, body, regime)
        audit.record(session, user, Action.UPDATE, "periods", why, record_id=str(period_id))
        return periods.out(session, row, user, regime), row.client_id

    return _once(request, session, user, idempotency_key, body, 200, step)


@router.post("/periods/{period_id}/end", response_model=PeriodOut)
def end_period(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: Why,
    period_id: IntId,
    body: PeriodEndIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """End the period: its last day, the reason and the onward path."""
    regime = county_regime(settings)

    def step() -> tuple[BaseModel, str | None]:
        row = periods.end(session, user, period_id, body, regime, RULES)
        audit.record(session, user, Action.UPDATE, "periods", why, record_id=str(period_id))
        return periods.out(session, row, user, regime), row.client_id

    return _once(request, session, user, idempotency_key, body, 200, step)


@router.post("/periods/{period_id}/start-notice", status_code=201, response_model=StartNoticeOut)
def record_start_notice(
    request: Request,
    session: SessionDep,
    user: Coordinator,
    why: Why,
    period_id: IntId,
    body: StartNoticeIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record the organiser's notice of the start to the employment authority."""

    def step() -> tuple[BaseModel, str | None]:
        row = periods.record_notice(session, user, period_id, body)
        audit.record(session, user, Action.CREATE, "start_notices", why, record_id=str(period_id))
        return StartNoticeOut.model_validate(row), row.client_id

    return _once(request, session, user, idempotency_key, body, 201, step)


@router.get(
    "/start-notices/due",
    response_model=list[NoticeDueOut],
    responses={200: {"content": {"text/csv": {}, _XLSX: {}}}},
)
def notices_due(
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: Why,
    file_format: FileFormat = "json",
    lang: Lang = "fi",
) -> Response | list[NoticeDueOut]:
    """Periods of clients on unemployment benefit whose start is not yet notified."""
    found = periods.notices_due(session, user, date.today(), county_regime(settings), RULES)
    audit.record(
        session, user, Action.READ, "start_notices", why, ids=[r.client_id for r, _ in found]
    )
    session.commit()
    if file_format != "json":
        organiser = regime_on(session, date.today()).organiser
        table = notices_table([n for _, n in found], lang, organiser)
        if file_format == "csv":
            return _file(csv_bytes(table, lang), "text/csv; charset=utf-8", "notices-due.csv")
        return _file(xlsx_bytes({"notices": table}, lang), _XLSX, "notices-due.xlsx")
    return [
        NoticeDueOut(
            period_id=row.id,
            client_id=n.client,
            placement_id=n.placement,
            municipality_code=n.municipality,
            start_date=n.start_date,
            payer=n.payer,
            days_since_start=n.days_since_start,
        )
        for row, n in found
    ]


def _file(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/periods/{period_id}/certificates", status_code=201, response_model=CertificateOut)
def record_certificate(
    request: Request,
    session: SessionDep,
    user: Coordinator,
    why: Why,
    period_id: IntId,
    body: CertificateIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A certificate seen for an absence day (own illness over 3 days needs one)."""

    def step() -> tuple[BaseModel, str | None]:
        row = periods.record_certificate(session, user, period_id, body.day)
        audit.record(
            session,
            user,
            Action.CREATE,
            "attendance",
            why,
            record_id=str(period_id),
            day=body.day.isoformat(),
        )
        out = CertificateOut(
            period_id=period_id,
            day=body.day,
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
        )
        return out, _period_client(session, period_id)

    return _once(request, session, user, idempotency_key, body, 201, step)


# --- feedback -------------------------------------------------------------------------------


@router.post("/periods/{period_id}/feedback/client", status_code=201, response_model=FeedbackOut)
def client_feedback(
    request: Request,
    session: SessionDep,
    user: CycleReaders,
    why: Why,
    period_id: IntId,
    body: ClientFeedbackIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The client's short form at the end of the period, in their language."""

    def step() -> tuple[BaseModel, str | None]:
        row = periods.give_feedback(session, user, period_id, "client", body)
        audit.record(session, user, Action.CREATE, "feedback", why, record_id=str(period_id))
        return _feedback_out(row), _period_client(session, period_id)

    return _once(request, session, user, idempotency_key, body, 201, step)


@router.post("/periods/{period_id}/feedback/site", status_code=201, response_model=FeedbackOut)
def site_feedback(
    request: Request,
    session: SessionDep,
    user: SiteOrCoordinator,
    why: Why,
    period_id: IntId,
    body: SiteFeedbackIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The site's short form at the end of the period."""

    def step() -> tuple[BaseModel, str | None]:
        row = periods.give_feedback(session, user, period_id, "site", body)
        audit.record(session, user, Action.CREATE, "feedback", why, record_id=str(period_id))
        return _feedback_out(row), _period_client(session, period_id)

    return _once(request, session, user, idempotency_key, body, 201, step)


@router.get("/periods/{period_id}/feedback")
def list_feedback(
    session: SessionDep, user: CycleReaders, why: Why, period_id: IntId
) -> list[FeedbackOut]:
    """The period's feedback forms (coordinators and coaches)."""
    rows = periods.list_feedback(session, user, period_id)
    audit.record(session, user, Action.READ, "feedback", why, record_id=str(period_id))
    session.commit()
    return [_feedback_out(r) for r in rows]


def _feedback_out(row: FeedbackRow) -> FeedbackOut:
    return FeedbackOut.model_validate(row)


# --- attendance to money --------------------------------------------------------------------


def _summary_out(s: MonthlySummary) -> MonthSummaryOut:
    return MonthSummaryOut(
        period_id=int(s.period),
        client_id=s.client,
        placement_id=s.placement,
        municipality_code=s.municipality,
        payer=s.payer,
        payer_missing=s.payer_missing,
        year=s.year,
        month=s.month,
        present_days=s.present_days,
        allowance_days=s.allowance_days,
        daily_rate_eur=s.daily_rate_eur,
        allowance_eur=s.allowance_eur,
        absences=s.absences,
        benefit_kept_days=s.benefit_kept_days,
        benefit_lost_days=s.benefit_lost_days,
        not_arranged_days=s.not_arranged_days,
        certificate_missing=list(s.certificate_missing),
        refusals=list(s.refusals),
    )


def _absence_out(a: AbsenceReportRow) -> AbsenceReportRowOut:
    return AbsenceReportRowOut(
        payer=a.payer,
        client_id=a.client,
        period_id=int(a.period),
        day=a.day,
        status=a.status.value,
        absence_reason=a.absence_reason,
        benefit_kept=a.benefit_kept,
    )


def _municipality_out(m: MunicipalityFigures) -> MunicipalityFiguresOut:
    return MunicipalityFiguresOut(
        municipality_code=m.municipality,
        clients=m.clients,
        periods=m.periods,
        present_days=m.present_days,
        absence_days=m.absence_days,
        not_arranged_days=m.not_arranged_days,
        allowance_eur={payer.value: eur for payer, eur in m.allowance_eur.items()},
        allowance_total_eur=m.allowance_total_eur,
    )


@router.get("/periods/{period_id}/months/{year}/{month}")
def period_month(
    session: SessionDep,
    settings: SettingsDep,
    user: CycleReaders,
    why: Why,
    period_id: IntId,
    year: Year,
    month: Month,
) -> MonthSummaryOut:
    """One client's month for Kela: days present and the allowance, absences by category
    (not for the site), days not arranged, missing certificates."""
    summary = months.period_month(
        session, user, period_id, year, month, date.today(), county_regime(settings), RULES
    )
    audit.record(session, user, Action.READ, "attendance", why, record_id=str(period_id))
    session.commit()
    return _summary_out(summary)


@router.get(
    "/attendance-reports/{year}/{month}",
    response_model=MonthReportOut,
    responses={200: {"content": {"text/csv": {}, _XLSX: {}}}},
)
def month_report(
    session: SessionDep,
    settings: SettingsDep,
    user: SiteOrCoordinator,
    why: Why,
    year: Year,
    month: Month,
    file_format: FileFormat = "json",
    sheet: Literal["summary", "absences", "municipalities"] = "summary",
    lang: Lang = "fi",
) -> Response | MonthReportOut:
    """The month's report: each client's summary, the absences owed to Kela and the funds,
    and the figures per municipality (a site: its own municipality's). ``format=csv`` gives
    one sheet in the Finnish Excel dialect, ``xlsx`` all three."""
    report = months.month_report(
        session, user, year, month, date.today(), county_regime(settings), RULES
    )
    audit.record(
        session,
        user,
        Action.READ,
        "attendance",
        why,
        ids=sorted({s.client for s in report.summaries}),
        month=f"{year}-{month:02d}",
    )
    session.commit()
    if file_format != "json":
        content, media_type, name = months.report_files(report, file_format, sheet, lang)
        return _file(content, media_type, name)
    return MonthReportOut(
        year=year,
        month=month,
        summaries=[_summary_out(s) for s in report.summaries],
        absences=[_absence_out(a) for a in report.absences],
        municipalities=[_municipality_out(m) for m in report.municipalities],
    )


@router.get("/attendance-reports/{year}/{month}/municipalities")
def municipality_figures(
    session: SessionDep,
    settings: SettingsDep,
    user: SiteOrCoordinator,
    why: Why,
    year: Year,
    month: Month,
) -> list[MunicipalityFiguresOut]:
    """Figures per municipality for its financing follow-up (a site: its own)."""
    report = months.month_report(
        session, user, year, month, date.today(), county_regime(settings), RULES
    )
    audit.record(session, user, Action.READ, "attendance", why, month=f"{year}-{month:02d}")
    session.commit()
    return [_municipality_out(m) for m in report.municipalities]


# --- outcomes -------------------------------------------------------------------------------


@router.get(
    "/outcomes",
    response_model=OutcomesOut,
    responses={200: {"content": {"text/csv": {}, _XLSX: {}}}},
)
def outcomes(
    session: SessionDep,
    settings: SettingsDep,
    user: Planners,
    why: Why,
    dimension: Dimension = Dimension.PLACEMENT,
    file_format: FileFormat = "json",
    lang: Lang = "fi",
) -> Response | OutcomesOut:
    """Onward paths of ended periods by placement, task category, municipality or age band;
    pseudonymous, counts under 5 hidden (``null``; in a file, two dots)."""
    rows = months.outcomes(session, dimension, county_regime(settings))
    audit.record(session, user, Action.READ, "outcomes", why, dimension=dimension.value)
    session.commit()
    if file_format != "json":
        table = outcome_table_rows(rows, lang)
        name = f"outcomes-{dimension.value}"
        if file_format == "csv":
            return _file(csv_bytes(table, lang), "text/csv; charset=utf-8", f"{name}.csv")
        return _file(xlsx_bytes({dimension.value: table}, lang), _XLSX, f"{name}.xlsx")
    return OutcomesOut(
        dimension=dimension.value,
        min_count=5,
        rows=[
            OutcomeRowOut(
                key=r.key,
                periods=r.periods,
                paths={path.value: count for path, count in r.paths.items()},
            )
            for r in rows
        ],
    )


@router.get("/outcomes/feedback")
def feedback_summary(
    session: SessionDep,
    settings: SettingsDep,
    user: Planners,
    why: Why,
    dimension: Dimension = Dimension.PLACEMENT,
    kind: Literal["client", "site"] = "client",
) -> FeedbackSummaryOut:
    """Mean answers of the end-of-period forms by group; groups under 5 forms hidden."""
    rows = months.feedback(session, dimension, kind, county_regime(settings))
    audit.record(session, user, Action.READ, "outcomes", why, dimension=dimension.value, kind=kind)
    session.commit()
    return FeedbackSummaryOut(
        dimension=dimension.value,
        kind=kind,
        min_count=5,
        rows=[FeedbackGroupOut(key=r.key, forms=r.forms, means=r.means) for r in rows],
    )
