"""The decision check behind the coordinator's accept and override: which hard rules the
chosen placement breaks for the client, and what the decision does to the rest of the week.

``preview_decision`` is the one function the web pages call before a decision, and again
when it is confirmed. It is the place to call the service layer's shared decision check
(issue #9: ``matching`` computes which proposals an accept/override displaces) once that
is merged; until then it uses ``matching.check.pair_violations`` (the rules, one
implementation) and counts the seats and support units here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matching.check import pair_violations
from models import AllocationProblem, CommutingArea, Placement, SolveOptions
from service.config import Settings
from service.crud import clients as client_store
from service.crud.convert import client_domain, placement_domain
from service.crud.runs import _as_of, _municipalities, county_regime
from service.db.tables import (
    AssignmentRow,
    CommutingAreaRow,
    PlacementRow,
    ProposalRow,
    RunRow,
)


@dataclass(frozen=True)
class Displaced:
    """A pending proposal of the week that would no longer fit at the placement."""

    proposal_id: int
    client_id: str


@dataclass
class DecisionPreview:
    """What a decision would do, shown before it is confirmed.

    ``rules``: the hard rules the pair breaks (rule name, engine's message); a decision
    with any is refused. ``seats``/``taken``: the placement's seats and those taken by
    ongoing periods and decisions of the week (this one not counted); ``displaced``: pending
    proposals at the placement that would not fit any more; ``ends``: the client's ongoing
    placement that this decision ends (a move), if any.
    """

    placement_id: str
    rules: list[tuple[str, str]] = field(default_factory=list)
    seats: int = 0
    taken: int = 0
    support_units: int = 0
    support_taken: int = 0
    displaced: list[Displaced] = field(default_factory=list)
    ends: str | None = None

    @property
    def allowed(self) -> bool:
        """No hard rule broken and a seat left."""
        return not self.rules and self.taken < self.seats


def admissible_placements(
    session: Session, settings: Settings, client_id: str, planning_date: object
) -> dict[str, list[tuple[str, str]]]:
    """Every open placement and the hard rules it breaks for the client (empty: admissible)."""
    problem = _problem(session, settings, client_id, None, planning_date)
    client = problem.clients[0]
    return {
        p.id: [(v.rule, v.message) for v in pair_violations(problem, client, p)]
        for p in problem.placements
    }


def _problem(
    session: Session,
    settings: Settings,
    client_id: str,
    placement_id: str | None,
    planning_date: object,
) -> AllocationProblem:
    """A problem of the one client and the placement (or all open placements): enough for the
    single-pair rules, without reading the whole county."""
    from datetime import date

    assert isinstance(planning_date, date)
    client = client_domain(client_store.get(session, client_id))
    query = select(PlacementRow)
    if placement_id is not None:
        query = query.where(PlacementRow.id == placement_id)
    else:
        query = query.where(PlacementRow.closed.is_(False))
    placements = tuple(
        _as_of(_domain(r), planning_date) for r in session.scalars(query.order_by(PlacementRow.id))
    )
    return AllocationProblem.model_construct(
        name="decision",
        planning_date=planning_date,
        regime=county_regime(settings),
        commuting_areas=tuple(
            CommutingArea(id=a.id, name=a.name) for a in session.scalars(select(CommutingAreaRow))
        ),
        municipalities=tuple(_municipalities(session)),
        organisations=(),
        placements=placements,
        clients=(client,),
        coaches=(),
        ongoing=(),
        options=SolveOptions(),
    )


_DOMAIN: dict[tuple[str, str, bool, str], Placement] = {}


def _domain(row: PlacementRow) -> Placement:
    """The domain record of a stored placement, kept while its stored fields are the same:
    validating a few hundred placements per page is most of a proposal page's time otherwise."""
    key = (
        row.id,
        json.dumps(row.attributes, sort_keys=True, default=str),
        row.closed,
        str(row.no_replacement_attested_on),
    )
    found = _DOMAIN.get(key)
    if found is None:
        if len(_DOMAIN) > 20_000:
            _DOMAIN.clear()
        found = _DOMAIN[key] = placement_domain(row)
    return found


def preview_decision(
    session: Session, settings: Settings, proposal: ProposalRow, placement_id: str
) -> DecisionPreview:
    """The rules the pair breaks and the consequences for the week (see the class)."""
    run = session.get(RunRow, proposal.run_id)
    assert run is not None
    row = session.get(PlacementRow, placement_id)
    preview = DecisionPreview(placement_id)
    if row is None:
        preview.rules.append(("unknown_placement", placement_id))
        return preview
    problem = _problem(session, settings, proposal.client_id, placement_id, run.planning_date)
    placement = problem.placements[0]
    preview.rules = [
        (v.rule, v.message) for v in pair_violations(problem, problem.clients[0], placement)
    ]
    if row.closed and "placement_open" not in {r for r, _ in preview.rules}:
        preview.rules.append(("placement_open", "the placement is closed to new clients"))
    ongoing = (
        session.execute(
            select(AssignmentRow.client_id).where(
                AssignmentRow.placement_id == placement_id,
                AssignmentRow.status == "active",
                AssignmentRow.client_id != proposal.client_id,
            )
        )
        .scalars()
        .all()
    )
    own = session.scalar(
        select(AssignmentRow.placement_id).where(
            AssignmentRow.client_id == proposal.client_id, AssignmentRow.status == "active"
        )
    )
    if own is not None and own != placement_id:
        preview.ends = own
    preview.seats = placement.seats
    preview.support_units = placement.support_units
    preview.taken = len(ongoing)
    units = {c.id: c.support_units for c in problem.clients}
    preview.support_taken = sum(_support(session, c, units) for c in ongoing)
    # Pending proposals of the week at the placement (their clients do not work there yet):
    # once this decision takes a seat, the ones beyond the seats left would not fit.
    pending = session.execute(
        select(ProposalRow.id, ProposalRow.client_id)
        .where(
            ProposalRow.run_id == run.id,
            ProposalRow.placement_id == placement_id,
            ProposalRow.status == "proposed",
            ProposalRow.id != proposal.id,
            ProposalRow.kept_ongoing.is_(False),
        )
        .order_by(ProposalRow.score.desc(), ProposalRow.id)
    ).all()
    left = preview.seats - preview.taken - 1
    waiting = [p for p in pending if p.client_id not in set(ongoing)]
    preview.displaced = [Displaced(p.id, p.client_id) for p in waiting[max(left, 0) :]]
    return preview


def _support(session: Session, client_id: str, known: dict[str, int]) -> int:
    if client_id in known:
        return known[client_id]
    row = client_store.get(session, client_id)
    return int(row.attributes.get("support_units", 1))


def pending_count(session: Session, run_id: int) -> int:
    """Proposals of a run still waiting for a decision."""
    return (
        session.scalar(
            select(func.count()).where(
                ProposalRow.run_id == run_id, ProposalRow.status == "proposed"
            )
        )
        or 0
    )
