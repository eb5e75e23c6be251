"""Reads never re-parse whole runs: listing runs and reading a page of proposals never
load a run's stored explanations, and a page of proposals is one query on the proposals'
index (plus its count), whatever the size of the run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from service.db.tables import RunRow
from tests.service.svc_helpers import PLANNING, Seed, sessions_of


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
    assert len(proposal_reads) == 2  # the page and its count
