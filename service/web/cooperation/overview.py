"""The coordinator's view of the cycle and the start meeting of a confirmed pair."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from matching.cooperation.periods import (
    follow_up_alerts,
)
from service import audit
from service.audit import Action
from service.crud import agreements as agreement_store
from service.crud import cooperation as coop_store
from service.crud import periods as period_store
from service.errors import ServiceError
from service.schemas.cooperation import (
    MeetingIn,
)
from service.web.cooperation.common import (
    MEETING_ROLES,
    REGIME,
    RULES,
    CoordinatorPage,
    Pair,
    caller,
    first_of,
    located,
    pair_of,
    refused,
    render,
    status_of,
)
from service.web.coordinator import names_of, placement_infos
from service.web.core import Page, form_of, redirect
from service.web.forms import finnish_date

router = APIRouter(include_in_schema=False)


# --- the coordinator: the cycle at a glance ---------------------------------------------------


@router.get("/coordinator/cooperation")
def overview(page: CoordinatorPage, scope: str = "own", purpose: str = "") -> Response:
    """Own caseload's cycle: waiting for the site, declined, confirmed (meeting and
    agreement), periods with what is coming up, start notices due. Other clients' too on
    request (``scope=all``) with a purpose, which goes to the audit log as on the board."""
    session = page.session
    user = caller(page)
    caseload = set(user.caseload or ())
    purpose = purpose.strip()[:500]
    others = scope == "all" and purpose != ""
    errors = {"purpose": page.t("coop.purpose_needed")} if scope == "all" and not others else {}

    def shown(client_id: str) -> bool:
        return others or client_id in caseload

    waiting_rows = coop_store.pending_confirmations(session, user, everyone=others)
    answers = [a for a in coop_store.list_confirmations(session, user) if shown(a.client_id)]
    periods = period_store.list_(session, user, everyone=others)
    started = {p.agreement_id for p in periods}
    agreements = first_of(
        agreement_store.list_(session, user, everyone=others), lambda a: a.proposal_id
    )
    meetings = first_of(coop_store.list_meetings(session, user), lambda m: m.proposal_id)
    ids = {r.client_id for r in waiting_rows} | {a.client_id for a in answers}
    ids |= {p.client_id for p in periods}
    names = names_of(page, sorted(ids))
    pids = {coop_store.target_placement(r) or r.placement_id for r in waiting_rows}
    pids |= {a.placement_id for a in answers} | {p.placement_id for p in periods}
    infos = placement_infos(session, pids)
    placements = {pid: info.name for pid, info in infos.items()}
    domains = [period_store.domain(p, REGIME) for p in periods]
    today = date.today()
    confirmed_rows = []
    for a in answers:
        agreement = agreements.get(a.proposal_id)
        if a.decision != "confirmed" or (agreement is not None and agreement.id in started):
            continue
        confirmed_rows.append(
            {
                "proposal_id": a.proposal_id,
                "name": names.get(a.client_id, a.client_id),
                "placement_name": placements.get(a.placement_id, a.placement_id),
                "meeting": meetings.get(a.proposal_id),
                "agreement": agreement,
            }
        )
    why = purpose if others else "own caseload's cycle"
    audit.record(
        session, user, Action.READ, "periods", why, ids=sorted(ids), others=others, web=True
    )
    session.commit()
    return render(
        page,
        "cooperation/overview.html",
        waiting=[
            {
                "name": names.get(r.client_id, r.client_id),
                "placement_name": placements.get(
                    coop_store.target_placement(r) or r.placement_id, r.placement_id
                ),
                "accepted_on": r.decided_at,
            }
            for r in waiting_rows
        ],
        declined=[
            {
                "client": a.client_id,
                "name": names.get(a.client_id, a.client_id),
                "placement_name": placements.get(a.placement_id, a.placement_id),
                "reason": a.reason or "other",
                "text": a.text,
                "decided_by": a.decided_by,
                "decided_at": a.decided_at,
            }
            for a in answers
            if a.decision == "declined"
        ],
        confirmed=confirmed_rows,
        periods=sorted(domains, key=lambda p: (p.ended is not None, p.start_date)),
        alerts=follow_up_alerts(domains, today, REGIME),
        notices=[
            n
            for _row, n in period_store.notices_due(session, user, today, REGIME, RULES)
            if shown(n.client)
        ],
        filters={"scope": "all" if others else "own", "purpose": purpose if others else ""},
        caseload_size=len(caseload),
        errors=errors,
        names=names,
        placements=placements,
    )


# --- the start meeting ----------------------------------------------------------------------


def _meeting_values(page: Page, pair: Pair, row: Any | None) -> dict[str, Any]:
    if row is None:
        user = page.user
        assert user is not None
        return {"participant_client": pair.name, "participant_coordinator": user.full_name}
    values: dict[str, Any] = {"held_on": row.held_on, "place": row.place, "notes": row.notes}
    for p in row.participants:
        values[f"participant_{p['role']}"] = p["name"]
    return values


def _meeting_page(
    page: Page, pair: Pair, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    return render(
        page,
        "cooperation/meeting.html",
        status=status,
        pair=pair,
        values=values,
        errors=errors,
        roles=MEETING_ROLES,
    )


@router.get("/coordinator/cooperation/pairs/{proposal_id}/meeting")
def meeting(page: CoordinatorPage, proposal_id: int) -> Response:
    """The start meeting form (the latest one recorded, if any)."""
    pair = pair_of(page, proposal_id)
    rows = coop_store.list_meetings(page.session, caller(page), proposal_id)
    return _meeting_page(page, pair, _meeting_values(page, pair, rows[0] if rows else None), {})


@router.post("/coordinator/cooperation/pairs/{proposal_id}/meeting")
async def meeting_save(request: Request, page: CoordinatorPage, proposal_id: int) -> Response:
    """Record the start meeting: date, place and the three parties (the coach optional)."""
    form = await form_of(request, page)
    pair = pair_of(page, proposal_id)
    values = {k: str(v) for k, v in form.items() if k != "csrf"}
    participants = [
        {"role": role, "name": values.get(f"participant_{role}", "").strip()}
        for role in MEETING_ROLES
        if values.get(f"participant_{role}", "").strip()
    ]
    try:
        body = MeetingIn.model_validate(
            {
                "proposal_id": proposal_id,
                "held_on": finnish_date(values.get("held_on")),
                "place": values.get("place", "").strip(),
                "participants": participants,
                "notes": values.get("notes", ""),
            }
        )
        row = coop_store.record_meeting(page.session, caller(page), body)
    except ValidationError as exc:
        page.session.rollback()
        errors = located(page.t, exc, {"participants": "participants"})
        return _meeting_page(page, pair, values, errors, status_of(exc))
    except ServiceError as exc:
        page.session.rollback()
        return _meeting_page(page, pair, values, refused(page.t, exc), 409)
    audit.record(
        page.session,
        caller(page),
        Action.CREATE,
        "periods",
        "start meeting",
        record_id=str(row.id),
        client=pair.client,
        web=True,
    )
    page.session.commit()
    return redirect(f"/coordinator/cooperation/pairs/{proposal_id}/meeting?saved=1")
