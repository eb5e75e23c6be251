"""Proposals of a run: paginated, filterable; coordinators accept or override each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from models import Criterion, LegalRegime
from service import audit
from service.audit import Action
from service.auth import Principal, Role
from service.config import Settings
from service.crud import decisions as store
from service.crud import runs as run_store
from service.crud.regimes import regime_on
from service.db.tables import ProposalRow, RunRow
from service.deps import SessionDep, SettingsDep, purpose
from service.routes.common import (
    ERRORS,
    ClientReaders,
    Coordinator,
    IntId,
    Page,
    PageSize,
    window,
)
from service.schemas.common import Code, Id
from service.schemas.common import Page as PageOf
from service.schemas.runs import DecisionIn, ProposalOut, ProposalStatus

router = APIRouter(tags=["proposals"], responses=ERRORS)

ReadPurpose = Annotated[str, Depends(purpose("reviewing proposals"))]
DecidePurpose = Annotated[str, Depends(purpose("placement decision"))]


WITHHELD_CRITERIA = frozenset({Criterion.SUPPORT_FIT.value})
"""Score parts from which a client's support need (health-derived) can be computed."""


def _visible(user: Principal, row: Mapping[str, Any]) -> Mapping[str, Any]:
    """What the caller may see of a proposal. Coordinators see everything. Others
    (municipality users, planners) never see what reveals a support need, a health-derived
    flag or a coordinator's free text: the explanation (it names work constraints and other
    clients' placements), the ``support_fit`` part of the breakdown, the score as a total
    (it would give the withheld part by subtraction: it becomes the sum of the parts shown),
    and the decision's reason code and text (``health_or_support`` is itself such a flag)."""
    if user.role is Role.COORDINATOR:
        return row
    shown = {k: v for k, v in (row["breakdown"] or {}).items() if k not in WITHHELD_CRITERIA}
    return {
        **row,
        "explanation": None,
        "breakdown": shown,
        "score": sum(shown.values()),
        "reason_code": None,
        "reason_text": None,
    }


@router.get("/runs/{run_id}/unassigned", responses=ERRORS)
def read_unassigned(
    session: SessionDep, user: Coordinator, why: ReadPurpose, run_id: IntId
) -> dict[str, Any]:
    """Why each unplaced client of a run was not placed (client id → explanation)."""
    run = run_store.get(session, run_id)
    explained = run.unassigned_explanations or {}
    audit.record(
        session,
        user,
        Action.READ,
        "unassigned",
        why,
        record_id=f"run:{run_id}",
        ids=list(explained),
    )
    session.commit()
    return {client: explained.get(client) for client in run.unassigned or []}


@router.get(
    "/runs/{run_id}/proposals",
    response_model=PageOf[ProposalOut],
    responses={200: {"model": PageOf[ProposalOut]}},
)
def list_proposals(
    session: SessionDep,
    settings: SettingsDep,
    user: ClientReaders,
    why: ReadPurpose,
    run_id: IntId,
    municipality: Annotated[Code | None, Query()] = None,
    status: ProposalStatus | None = None,
    placement: Annotated[Id | None, Query()] = None,
    page: Page = 1,
    page_size: PageSize = None,
) -> Response:
    """A page of a run's proposals (municipality users: at their own placements)."""
    if not session.in_transaction():
        # No BEGIN and COMMIT round trips: on PostgreSQL the page and its audit row are one
        # statement, elsewhere two, each its own transaction. Either way the audit row is
        # committed before the page is answered.
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    offset, limit = window(page, page_size, settings.default_page_size)
    rows, total = run_store.proposal_page(
        session,
        user,
        run_id,
        municipality=municipality,
        status=status,
        placement=placement,
        offset=offset,
        limit=limit,
        why=why,
    )
    session.commit()
    return Response(page_json(user, rows, page, limit, total), media_type="application/json")


