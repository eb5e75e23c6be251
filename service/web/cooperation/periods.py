"""A period's page and steps: start notice, days checked against the agreement, extension,
end with the onward path."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from matching.cooperation.attendance import check_days, current_days
from matching.cooperation.periods import (
    commitment_end,
    follow_up_alerts,
    plan_review_date,
)
from models.benefits import DayStatus
from models.cooperation import (
    EndReason,
    OnwardPath,
)
from service.audit import Action
from service.crud import periods as period_store
from service.db.cooperation import (
    StartNoticeRow,
)
from service.errors import InvalidInput, ServiceError
from service.schemas.cooperation import (
    CertificateIn,
    ExtensionIn,
    PeriodEndIn,
    PeriodStartIn,
    StartNoticeIn,
)
from service.schemas.runs import AttendanceCorrectionIn, AttendanceIn
from service.web.cooperation.agreements import agreement_page, agreement_row, agreement_values
from service.web.cooperation.common import (
    REGIME,
    RULES,
    CoordinatorPage,
    audit_step,
    caller,
    located,
    refusal_words,
    render,
    service_errors,
    status_of,
)
from service.web.coordinator import names_of, placement_infos
from service.web.core import Page, WebError, form_of, redirect, require_purpose
from service.web.forms import finnish_date, number

router = APIRouter(include_in_schema=False)


# --- the period -----------------------------------------------------------------------------


@router.post("/coordinator/cooperation/agreements/{agreement_id}/start")
async def period_start(request: Request, page: CoordinatorPage, agreement_id: int) -> Response:
    """Start the period of an agreed agreement (refused otherwise, with the reason)."""
    form = await form_of(request, page)
    row, pair = agreement_row(page, agreement_id)
    values = {**agreement_values(row), **form}
    try:
        body = PeriodStartIn.model_validate(
            {
                "agreement_id": agreement_id,
                "payer": form.get("payer") or None,
                "prior_days": number(form.get("prior_days")) or 0,
            }
        )
        period = period_store.start(page.session, caller(page), body, REGIME)
    except ValidationError as exc:
        page.session.rollback()
        errors = located(page.t, exc, STEP_FIELDS)
        return agreement_page(page, pair, row, values, errors, status_of(exc))
    except ServiceError as exc:
        page.session.rollback()
        return agreement_page(page, pair, row, values, service_errors(page, exc), 409)
    audit_step(page, Action.CREATE, "period started", period.id, pair.client)
    return redirect(f"/coordinator/cooperation/periods/{period.id}?done=started")


STEP_FIELDS = {"agreement": "form", "confirmation": "form", "meeting": "form"}
PERIOD_FIELDS = {
    "extensions.end_date": "extension_end_date",
    "extensions": "extension_end_date",
    "ended.end_date": "end_date",
    "agreed_on": "extension_agreed_on",
}
EXTENSION_FIELDS = {"end_date": "extension_end_date", "agreed_on": "extension_agreed_on"}


def period_row(page: Page, period_id: int) -> Any:
    """The period (404 if the caller may not see it); a coordinator's client outside their
    caseload after the purpose is given."""
    try:
        row = period_store.get(page.session, caller(page), period_id)
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    require_purpose(page, row.client_id)
    return row


def _period_page(
    page: Page,
    period_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    session = page.session
    user = caller(page)
    row = period_row(page, period_id)
    period = period_store.domain(row, REGIME)
    today = date.today()
    entries = period_store.day_records(session, row)
    issues: dict[date, list[str]] = {}
    needs_certificate: set[date] = set()
    for found in check_days(period, entries, today, RULES):
        issues.setdefault(found.day, []).append(
            refusal_words(page.t, found.code) or page.t("error.form")
        )
        if found.code == "certificate_needed":
            needs_certificate.add(found.day)
    corrections = period_store.corrections_of(session, row.id)
    notice = session.scalar(select(StartNoticeRow).where(StartNoticeRow.period_id == row.id))
    feedback = {f.kind: f for f in period_store.list_feedback(session, user, period_id)}
    info = placement_infos(session, {row.placement_id}).get(row.placement_id)
    audit_step(page, Action.READ, "period", row.id, row.client_id)
    return render(
        page,
        "cooperation/period.html",
        status=status,
        period=period,
        name=names_of(page, [row.client_id])[row.client_id],
        placement_name=info.name if info else row.placement_id,
        agreement_id=row.agreement_id,
        assignment_id=row.assignment_id,
        alerts=[a for a in follow_up_alerts([period], today, REGIME)],
        commitment_end=commitment_end(period, REGIME),
        plan_review=plan_review_date(period, REGIME),
        notice=notice,
        notice_needed=period.payer is not None and period.payer in RULES.reported_payers,
        days=sorted(current_days(entries).values(), key=lambda d: d.day, reverse=True),
        flags=issues,
        needs_certificate=needs_certificate,
        corrections=corrections,
        statuses=list(DayStatus),
        categories=[c.code for c in RULES.absence_categories],
        end_reasons=list(EndReason),
        paths=list(OnwardPath),
        client_feedback=feedback.get("client"),
        site_feedback=feedback.get("site"),
        values=values or {},
        errors=errors or {},
    )


@router.get("/coordinator/cooperation/periods/{period_id}")
def period_page(page: CoordinatorPage, period_id: int) -> Response:
    """A period: its dates and what is coming up, the start notice, days, extension, end."""
    return _period_page(page, period_id)


async def _period_step(
    request: Request,
    page: Page,
    period_id: int,
    step: Callable[[dict[str, Any]], Any],
    done: str,
    fields: Mapping[str, str] | None = None,
) -> Response:
    """Run one step of a period from its form; a refusal is shown at its field."""
    form = await form_of(request, page)
    row = period_row(page, period_id)
    try:
        step(form)
    except ValidationError as exc:
        page.session.rollback()
        return _period_page(
            page, period_id, form, located(page.t, exc, fields or {}), status_of(exc)
        )
    except ServiceError as exc:
        page.session.rollback()
        # a value refused at its field (InvalidInput) is the form's fault, a step out of order not
        status = 422 if isinstance(exc, InvalidInput) else 409
        return _period_page(page, period_id, form, service_errors(page, exc), status)
    audit_step(page, Action.UPDATE, f"period: {done}", period_id, row.client_id)
    month = ""
    if done == "day" and form.get("day"):
        month = f"&day={finnish_date(form.get('day'))}"
    return redirect(f"/coordinator/cooperation/periods/{period_id}?done={done}{month}")


@router.post("/coordinator/cooperation/periods/{period_id}/notice")
async def period_notice(request: Request, page: CoordinatorPage, period_id: int) -> Response:
    """Record that the start was notified to the employment authority."""

    def step(form: dict[str, Any]) -> None:
        body = StartNoticeIn.model_validate(
            {
                "authority": str(form.get("authority", "")).strip(),
                "sent_on": finnish_date(form.get("sent_on")),
            }
        )
        period_store.record_notice(page.session, caller(page), period_id, body)

    return await _period_step(request, page, period_id, step, "notice")


@router.post("/coordinator/cooperation/periods/{period_id}/days")
async def period_day(request: Request, page: CoordinatorPage, period_id: int) -> Response:
    """Record or correct a day; a day the agreement does not allow is refused at its field
    (a day beyond the agreed days a week, a day the service is not arranged, a future day)."""

    def step(form: dict[str, Any]) -> None:
        row = period_row(page, period_id)
        status = str(form.get("status", ""))
        data = {
            "day": finnish_date(form.get("day")),
            "status": status,
            "absence_reason": (form.get("absence_reason") or None) if status == "absent" else None,
        }
        why = str(form.get("correction_reason", "")).strip()
        day = AttendanceIn.model_validate(data).day
        user = caller(page)
        today = date.today()
        if not period_store.day_recorded(page.session, row.id, day):
            body = AttendanceIn.model_validate(data)
            period_store.record_day(page.session, user, row.id, body, today, RULES, REGIME)
        else:
            fix = AttendanceCorrectionIn.model_validate({**data, "correction_reason": why})
            period_store.correct_day(page.session, user, row.id, fix, today, RULES, REGIME)

    return await _period_step(request, page, period_id, step, "day")


@router.post("/coordinator/cooperation/periods/{period_id}/certificates")
async def period_certificate(request: Request, page: CoordinatorPage, period_id: int) -> Response:
    """A certificate seen for a flagged absence day (own illness over 3 days): the flag of
    its run of days clears."""

    def step(form: dict[str, Any]) -> None:
        body = CertificateIn.model_validate({"day": finnish_date(form.get("day"))})
        period_store.record_certificate(page.session, caller(page), period_id, body.day)

    return await _period_step(request, page, period_id, step, "certificate")


@router.post("/coordinator/cooperation/periods/{period_id}/extend")
async def period_extend(request: Request, page: CoordinatorPage, period_id: int) -> Response:
    """Extend the period (any length, the whole ≤ 24 months, 189/2001 § 13)."""

    def step(form: dict[str, Any]) -> None:
        body = ExtensionIn.model_validate(
            {
                "end_date": finnish_date(form.get("extension_end_date")),
                "agreed_on": finnish_date(form.get("extension_agreed_on")),
                "note": str(form.get("extension_note", "")).strip(),
            }
        )
        period_store.extend(page.session, caller(page), period_id, body, REGIME)

    fields = {**PERIOD_FIELDS, **EXTENSION_FIELDS}
    return await _period_step(request, page, period_id, step, "extended", fields)


@router.post("/coordinator/cooperation/periods/{period_id}/end")
async def period_end(request: Request, page: CoordinatorPage, period_id: int) -> Response:
    """End the period: the last day, why, and the onward path."""

    def step(form: dict[str, Any]) -> None:
        body = PeriodEndIn.model_validate(
            {
                "end_date": finnish_date(form.get("end_date")),
                "reason": form.get("reason") or None,
                "onward_path": form.get("onward_path") or None,
                "note": str(form.get("note", "")).strip(),
            }
        )
        period_store.end(page.session, caller(page), period_id, body, REGIME, RULES)

    return await _period_step(request, page, period_id, step, "ended", PERIOD_FIELDS)
