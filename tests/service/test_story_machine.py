"""A state machine interleaves the week's work on the tiny county, through the same crud
functions the API and the pages call: runs (the first-fit stand-in engine, stored as a real
run's result), decisions, site confirmations, periods (meeting, agreement, start), days,
period ends and clients leaving the service. After every step, on SQLite and PostgreSQL:

* no decision is lost or duplicated: every proposal decided stays decided as it was, and a
  client has at most one accepted proposal whose seat is live;
* a client is in at most one live step: one active seat and one live period;
* no placement holds more clients than its seats;
* the month's money (January 2026, the month report) equals the present days inside the
  periods' dates × the daily allowance, counted here from the stored rows apart from the
  report's code.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import LegalRegime, SolveOptions
from models.benefits import BenefitRules
from service.auth import Principal, Role
from service.crud import agreements, clients, cooperation, decisions, months, periods, runs
from service.db.cooperation import PeriodRow
from service.db.tables import AssignmentRow, AttendanceRow, PlacementRow, ProposalRow, RunRow
from service.errors import ServiceError
from service.schemas.cooperation import (
    AgreementIn,
    ConfirmationIn,
    MeetingIn,
    PeriodEndIn,
    PeriodStartIn,
)
from service.schemas.runs import AttendanceIn, DecisionIn
from tests.service.fake_engine import first_fit
from tests.service.svc_helpers import PLANNING, reset, sessions_of

REGIME = LegalRegime()
RULES = BenefitRules()
TODAY = date(2026, 3, 31)
COORDINATOR = Principal(0, "kaisa", Role.COORDINATOR, None)
JANUARY = [PLANNING + timedelta(days=k) for k in range(0, 26)]  # 5.1.–30.1.2026
AGREEMENT: dict[str, Any] = {
    "tasks": "Keittiöapu.",
    "weekdays": ["mon", "tue", "wed"],
    "days_per_week": 2,
    "hours_per_day": 5,
    "start_date": PLANNING.isoformat(),
    "first_review_date": "2026-02-16",
    "end_date": "2026-06-30",
    "contact_persons": [{"role": "site_supervisor", "name": "Sanna S", "phone": "+358 40 1"}],
    "when_absent": "Soita ohjaajalle.",
}


class Story(RuleBasedStateMachine):
    """One county, one week after another."""

    done: ClassVar[Counter[str]] = Counter()  # steps that were stored, over all examples

    def __init__(self, factory: sessionmaker[Session]) -> None:
        super().__init__()
        self.factory = factory
        reset(factory)
        self.decided: dict[int, str] = {}  # proposal id → the status it was decided to

    def _step(self, name: str, action: Any) -> None:
        with self.factory() as session:
            try:
                if action(session) is not False:
                    Story.done[name] += 1
                session.commit()
            except (ServiceError, ValueError):  # refused: nothing is stored
                session.rollback()

    def _pick(self, session: Session, query: Any, k: int) -> Any:
        """The k-th row of ``query`` (cyclically), or None."""
        rows = session.scalars(query).all()
        return rows[k % len(rows)] if rows else None

    @rule()
    def run(self) -> None:
        def act(session: Session) -> None:
            run = RunRow(
                county="testcounty",
                status="running",
                planning_date=PLANNING,
                options={},
                created_by="kaisa",
            )
            session.add(run)
            session.flush()
            problem, _hint = runs.county_problem(
                session, "testcounty", PLANNING, SolveOptions(), REGIME
            )
            session.commit()
            assert runs.store_result(session, run.id, first_fit(problem), [])

        self._step("run", act)

    @rule(k=st.integers(0, 20), override=st.sampled_from([None, "P1", "P2", "P3"]))
    def decide(self, k: int, override: str | None) -> None:
        def act(session: Session) -> None:
            proposal = self._pick(
                session,
                select(ProposalRow)
                .join(RunRow, RunRow.id == ProposalRow.run_id)
                .where(RunRow.superseded.is_(False), ProposalRow.status == "proposed")
                .order_by(ProposalRow.id),
                k,
            )
            if proposal is None:
                return False
            body = DecisionIn.model_validate(
                {"decision": "accept", "reason_code": "client_agreed"}
                if override is None
                else {"decision": "override", "reason_code": "client_wish", "placement": override}
            )
            row = decisions.decide(session, COORDINATOR, proposal.id, body, REGIME)
            session.flush()
            self.decided[row.id] = row.status

        self._step("decide", act)

    def _accepted(self, session: Session, k: int) -> ProposalRow | None:
        return self._pick(
            session,
            select(ProposalRow)
            .where(ProposalRow.status.in_(("accepted", "overridden")))
            .order_by(ProposalRow.id),
            k,
        )

    @rule(k=st.integers(0, 20))
    def confirm(self, k: int) -> None:
        def act(session: Session) -> None:
            proposal = self._accepted(session, k)
            if proposal is None:
                return False
            body = ConfirmationIn.model_validate({"decision": "confirmed"})
            cooperation.confirm(session, COORDINATOR, proposal.id, body)

        self._step("confirm", act)

    @rule(k=st.integers(0, 20))
    def start_period(self, k: int) -> None:
        def act(session: Session) -> None:
            proposal = self._accepted(session, k)
            if proposal is None:
                return False
            meeting = cooperation.record_meeting(
                session,
                COORDINATOR,
                MeetingIn.model_validate(
                    {
                        "proposal_id": proposal.id,
                        "held_on": "2026-01-02",
                        "place": "Oulu",
                        "participants": [
                            {"role": "client", "name": "Asiakas"},
                            {"role": "coordinator", "name": "Kaisa K"},
                            {"role": "site_supervisor", "name": "Sanna S"},
                        ],
                    }
                ),
            )
            body = AgreementIn.model_validate(
                {**AGREEMENT, "proposal_id": proposal.id, "meeting_id": meeting.id}
            )
            drafted = agreements.draft(session, COORDINATOR, body, REGIME)
            agreements.agree(session, COORDINATOR, drafted.id, date(2026, 1, 2), REGIME)
            start = PeriodStartIn.model_validate({"agreement_id": drafted.id, "payer": "kela"})
            periods.start(session, COORDINATOR, start, REGIME)

        self._step("start_period", act)

    @rule(k=st.integers(0, 20), when=st.sampled_from(JANUARY), present=st.booleans())
    def record_day(self, k: int, when: date, present: bool) -> None:
        def act(session: Session) -> None:
            period = self._pick(session, select(PeriodRow).order_by(PeriodRow.id), k)
            if period is None:
                return False
            body = AttendanceIn.model_validate(
                {"day": when.isoformat(), "status": "present"}
                if present
                else {"day": when.isoformat(), "status": "absent", "absence_reason": "other"}
            )
            periods.record_day(session, COORDINATOR, period.id, body, TODAY, RULES, REGIME)

        self._step("record_day", act)

    @rule(k=st.integers(0, 20), when=st.sampled_from(JANUARY))
    def end_period(self, k: int, when: date) -> None:
        def act(session: Session) -> None:
            period = self._pick(
                session,
                select(PeriodRow).where(PeriodRow.ended_on.is_(None)).order_by(PeriodRow.id),
                k,
            )
            if period is None:
                return False
            body = PeriodEndIn.model_validate(
                {"end_date": when.isoformat(), "reason": "agreed_end", "onward_path": "job"}
            )
            periods.end(session, COORDINATOR, period.id, body, REGIME, RULES)

        self._step("end_period", act)

    @rule(who=st.sampled_from(["C1", "C2", "C3", "C4"]))
    def leave(self, who: str) -> None:
        self._step("leave", lambda session: clients.deactivate(session, who))

    @invariant()
    def the_story_holds(self) -> None:
        with self.factory() as session:
            # no decision lost or changed
            statuses = dict(
                session.execute(
                    select(ProposalRow.id, ProposalRow.status).where(
                        ProposalRow.id.in_(self.decided)
                    )
                ).all()
            )
            assert statuses == self.decided
            # one live seat and one live period per client
            seats = session.scalars(
                select(AssignmentRow).where(AssignmentRow.status == "active")
            ).all()
            assert max(Counter(a.client_id for a in seats).values(), default=0) <= 1
            live = session.scalars(select(PeriodRow).where(PeriodRow.ended_on.is_(None))).all()
            assert max(Counter(p.client_id for p in live).values(), default=0) <= 1
            # a client with a live seat has at most one accepted proposal making it
            made = [a.proposal_id for a in seats if a.proposal_id is not None]
            assert len(made) == len(set(made))
            # no placement over its seats
            held = Counter(a.placement_id for a in seats)
            for placement in session.scalars(select(PlacementRow)):
                assert held[placement.id] <= placement.attributes["seats"], placement.id
            # the month's money: present days inside each period × 9,00 €
            expected = Decimal("0.00")
            for period in session.scalars(select(PeriodRow)):
                last = period.ended_on or period.planned_end_date
                days = session.scalars(
                    select(AttendanceRow.day).where(
                        AttendanceRow.period_id == period.id, AttendanceRow.status == "present"
                    )
                ).all()
                inside = [d for d in days if period.start_date <= d <= last and d.month == 1]
                if period.payer is not None:
                    expected += Decimal("9.00") * len(inside)
            report = months.month_report(session, COORDINATOR, 2026, 1, TODAY, REGIME, RULES)
            assert sum((s.allowance_eur for s in report.summaries), Decimal("0.00")) == expected


@pytest.mark.slow  # 40 weeks of 25 steps: about 30 s on SQLite
def test_the_story_holds_through_any_week(app: FastAPI) -> None:
    factory = sessions_of(app)
    Story.done.clear()
    run_state_machine_as_test(
        lambda: Story(factory),
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    # the machine did the week's work, not only refusals
    assert {"run", "decide", "confirm", "start_period", "record_day", "leave"} <= set(Story.done), (
        Story.done
    )
