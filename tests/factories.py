"""Small hand-built problems for tests: sensible defaults, override what a test is about."""

from __future__ import annotations

from datetime import date
from typing import Any

from models import (
    AllocationProblem,
    AllocationResult,
    Assignment,
    Objective,
    RunStats,
    SolveStatus,
)

PLANNING_DATE = date(2026, 11, 30)
OULU = {"lat": 65.0121, "lon": 25.4651}
KEMPELE = {"lat": 64.9125, "lon": 25.5083}
RAAHE = {"lat": 64.6833, "lon": 24.4667}


def placement(id: str = "P1", **overrides: Any) -> dict[str, Any]:
    """A placement record (as a dict) in Oulu that most clients fit."""
    record: dict[str, Any] = {
        "id": id,
        "organisation": "O1",
        "department": "Central kitchen",
        "municipality": "564",
        "location": OULU,
        "task_category": "kitchen",
        "seats": 2,
        "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "min_hours_per_day": 4,
        "max_hours_per_day": 8,
        "support_units": 4,
        "available_from": "2026-01-01",
    }
    record.update(overrides)
    return record


def client(id: str = "C1", **overrides: Any) -> dict[str, Any]:
    """A client record (as a dict) living in Oulu, 3 days a week, 5 hours a day."""
    record: dict[str, Any] = {
        "id": id,
        "age": 35,
        "home_municipality": "564",
        "location": OULU,
        "max_travel_minutes": 60,
        "days_per_week": 3,
        "hours_per_day": 5,
        "available_weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "waiting_since": "2026-06-01",
        "support_units": 1,
    }
    record.update(overrides)
    return record


def problem_dict(
    clients: list[dict[str, Any]] | None = None,
    placements: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A whole problem as a dict: Oulu and Kempele (area A), Raahe (area B)."""
    record: dict[str, Any] = {
        "name": "test county",
        "planning_date": PLANNING_DATE.isoformat(),
        "commuting_areas": [{"id": "A", "name": "Oulu"}, {"id": "B", "name": "Raahe"}],
        "municipalities": [
            {"code": "564", "name_fi": "Oulu", "name_sv": "Uleåborg", "commuting_area": "A"},
            {"code": "244", "name_fi": "Kempele", "commuting_area": "A"},
            {"code": "678", "name_fi": "Raahe", "name_sv": "Brahestad", "commuting_area": "B"},
        ],
        "organisations": [
            {"id": "O1", "name": "Oulu city", "type": "municipal_department"},
            {"id": "O2", "name": "Raahe parish", "type": "religious_community"},
        ],
        "placements": placements if placements is not None else [placement()],
        "clients": clients if clients is not None else [client()],
    }
    record.update(overrides)
    return record


def make_problem(
    clients: list[dict[str, Any]] | None = None,
    placements: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> AllocationProblem:
    """A validated problem built from ``problem_dict``."""
    return AllocationProblem.model_validate(problem_dict(clients, placements, **overrides))


def make_result(problem: AllocationProblem, pairs: dict[str, str]) -> AllocationResult:
    """A hand-written result placing ``client id → placement id`` (for checker tests).

    Trip times, points and the objective are the checker's own, so that only the rule under
    test can fail.
    """
    from matching.check import _trip_minutes, expected_points

    clients = {c.id: c for c in problem.clients}
    placements = {p.id: p for p in problem.placements}
    ongoing = {a.client: a.placement for a in problem.ongoing}
    points = {
        cid: expected_points(problem, clients[cid], placements[pid]) for cid, pid in pairs.items()
    }
    assignments = tuple(
        Assignment(
            client=cid,
            placement=pid,
            score=sum(points[cid].values()),
            breakdown=points[cid],
            travel_minutes=_trip_minutes(problem, clients[cid], placements[pid]),
            kept_ongoing=ongoing.get(cid) == pid,
        )
        for cid, pid in sorted(pairs.items())
    )
    return AllocationResult(
        problem_name=problem.name,
        input_hash="-",
        engine_version="-",
        status=SolveStatus.FEASIBLE,
        method="hand",
        objective=Objective(
            placed_value=len(assignments), quality=sum(a.score for a in assignments)
        ),
        bound=Objective(placed_value=0, quality=0),
        gap=0.0,
        assignments=assignments,
        unassigned=tuple(c.id for c in problem.clients if c.id not in pairs),
        stats=RunStats(
            clients=len(problem.clients),
            placements=len(problem.placements),
            arcs=0,
            components=0,
            placed=len(pairs),
            kept_ongoing=0,
        ),
    )
