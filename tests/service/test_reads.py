"""Reads never re-parse whole runs: listing runs and reading a page of proposals never
load a run's stored explanations, and a page of proposals is one query on the proposals'
index (its count included), whatever the size of the run. The page is assembled from the
stored JSON without parsing it, and must equal what the wire model would give, for every
role."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from service.auth import Principal, Role
from service.db.tables import AuditRow, PlacementRow, ProposalRow, RunRow
from service.routes.proposals import _visible
from service.schemas.common import Page
from service.schemas.runs import ProposalOut
from tests.service.svc_helpers import PLANNING, USERS, Seed, sessions_of


@contextmanager
def statements(app: FastAPI) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql)

    engine = app.state.db_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_listing_runs_and_proposals_never_loads_stored_explanations(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    blob = {f"X{i}": {"messages": ["x" * 200] * 5} for i in range(300)}
    with sessions_of(app)() as session:
        for _ in range(20):
            session.add(
                RunRow(
                    county="testcounty",
                    status="succeeded",
                    planning_date=PLANNING,
                    options={},
                    created_by="x",
                    unassigned_explanations=blob,
                    superseded=True,
                )
            )
        session.commit()
    h = seed.h("coordinator")
    with statements(app) as seen:
        listed = client.get("/runs?page_size=100", headers=h)
        assert listed.status_code == 200 and len(listed.json()) == 21
        one = client.get(f"/runs/{seed.run_id}", headers=h)
        page = client.get(f"/runs/{seed.run_id}/proposals", headers=h)
        assert one.status_code == page.status_code == 200
    assert seen
    assert not [s for s in seen if "unassigned_explanations" in s]
    proposal_reads = [s for s in seen if "FROM proposals" in s]
    assert len(proposal_reads) == 1  # the page, its total as a window count
    assert not [s for s in seen if "FROM runs" in s and "proposals" in s]


def _decided_extra(app: FastAPI, seed: Seed) -> None:
    """More proposals on the seeded run: one decided (time, reason, free text), one with an
    explanation, one at O2's placement P3."""
    with sessions_of(app)() as session:
        session.add_all(
            [
                ProposalRow(
                    run_id=seed.run_id,
                    client_id="C2",
                    placement_id="P2",
                    municipality_code="564",
                    score=410,
                    breakdown={"preference": 200, "travel": 150, "support_fit": 60},
                    travel_minutes=30,
                    preference_rank=2,
                    kept_ongoing=True,
                    explanation={"summary": "Lähellä kotia", "factors": [{"k": "ä", "v": 1.5}]},
                    status="overridden",
                    reason_code="health_or_support",
                    reason_text="terveys: ei yövuoroja",
                    decided_placement_id="P1",
                    decided_by="coordinator",
                    decided_at=datetime(2026, 1, 6, 9, 30, 15, 120000, tzinfo=UTC),
                ),
                ProposalRow(
                    run_id=seed.run_id,
                    client_id="C3",
                    placement_id="P3",
                    municipality_code="564",
                    score=90,
                    breakdown={"support_fit": 40, "travel": 50},
                    travel_minutes=5,
                    status="accepted",
                    reason_code="good_fit",
                    decided_by="coordinator",
                    decided_at=datetime(2026, 1, 6, 10, 0, tzinfo=UTC),
                ),
            ]
        )
        session.commit()


@pytest.mark.parametrize("who", ["coordinator", "muni1", "muni2", "planner"])
def test_a_page_equals_the_wire_model_for_every_role(
    client: TestClient, seed: Seed, app: FastAPI, who: str
) -> None:
    _decided_extra(app, seed)
    response = client.get(f"/runs/{seed.run_id}/proposals?page_size=2", headers=seed.h(who))
    assert response.status_code == 200
    role, organisation = USERS[who]
    user = Principal(0, who, role, organisation)
    with sessions_of(app)() as session:
        visible = select(ProposalRow).where(ProposalRow.run_id == seed.run_id)
        if role is Role.MUNICIPALITY:
            own = select(PlacementRow.id).where(PlacementRow.organisation_id == organisation)
            visible = visible.where(ProposalRow.placement_id.in_(own))
        rows = session.scalars(visible.order_by(ProposalRow.id)).all()
        fields = [{c.name: getattr(r, c.name) for c in ProposalRow.__table__.columns} for r in rows]
    expected = Page[ProposalOut](
        items=[ProposalOut.model_validate(_visible(user, f)) for f in fields[:2]],
        page=1,
        page_size=2,
        total=len(fields),
    )
    assert response.json() == json.loads(expected.model_dump_json())
    assert response.headers["content-type"] == "application/json"


