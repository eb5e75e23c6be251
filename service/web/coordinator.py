"""The coordinator's pages: the week's board, one proposal (accept / choose another
placement), the client record, and attendance per period."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from matching.check import pair_violations
from matching.cooperation.texts import CATALOGUE, refusal_text
from matching.explain.messages import word
from models.benefits import Benefit, BenefitSpell, benefit_on
from models.placement import SharedUse, shared_peak
from service import audit
from service.audit import Action
from service.crud import clients as client_store
from service.crud import decisions as decision_store
from service.crud import runs as run_store
from service.crud.convert import client_domain
from service.db.accounts import AttendanceCorrectionRow, UserRow
from service.db.tables import (
    AssignmentRow,
    AttendanceRow,
    ClientRow,
    MunicipalityRow,
    OrganisationRow,
    PlacementRow,
    ProposalRow,
    RunRow,
    utcnow,
)
from service.errors import ServiceError, service_message
from service.routes.runs import submit
from service.schemas.clients import ClientUpdate, SharedField
from service.schemas.runs import (
    AbsenceReason,
    AttendanceCorrectionIn,
    AttendanceIn,
    AttendanceStatus,
    DecisionIn,
    ReasonCode,
    RunCreate,
)
from service.web.core import CoordinatorPage, WebError, form_of, redirect, require_purpose
from service.web.decisions import (
    admissible_placements,
    preview_decision,
    single_client_problem,
)
from service.web.explanations import explained, placements_named
from service.web.forms import as_list, field_errors, finnish_date, number, words
from service.web.maps import Map, Point, draw, town_names
from service.web.people import Label, client_labels
from service.web.unplaced import Unplaced, unplaced

router = APIRouter(prefix="/coordinator", include_in_schema=False)

PAGE_SIZE = 50
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class PlacementInfo:
    """What a coordinator needs to see of a placement (not its id)."""

    id: str
    name: str
    organisation: str
    municipality: str
    contact: str
    weekdays: list[str]
    min_hours: float
    max_hours: float
    seats: int
    task_category: str
    closed: bool
    shared_seats: int = 0
    """Seats people on other services take today (``Placement.shared_use``); ``seats`` is
    what is left for this activity."""
    address: str = ""
    phone: str = ""
    email: str = ""
    lat: float | None = None
    lon: float | None = None


def address_line(street: str | None, postal_code: str | None, post_office: str | None) -> str:
    """'Keittiökuja 3, 90100 Oulu' from the parts given (empty when none is)."""
    town = " ".join(p for p in (postal_code, post_office) if p)
    return ", ".join(p for p in (street, town) if p)


def shared_seats_today(attributes: dict[str, Any]) -> int:
    """Seats people on other services take today at a placement (from its stored record)."""
    today = date.today()
    uses = tuple(SharedUse.model_validate(u) for u in attributes.get("shared_use", ()))
    return shared_peak(uses, today, today)[0]


def placement_infos(session: Session, ids: set[str] | None = None) -> dict[str, PlacementInfo]:
    """Placements by id with their organisation's name, municipality, address and contact
    person (the placement's own; where none is given, the unit's municipality contacts).

    Plain column rows, not ORM objects: the board lists every placement in its filter."""
    orgs = dict(session.execute(select(OrganisationRow.id, OrganisationRow.name)).all())
    munis = dict(session.execute(select(MunicipalityRow.code, MunicipalityRow.name_fi)).all())
    contacts: dict[str, list[str]] = {}
    for name, organisations in session.execute(
        select(UserRow.full_name, UserRow.organisations).where(UserRow.role == "municipality")
    ):
        for org in organisations:
            contacts.setdefault(org, []).append(name)
    query = select(
        PlacementRow.id,
        PlacementRow.organisation_id,
        PlacementRow.municipality_code,
        PlacementRow.closed,
        PlacementRow.attributes,
        PlacementRow.street_address,
        PlacementRow.postal_code,
        PlacementRow.post_office,
        PlacementRow.contact_person,
        PlacementRow.contact_phone,
        PlacementRow.contact_email,
    )
    if ids is not None:
        query = query.where(PlacementRow.id.in_(ids))
    out = {}
    for pid, org_id, muni, closed, a, street, code, office, person, phone, email in session.execute(
        query
    ):
        location = a.get("location") or {}
        shared = shared_seats_today(a)
        out[pid] = PlacementInfo(
            id=pid,
            name=str(a.get("department", pid)),
            organisation=orgs.get(org_id, org_id),
            municipality=munis.get(muni, muni),
            contact=person or ", ".join(contacts.get(org_id, [])),
            weekdays=[d for d in WEEKDAYS if d in a.get("weekdays", [])],
            min_hours=float(a.get("min_hours_per_day", 0)),
            max_hours=float(a.get("max_hours_per_day", 0)),
            seats=max(int(a.get("seats", 0)) - shared, 0),
            task_category=str(a.get("task_category", "")),
            closed=bool(closed),
            shared_seats=shared,
            address=address_line(street, code, office),
            phone=phone or "",
            email=email or "",
            lat=location.get("lat"),
            lon=location.get("lon"),
        )
    return out


def names_of(page: Any, ids: Iterable[str]) -> dict[str, Label]:
    """Client id → the client's name with what tells them apart (``service.web.people``;
    the same on every coordinator page and file)."""
    return client_labels(page.session, page.t, ids)


def latest_run(session: Session) -> RunRow | None:
    """The newest run (its proposals are the week's board)."""
    return session.scalar(select(RunRow).order_by(RunRow.id.desc()).limit(1))


@router.get("/board")
def board(
    page: CoordinatorPage,
    municipality: str = "",
    placement: str = "",
    status: str = "proposed",
    scope: str = "own",
    purpose: str = "",
    n: int = 1,
) -> Response:
    """The week's board: proposals of the newest run, own caseload first."""
    session = page.session
    newest = latest_run(session)
    # The proposals open for decisions are the newest succeeded run's; a newer run that is
    # still going or has failed is shown above them.
    run = session.scalar(
        select(RunRow)
        .where(RunRow.status == "succeeded", RunRow.superseded.is_(False))
        .order_by(RunRow.id.desc())
        .limit(1)
    )
    user = page.user
    assert user is not None
    caseload = set(user.caseload)
    others = scope == "all" and purpose.strip() != ""
    rows: Sequence[Any] = []
    total = 0
    counts: dict[str, int] = {}
    if run is not None and run.status == "succeeded":
        query = select(
            ProposalRow.id,
            ProposalRow.client_id,
            ProposalRow.placement_id,
            ProposalRow.status,
            ProposalRow.decided_placement_id,
            ProposalRow.score,
            ProposalRow.travel_minutes,
            ProposalRow.preference_rank,
            ProposalRow.kept_ongoing,
            ProposalRow.pending_note,
            ProposalRow.pending_by,
            ProposalRow.pending_at,
        ).where(ProposalRow.run_id == run.id)
        if not others:
            query = query.where(ProposalRow.client_id.in_(caseload))
        counted = query.subquery()
        status_counts = session.execute(
            select(counted.c.status, func.count()).group_by(counted.c.status)
        ).all()
        counts = {str(k): int(v) for k, v in status_counts}
        if municipality:
            query = query.where(ProposalRow.municipality_code == municipality)
        if placement:
            query = query.where(ProposalRow.placement_id == placement)
        if status in ("proposed", "accepted", "overridden", "superseded"):
            query = query.where(ProposalRow.status == status)
        elif status == "pending":
            query = query.where(
                ProposalRow.status == "proposed", ProposalRow.pending_at.is_not(None)
            )
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        n = max(1, n)
        # Own clients first, then the others a purpose was given for.
        own_first = case((ProposalRow.client_id.in_(caseload), 0), else_=1)
        rows = session.execute(
            query.order_by(own_first, ProposalRow.id).offset((n - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        ).all()
        if others:
            audit.record(
                session,
                page.principal,
                Action.READ,
                "proposals",
                purpose.strip(),
                record_id=f"run:{run.id}",
                ids=[r.client_id for r in rows],
                web=True,
            )
        elif rows:
            audit.record(
                session,
                page.principal,
                Action.READ,
                "proposals",
                "reviewing proposals",
                record_id=f"run:{run.id}",
                ids=[r.client_id for r in rows],
                web=True,
            )
        session.commit()
    ids = {r.placement_id for r in rows} | {
        r.decided_placement_id for r in rows if r.decided_placement_id
    }
    every = placement_infos(session)
    infos = {pid: every[pid] for pid in ids if pid in every}
    names = names_of(page, [r.client_id for r in rows])
    clients = dict(
        session.execute(
            select(ClientRow.id, ClientRow.attributes).where(
                ClientRow.id.in_([r.client_id for r in rows])
            )
        ).all()
    )
    municipalities = session.execute(
        select(MunicipalityRow.code, MunicipalityRow.name_fi).order_by(MunicipalityRow.name_fi)
    ).all()
    all_placements = sorted(every.values(), key=lambda p: (p.name, p.id))
    left_out = _unplaced(page, run, caseload, purpose.strip() if others else None, every)
    return page.render(
        "coordinator/board.html",
        run=run,
        rows=rows,
        total=total,
        counts=counts,
        infos=infos,
        names=names,
        clients=clients,
        municipalities=municipalities,
        placements=all_placements,
        filters={
            "municipality": municipality,
            "placement": placement,
            "status": status,
            "scope": "all" if others else "own",
            "purpose": purpose if others else "",
        },
        n=n,
        pages=max(1, -(-total // PAGE_SIZE)),
        reasons=list(ReasonCode),
        caseload_size=len(caseload),
        caseload=caseload,
        newest=newest,
        unplaced=left_out,
        explanations_pending=run is not None and run.explanation_status == "pending",
        run_preview=(
            run_store.replacement_preview(session)
            if page.request.query_params.get("confirm_run")
            else None
        ),
    )


def _unplaced(
    page: Any,
    run: RunRow | None,
    caseload: set[str],
    purpose: str | None,
    every: dict[str, PlacementInfo],
) -> list[Unplaced]:
    """The run's unplaced clients of the caseload (everyone's, with a ``purpose``) with the
    engine's reasons; the read is audited like the proposals'."""
    if run is None or run.status != "succeeded":
        return []
    ids = [c for c in run.unassigned or [] if purpose is not None or c in caseload]
    if not ids:
        return []
    explanations = run.unassigned_explanations or {}
    names = {pid: f"{i.name}, {i.organisation}" for pid, i in every.items()}
    audit.record(
        page.session,
        page.principal,
        Action.READ,
        "unassigned",
        purpose or "reviewing proposals",
        record_id=f"run:{run.id}",
        ids=ids,
        web=True,
    )
    page.session.commit()
    mine = {c: explanations.get(c) for c in ids}
    return unplaced(ids, mine, names_of(page, ids), names, page.t)


@router.post("/board/run")
async def start_run(request: Request, page: CoordinatorPage) -> Response:
    """Start the week's run (for next Monday, or the date given)."""
    form = await form_of(request, page)
    body_data: dict[str, Any] = {}
    if form.get("planning_date"):
        body_data["planning_date"] = finnish_date(form["planning_date"])
    if form.get("confirmed") != "1":  # say first what the run would replace and keep
        preview = run_store.replacement_preview(page.session)
        if preview["open_proposals"]:
            query = urlencode(
                {"confirm_run": "1", "planning_date": str(form.get("planning_date") or "")}
            )
            return redirect(f"/coordinator/board?{query}")
    try:
        body = RunCreate.model_validate(body_data)
        row = run_store.create(page.session, page.principal, body, page.settings)
    except (ValidationError, ServiceError) as exc:
        page.session.rollback()
        detail = (
            service_message(exc, page.t.language) if isinstance(exc, ServiceError) else str(exc)
        )
        raise WebError(409, "board.run_refused", detail=detail) from exc
    audit.record(
        page.session,
        page.principal,
        Action.RUN,
        "runs",
        "weekly allocation",
        record_id=str(row.id),
        web=True,
    )
    page.session.commit()
    submit(request, "run", row.id)
    return redirect("/coordinator/board")


@router.post("/board/accept")
async def accept_many(request: Request, page: CoordinatorPage) -> Response:
    """Accept the ticked proposals with one reason."""
    form = await form_of(request, page)
    ids = [int(i) for i in as_list(form.get("proposal")) if i.isdigit()]
    if not ids:
        raise WebError(422, "board.none_ticked")
    body = _decision("accept", form)
    done = 0
    for proposal_id in ids:
        try:
            _decide(page, proposal_id, body)
            done += 1
        except ServiceError:
            page.session.rollback()
    return redirect(f"/coordinator/board?accepted={done}")


def _decision(kind: str, form: dict[str, Any], placement: str | None = None) -> DecisionIn:
    try:
        return DecisionIn.model_validate(
            {
                "decision": kind,
                "reason_code": form.get("reason_code") or "client_agreed",
                "text": str(form.get("text", "")),
                "placement": placement,
            }
        )
    except ValidationError as exc:
        raise WebError(422, "error.form") from exc


def _decide(page: Any, proposal_id: int, body: DecisionIn) -> ProposalRow:
    session = page.session
    proposal = decision_store.get_proposal(session, page.principal, proposal_id)
    target = proposal.placement_id if body.decision == "accept" else body.placement
    if target is not None:
        preview = preview_decision(session, page.settings, proposal, target)
        if preview.rules:
            raise WebError(409, "proposal.refused_rules")
    row = decision_store.decide(session, page.principal, proposal_id, body)
    audit.record(
        session,
        page.principal,
        Action.DECIDE,
        "proposals",
        "placement decision",
        record_id=str(proposal_id),
        client=row.client_id,
        decision=body.decision,
        reason_code=body.reason_code.value,
        web=True,
    )
    session.commit()
    return row


def _proposal_page(page: Any, proposal_id: int, **extra: Any) -> Response:
    session = page.session
    try:
        proposal = decision_store.get_proposal(session, page.principal, proposal_id)
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    why = require_purpose(page, proposal.client_id)
    run = session.get(RunRow, proposal.run_id)
    assert run is not None
    client = client_store.get(session, proposal.client_id)
    audit.record(
        session,
        page.principal,
        Action.READ,
        "proposals",
        why or "reviewing proposals",
        record_id=str(proposal_id),
        client=proposal.client_id,
        outside_caseload=bool(why) or None,
        web=True,
    )
    session.commit()
    explanation = proposal.explanation or {}
    standing = _standing(page, proposal, run)
    alternatives = [a for a in explanation.get("alternatives", [])][:3]
    options = admissible_placements(session, page.settings, proposal.client_id, run.planning_date)
    ids = set(options) | {proposal.placement_id} | {a["placement"] for a in alternatives}
    ids |= placements_named(explanation)
    if proposal.decided_placement_id:
        ids.add(proposal.decided_placement_id)
    infos = placement_infos(session, ids)
    names = {pid: f"{i.name}, {i.organisation}" for pid, i in infos.items()}
    home = session.get(MunicipalityRow, client.home_municipality)
    chosen_id = proposal.decided_placement_id if proposal.status == "overridden" else None
    return page.render(
        "coordinator/proposal.html",
        proposal=proposal,
        run=run,
        client=client.attributes,
        name=names_of(page, [proposal.client_id])[proposal.client_id],
        info=infos.get(chosen_id or proposal.placement_id),
        engine_info=infos.get(proposal.placement_id) if chosen_id else None,
        standing=standing,
        infos=infos,
        explanation=explanation,
        # Other clients holding seats are counted here, not named: they may be outside the
        # caseload, and naming them would read their data without a purpose. The override
        # preview names the one a decision would displace.
        sentences=explained(explanation, page.t.language, names),
        map=_proposal_map(page, proposal.placement_id, alternatives, infos, home),
        home=home,
        alternatives=alternatives,
        admissible=sorted(
            (p for p, rules in options.items() if not rules), key=lambda p: infos[p].name
        ),
        inadmissible=sorted(
            (p for p, rules in options.items() if rules), key=lambda p: infos[p].name
        ),
        option_rules=options,
        reasons=list(ReasonCode),
        **extra,
    )


CAPACITY_RULES = frozenset({"seats", "support_units", "coach_caseload"})
"""Rules a proposal can come to break after it was made, by other people's decisions."""


@dataclass
class Standing:
    """Whether a proposal still waiting for a decision can still be accepted: the rules
    accepting it would break now (``rules``, rule names), and the week's decisions that took
    its placement since the run (who decided, when) when only capacity stands in the way."""

    rules: list[str]
    full: bool
    taken_by: list[tuple[str, Any]]

    @property
    def open(self) -> bool:
        return not self.rules


def _standing(page: Any, proposal: ProposalRow, run: RunRow) -> Standing | None:
    """The proposal's standing now (None once it is decided): the same shared decision
    check that refuses the accept, asked before the button is offered."""
    if proposal.status != "proposed":
        return None
    preview = preview_decision(page.session, page.settings, proposal, proposal.placement_id)
    rules = sorted({rule for rule, _ in preview.rules})
    if not rules:
        return Standing([], False, [])
    full = set(rules) <= CAPACITY_RULES
    taken = page.session.execute(
        select(ProposalRow.decided_by, ProposalRow.decided_at)
        .where(
            ProposalRow.run_id == run.id,
            ProposalRow.client_id != proposal.client_id,
            ProposalRow.status.in_(("accepted", "overridden")),
            case(
                (ProposalRow.status == "overridden", ProposalRow.decided_placement_id),
                else_=ProposalRow.placement_id,
            )
            == proposal.placement_id,
        )
        .order_by(ProposalRow.decided_at.desc())
    ).all()
    return Standing(rules, full, [(who, when) for who, when in taken])


def _proposal_map(
    page: Any,
    proposed: str,
    alternatives: list[Any],
    infos: dict[str, PlacementInfo],
    home: MunicipalityRow | None,
) -> Map | None:
    """The proposed placement, the top alternatives and the centre of the client's home
    municipality (not the client's address) on a map."""
    t = page.t
    points = []  # drawn in this order: the placements over the home municipality
    if home is not None and home.centre_lat is not None and home.centre_lon is not None:
        name = home.name_sv if page.t.language == "sv" and home.name_sv else home.name_fi
        points.append(
            Point(
                "home",
                t("map.home_label", name=name),
                home.centre_lat,
                home.centre_lon,
                "home",
                "pt-home",
            )
        )
    chosen = [(a["placement"], "alternative") for a in alternatives] + [(proposed, "proposed")]
    for pid, kind in chosen:
        info = infos.get(pid)
        if info is None or info.lat is None or info.lon is None:
            continue
        town = "" if info.municipality in info.address else info.municipality
        where = ", ".join(p for p in (info.name, info.address, town) if p)
        points.append(
            Point(pid, t(f"map.{kind}_label", name=where), info.lat, info.lon, kind, f"pt-{pid}")
        )
    return draw(points, town_names(page.session, page.t.language))


@router.get("/proposals/{proposal_id}")
def proposal_page(page: CoordinatorPage, proposal_id: int, purpose: str = "") -> Response:
    """One proposal: who, where, why, the top alternatives, and the decision forms (a
    client outside the caseload: after the purpose is given, ``?purpose=``)."""
    del purpose  # read by require_purpose from the request
    return _proposal_page(page, proposal_id)


@router.post("/proposals/{proposal_id}/accept")
async def accept(request: Request, page: CoordinatorPage, proposal_id: int) -> Response:
    """Accept one proposal."""
    form = await form_of(request, page)
    try:
        _decide(page, proposal_id, _decision("accept", form))
    except WebError as exc:
        if exc.key != "proposal.refused_rules":
            raise
        page.session.rollback()
        # Taken or changed since the run: the page says why and offers the next steps.
        return redirect(f"/coordinator/proposals/{proposal_id}?refused=1#standing")
    except ServiceError as exc:
        page.session.rollback()
        raise WebError(
            409, "proposal.conflict", detail=service_message(exc, page.t.language)
        ) from exc
    return redirect(f"/coordinator/proposals/{proposal_id}?done=accepted")


@router.post("/proposals/{proposal_id}/preview")
async def override_preview(request: Request, page: CoordinatorPage, proposal_id: int) -> Response:
    """Before an override: the rules the chosen placement breaks and what it does to the
    week; the confirm button appears only when no rule is broken."""
    form = await form_of(request, page)
    chosen = str(form.get("placement", ""))
    proposal = decision_store.get_proposal(page.session, page.principal, proposal_id)
    preview = preview_decision(page.session, page.settings, proposal, chosen, page.t.language)
    displaced_names = names_of(page, [d.client_id for d in preview.displaced])
    return _proposal_page(
        page,
        proposal_id,
        preview=preview,
        chosen=chosen,
        chosen_reason=form.get("reason_code"),
        chosen_text=form.get("text", ""),
        displaced_names=displaced_names,
        status=422 if preview.rules else 200,
    )


@router.post("/proposals/{proposal_id}/override")
async def override(request: Request, page: CoordinatorPage, proposal_id: int) -> Response:
    """Choose another placement (checked again: no broken rule, reason given)."""
    form = await form_of(request, page)
    body = _decision("override", form, str(form.get("placement", "")) or None)
    try:
        _decide(page, proposal_id, body)
    except ServiceError as exc:
        page.session.rollback()
        raise WebError(
            409, "proposal.conflict", detail=service_message(exc, page.t.language)
        ) from exc
    return redirect(f"/coordinator/proposals/{proposal_id}?done=overridden")


@router.post("/proposals/{proposal_id}/pending")
async def leave_pending(request: Request, page: CoordinatorPage, proposal_id: int) -> Response:
    """Leave a proposal pending on purpose, with an optional note: who and when are recorded
    and shown on the board; the proposal stays open for a decision later."""
    form = await form_of(request, page)
    session = page.session
    try:
        proposal = decision_store.get_proposal(session, page.principal, proposal_id)
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    if proposal.status != "proposed":
        raise WebError(409, "proposal.pending_decided")
    note = str(form.get("note", "")).strip()[:2000]
    proposal.pending_note = note
    proposal.pending_by = page.principal.name
    proposal.pending_at = utcnow()
    audit.record(
        session,
        page.principal,
        Action.UPDATE,
        "proposals",
        "left pending",
        record_id=str(proposal_id),
        client=proposal.client_id,
        web=True,
    )
    session.commit()
    return redirect(f"/coordinator/proposals/{proposal_id}?done=pending")


# --- the client record -------------------------------------------------------------------

CLIENT_FIELDS = (
    "referral_basis",
    "days_per_week",
    "hours_per_day",
    "available_weekdays",
    "max_travel_minutes",
    "aptitudes",
    "interests",
    "work_constraints",
    "languages",
    "support_units",
    "coach",
    "consent_outside_commuting_area",
    "shared_fields",
)


def _client_page(page: Any, client_id: str, **extra: Any) -> Response:
    session = page.session
    try:
        row = client_store.get(session, client_id)
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    why = require_purpose(page, client_id)
    out = client_store.view(session, page.principal, row)
    audit.record(
        session,
        page.principal,
        Action.READ,
        "clients",
        why or "client record",
        record_id=client_id,
        outside_caseload=bool(why) or None,
        web=True,
    )
    session.commit()
    assignments = session.scalars(
        select(AssignmentRow)
        .where(AssignmentRow.client_id == client_id)
        .order_by(AssignmentRow.start_date.desc())
    ).all()
    wished = [p.placement for p in out.preferences if p.placement]  # type: ignore[union-attr]
    infos = placement_infos(session, {a.placement_id for a in assignments} | set(wished))
    home = session.get(MunicipalityRow, row.home_municipality)
    week = session.scalar(
        select(RunRow)
        .where(RunRow.status == "succeeded", RunRow.superseded.is_(False))
        .order_by(RunRow.id.desc())
        .limit(1)
    )
    left_out = None
    if week is not None and client_id in (week.unassigned or []):
        every = placement_infos(session)
        left_out = unplaced(
            [client_id],
            {client_id: (week.unassigned_explanations or {}).get(client_id)},
            names_of(page, [client_id]),
            {pid: f"{i.name}, {i.organisation}" for pid, i in every.items()},
            page.t,
        )[0]
    return page.render(
        "coordinator/client.html",
        unplaced=left_out,
        unplaced_run=week,
        client=out,
        label=names_of(page, [client_id])[client_id],
        home_name=(home.name_sv if page.t.language == "sv" and home.name_sv else home.name_fi)
        if home
        else row.home_municipality,
        assignments=assignments,
        infos=infos,
        weekdays=WEEKDAYS,
        shared_choices=list(SharedField),
        benefits=[b.value for b in Benefit],
        benefit_now=_benefit_now(out),
        **extra,
    )


def _benefit_now(client: Any) -> str:
    """The code of the benefit the client receives today ('' when not recorded)."""
    spells = tuple(
        BenefitSpell.model_validate(s.model_dump()) for s in getattr(client, "benefits", [])
    )
    found = benefit_on(spells, date.today())
    return found.value if found is not None else ""


def benefit_spells_after(
    stored: list[dict[str, Any]], benefit: Any, since: Any
) -> list[dict[str, Any]] | None:
    """The client's benefit spells after the form's "benefit now, from": a new benefit from
    the day given (today if none) ends the spell running then the day before and replaces
    any later one; None when the form changes nothing (the same benefit, or none chosen)."""
    if not benefit:
        return None
    raw = finnish_date(since)
    try:
        day = date.fromisoformat(raw) if raw else date.today()
    except (TypeError, ValueError):
        return [{"benefit": str(benefit), "from_date": str(since)}]  # refused at its field
    spells = [BenefitSpell.model_validate(s) for s in stored]
    if benefit_on(tuple(spells), day) == benefit and not raw:
        return None
    kept = []
    for spell in spells:
        if spell.from_date >= day:
            continue
        if spell.until_date is None or spell.until_date >= day:
            spell = spell.model_copy(update={"until_date": day - timedelta(days=1)})
        kept.append(spell.model_dump(mode="json"))
    return [*kept, {"benefit": str(benefit), "from_date": day.isoformat()}]


@router.get("/clients/{client_id}")
def client_page(page: CoordinatorPage, client_id: str, purpose: str = "") -> Response:
    """The client record with its edit form and periods (a client outside the caseload:
    after the purpose is given, ``?purpose=``)."""
    del purpose  # read by require_purpose from the request
    return _client_page(page, client_id, errors={}, broken=[])


@router.post("/clients/{client_id}")
async def client_save(request: Request, page: CoordinatorPage, client_id: str) -> Response:
    """Save the client record; a value the API would refuse, or one that breaks a rule of the
    client's ongoing placement, is shown at its field before anything is saved."""
    form = await form_of(request, page)
    data: dict[str, Any] = {
        "referral_basis": form.get("referral_basis") or None,
        "days_per_week": number(form.get("days_per_week")),
        "hours_per_day": number(form.get("hours_per_day")),
        "available_weekdays": as_list(form.get("available_weekdays")),
        "max_travel_minutes": number(form.get("max_travel_minutes")),
        "aptitudes": words(form.get("aptitudes")),
        "work_constraints": as_list(form.get("work_constraints")),
        "languages": words(form.get("languages")),
        "support_units": number(form.get("support_units")),
        "coach": form.get("coach") or None,
        "consent_outside_commuting_area": form.get("consent_outside_commuting_area") == "on",
        "shared_fields": as_list(form.get("shared_fields")),
        "full_time_entrepreneur": form.get("full_time_entrepreneur") == "on",
        "full_time_student": form.get("full_time_student") == "on",
        "other_employment_service": form.get("other_employment_service") == "on",
    }
    hours = number(form.get("work_hours_per_week"))
    if hours is not None:
        data["work_hours_per_week"] = hours
    stored = client_store.get(page.session, client_id).attributes.get("benefits") or []
    spells = benefit_spells_after(stored, form.get("benefit"), form.get("benefit_from"))
    if spells is not None:
        data["benefits"] = spells
    try:
        body = ClientUpdate.model_validate(data)
    except ValidationError as exc:
        return _client_page(
            page, client_id, errors=field_errors(page.t, exc), broken=[], status=422, pending=form
        )
    session = page.session
    row = client_store.get(session, client_id)
    merged = {**row.attributes, **body.model_dump(exclude_unset=True, mode="json")}
    for personal in ("shared_fields", "active"):
        merged.pop(personal, None)
    broken: list[tuple[str, str]] = []
    current = session.scalar(
        select(AssignmentRow).where(
            AssignmentRow.client_id == client_id, AssignmentRow.status == "active"
        )
    )
    if current is not None:
        try:
            candidate = client_domain(
                ClientRow(
                    id=client_id,
                    attributes={**merged, "id": client_id},
                    home_municipality=row.home_municipality,
                )
            )
        except ValidationError as exc:
            return _client_page(
                page,
                client_id,
                errors=field_errors(page.t, exc),
                broken=[],
                status=422,
                pending=form,
            )
        problem = single_client_problem(
            session, page.settings, client_id, current.placement_id, date.today()
        )
        placement = problem.placements[0]
        problem = problem.model_copy(update={"clients": (candidate,)})
        lang = page.t.language
        broken = [
            (v.rule, word(lang, f"rule.{v.rule}"))
            for v in pair_violations(problem, candidate, placement)
        ]
        if broken and form.get("confirm") != "yes":
            return _client_page(page, client_id, errors={}, broken=broken, status=409, pending=form)
    try:
        client_store.update(session, client_id, body)
    except ServiceError as exc:
        session.rollback()
        raise WebError(
            422, "error.form_detail", detail=service_message(exc, page.t.language)
        ) from exc
    audit.record(
        session,
        page.principal,
        Action.UPDATE,
        "clients",
        "client record",
        record_id=client_id,
        web=True,
        broken_rules=[r for r, _ in broken] or None,
    )
    session.commit()
    return redirect(f"/coordinator/clients/{client_id}?saved=1")


# --- attendance --------------------------------------------------------------------------


def allowance_days(days: list[AttendanceRow]) -> int:
    """Days that earn the expense allowance: present days, at most 5 in a calendar week
    (Kela; absences and 'service not arranged' earn none)."""
    per_week: dict[tuple[int, int], int] = {}
    for row in days:
        if row.status == AttendanceStatus.PRESENT:
            key = row.day.isocalendar()[:2]
            per_week[key] = per_week.get(key, 0) + 1
    return sum(min(n, 5) for n in per_week.values())


@router.get("/assignments/{assignment_id}/attendance")
def attendance_page(page: CoordinatorPage, assignment_id: int, month: str = "") -> Response:
    """A month calendar of one period with Kela's categories and the allowance total."""
    session = page.session
    try:
        assignment = decision_store.get_assignment(session, page.principal, assignment_id)
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    require_purpose(page, assignment.client_id)
    today = date.today()
    try:
        first = date.fromisoformat(month + "-01") if month else None
    except ValueError:
        first = None
    if first is None:
        anchor = min(max(today, assignment.start_date), assignment.end_date or today)
        first = anchor.replace(day=1)
    days = decision_store.list_attendance(session, page.principal, assignment_id)
    audit.record(
        session,
        page.principal,
        Action.READ,
        "attendance",
        page.purpose or "attendance record",
        record_id=str(assignment_id),
        client=assignment.client_id,
        outside_caseload=bool(page.purpose) or None,
        web=True,
    )
    session.commit()
    by_day = {d.day: d for d in days}
    _, length = calendar.monthrange(first.year, first.month)
    last = first.replace(day=length)
    weeks = calendar.Calendar().monthdatescalendar(first.year, first.month)
    in_month = [d for d in days if first <= d.day <= last]
    corrections = session.scalars(
        select(AttendanceCorrectionRow)
        .where(AttendanceCorrectionRow.attendance_id.in_([d.id for d in days]))
        .order_by(AttendanceCorrectionRow.corrected_at.desc())
    ).all()
    info = placement_infos(session, {assignment.placement_id}).get(assignment.placement_id)
    return page.render(
        "coordinator/attendance.html",
        assignment=assignment,
        name=names_of(page, [assignment.client_id])[assignment.client_id],
        info=info,
        first=first,
        last=last,
        weeks=weeks,
        by_day=by_day,
        prev_month=(first - timedelta(days=1)).strftime("%Y-%m"),
        next_month=(last + timedelta(days=1)).strftime("%Y-%m"),
        statuses=list(AttendanceStatus),
        reasons=list(AbsenceReason),
        totals={
            "present": sum(1 for d in in_month if d.status == "present"),
            "absent": sum(1 for d in in_month if d.status == "absent"),
            "not_arranged": sum(1 for d in in_month if d.status == "service_not_arranged"),
            "allowance": allowance_days(in_month),
            "allowance_period": allowance_days(list(days)),
        },
        corrections=corrections,
        error=None,
    )


@router.post("/assignments/{assignment_id}/attendance")
async def attendance_save(request: Request, page: CoordinatorPage, assignment_id: int) -> Response:
    """Record a day, or correct a recorded one (then a reason is required and the old
    marking, who, when and why are kept)."""
    form = await form_of(request, page)
    session = page.session
    reason = form.get("absence_reason") or None
    try:
        body = AttendanceIn.model_validate(
            {
                "day": finnish_date(form.get("day")),
                "status": form.get("status"),
                "absence_reason": reason if form.get("status") == "absent" else None,
            }
        )
    except ValidationError as exc:
        raise WebError(
            422, "attendance.invalid", detail="; ".join(field_errors(page.t, exc).values())
        ) from exc
    month = body.day.strftime("%Y-%m")
    try:
        if not decision_store.day_recorded(session, page.principal, assignment_id, body.day):
            decision_store.record_attendance(session, page.principal, assignment_id, body)
        else:
            why = str(form.get("correction_reason", "")).strip()
            if not why:
                raise WebError(422, "attendance.reason_needed")
            fix = {**body.model_dump(), "correction_reason": why[:2000]}
            correction = AttendanceCorrectionIn.model_validate(fix)
            decision_store.correct_attendance(session, page.principal, assignment_id, correction)
    except ValidationError as exc:  # the period's agreement refuses the day
        session.rollback()
        words = [
            refusal_text(str(e["type"]), page.t.language)
            if f"refusal.{e['type']}" in CATALOGUE
            else str(e["msg"])
            for e in exc.errors()
        ]
        raise WebError(422, "attendance.invalid", detail="; ".join(words)) from exc
    except ServiceError as exc:
        session.rollback()
        raise WebError(
            422, "attendance.invalid", detail=service_message(exc, page.t.language)
        ) from exc
    audit.record(
        session,
        page.principal,
        Action.UPDATE,
        "attendance",
        "attendance record",
        record_id=str(assignment_id),
        day=body.day.isoformat(),
        web=True,
    )
    session.commit()
    return redirect(f"/coordinator/assignments/{assignment_id}/attendance?month={month}")


@router.get("/clients")
def client_list(page: CoordinatorPage, q: str = "") -> Response:
    """The coordinator's own clients (caseload), with their ongoing periods."""
    session = page.session
    user = page.user
    assert user is not None
    ids = list(user.caseload)
    names = names_of(page, ids)
    if q:
        ids = [c for c in ids if q.lower() in str(names[c]).lower()]
    active = {
        a.client_id: a
        for a in session.scalars(
            select(AssignmentRow).where(
                AssignmentRow.client_id.in_(ids), AssignmentRow.status == "active"
            )
        )
    }
    infos = placement_infos(session, {a.placement_id for a in active.values()})
    audit.record(session, page.principal, Action.READ, "clients", "own caseload", ids=ids, web=True)
    session.commit()
    return page.render(
        "coordinator/clients.html",
        ids=sorted(ids, key=lambda c: (names[c].name, names[c].hint)),
        names=names,
        active=active,
        infos=infos,
        q=q,
    )
