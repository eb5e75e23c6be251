"""Seats and supervisor time shared with other services: counted by the engine, the checker,
the write screen (``matching.decision``) and the planner's figures.

A youth workshop or a kitchen also hosts people on work trials, pay-subsidised work, social
rehabilitation or youth coaching (the cooperation model, youth workshops); they take seats
and supervisor time the activity cannot use. Only counts are recorded, no personal data.
"""

from __future__ import annotations

from datetime import date

from matching.check import check_allocation
from matching.decision import check_decision
from matching.scenario.metrics import _utilisation
from matching.solve import allocate
from matching.tables import Tables
from tests.factories import client, make_problem, make_result, placement

THREE = [client(f"C{k}") for k in (1, 2, 3)]


def _shared(seats: int, since: str = "2026-09-01", until: str | None = None) -> dict:
    return {
        "service": "work_trial",
        "from_date": since,
        "until_date": until,
        "seats": seats,
        "support_units": seats,
    }


def test_without_shared_use_every_seat_is_offered() -> None:
    problem = make_problem(THREE, [placement(seats=3, support_units=3)])
    result = allocate(problem)
    assert result.objective.placed_value == 3
    assert check_allocation(problem, result) == []


def test_seats_taken_by_a_work_trial_are_not_offered_and_the_checker_agrees() -> None:
    problem = make_problem(THREE, [placement(seats=3, support_units=3, shared_use=[_shared(2)])])
    assert Tables(problem).placement_seats.tolist() == [1]
    result = allocate(problem)
    assert result.objective.placed_value == 1
    assert check_allocation(problem, result) == []
    too_many = make_result(problem, {"C1": "P1", "C2": "P1"})
    assert {v.rule for v in check_allocation(problem, too_many)} >= {"seats"}


def test_a_use_that_starts_within_the_minimum_period_counts_and_one_after_it_does_not() -> None:
    # Planning date 30.11.2026: the minimum period of 3 months runs to 27.2.2027.
    within = make_problem(THREE, [placement(seats=3, shared_use=[_shared(2, "2027-02-27")])])
    after = make_problem(THREE, [placement(seats=3, shared_use=[_shared(2, "2027-02-28")])])
    ended = make_problem(THREE, [placement(seats=3, shared_use=[_shared(2, until="2026-11-29")])])
    assert Tables(within).placement_seats.tolist() == [1]
    assert Tables(after).placement_seats.tolist() == [3]
    assert Tables(ended).placement_seats.tolist() == [3]
    assert within.placements[0].free_capacity(date(2026, 11, 30), 3) == (1, 2)


def test_the_write_screen_refuses_a_decision_into_a_seat_another_service_holds() -> None:
    free = make_problem(THREE, [placement(seats=2, support_units=4)])
    shared = make_problem(THREE, [placement(seats=2, support_units=4, shared_use=[_shared(1)])])
    assert check_decision(free, {"C1": "P1"}, "C2", "P1").lawful
    verdict = check_decision(shared, {"C1": "P1"}, "C2", "P1")
    assert [b.rule for b in verdict.breaches] == ["seats"]


def test_the_planners_figures_offer_only_the_free_seats() -> None:
    problem = make_problem(THREE, [placement(seats=3, support_units=3, shared_use=[_shared(2)])])
    result = allocate(problem)
    rows = [u for u in _utilisation(problem, result) if u.dimension == "municipality"]
    assert [(u.seats, u.seats_used, u.support_units) for u in rows] == [(1, 1, 1)]


def test_the_board_shows_the_seats_left_today() -> None:
    from service.web.coordinator import shared_seats_today

    now = {"shared_use": [_shared(2, "2000-01-01")]}
    past = {"shared_use": [_shared(2, "2000-01-01", "2000-12-31")]}
    assert shared_seats_today(now) == 2
    assert shared_seats_today(past) == 0
    assert shared_seats_today({}) == 0
