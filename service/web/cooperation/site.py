"""The placement contact's answer to an accepted proposal: confirm, or decline with a reason
(only what the client agreed to share is shown)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from models.cooperation import (
    DeclineReason,
)
from service import audit
from service.audit import Action
from service.crud import clients as client_store
from service.crud import cooperation as coop_store
from service.db.tables import (
    RunRow,
)
from service.errors import ServiceError, service_message
from service.schemas.cooperation import (
    ConfirmationIn,
)
from service.web.cooperation.common import (
    MunicipalityPage,
    caller,
    located,
    render,
    unit_context,
)
from service.web.coordinator import placement_infos
from service.web.core import Page, WebError, form_of, redirect
from service.web.people import site_labels

router = APIRouter(include_in_schema=False)


# --- the site: confirm or decline -----------------------------------------------------------


def _shared_items(page: Page, rows: list[Any]) -> list[dict[str, Any]]:
    """Pending proposals with only what each client agreed to share with the site."""
    session = page.session
    user = caller(page)
    infos = placement_infos(session, {coop_store.target_placement(r) or "" for r in rows})
    runs = {r.run_id: session.get(RunRow, r.run_id) for r in rows}
    items = []
    views = {}
    for r in rows:
        target = coop_store.target_placement(r) or r.placement_id
        views[r.client_id] = client_store.view(
            session, user, client_store.get(session, r.client_id), [target]
        )
    starts = {r.client_id: getattr(runs.get(r.run_id), "planning_date", None) for r in rows}
    labels = site_labels(session, page.t, user.organisation or "", views, starts)
    for r in rows:
        target = coop_store.target_placement(r) or r.placement_id
        shared = views[r.client_id]
        run = runs.get(r.run_id)
        items.append(
            {
                "proposal_id": r.id,
                "name": getattr(shared, "display_name", None),
                "label": labels[r.client_id],
                "phone": getattr(shared, "phone", None),
                "languages": list(getattr(shared, "languages", None) or []),
                "days_per_week": getattr(shared, "days_per_week", None),
                "hours_per_day": getattr(shared, "hours_per_day", None),
                "limitations": list(getattr(shared, "work_constraints", None) or []),
                "placement_name": infos[target].name if target in infos else target,
                "start_date": run.planning_date if run is not None else None,
                "coordinator": page.who(r.decided_by),
            }
        )
    return items


def _confirmations(
    page: Page,
    errors_for: dict[int, dict[str, str]] | None = None,
    values_for: dict[int, dict[str, Any]] | None = None,
    status: int = 200,
) -> Response:
    session = page.session
    user = caller(page)
    rows = coop_store.pending_confirmations(session, user)
    items = _shared_items(page, list(rows))
    audit.record(
        session,
        user,
        Action.READ,
        "clients",
        "proposals to confirm",
        ids=[r.client_id for r in rows],
        web=True,
    )
    session.commit()
    return render(
        page,
        "cooperation/confirmations.html",
        status=status,
        items=items,
        reasons=list(DeclineReason),
        errors_for=errors_for or {},
        values_for=values_for or {},
        **unit_context(page),
    )


@router.get("/municipality/confirmations")
def confirmations(page: MunicipalityPage) -> Response:
    """Accepted proposals at our placements waiting for our answer."""
    return _confirmations(page)


@router.post("/municipality/confirmations/{proposal_id}")
async def answer(request: Request, page: MunicipalityPage, proposal_id: int) -> Response:
    """Confirm, or decline with a reason (a decline returns the client to the pool)."""
    form = await form_of(request, page)
    values = {k: str(form.get(k, "")) for k in ("decision", "reason", "text")}
    if values["decision"] not in ("confirmed", "declined"):
        errors = {"decision": page.t("coop.answer_missing")}
        return _confirmations(page, {proposal_id: errors}, {proposal_id: values}, 422)
    try:
        body = ConfirmationIn.model_validate(
            {
                "decision": values["decision"],
                "reason": values["reason"] or None,
                "text": values["text"].strip(),
            }
        )
        coop_store.confirm(page.session, caller(page), proposal_id, body)
    except ValidationError as exc:
        page.session.rollback()
        errors = located(page.t, exc)
        return _confirmations(page, {proposal_id: errors}, {proposal_id: values}, 422)
    except ServiceError as exc:
        page.session.rollback()
        raise WebError(
            409, "error.form_detail", detail=service_message(exc, page.t.language)
        ) from exc
    audit.record(
        page.session,
        caller(page),
        Action.DECIDE,
        "proposals",
        "site confirmation",
        record_id=str(proposal_id),
        decision=body.decision.value,
        web=True,
    )
    page.session.commit()
    return redirect(f"/municipality/confirmations?done={body.decision.value}")
