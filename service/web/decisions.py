"""The decision check behind the coordinator's accept and override: which hard rules the
chosen placement breaks for the client, and what the decision does to the rest of the week.

``preview_decision`` is the one function the web pages call before a decision, and again
when it is confirmed. The verdict is the service's shared decision check
(``service.crud.decisions.check`` → ``matching.decision.check_decision``: the engine's pair
rules and capacity families with the periods in force), the same one the JSON API applies;
this module adds only what the page shows beside it (seats and support units in use).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matching.decision import pair_breaches
from matching.explain.messages import LANGUAGES, word
from matching.explain.notices import breach_text
from matching.tables import Tables
from models import AllocationProblem, CommutingArea, Municipality, Placement, SolveOptions
from service.config import Settings
from service.crud import clients as client_store
from service.crud import decisions as decision_store
from service.crud import people as people_store
from service.crud.convert import client_domain, placement_record
from service.crud.regimes import regime_on
from service.crud.runs import county_regime, municipalities_of, placement_as_of
from service.db.tables import (
    AssignmentRow,
    CommutingAreaRow,
    OrganisationRow,
    PlacementRow,
    ProposalRow,
    RunRow,
)
from service.schemas.runs import DecisionIn, ReasonCode
from service.web.i18n import Texts
from service.web.people import client_labels


@dataclass(frozen=True)
class Displaced:
    """A pending proposal of the week that would no longer fit at the placement."""

    proposal_id: int
    client_id: str


@dataclass
class DecisionPreview:
    """What a decision would do, shown before it is confirmed.

    ``rules``: the hard rules the pair breaks (rule name, the reason in the reader's words,
    other clients named as people know them); a decision with any is refused.
    ``seats``/``taken``: the placement's seats and those taken by
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
        """No hard rule or capacity broken (the shared decision check's verdict)."""
        return not self.rules


def admissible_placements(
    session: Session, settings: Settings, client_id: str, planning_date: object
) -> dict[str, list[tuple[str, str]]]:
    """Every open placement and the hard rules it breaks for the client (empty: admissible)."""
    problem = single_client_problem(session, settings, client_id, None, planning_date)
    tables = Tables(problem)
    return {
        p.id: [(b.rule, breach_text(b, "fi")) for b in pair_breaches(tables, 0, k)]
        for k, p in enumerate(problem.placements)
    }


def single_client_problem(
    session: Session,
    settings: Settings,
    client_id: str,
    placement_id: str | None,
    planning_date: object,
) -> AllocationProblem:
    """A problem of the one client and the placement (or all open placements): enough for the
    single-pair rules, without reading the whole county."""
    assert isinstance(planning_date, date)
    client = client_domain(client_store.get(session, client_id))
    query = select(PlacementRow)
    if placement_id is not None:
        query = query.where(PlacementRow.id == placement_id)
    else:
        query = query.where(PlacementRow.closed.is_(False))
    placements = tuple(
        _domain(r, planning_date) for r in session.scalars(query.order_by(PlacementRow.id))
    )
    return AllocationProblem.model_construct(
        name="decision",
        planning_date=planning_date,
        regime=regime_on(session, planning_date, county_regime(settings)),
        commuting_areas=tuple(
            CommutingArea(id=a.id, name=a.name) for a in session.scalars(select(CommutingAreaRow))
        ),
        municipalities=tuple(Municipality.model_validate(m) for m in municipalities_of(session)),
        organisations=(),
        placements=placements,
        clients=(client,),
        coaches=(),
        ongoing=(),
        options=SolveOptions(),
    )


_DOMAIN: dict[tuple[str, str, bool, str, date], Placement] = {}


def _domain(row: PlacementRow, planning_date: date) -> Placement:
    """The domain record of a stored placement as known on ``planning_date``, kept while its
    stored fields are the same: validating a few hundred placements per page is most of a
    proposal page's time otherwise."""
    key = (
        row.id,
        json.dumps(row.attributes, sort_keys=True, default=str),
        row.closed,
        str(row.no_replacement_attested_on),
        planning_date,
    )
    found = _DOMAIN.get(key)
    if found is None:
        if len(_DOMAIN) > 20_000:
            _DOMAIN.clear()
        record = placement_as_of(placement_record(row), planning_date)
        found = _DOMAIN[key] = Placement.model_validate(record)
    return found


def people_named(session: Session, ids: list[str], lang: str = "fi") -> dict[str, str]:
    """Client id → the name with what tells people apart, as every list shows them
    (``service.web.people.client_labels``: birth year or age, home municipality); clients with
    no name on record are left out (a text then says "a client with no name on record", never
    the id)."""
    if not ids:
        return {}
    labels = client_labels(session, Texts(lang if lang in LANGUAGES else "fi"), ids)
    named = people_store.people(session, ids)
    return {cid: str(label) for cid, label in labels.items() if named[cid].name}


def _others_in(params: dict[str, object]) -> list[str]:
    holders = params.get("holders")
    out = [str(h) for h in holders] if isinstance(holders, list) else []
    return out + ([str(params["other"])] if "other" in params else [])


def preview_decision(
    session: Session,
    settings: Settings,
    proposal: ProposalRow,
    placement_id: str,
    lang: str = "fi",
) -> DecisionPreview:
    """The rules the pair breaks and the consequences for the week (see the class), worded
    in ``lang``."""
    run = session.get(RunRow, proposal.run_id)
    assert run is not None
    row = session.get(PlacementRow, placement_id)
    preview = DecisionPreview(placement_id)
    if row is None:
        preview.rules.append(("unknown_placement", placement_id))
        return preview
    problem = single_client_problem(
        session, settings, proposal.client_id, placement_id, run.planning_date
    )
    placement = problem.placements[0]
    if placement_id == proposal.placement_id:
        body = DecisionIn(decision="accept", reason_code=ReasonCode.OTHER)
    else:
        body = DecisionIn(decision="override", reason_code=ReasonCode.OTHER, placement=placement_id)
    verdict, pending_ids = decision_store.check(
        session, proposal, run, body, regime_on(session, run.planning_date, county_regime(settings))
    )
    if verdict is not None:
        organisation = session.get(OrganisationRow, placement.organisation)
        names = {
            placement.id: f"{placement.department}, {organisation.name}"
            if organisation is not None
            else placement.department
        }
        others = sorted({c for b in verdict.breaches for c in _others_in(dict(b.params))})
        people = people_named(session, others, lang)
        preview.rules = [
            (b.rule, breach_text(b, lang, names, people.get)) for b in verdict.breaches
        ]
        preview.displaced = [
            Displaced(pending_ids[c], c) for c, _p in verdict.displaced if c in pending_ids
        ]
    if row.closed and "placement_open" not in {r for r, _ in preview.rules}:
        preview.rules.append(("placement_open", word(lang, "rule.placement_open")))
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
    preview.seats, preview.support_units = placement.free_capacity(
        problem.planning_date, problem.regime.min_period_months
    )
    preview.taken = len(ongoing)
    units = {c.id: c.support_units for c in problem.clients}
    preview.support_taken = sum(_support(session, c, units) for c in ongoing)
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
