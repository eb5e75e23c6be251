"""The command line and the service's run judge a county file the same way.

The two county files of ``tests/engine/test_screen_everywhere.py`` (3 clients at a placement
that ended a month before; periods past their agreed last day or the 24-month maximum) are
loaded into the service's database and run through the API, and solved and checked by
``python -m matching solve`` / ``check``: the same periods are released, and the status, the
objective and every placement agree.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from matching.cli import main
from matching.explain import unplaced_summary
from models import AllocationProblem, AllocationResult
from service.app import create_app
from service.auth import Role, issue_token
from service.db.tables import AssignmentRow, Base
from service.demo import load_problem
from tests.engine.test_screen_everywhere import ended_periods_county, ended_placement_county
from tests.service.svc_helpers import (
    append_only_lifted,
    poll,
    sessions_of,
    settings_for,
    wait_idle,
)


def _load(app: FastAPI, problem: AllocationProblem) -> str:
    """Empty the database, store ``problem``'s county and return a coordinator's token."""
    with sessions_of(app)() as session:
        with append_only_lifted(session):
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(text(f"DELETE FROM {table.name}"))
        session.commit()
        load_problem(session, problem)
        token = issue_token(session, Role.COORDINATOR, "coordinator")
        session.commit()
    return token


@pytest.mark.parametrize("build", [ended_placement_county, ended_periods_county])
def test_the_service_run_and_the_cli_agree(
    database_url: str,
    app: FastAPI,
    client: TestClient,
    build: Callable[[], AllocationProblem],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    problem = build()
    county = tmp_path / "county.json"
    county.write_text(problem.model_dump_json(), encoding="utf-8")
    out = tmp_path / "result.json"
    assert main(["solve", str(county), "-o", str(out), "--no-timings"]) == 0
    assert main(["check", str(county), str(out)]) == 0
    capsys.readouterr()
    cli = AllocationResult.model_validate_json(out.read_text())

    wait_idle(app)
    token = _load(app, problem)
    # The sample county's regime asks for a no-replacement attestation of at most 12 months.
    own = create_app(
        settings_for(database_url, no_replacement_attestation_months=12, run_executor="thread")
    )
    h = {"Authorization": f"Bearer {token}"}
    body = {"planning_date": problem.planning_date.isoformat(), "options": {"time_limit_s": 5}}
    with TestClient(own) as api:
        started = api.post("/runs", json=body, headers=h)
        assert started.status_code == 202, started.text
        run = poll(api, started.headers["Location"], h)
        assert run["status"] == "succeeded", run["error"]
        proposals = api.get(f"/runs/{run['id']}/proposals?limit=200", headers=h).json()["items"]
        wait_idle(own)
        why = {**h, "X-Purpose": "weekly review"}
        unplaced = api.get(f"/runs/{run['id']}/unassigned", headers=why)
        assert unplaced.status_code == 200, unplaced.text
    assert run["solve_status"] == cli.status.value == "optimal"
    assert run["objective"]["value"] == cli.objective.model_dump()
    # A client who keeps the seat they hold is not proposed again (what people decided
    # stands): the run's proposals and the seats kept are the CLI's assignments together.
    with sessions_of(own)() as session:
        seats = {
            (a.client_id, a.placement_id)
            for a in session.scalars(select(AssignmentRow).where(AssignmentRow.status == "active"))
        }
    placed = {(a.client, a.placement) for a in cli.assignments}
    proposed = {(p["client_id"], p["placement_id"]) for p in proposals}
    assert proposed | (seats & placed) == placed
    assert not proposed & seats
    assert sorted(run["unassigned"]) == sorted(cli.unassigned)
    # The unplaced clients' reasons, with the smallest change searched for (not skipped).
    summaries = unplaced_summary(v for v in unplaced.json().values() if v is not None)
    assert {s.client for s in summaries} == set(cli.unassigned)
    assert all(s.change_status != "not_computed" for s in summaries)
    assert any(s.change_status == "found" for s in summaries)
    released = sorted((n["id"], n["rule"]) for n in run["set_aside"] if n["action"] == "released")
    assert len(released) in (3, 6)
    assert all(rule in {"placement_ended", "period_ended", "max_period"} for _, rule in released)
