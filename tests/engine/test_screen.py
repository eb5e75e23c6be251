"""Screening stored records: what breaks a rule is set aside with its reason, the rest runs."""

from __future__ import annotations

from datetime import date
from typing import Any

from matching.check import check_allocation
from matching.screen import CountyRecords, screen
from matching.solve import allocate
from models import LegalRegime, SolveOptions
from tests.factories import client, placement, problem_dict


def _records(
    clients: list[dict[str, Any]], placements: list[dict[str, Any]], **kw: Any
) -> CountyRecords:
    data = problem_dict(clients=clients, placements=placements)
    return CountyRecords(
        name="test",
        planning_date=date(2026, 11, 30),
        regime=kw.pop("regime", LegalRegime()),
        options=SolveOptions(),
        commuting_areas=data["commuting_areas"],
        municipalities=data["municipalities"],
        organisations=kw.pop("organisations", data["organisations"]),
        placements=placements,
        clients=clients,
        **kw,
    )


def _solved(records: CountyRecords) -> tuple[list[tuple[str, str, str]], list[str]]:
    out = screen(records)
    result = allocate(out.problem)
    assert check_allocation(out.problem, result) == []
    notes = [(n.kind, n.id, n.rule) for n in out.set_aside]
    return notes, sorted(a.client for a in result.assignments)


def test_a_client_stored_before_a_rule_change_is_set_aside_and_the_rest_is_solved() -> None:
    records = _records([client("C1", days_per_week=5), client("C2")], [placement(seats=2)])
    notes, placed = _solved(records)
    assert notes == [("client", "C1", "above_legal_maximum")]
    assert placed == ["C2"]
    note = screen(records).set_aside[0]
    assert note.field == "days_per_week" and note.value == "5" and "4 days" in note.message


def test_a_record_that_fails_its_own_model_is_set_aside_naming_the_field() -> None:
    records = _records([client("C1", languages=["finnish"]), client("C2")], [placement()])
    out = screen(records)
    assert [(n.id, n.field, n.value) for n in out.set_aside] == [("C1", "languages.0", "finnish")]


def test_a_company_producer_takes_its_placements_and_their_kept_clients_out() -> None:
    orgs = [{"id": "O1", "name": "Oy Ab", "type": "company"}]
    ongoing = [{"client": "C1", "placement": "P1", "start_date": "2026-10-01"}]
    records = _records(
        [client("C1"), client("C2")], [placement("P1")], organisations=orgs, ongoing=ongoing
    )
    notes, placed = _solved(records)
    assert ("organisation", "O1", "company_producer") in notes
    assert ("placement", "P1", "unknown_reference") in notes
    assert ("client", "C1", "period_set_aside") in notes
    assert placed == []


def test_ongoing_periods_are_reexamined_every_run() -> None:
    ongoing = [
        {"client": "C1", "placement": "P1", "start_date": "2026-10-01"},  # ended placement
        {"client": "C2", "placement": "P2", "start_date": "2024-11-30"},  # 24 months today
        {"client": "C3", "placement": "P3", "start_date": "2026-10-01"},  # closed: kept
    ]
    placements = [
        placement("P1", available_until="2026-11-29"),
        placement("P2"),
        placement("P3", closed=True),
        placement("P4", seats=5, support_units=10),
    ]
    records = _records([client("C1"), client("C2"), client("C3")], placements, ongoing=ongoing)
    out = screen(records)
    assert [(n.id, n.action, n.rule) for n in out.set_aside] == [
        ("C1", "released", "placement_ended"),
        ("C2", "released", "max_period"),
        ("C3", "review", "placement_closed"),
    ]
    assert [(a.client, a.placement) for a in out.problem.ongoing] == [("C3", "P3")]
    result = allocate(out.problem)
    assert check_allocation(out.problem, result) == []
    where = {a.client: a.placement for a in result.assignments}
    assert where["C3"] == "P3" and where["C1"] != "P1" and "C2" in where


def test_kept_periods_beyond_cut_seats_are_set_aside_newest_first() -> None:
    ongoing = [
        {"client": "C1", "placement": "P1", "start_date": "2026-09-01"},
        {"client": "C2", "placement": "P1", "start_date": "2026-10-01"},
    ]
    records = _records(
        [client("C1"), client("C2"), client("C3", avoid_clients=["C9"])],
        [placement("P1", seats=1), placement("P2")],
        ongoing=ongoing,
        known_clients=frozenset({"C9"}),
    )
    notes, placed = _solved(records)
    assert notes == [("client", "C2", "seats")]
    assert placed == ["C1", "C3"]
    assert screen(records).set_aside[0].clients == ("C1", "C2")


def test_periods_that_may_move_and_no_longer_fit_are_released() -> None:
    ongoing = [
        {"client": "C1", "placement": "P1", "start_date": "2026-01-01"},
        {"client": "C2", "placement": "P1", "start_date": "2026-02-01"},
    ]
    data = problem_dict(clients=[client("C1"), client("C2")], placements=[placement("P1", seats=1)])
    records = CountyRecords(
        name="test",
        planning_date=date(2026, 11, 30),
        regime=LegalRegime(),
        options=SolveOptions(allow_moving_ongoing=True),
        commuting_areas=data["commuting_areas"],
        municipalities=data["municipalities"],
        organisations=data["organisations"],
        placements=data["placements"],
        clients=data["clients"],
        ongoing=ongoing,
    )
    out = screen(records)
    assert [(n.id, n.action, n.rule) for n in out.set_aside] == [("C2", "released", "seats")]
    result = allocate(out.problem)
    assert result.status.value == "optimal"
    assert check_allocation(out.problem, result) == []
