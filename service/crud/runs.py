"""Runs: creating one, building its problem from the database, storing its outcome."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import (
    AllocationProblem,
    AllocationResult,
    Coach,
    CommutingArea,
    LegalRegime,
    Location,
    Municipality,
    OngoingAssignment,
    Organisation,
    Placement,
    SolveOptions,
)
from service.auth import Principal
from service.config import Settings
from service.crud.convert import client_domain, placement_domain
from service.db.tables import (
    AssignmentRow,
    ClientRow,
    CoachRow,
    CommutingAreaRow,
    MunicipalityRow,
    OrganisationRow,
    PlacementRow,
    ProposalRow,
    RunRow,
    utcnow,
)
from service.errors import Conflict, NotFound
from service.schemas.runs import RunCreate, RunStatus


def next_monday(today: date) -> date:
    """The Monday after ``today`` (a week ahead when today is a Monday)."""
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def get(session: Session, run_id: int) -> RunRow:
    """A run by id (404 if unknown)."""
    row = session.get(RunRow, run_id)
    if row is None:
        raise NotFound(f"run {run_id} not found")
    return row


def list_(
    session: Session, *, status: RunStatus | None, offset: int, limit: int
) -> Sequence[RunRow]:
    """Runs, newest first."""
    query = select(RunRow).order_by(RunRow.id.desc())
    if status is not None:
        query = query.where(RunRow.status == status.value)
    return session.scalars(query.offset(offset).limit(limit)).all()


def create(session: Session, user: Principal, body: RunCreate, settings: Settings) -> RunRow:
    """Queue a run; 409 while another run of the county is queued or running.

    The ``active_lock`` column is unique, so two requests racing past the check still cannot
    both insert an active run: the second gets an integrity error, which is also a 409.
    """
    active = session.scalar(select(RunRow).where(RunRow.active_lock == settings.county))
    if active is not None:
        raise Conflict(f"run {active.id} of this county is still {active.status}; try later")
    options = body.options.model_dump(mode="json")
    options["time_limit_s"] = min(body.options.time_limit_s, settings.max_time_limit_s)
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
    """The run's ``AllocationProblem`` from the database, and last week's placements as hint."""
    return county_problem(
        session,
        run.county,  # not the run id: equal database states must hash equally
        run.planning_date,
        SolveOptions.model_validate(run.options),
        regime,
    )


def _as_of(placement: Placement, planning_date: date) -> Placement:
    """The placement as known on ``planning_date``: an attestation dated later did not exist
    yet (only the latest attestation is stored), so the placement had none on record."""
    attested = placement.no_replacement_attested_on
    if attested is not None and attested > planning_date:
        return placement.model_copy(update={"no_replacement_attested_on": None})
    return placement


def county_problem(
    session: Session,
    name: str,
    planning_date: date,
    options: SolveOptions,
    regime: LegalRegime,
) -> tuple[AllocationProblem, dict[str, str]]:
    """The county's ``AllocationProblem`` on ``planning_date`` as stored, and the ongoing
    placements as hint.

    Clients: every active one (those with an ongoing placement too, which the engine keeps
    within the commitment). Placements: all, closed ones included so that ongoing placements
    refer to a known record; the engine gives closed placements no new clients, nor, where
    ``regime`` requires one, placements without a recent no-replacement attestation.
    """
    clients = [
        client_domain(r)
        for r in session.scalars(
            select(ClientRow).where(ClientRow.active.is_(True)).order_by(ClientRow.id)
        )
    ]
    client_ids = {c.id for c in clients}
    placements = [
        _as_of(placement_domain(r), planning_date)
        for r in session.scalars(select(PlacementRow).order_by(PlacementRow.id))
    ]
    ongoing = [
        OngoingAssignment(client=a.client_id, placement=a.placement_id, start_date=a.start_date)
        for a in session.scalars(
            select(AssignmentRow)
            .where(AssignmentRow.status == "active", AssignmentRow.start_date <= planning_date)
            .order_by(AssignmentRow.client_id, AssignmentRow.start_date.desc())
        )
        if a.client_id in client_ids
    ]
    latest: dict[str, OngoingAssignment] = {}
    for assignment in ongoing:  # newest first per client: keep one ongoing placement each
        latest.setdefault(assignment.client, assignment)
    ongoing = list(latest.values())
    problem = AllocationProblem(
        name=name,
        planning_date=planning_date,
        regime=regime,
        commuting_areas=tuple(
            CommutingArea(id=a.id, name=a.name)
            for a in session.scalars(select(CommutingAreaRow).order_by(CommutingAreaRow.id))
        ),
        municipalities=tuple(_municipalities(session)),
        organisations=tuple(
            Organisation.model_validate(
                {"id": o.id, "name": o.name, "type": o.type, "municipality": o.municipality_code}
            )
            for o in session.scalars(select(OrganisationRow).order_by(OrganisationRow.id))
        ),
        placements=tuple(placements),
        clients=tuple(clients),
        coaches=tuple(
            Coach(
                id=c.id,
                caseload_capacity=c.caseload_capacity,
                municipalities=frozenset(c.municipalities),
            )
            for c in session.scalars(select(CoachRow).order_by(CoachRow.id))
        ),
        ongoing=tuple(ongoing),
        options=options,
    )
    hint = {a.client: a.placement for a in ongoing}
    return problem, hint


def _municipalities(session: Session) -> list[Municipality]:
    out = []
    for m in session.scalars(select(MunicipalityRow).order_by(MunicipalityRow.code)):
        centre = (
            Location(lat=m.centre_lat, lon=m.centre_lon)
            if m.centre_lat is not None and m.centre_lon is not None
            else None
        )
        out.append(
            Municipality(
                code=m.code,
                name_fi=m.name_fi,
                name_sv=m.name_sv,
                commuting_area=m.commuting_area_id,
                centre=centre,
            )
        )
    return out


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
    session.add_all(
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
    )
    run.matches_previous = _matches_previous(session, run, result)
    older = select(RunRow.id).where(RunRow.id != run_id, RunRow.superseded.is_(False))
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


def _matches_previous(session: Session, run: RunRow, result: AllocationResult) -> bool | None:
    """Same input hash as the latest earlier successful run: same assignments?"""
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
    return before == {(a.client, a.placement) for a in result.assignments}


def erase_client_texts(session: Session, client_id: str) -> None:
    """Erasure: the coordinators' free-text reasons on the client's proposals may name or
    describe the person; they go with the identifying data (the reason codes stay)."""
    session.execute(
        update(ProposalRow)
        .where(ProposalRow.client_id == client_id, ProposalRow.reason_text.is_not(None))
        .values(reason_text=None)
    )