def test_pages_beyond_the_end_and_unknown_runs(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    _decided_extra(app, seed)
    h = seed.h("coordinator")
    url = f"/runs/{seed.run_id}/proposals"
    beyond = client.get(f"{url}?page=3&page_size=2", headers=h).json()
    assert beyond["items"] == [] and beyond["total"] == 3 and beyond["page"] == 3
    none_match = client.get(f"{url}?status=superseded", headers=h).json()
    assert none_match["items"] == [] and none_match["total"] == 0
    filtered = client.get(f"{url}?status=accepted&placement=P3", headers=h).json()
    assert [p["client_id"] for p in filtered["items"]] == ["C3"] and filtered["total"] == 1
    second = client.get(f"{url}?page=2&page_size=2", headers=h).json()
    assert [p["client_id"] for p in second["items"]] == ["C3"] and second["total"] == 3
    assert client.get("/runs/999999/proposals", headers=h).status_code == 404
    assert client.get("/runs/999999/proposals?page=2", headers=h).status_code == 404


def test_every_read_page_is_audited_with_all_its_ids(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    _decided_extra(app, seed)
    client.get(
        f"/runs/{seed.run_id}/proposals?page_size=2",
        headers=seed.h("coordinator", **{"X-Purpose": "viikkopalaveri"}),
    )
    client.get(f"/runs/{seed.run_id}/proposals?page=2&page_size=2", headers=seed.h("planner"))
    with sessions_of(app)() as session:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.resource == "proposals").order_by(AuditRow.id)
        ).all()
    assert [(r.actor, r.purpose, r.record_id) for r in rows[-2:]] == [
        ("coordinator", "viikkopalaveri", f"run:{seed.run_id}"),
        ("planner", "reviewing proposals", f"run:{seed.run_id}"),
    ]
    assert rows[-2].detail == {"client_ids": ["C1", "C2"], "count": 2}
    assert rows[-1].detail == {"client_ids": ["C3"], "count": 1}


def test_a_page_and_its_audit_row_are_one_statement_on_postgresql(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    """On PostgreSQL a page of proposals and its audit row are one statement (a ``WITH``
    that inserts the row), committed together; elsewhere the page, then the row. An empty
    page is audited without ids, an unknown run not at all, as before."""
    _decided_extra(app, seed)
    h = seed.h("coordinator")
    url = f"/runs/{seed.run_id}/proposals"
    client.get(url, headers=h)  # the token is verified (and may be cached)
    with statements(app) as seen:
        assert client.get(f"{url}?page_size=2", headers=h).status_code == 200
    touching = [s for s in seen if "proposals" in s or "audit_log" in s]
    if app.state.db_engine.dialect.name == "postgresql":
        assert len(touching) == 1
        assert "INSERT INTO audit_log" in touching[0] and "FROM proposals" in touching[0]
    else:
        assert len(touching) == 2 and "INSERT INTO audit_log" in touching[1]
    with sessions_of(app)() as session:
        before = session.scalar(select(func.max(AuditRow.id)))
    assert client.get(f"{url}?page=9&page_size=2", headers=h).json()["items"] == []
    assert client.get("/runs/999999/proposals", headers=h).status_code == 404
    with sessions_of(app)() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.id > before)).all()
        last_page = session.scalars(
            select(AuditRow).where(AuditRow.id <= before).order_by(AuditRow.id.desc())
        ).first()
    assert [(r.resource, r.record_id, r.detail) for r in rows] == [
        ("proposals", f"run:{seed.run_id}", None)
    ]
    assert last_page is not None and last_page.detail == {"client_ids": ["C1", "C2"], "count": 2}
    assert last_page.actor == "coordinator" and last_page.purpose == "reviewing proposals"
