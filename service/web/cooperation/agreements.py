"""The activity agreement: draft, revise, agree, cancel, print (fi, sv) and start its period."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from models.benefits import BenefitPayer
from models.cooperation import last_day_of_months
from service.audit import Action
from service.crud import agreements as agreement_store
from service.crud import cooperation as coop_store
from service.db.cooperation import (
    PeriodRow,
)
from service.errors import ServiceError
from service.schemas.cooperation import (
    AgreeIn,
    AgreementIn,
    CancelIn,
)
from service.web.cooperation.common import (
    CONTACT_ROLES,
    REGIME,
    CoordinatorPage,
    Pair,
    audit_step,
    caller,
    located,
    pair_of,
    printable,
    render,
    service_errors,
    status_of,
)
from service.web.coordinator import placement_infos
from service.web.core import Page, WebError, form_of, redirect
from service.web.forms import as_list, finnish_date, number

router = APIRouter(include_in_schema=False)


# --- the activity agreement -----------------------------------------------------------------


def agreement_values(row: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: getattr(row, name)
        for name in (
            "tasks",
            "goals",
            "support",
            "weekdays",
            "days_per_week",
            "start_date",
            "first_review_date",
            "end_date",
            "when_absent",
            "language",
        )
    }
    values["hours_per_day"] = f"{row.hours_per_day:g}".replace(".", ",")
    for c in row.contact_persons:
        for part in ("name", "phone", "email"):
            values[f"contact_{c['role']}_{part}"] = c.get(part, "")
    return values


def _agreement_body(proposal_id: int, meeting_id: int | None, form: dict[str, Any]) -> Any:
    contacts = []
    for role in CONTACT_ROLES:
        parts = {
            p: str(form.get(f"contact_{role}_{p}", "")).strip() for p in ("name", "phone", "email")
        }
        if any(parts.values()):
            contacts.append({"role": role, **parts})
    return AgreementIn.model_validate(
        {
            "proposal_id": proposal_id,
            "meeting_id": meeting_id,
            "tasks": str(form.get("tasks", "")).strip(),
            "goals": str(form.get("goals", "")).strip(),
            "support": str(form.get("support", "")).strip(),
            "weekdays": as_list(form.get("weekdays")),
            "days_per_week": number(form.get("days_per_week")),
            "hours_per_day": number(form.get("hours_per_day")),
            "start_date": finnish_date(form.get("start_date")),
            "first_review_date": finnish_date(form.get("first_review_date")),
            "end_date": finnish_date(form.get("end_date")),
            "contact_persons": contacts,
            "when_absent": str(form.get("when_absent", "")).strip(),
            "language": form.get("language") or "fi",
        }
    )


AGREEMENT_FIELDS = {
    "contact_persons": "contact_persons",
    "reason": "cancel_reason",
    "status": "form",
}


def content_errors(page: Page, exc: ValidationError, form: dict[str, Any]) -> dict[str, str]:
    """The agreement's refusals at their fields; a period too short or too long also names
    the earliest or the latest end date its start allows."""
    errors = located(page.t, exc, AGREEMENT_FIELDS)
    codes = {str(e["type"]) for e in exc.errors()}
    try:
        start = date.fromisoformat(str(finnish_date(form.get("start_date"))))
    except ValueError:
        return errors
    for code, months, key in (
        ("period_too_short", REGIME.min_period_months, "coop.earliest_end"),
        ("period_too_long", REGIME.max_period_months, "coop.latest_end"),
    ):
        if code in codes and "end_date" in errors:
            bound = page.t.date(last_day_of_months(start, months))
            errors["end_date"] = f"{errors['end_date']} {page.t(key, date=bound)}"
    return errors


def agreement_page(
    page: Page,
    pair: Pair,
    row: Any | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    agreement = agreement_store.domain(row, REGIME) if row is not None else None
    period_id = None
    if row is not None:
        period_id = page.session.scalar(
            select(PeriodRow.id).where(PeriodRow.agreement_id == row.id)
        )
    action = (
        f"/coordinator/cooperation/agreements/{row.id}"
        if row is not None
        else f"/coordinator/cooperation/pairs/{pair.proposal_id}/agreement"
    )
    return render(
        page,
        "cooperation/agreement.html",
        status=status,
        pair=pair,
        agreement=agreement,
        agreement_row=row,
        period_id=period_id,
        values=values,
        errors=errors,
        form_action=action,
        contact_roles=CONTACT_ROLES,
        payers=list(BenefitPayer),
    )


def _new_values(page: Page, pair: Pair) -> dict[str, Any]:
    """A new agreement starts from the placement's days and the client's own language."""
    info = placement_infos(page.session, {pair.placement}).get(pair.placement)
    user = page.user
    assert user is not None
    return {
        "weekdays": info.weekdays if info else [],
        "hours_per_day": f"{info.min_hours:g}".replace(".", ",") if info else "",
        "contact_coordinator_name": user.full_name,
        "language": "fi",
    }


@router.get("/coordinator/cooperation/pairs/{proposal_id}/agreement")
def agreement_new(page: CoordinatorPage, proposal_id: int) -> Response:
    """The agreement form of a confirmed pair (or its open agreement)."""
    pair = pair_of(page, proposal_id)
    rows = [
        r
        for r in agreement_store.list_(page.session, caller(page), proposal_id=proposal_id)
        if r.status != "cancelled"
    ]
    if rows:
        return redirect(f"/coordinator/cooperation/agreements/{rows[0].id}")
    return agreement_page(page, pair, None, _new_values(page, pair), {})


def meeting_id_of(page: Page, proposal_id: int) -> int | None:
    rows = coop_store.list_meetings(page.session, caller(page), proposal_id)
    return rows[0].id if rows else None


@router.post("/coordinator/cooperation/pairs/{proposal_id}/agreement")
async def agreement_draft(request: Request, page: CoordinatorPage, proposal_id: int) -> Response:
    """Draft the agreement; a value outside the law is shown at its field, nothing saved."""
    form = await form_of(request, page)
    pair = pair_of(page, proposal_id)
    values = {**form, "weekdays": as_list(form.get("weekdays"))}
    try:
        body = _agreement_body(proposal_id, meeting_id_of(page, proposal_id), form)
        row = agreement_store.draft(page.session, caller(page), body, REGIME)
    except ValidationError as exc:
        page.session.rollback()
        return agreement_page(
            page, pair, None, values, content_errors(page, exc, form), status_of(exc)
        )
    except ServiceError as exc:
        page.session.rollback()
        return agreement_page(page, pair, None, values, service_errors(page, exc), 409)
    audit_step(page, Action.CREATE, "activity agreement", row.id, pair.client)
    return redirect(f"/coordinator/cooperation/agreements/{row.id}?done=drafted")


def agreement_row(page: Page, agreement_id: int) -> tuple[Any, Pair]:
    try:
        row = agreement_store.get(page.session, caller(page), agreement_id)
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    return row, pair_of(page, row.proposal_id)


@router.get("/coordinator/cooperation/agreements/{agreement_id}")
def agreement(page: CoordinatorPage, agreement_id: int) -> Response:
    """One agreement: its state, print links, agree / cancel / start, and (while drafted)
    its form."""
    row, pair = agreement_row(page, agreement_id)
    audit_step(page, Action.READ, "activity agreement", row.id, pair.client)
    return agreement_page(page, pair, row, agreement_values(row), {})


@router.post("/coordinator/cooperation/agreements/{agreement_id}")
async def agreement_revise(request: Request, page: CoordinatorPage, agreement_id: int) -> Response:
    """Revise a drafted agreement (the same checks as a new one)."""
    form = await form_of(request, page)
    row, pair = agreement_row(page, agreement_id)
    values = {**form, "weekdays": as_list(form.get("weekdays"))}
    try:
        body = _agreement_body(
            row.proposal_id, row.meeting_id or meeting_id_of(page, row.proposal_id), form
        )
        agreement_store.revise(page.session, caller(page), agreement_id, body, REGIME)
    except ValidationError as exc:
        page.session.rollback()
        return agreement_page(
            page, pair, row, values, content_errors(page, exc, form), status_of(exc)
        )
    except ServiceError as exc:
        page.session.rollback()
        return agreement_page(page, pair, row, values, service_errors(page, exc), 409)
    audit_step(page, Action.UPDATE, "activity agreement", agreement_id, pair.client)
    return redirect(f"/coordinator/cooperation/agreements/{agreement_id}?done=drafted")


@router.post("/coordinator/cooperation/agreements/{agreement_id}/agree")
async def agreement_agree(request: Request, page: CoordinatorPage, agreement_id: int) -> Response:
    """The parties signed: drafted → agreed."""
    form = await form_of(request, page)
    row, pair = agreement_row(page, agreement_id)
    values = {**agreement_values(row), "agreed_on": form.get("agreed_on", "")}
    try:
        body = AgreeIn.model_validate({"agreed_on": finnish_date(form.get("agreed_on"))})
        agreement_store.agree(page.session, caller(page), agreement_id, body.agreed_on, REGIME)
    except ValidationError as exc:
        page.session.rollback()
        return agreement_page(page, pair, row, values, located(page.t, exc), status_of(exc))
    except ServiceError as exc:
        page.session.rollback()
        return agreement_page(page, pair, row, values, service_errors(page, exc), 409)
    audit_step(page, Action.UPDATE, "agreement agreed", agreement_id, pair.client)
    return redirect(f"/coordinator/cooperation/agreements/{agreement_id}?done=agreed")


@router.post("/coordinator/cooperation/agreements/{agreement_id}/cancel")
async def agreement_cancel(request: Request, page: CoordinatorPage, agreement_id: int) -> Response:
    """Cancel a drafted or agreed agreement whose period has not started (a reason needed)."""
    form = await form_of(request, page)
    row, pair = agreement_row(page, agreement_id)
    reason = str(form.get("cancel_reason", "")).strip()
    try:
        body = CancelIn.model_validate({"reason": reason})
        agreement_store.cancel(page.session, caller(page), agreement_id, body.reason, REGIME)
    except ValidationError as exc:
        page.session.rollback()
        errors = located(page.t, exc, AGREEMENT_FIELDS)
        return agreement_page(page, pair, row, agreement_values(row), errors, status_of(exc))
    except ServiceError as exc:
        page.session.rollback()
        return agreement_page(
            page, pair, row, agreement_values(row), service_errors(page, exc), 409
        )
    audit_step(page, Action.UPDATE, "agreement cancelled", agreement_id, pair.client)
    return redirect(f"/coordinator/cooperation/agreements/{agreement_id}?done=cancelled")


@router.get("/coordinator/cooperation/agreements/{agreement_id}/print")
def agreement_print(page: CoordinatorPage, agreement_id: int, lang: str = "fi") -> Response:
    """The agreement to print and sign, in Finnish or Swedish (English on request)."""
    if lang not in ("fi", "sv", "en"):
        raise WebError(404, "error.not_found")
    _row, pair = agreement_row(page, agreement_id)
    html = agreement_store.printable(page.session, caller(page), agreement_id, lang, REGIME)
    audit_step(page, Action.READ, "agreement printed", agreement_id, pair.client)
    return printable(html)
