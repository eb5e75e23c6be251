"""Benchmark of the web app's pages (issue 11): server time per page on the 1,000-client county.

    python benchmarks/web_bench.py [--clients 1000] [--repeat 30] [--json PATH]

Builds a throw-away SQLite database with the sample county of ``--clients`` clients (synthetic
names, demo users), runs the engine once and stores its proposals as a weekly run, then signs
in as each role and requests every page ``--repeat`` times in-process (``TestClient``: the time
is the server's, no network). Prints p50 and p95 per page in milliseconds, side by side with
the target (p95 ≤ 300 ms); ``--json`` also writes the numbers. Not a timed test.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import secrets
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from matching import allocate
from models.base import WEEKDAY_ORDER
from service.accounts import create_user
from service.app import create_app
from service.auth import Principal, Role
from service.config import Settings
from service.crud import agreements as agreement_store
from service.crud import cooperation as cycle
from service.crud import decisions, jobs, periods
from service.crud import runs as run_store
from service.crud.runs import build_problem, county_regime
from service.db.accounts import UserRow
from service.db.cooperation import PeriodRow
from service.db.tables import AssignmentRow, ProposalRow, RunRow
from service.demo import demo_names, load_problem, sample_problem
from service.errors import ServiceError
from service.schemas.cooperation import (
    AgreementIn,
    ConfirmationIn,
    MeetingIn,
    Participant,
    PeriodStartIn,
)
from service.schemas.runs import AttendanceIn, DecisionIn, RunCreate

TARGET_MS = 300.0
PERIODS = 150
"""Proposals taken through the cooperation cycle to a started period, so that its pages
(overview, period, agreement, month report, the site's and the planner's) show a county's
worth of periods, each with its first four weeks of attendance."""
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def p(samples: list[float], q: float) -> float:
    """The q-quantile of ``samples`` (seconds) in milliseconds."""
    ordered = sorted(samples)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def build(url: str, clients: int, out: Path) -> None:
    """A fresh database with the county, one stored run and users per role; the pages to
    time go to ``out`` (JSON). Run in a child process, so that the server's heap holds no
    solver state (in the service, runs solve in a child process too)."""
    app = create_app(Settings(database_url=url, run_executor="thread", explain_runs=False))
    sessions = app.state.session_factory
    password = secrets.token_urlsafe(16)  # a throwaway user of a throwaway database
    with sessions() as session:
        problem = sample_problem(clients)
        load_problem(session, problem)
        demo_names(session, problem)
        caseload = [c.id for c in problem.clients][: clients // 3]
        orgs = sorted({p.organisation for p in problem.placements})
        muni_of = {o.id: o.municipality for o in problem.organisations}
        unit = [o for o in orgs if muni_of.get(o) == muni_of.get(orgs[0])][:1]
        create_user(
            session,
            username="coord",
            full_name="C",
            role=Role.COORDINATOR,
            password=password,
            caseload=caseload,
        )
        create_user(
            session,
            username="muni",
            full_name="M",
            role=Role.MUNICIPALITY,
            password=password,
            organisations=unit,
        )
        create_user(session, username="plan", full_name="P", role=Role.PLANNER, password=password)
        who = Principal(token_id=0, name="bench", role=Role.COORDINATOR, organisation=None)
        # Planned five weeks back, so that the started periods have past days to record.
        today = date.today()
        monday = today - timedelta(days=today.weekday() + 35)
        run = run_store.create(session, who, RunCreate(planning_date=monday), app.state.settings)
        session.commit()
        built, hint = build_problem(session, run, county_regime(app.state.settings))
        result = allocate(built, hint=hint or None)
        assert jobs.claim(session, RunRow, run.id, "bench", 3600.0, result.engine_version)
        assert run_store.store_result(session, run.id, result, [], owner="bench")
        session.commit()
        started = _through_the_cycle(session, app, built, run.id, who)
        session.commit()
        first = session.scalar(select(ProposalRow.id).where(ProposalRow.run_id == run.id))
        period = session.scalar(select(PeriodRow).order_by(PeriodRow.id))
        assert period is not None, "no period started"
        assignment = session.scalar(select(AssignmentRow.id))
        placement = problem.placements[0].id
        unit_placement = next(p.id for p in problem.placements if p.organisation in unit)
        client = caseload[0]
        assert session.scalar(select(UserRow.id).where(UserRow.username == "coord"))
    pages = {
        "coord": {
            "board": "/coordinator/board",
            "board (all, with purpose)": "/coordinator/board?scope=all&purpose=benchmark",
            "board (placement filter)": f"/coordinator/board?placement={placement}&status=all",
            "proposal": f"/coordinator/proposals/{first}",
            "clients": "/coordinator/clients",
            "client record": f"/coordinator/clients/{client}",
            "attendance": f"/coordinator/assignments/{assignment}/attendance",
        },
        "muni": {
            "placements": "/municipality/placements",
            "placement form": f"/municipality/placements/{unit_placement}",
            "import": "/municipality/import",
            "our clients": "/municipality/clients",
        },
        "plan": {"scenarios": "/planner/scenarios", "outcomes": "/planner/outcomes"},
    }
    month = f"{period.start_date.month}.{period.start_date.year}"
    pages["coord"].update(
        {
            f"cooperation overview ({started} periods)": "/coordinator/cooperation",
            "period": f"/coordinator/cooperation/periods/{period.id}",
            "agreement": f"/coordinator/cooperation/agreements/{period.agreement_id}",
            "month report (Kela)": f"/coordinator/cooperation/report?month={month}",
        }
    )
    pages["muni"].update(
        {
            "confirmations": "/municipality/confirmations",
            "financing follow-up": f"/municipality/follow-up?month={month}",
        }
    )
    out.write_text(json.dumps({"password": password, "pages": pages}))
    app.state.db_engine.dispose()


def _through_the_cycle(session: Any, app: Any, problem: Any, run_id: int, who: Principal) -> int:
    """Take up to ``PERIODS`` of the run's proposals through the cycle by the same write
    paths as the API and the pages (accept, the site's confirmation, the start meeting, the
    agreement, the period) and record each period's first four weeks; the number of periods
    started. A proposal whose pair the rules refuse somewhere is skipped."""
    regime = county_regime(app.state.settings)
    clients = {c.id: c for c in problem.clients}
    places = {p.id: p for p in problem.placements}
    started = 0
    proposals = session.scalars(
        select(ProposalRow).where(ProposalRow.run_id == run_id).order_by(ProposalRow.id)
    ).all()
    for proposal in proposals:
        if started == PERIODS:
            break
        client, place = clients[proposal.client_id], places[proposal.placement_id]
        weekdays = [d for d in place.weekdays if d in client.available_weekdays]
        start = problem.planning_date
        try:
            with session.begin_nested():
                decisions.decide(
                    session,
                    who,
                    proposal.id,
                    DecisionIn(decision="accept", reason_code="client_agreed"),
                )
                cycle.confirm(session, who, proposal.id, ConfirmationIn(decision="confirmed"))
                meeting = cycle.record_meeting(
                    session,
                    who,
                    MeetingIn(
                        proposal_id=proposal.id,
                        held_on=start - timedelta(days=7),
                        place="Työtoiminnan toimisto",
                        participants=[
                            Participant(role="client", name="Asiakas"),
                            Participant(role="coordinator", name="Sosiaaliohjaaja"),
                            Participant(role="site_supervisor", name="Työnohjaaja"),
                        ],
                    ),
                )
                agreement = agreement_store.draft(
                    session,
                    who,
                    AgreementIn(
                        proposal_id=proposal.id,
                        meeting_id=meeting.id,
                        tasks="Työtehtävät paikan ohjeen mukaan.",
                        weekdays=weekdays,
                        days_per_week=min(client.days_per_week, len(weekdays)),
                        hours_per_day=client.hours_per_day,
                        start_date=start,
                        first_review_date=start + timedelta(days=42),
                        end_date=start + timedelta(days=182),
                        when_absent="Soita työnohjaajalle ennen kahdeksaa.",
                    ),
                    regime,
                )
                agreement_store.agree(session, who, agreement.id, start - timedelta(days=7), regime)
                period = periods.start(
                    session, who, PeriodStartIn(agreement_id=agreement.id, payer="kela"), regime
                )
                days = [start + timedelta(days=k) for k in range(28)]
                arranged = {d for d in days if WEEKDAY_ORDER[d.weekday()] in weekdays}
                per_week = min(client.days_per_week, len(weekdays))
                for week in range(4):
                    mine = sorted(d for d in arranged if (d - start).days // 7 == week)
                    for day in [d for d in mine[:per_week] if d <= date.today()]:
                        decisions.record_attendance(
                            session,
                            who,
                            period.assignment_id,
                            AttendanceIn(day=day, status="present"),
                        )
        except (ServiceError, ValidationError):
            continue
        started += 1
    return started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        url = f"sqlite:///{tmp}/bench.db"
        plan = Path(tmp) / "pages.json"
        child = multiprocessing.get_context("spawn").Process(
            target=build, args=(url, args.clients, plan)
        )
        child.start()
        child.join()
        assert child.exitcode == 0, "building the county failed"
        info = json.loads(plan.read_text())
        app = create_app(Settings(database_url=url, explain_runs=False))
        print(
            f"county of {args.clients} clients built and solved in "
            f"{time.perf_counter() - started:.1f} s"
        )
        rows = []
        with TestClient(app) as client:
            for username in ("coord", "muni", "plan"):
                client.cookies.clear()
                token = CSRF.search(client.get("/login").text)
                assert token is not None
                client.post(
                    "/login",
                    data={
                        "csrf": token.group(1),
                        "username": username,
                        "password": info["password"],
                    },
                )
                for name, page_url in info["pages"][username].items():
                    client.get(page_url)  # warm
                    samples = []
                    for _ in range(args.repeat):
                        t0 = time.perf_counter()
                        response = client.get(page_url)
                        samples.append(time.perf_counter() - t0)
                        assert response.status_code == 200, (page_url, response.status_code)
                    rows.append(
                        {
                            "page": name,
                            "p50_ms": round(p(samples, 0.5), 1),
                            "p95_ms": round(p(samples, 0.95), 1),
                            "mean_ms": round(1000 * statistics.fmean(samples), 1),
                        }
                    )
    width = max(len(r["page"]) for r in rows)
    print(f"{'page':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  {'p95/target':>10}")
    for r in rows:
        print(
            f"{r['page']:<{width}}  {r['p50_ms']:>8.1f}  {r['p95_ms']:>8.1f}  "
            f"{r['p95_ms'] / TARGET_MS:>10.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps({"clients": args.clients, "pages": rows}, indent=1))


if __name__ == "__main__":
    main()