def page_json(user: Principal, rows: Sequence[Any], page: int, limit: int, total: int) -> bytes:
    """The JSON of a page of proposals, ``Page[ProposalOut]`` as the caller may see it,
    assembled from the stored columns: the stored JSON of the breakdown and the explanation
    is spliced in as it is (``orjson.Fragment``), never parsed and re-serialised. Only for
    callers other than coordinators is the small breakdown parsed, to withhold its parts
    (see :func:`_visible`). ``tests/service/test_reads.py`` holds it equal to the model's
    own serialisation for every role."""
    coordinator = user.role is Role.COORDINATOR
    # The page query names its columns as the fields of an item, in order, the total last
    # (``service.crud.runs.proposal_page``): an item is the row zipped with those names,
    # far cheaper than reading seventeen attributes of each row by name.
    # (exact ``str`` names: orjson takes no subclass as a key, and SQLAlchemy may name a
    # column of a ``WITH`` by its ``quoted_name``)
    fields = tuple(str(name) for name in rows[0]._fields[:-1]) if rows else ()
    items = []
    for r in rows:
        item = dict(zip(fields, r, strict=False))
        if coordinator:
            item["breakdown"] = orjson.Fragment(item["breakdown"])
            if item["explanation"] is not None:
                item["explanation"] = orjson.Fragment(item["explanation"])
        else:
            shown = {
                k: v
                for k, v in orjson.loads(item["breakdown"]).items()
                if k not in WITHHELD_CRITERIA
            }
            item["breakdown"], item["score"] = shown, sum(shown.values())
            item["explanation"] = item["reason_code"] = item["reason_text"] = None
        item["kept_ongoing"] = bool(item["kept_ongoing"])
        item["displaces"] = []
        items.append(item)
    page_out = {"items": items, "page": page, "page_size": limit, "total": total}
    return orjson.dumps(page_out, option=orjson.OPT_UTC_Z)


@router.get("/proposals/{proposal_id}")
def read_proposal(
    session: SessionDep, user: ClientReaders, why: ReadPurpose, proposal_id: IntId
) -> ProposalOut:
    """Read one proposal."""
    row = store.get_proposal(session, user, proposal_id)
    audit.record(session, user, Action.READ, "proposals", why, record_id=str(proposal_id))
    session.commit()
    fields = {c.name: getattr(row, c.name) for c in ProposalRow.__table__.columns}
    return ProposalOut.model_validate(_visible(user, fields))


def _regime(session: Session, settings: Settings, proposal_id: int) -> LegalRegime:
    """The regime of the version in force on the planning date of the proposal's run (the
    law the decision is checked under; today's when the proposal is unknown: 404 later)."""
    proposal = session.get(ProposalRow, proposal_id)
    run = session.get(RunRow, proposal.run_id) if proposal is not None else None
    day = run.planning_date if run is not None else date.today()
    return regime_on(session, day, run_store.county_regime(settings))


@router.post("/proposals/{proposal_id}/decision-preview")
def preview_decision(
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: DecidePurpose,
    proposal_id: IntId,
    body: DecisionIn,
) -> dict[str, Any]:
    """What a decision would do, without storing it: the rules it would break (with the
    clients and placements involved) and the other proposals of the week it would displace."""
    out = store.preview(session, user, proposal_id, body, _regime(session, settings, proposal_id))
    audit.record(session, user, Action.READ, "proposals", why, record_id=str(proposal_id))
    session.commit()
    return out


@router.post("/proposals/{proposal_id}/decision")
def decide_proposal(
    session: SessionDep,
    settings: SettingsDep,
    user: Coordinator,
    why: DecidePurpose,
    proposal_id: IntId,
    body: DecisionIn,
) -> ProposalOut:
    """Accept or override a proposal (409 if decided already or its run is superseded)."""
    row = store.decide(session, user, proposal_id, body, _regime(session, settings, proposal_id))
    audit.record(
        session,
        user,
        Action.DECIDE,
        "proposals",
        why,
        record_id=str(proposal_id),
        client=row.client_id,
        decision=body.decision,
        reason_code=body.reason_code.value,
    )
    session.commit()
    return ProposalOut.model_validate(row)
