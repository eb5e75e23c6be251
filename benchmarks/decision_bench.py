"""How long a coordinator waits for a decision's check and its consequences (issue 9).

    python benchmarks/decision_bench.py [--clients 1000] [--seed 7] [--decisions 20]

Loads the sample county (``python -m matching sample --clients 1000 --seed 7``) into a
throw-away SQLite database, solves it, stores the proposals as a run, and then times, side by
side in one process: the engine's own solve (for scale), screening the stored county (the
problem every check starts from), the pure check ``matching.decision.check_decision`` on that
problem, and the whole service path of a preview and of a stored decision (check, displaced
proposals, assignment). Target: a decision's answer in at most 1 s on 1,000 clients.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from matching import allocate
from matching.decision import check_decision
from matching.sample import generate_county
from service.auth import Principal, Role
from service.crud import decisions
from service.crud.integrity import screened_county
from service.db.session import make_engine
from service.db.tables import Base, ProposalRow, RunRow
from service.demo import load_problem
from service.schemas.runs import DecisionIn


def _median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--decisions", type=int, default=20)
    args = parser.parse_args()

    problem = generate_county(args.clients, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        Base.metadata.create_all(engine)
        sessions = sessionmaker(engine, expire_on_commit=False)
        with sessions() as session:
            load_problem(session, problem)
            session.commit()
        started = time.perf_counter()
        result = allocate(problem)
        solve_s = time.perf_counter() - started
        with sessions() as session:
            run = RunRow(
                county="bench",
                status="succeeded",
                planning_date=problem.planning_date,
                options={},
                created_by="bench",
            )
            session.add(run)
            session.flush()
            rows = [
                ProposalRow(
                    run_id=run.id,
                    client_id=a.client,
                    placement_id=a.placement,
                    municipality_code="000",
                    score=a.score,
                    breakdown={},
                    travel_minutes=a.travel_minutes,
                    kept_ongoing=a.kept_ongoing,
                    status="proposed",
                )
                for a in result.assignments
            ]
            session.add_all(rows)
            session.commit()
            new = [r.id for r in rows if not r.kept_ongoing][: args.decisions]
            planning: date = run.planning_date
        user = Principal(token_id=0, name="bench", role=Role.COORDINATOR, organisation=None)
        body = DecisionIn(decision="accept", reason_code="good_fit")  # type: ignore[arg-type]
        screen_s, check_s, preview_s, decide_s, displaced = [], [], [], [], []
        for proposal_id in new:
            session: Session
            with sessions() as session:
                t0 = time.perf_counter()
                screened = screened_county(session, planning)
                t1 = time.perf_counter()
                proposal = session.get_one(ProposalRow, proposal_id)
                in_force = {a.client: a.placement for a in screened.problem.ongoing}
                t2 = time.perf_counter()
                check_decision(
                    screened.problem, in_force, proposal.client_id, proposal.placement_id
                )
                t3 = time.perf_counter()
                decisions.preview(session, user, proposal_id, body)
                t4 = time.perf_counter()
                row = decisions.decide(session, user, proposal_id, body)
                session.commit()
                t5 = time.perf_counter()
                screen_s.append(t1 - t0)
                check_s.append(t3 - t2)
                preview_s.append(t4 - t3)
                decide_s.append(t5 - t4)
                displaced.append(len(row.displaces))  # type: ignore[attr-defined]
    print(f"county: {args.clients} clients, seed {args.seed}, {len(new)} decisions")
    print(f"{'step':<34}{'median ms':>10}{'max ms':>10}{'÷ solve':>9}")
    for name, samples in (
        ("engine solve (once)", [solve_s]),
        ("screen the stored county", screen_s),
        ("check_decision (pure)", check_s),
        ("preview through the service", preview_s),
        ("decide through the service", decide_s),
    ):
        print(
            f"{name:<34}{_median_ms(samples):>10.1f}{1000 * max(samples):>10.1f}"
            f"{statistics.median(samples) / solve_s:>9.2f}"
        )
    print(f"proposals displaced per decision: {statistics.mean(displaced):.2f} on average")


if __name__ == "__main__":
    main()
