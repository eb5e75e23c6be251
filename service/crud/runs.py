"""Runs: creating one, building its problem from the database, storing its outcome."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Literal, overload

from sqlalchemy import (
    Integer,
    Row,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from matching.screen import CountyRecords, Screened, placement_as_of, screen
from matching.transit import current_feed
from models import (
    AllocationProblem,
    AllocationResult,
    LegalRegime,
    SolveOptions,
)
from service import audit
from service.audit import Action
from service.auth import Principal, Role
from service.config import Settings
from service.crud.convert import client_record, placement_record
from service.crud.cooperation import blocked_pairs_of, with_blocked_pairs
from service.db.cooperation import PeriodRow, SiteConfirmationRow
from service.db.tables import (
    AssignmentRow,
    ClientRow,
    CoachRow,
    CommutingAreaRow,
    EmploymentAreaRow,
    GeographySourceRow,
    MunicipalityRow,
    OrganisationRow,
    PlacementRow,
    ProposalRow,
    RunRow,
    utcnow,
)
from service.errors import Conflict, NotFound
from service.schemas.runs import ProposalStatus, RunCreate, RunStatus


def next_monday(today: date) -> date:
    """The Monday after ``today`` (a week ahead when today is a Monday)."""
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def get(session: Session, run_id: int) -> RunRow:
    """A run by id (404 if unknown)."""
    row = session.get(RunRow, run_id)
    if row is None:
        raise NotFound(
            f"run {run_id} not found", code="api.not_found.run", params={"id": str(run_id)}
        )
    return row


def list_(
    session: Session, *, status: RunStatus | None, offset: int, limit: int
) -> Sequence[RunRow]:
    """Runs, newest first."""
    query = select(RunRow).order_by(RunRow.id.desc())
    if status is not None:
        query = query.where(RunRow.status == status.value)
    return session.scalars(query.offset(offset).limit(limit)).all()


def exists(session: Session, run_id: int) -> None:
    """404 unless the run exists (one indexed look-up of its id, no columns loaded)."""
    if session.scalar(select(RunRow.id).where(RunRow.id == run_id)) is None:
        raise NotFound(
            f"run {run_id} not found", code="api.not_found.run", params={"id": str(run_id)}
        )


def proposal_page(
    session: Session,
    user: Principal,
    run_id: int,
    *,
    municipality: str | None,
    status: ProposalStatus | None,
    placement: str | None,
    offset: int,
    limit: int,
    why: str,
) -> tuple[Sequence[Row[Any]], int]:
    """A page of a run's proposals and the number matching (municipality users: at their
    own organisation's placements only), its read audited with ``why`` and every client id
    of the page; 404 if the run does not exist (then nothing is audited: nothing was read).
    On PostgreSQL the page and its audit row are one statement
    (:func:`service.audit.select_recorded`).

    The columns carry the names and the order of ``ProposalOut``'s fields (``displaces``
    aside), the total last, so that a row turns into its item by name at C speed.

    The read path of the weekly review, so one indexed query (``run_id`` first) answers it:
    the total comes with every row as a window count, and the JSON columns come as the text
    stored, never parsed: ``breakdown`` and ``explanation`` go to the wire as they are
    (``explanation`` is the bulk of a page, a few kilobytes a proposal). Only coordinators
    get the explanation read at all. Only an empty page costs more: the run's existence
    (404) and the total are then looked up apart.
    """
    shape = (
        user.role is Role.COORDINATOR,
        user.role is Role.MUNICIPALITY,
        municipality is not None,
        status is not None,
        placement is not None,
    )
    params = {
        "run_id": run_id,
        "organisation": user.organisation,
        "municipality": municipality,
        "status": status.value if status is not None else None,
        "placement": placement,
        "offset": offset,
        "limit": limit,
    }
    page, count = _page_queries(*shape)
    said = (user, Action.READ, "proposals", why, f"run:{run_id}")
    rows = audit.select_recorded(session, page, params, *said)
    if rows is None:  # not on PostgreSQL: the page, then its audit row
        rows = session.execute(page, params).all()
        if rows:
            audit.record(session, *said, ids=[r.client_id for r in rows])
    if rows:
        return rows, int(rows[0].total)
    exists(session, run_id)
    audit.record(session, *said)
    return rows, int(session.scalar(count, params) or 0) if offset else 0


@functools.cache
def _page_queries(
    coordinator: bool, own_only: bool, by_municipality: bool, by_status: bool, by_placement: bool
) -> tuple[Select[Any], Select[Any]]:
    """The page query and the count query of one combination of filters, built once: the
    values are bound parameters, so each request reuses a compiled statement."""
    P, PL = ProposalRow.__table__.c, PlacementRow.__table__.c  # Core: no ORM compile step
    # The window count needs every matching row before the first one leaves, so it runs on
    # the ids alone (an index scan): counted over the heavy columns, PostgreSQL detoasted and
    # buffered every explanation of the run (a few megabytes, 15 ms a page) to keep 50.
    # The page's ids and the total come from that inner part; only those rows are joined
    # back by primary key for their stored JSON.
    matching = select(P.id, func.count().over().label("total")).where(
        P.run_id == bindparam("run_id")
    )
    if own_only:
        own = select(PL.id).where(PL.organisation_id == bindparam("organisation"))
        matching = matching.where(P.placement_id.in_(own))
    if by_municipality:
        matching = matching.where(P.municipality_code == bindparam("municipality"))
    if by_status:
        matching = matching.where(P.status == bindparam("status"))
    if by_placement:
        matching = matching.where(P.placement_id == bindparam("placement"))
    window_ = (
        matching.order_by(P.id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery("window_")
    )
    explanation = (cast(P.explanation, Text) if coordinator else literal(None, Text)).label(
        "explanation"
    )
    page = (
        select(
            P.id,
            P.run_id,
            P.client_id,
            P.placement_id,
            P.municipality_code.label("municipality"),
            P.score,
            cast(P.breakdown, Text).label("breakdown"),
            P.travel_minutes,
            P.preference_rank,
            P.kept_ongoing,
            explanation,
            P.status,
            P.reason_code,
            P.reason_text,
            P.decided_placement_id,
            P.decided_by,
            P.decided_at,
            window_.c.total,
        )
        .join_from(window_, ProposalRow.__table__, P.id == window_.c.id)
        .order_by(P.id)
    )
    counted = matching.with_only_columns(P.id).subquery()
    return page, select(func.count()).select_from(counted)


def create(session: Session, user: Principal, body: RunCreate, settings: Settings) -> RunRow:
    """Queue a run; 409 while another run of the county is queued or running.

    The ``active_lock`` column is unique, so two requests racing past the check still cannot
    both insert an active run: the second gets an integrity error, which is also a 409.
    """
    active = session.scalar(select(RunRow).where(RunRow.active_lock == settings.county))
    if active is not None:
        raise Conflict(
            f"run {active.id} of this county is still {active.status}; try later",
            code="api.run_active",
            params={"id": str(active.id)},
        )
    options = body.options.model_dump(mode="json")
    options["time_limit_s"] = min(body.options.time_limit_s, settings.max_time_limit_s)
    feed = current_feed()
    if feed is not None:
        # Trips by the county's timetables once a feed is stored (POST /reference/gtfs).
        options["travel"] = {"feed": feed}
    row = RunRow(
        county=settings.county,
        active_lock=settings.county,
        status=RunStatus.QUEUED.value,
        planning_date=body.planning_date or next_monday(date.today()),
        options=options,
        created_by=user.name,
    )
    session.add(row)
    session.flush()
    return row


def county_regime(settings: Settings) -> LegalRegime:
    """The legal regime the county's runs are made under: the law's defaults, and the
    no-replacement attestation rule if the operator configured it."""
    return LegalRegime(no_replacement_attestation_months=settings.no_replacement_attestation_months)


def build_problem(
    session: Session, run: RunRow, regime: LegalRegime
) -> tuple[AllocationProblem, dict[str, str]]:
    """The run's ``AllocationProblem`` from the database, and last week's placements as hint.

    Records that break a rule are set aside (``matching.screen``); the notes are stored on the
    run (``RunRow.set_aside``, committed with the run's start) for the coordinator. Pairs the
    site declined are kept out (``cooperation.with_blocked_pairs``) until either record
    changes.
    """
    screened, hint = county_problem(
        session,
        run.county,  # not the run id: equal database states must hash equally
        run.planning_date,
        SolveOptions.model_validate(run.options),
        regime,
        with_notes=True,
    )
    run.set_aside = [n.model_dump(mode="json") for n in screened.set_aside]
    return with_blocked_pairs(screened.problem, blocked_pairs_of(session)), hint


def county_records(
    session: Session,
    name: str,
    planning_date: date,
    options: SolveOptions,
    regime: LegalRegime,
) -> CountyRecords:
    """The county as stored, as plain records for ``matching.screen`` (which reads them as
    it reads a county file: placements as known on the planning date, periods released past
    their last day, the regime's maximum or an ended placement).

    Clients: every active one (those with an ongoing placement too, which the engine keeps
    within the commitment). Placements: all, closed ones included so that ongoing placements
    refer to a known record; the engine gives closed placements no new clients, nor, where
    ``regime`` requires one, placements without a recent no-replacement attestation.
    """
    client_rows = session.scalars(select(ClientRow).order_by(ClientRow.id)).all()
    clients = [client_record(r) for r in client_rows if r.active]
    client_ids = {c["id"] for c in clients}
    placements = [
        placement_as_of(placement_record(r), planning_date)
        for r in session.scalars(select(PlacementRow).order_by(PlacementRow.id))
    ]
    latest: dict[str, dict[str, Any]] = {}
    # A seat is held from the day it was taken until its end, future days included: a
    # period agreed to start after the planning date holds its seat already (no one else is
    # proposed into it), and one ended on a later date holds it until that day.
    for a in session.scalars(
        select(AssignmentRow)
        .where(
            or_(
                AssignmentRow.status == "active",
                and_(AssignmentRow.status == "ended", AssignmentRow.end_date >= planning_date),
            )
        )
        .order_by(AssignmentRow.client_id, AssignmentRow.start_date, AssignmentRow.id)
    ):
        if a.client_id not in client_ids:
            continue
        # one seat per client in the engine's input: the one held on the planning date,
        # else the first to begin after it
        held = latest.get(a.client_id)
        if held is not None and not a.start_date <= planning_date:
            continue
        ends = [d for d in (a.planned_end_date, a.end_date) if d is not None]
        latest[a.client_id] = {
            "client": a.client_id,
            "placement": a.placement_id,
            # a seat taken for a later start is held from the planning date: the engine
            # knows only periods in force, and this one is, for the seat's sake
            "start_date": min(a.start_date, planning_date),
            "end_date": min(ends) if ends else None,
        }
    return CountyRecords(
        name=name,
        planning_date=planning_date,
        regime=regime,
        options=options,
        commuting_areas=[
            {"id": a.id, "name": a.name}
            for a in session.scalars(select(CommutingAreaRow).order_by(CommutingAreaRow.id))
        ],
        municipalities=municipalities_of(session),
        **geography_of(session),
        organisations=[
            {"id": o.id, "name": o.name, "type": o.type, "municipality": o.municipality_code}
            for o in session.scalars(select(OrganisationRow).order_by(OrganisationRow.id))
        ],
        placements=placements,
        clients=clients,
        coaches=[
            {
                "id": c.id,
                "caseload_capacity": c.caseload_capacity,
                "municipalities": c.municipalities,
            }
            for c in session.scalars(select(CoachRow).order_by(CoachRow.id))
        ],
        ongoing=list(latest.values()),
        known_clients=frozenset(r.id for r in client_rows),
    )


@overload
def county_problem(
    session: Session,
    name: str,
    planning_date: date,
    options: SolveOptions,
    regime: LegalRegime,
    with_notes: Literal[False] = False,
) -> tuple[AllocationProblem, dict[str, str]]: ...


@overload
def county_problem(
    session: Session,
    name: str,
    planning_date: date,
    options: SolveOptions,
    regime: LegalRegime,
    with_notes: Literal[True],
) -> tuple[Screened, dict[str, str]]: ...


def county_problem(
    session: Session,
    name: str,
    planning_date: date,
    options: SolveOptions,
    regime: LegalRegime,
    with_notes: bool = False,
) -> tuple[AllocationProblem | Screened, dict[str, str]]:
    """The county's ``AllocationProblem`` on ``planning_date`` as stored, screened
    (``matching.screen``: what breaks a rule is set aside, ongoing periods re-examined), and
    the ongoing placements as hint. ``with_notes``: the ``Screened`` with the set-aside notes.
    """
    screened = screen(county_records(session, name, planning_date, options, regime))
    hint = {a.client: a.placement for a in screened.problem.ongoing}
    return (screened if with_notes else screened.problem), hint


def municipalities_of(session: Session) -> list[dict[str, Any]]:
    out = []
    for m in session.scalars(select(MunicipalityRow).order_by(MunicipalityRow.code)):
        centre = (
            {"lat": m.centre_lat, "lon": m.centre_lon}
            if m.centre_lat is not None and m.centre_lon is not None
            else None
        )
        out.append(
            {
                "code": m.code,
                "name_fi": m.name_fi,
                "name_sv": m.name_sv,
                "commuting_area": m.commuting_area_id,
                "employment_area": m.employment_area_id,
                "centre": centre,
            }
        )
    return out


def geography_of(session: Session) -> dict[str, Any]:
    """The employment areas stored and the latest imported source of the geography
    (``GeographySource``), as ``CountyRecords`` fields; none recorded, no source."""
    latest = session.scalars(
        select(GeographySourceRow).order_by(GeographySourceRow.id.desc()).limit(1)
    ).first()
    return {
        "employment_areas": [
            {"id": a.id, "name": a.name}
            for a in session.scalars(select(EmploymentAreaRow).order_by(EmploymentAreaRow.id))
        ],
        "geography_source": (
            {"source": latest.source, "as_of": latest.source_date} if latest else None
        ),
    }


def store_result(
    session: Session,
    run_id: int,
    result: AllocationResult,
    violations: Sequence[str],
    *,
    explain: bool = False,
    owner: str | None = None,
) -> bool:
    """Store a finished run: its outcome and, when the check passed, its proposals. True if
    the run succeeded.

    In the same transaction older runs become superseded and their undecided proposals too,
    so at any moment exactly one run's proposals are open for decisions. The first statement
    is the conditional move to the final state (still running, still ``owner``'s lease): a
    worker that lost its lease stores nothing.
    """
    status = RunStatus.FAILED if violations else RunStatus.SUCCEEDED
    moved = session.execute(
        update(RunRow)
        .where(RunRow.id == run_id, RunRow.status == RunStatus.RUNNING.value)
        .where(RunRow.lease_owner == owner if owner is not None else RunRow.id == run_id)
        .values(
            status=status.value,
            active_lock=None,
            finished_at=utcnow(),
            explanation_status="pending" if explain and not violations else None,
            # the worker keeps its lease while it makes the explanations
            **({} if explain and not violations else {"lease_owner": None, "lease_until": None}),
        )
    )
    if not getattr(moved, "rowcount", 0):
        session.rollback()
        return False
    run = get(session, run_id)
    run.engine_version = result.engine_version
    run.input_hash = result.input_hash
    run.solve_status = result.status.value
    run.objective = {
        "value": result.objective.model_dump(),
        "bound": result.bound.model_dump(),
        "gap": result.gap,
        "method": result.method,
    }
    run.stats = result.stats.model_dump()
    run.timings = result.timings.model_dump()
    run.unassigned = list(result.unassigned)
    run.message = result.message
    if violations:
        shown = "; ".join(violations[:20])
        run.error = f"{len(violations)} check violation(s): {shown}"
        session.commit()
        return False
    municipality_of = dict(
        session.execute(select(PlacementRow.id, PlacementRow.municipality_code)).all()
    )
    seated = decided_seats(session)
    older = select(RunRow.id).where(RunRow.id != run_id, RunRow.superseded.is_(False))
    notes = {
        p.client_id: p
        for p in session.scalars(
            select(ProposalRow)
            .where(
                ProposalRow.run_id.in_(older),
                ProposalRow.status == "proposed",
                ProposalRow.pending_note.is_not(None),
            )
            .order_by(ProposalRow.pending_at)
        )
    }
    new_rows = [
        ProposalRow(
            run_id=run_id,
            client_id=a.client,
            placement_id=a.placement,
            municipality_code=municipality_of.get(a.placement, "000"),
            score=a.score,
            breakdown={str(k): v for k, v in a.breakdown.items()},
            travel_minutes=a.travel_minutes,
            preference_rank=a.preference_rank,
            kept_ongoing=a.kept_ongoing,
            status="proposed",
        )
        for a in result.assignments
        # what people decided stands: a client who keeps the seat they hold is not proposed
        # again (no new decision, no new confirmation by the site)
        if seated.get(a.client) != a.placement
    ]
    for row in new_rows:  # the coordinator's pending note goes on with the client
        kept = notes.get(row.client_id)
        if kept is not None:
            row.pending_note, row.pending_by, row.pending_at = (
                kept.pending_note,
                kept.pending_by,
                kept.pending_at,
            )
    session.add_all(new_rows)
    run.matches_previous = _matches_previous(session, run, result, seated)
    session.execute(
        update(ProposalRow)
        .where(ProposalRow.run_id.in_(older), ProposalRow.status == "proposed")
        .values(status="superseded")
    )
    session.execute(
        update(RunRow)
        .where(RunRow.id != run_id, RunRow.id < run_id, RunRow.superseded.is_(False))
        .values(superseded=True)
    )
    run.error = None
    session.commit()
    return True


def decided_seats(session: Session) -> dict[str, str]:
    """Client → placement of every live seat (an accepted or overridden proposal's, or a
    period's from before Paikka): what people decided, which a new run keeps."""
    return dict(
        session.execute(
            select(AssignmentRow.client_id, AssignmentRow.placement_id).where(
                AssignmentRow.status == "active"
            )
        ).all()
    )


def replacement_preview(session: Session) -> dict[str, int]:
    """What a new run would change, before it is started: the week's open proposals it
    replaces (and how many carry a pending note, which goes on with the client), and what it
    keeps: the decisions, the site's answers, the live seats and the live periods."""
    live_runs = select(RunRow.id).where(RunRow.superseded.is_(False))
    open_ = ProposalRow.status == "proposed"

    def count(query: Any) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0

    return {
        "open_proposals": count(
            select(ProposalRow.id).where(ProposalRow.run_id.in_(live_runs), open_)
        ),
        "pending_notes": count(
            select(ProposalRow.id).where(
                ProposalRow.run_id.in_(live_runs), open_, ProposalRow.pending_note.is_not(None)
            )
        ),
        "decisions_kept": count(
            select(ProposalRow.id).where(ProposalRow.status.in_(("accepted", "overridden")))
        ),
        "site_answers_kept": count(select(SiteConfirmationRow.id)),
        "seats_kept": count(select(AssignmentRow.id).where(AssignmentRow.status == "active")),
        "periods_kept": count(select(PeriodRow.id).where(PeriodRow.ended_on.is_(None))),
    }


def store_explanations(
    session: Session, run_id: int, explained: dict[str, Any] | None, owner: str | None = None
) -> None:
    """Attach each client's explanation to the run's proposal for that client; those of the
    unplaced clients go on the run. ``None``: explaining failed (the proposals stand).
    Conditional on ``owner``'s lease (a recovered run's explanations stay ``failed``); the
    lease is released with the same commit."""
    moved = session.execute(
        update(RunRow)
        .where(RunRow.id == run_id, RunRow.explanation_status == "pending")
        .where(RunRow.lease_owner == owner if owner is not None else RunRow.id == run_id)
        .values(
            explanation_status="failed" if explained is None else "ready",
            lease_owner=None,
            lease_until=None,
        )
    )
    if not getattr(moved, "rowcount", 0):
        session.rollback()
        return
    run = get(session, run_id)
    if explained is None:
        session.commit()
        return
    ids = dict(
        session.execute(
            select(ProposalRow.client_id, ProposalRow.id).where(ProposalRow.run_id == run_id)
        ).all()
    )
    updates = [
        {"id": ids[client], "explanation": item}
        for client, item in explained.items()
        if client in ids
    ]
    if updates:
        session.execute(update(ProposalRow), updates)
    run.unassigned_explanations = {c: e for c, e in explained.items() if c not in ids}
    session.commit()


def _matches_previous(
    session: Session, run: RunRow, result: AllocationResult, seated: dict[str, str]
) -> bool | None:
    """Same input hash as the latest earlier successful run: same proposals (the clients who
    keep their seats are not proposed, in either run)?"""
    earlier = session.scalar(
        select(RunRow)
        .where(
            RunRow.id != run.id,
            RunRow.input_hash == result.input_hash,
            RunRow.status == RunStatus.SUCCEEDED.value,
        )
        .order_by(RunRow.id.desc())
    )
    if earlier is None:
        return None
    before = {
        (client, placement)
        for client, placement in session.execute(
            select(ProposalRow.client_id, ProposalRow.placement_id).where(
                ProposalRow.run_id == earlier.id
            )
        )
    }
    return before == {
        (a.client, a.placement) for a in result.assignments if seated.get(a.client) != a.placement
    }


def erase_client_texts(session: Session, client_id: str) -> None:
    """Erasure: the coordinators' free-text reasons on the client's proposals may name or
    describe the person; they go with the identifying data (the reason codes stay)."""
    session.execute(
        update(ProposalRow)
        .where(ProposalRow.client_id == client_id, ProposalRow.reason_text.is_not(None))
        .values(reason_text=None)
    )
