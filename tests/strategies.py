"""Hypothesis strategies: tiny but rule-rich domain problems."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from models import AllocationProblem
from tests.factories import KEMPELE, OULU, RAAHE, client, placement, problem_dict

DAYS = ["mon", "tue", "wed", "thu", "fri"]
SITES = [("564", OULU, "O1"), ("244", KEMPELE, "O1"), ("678", RAAHE, "O2")]
ATTESTED_ON = [None, "2026-11-30", "2025-12-01", "2025-11-30", "2025-11-29", "2024-06-01"]
"""No-replacement attestation dates around the 12-month limit on the planning date 2026-11-30."""


@st.composite
def weekday_sets(draw: st.DrawFn, min_size: int = 1) -> list[str]:
    """A non-empty subset of Monday–Friday, in calendar order."""
    chosen = draw(st.sets(st.sampled_from(DAYS), min_size=min_size))
    return [d for d in DAYS if d in chosen]


@st.composite
def placements(draw: st.DrawFn, index: int) -> dict[str, Any]:
    """A placement at one of three sites with random capacities and demands."""
    municipality, location, organisation = draw(st.sampled_from(SITES))
    low = draw(st.sampled_from([4, 5, 6]))
    return placement(
        f"P{index}",
        municipality=municipality,
        location=location,
        organisation=organisation,
        seats=draw(st.integers(0, 2)),
        support_units=draw(st.integers(0, 4)),
        weekdays=draw(weekday_sets()),
        min_hours_per_day=low,
        max_hours_per_day=draw(st.sampled_from([h for h in (5, 6, 8) if h >= low])),
        demands=draw(st.sets(st.sampled_from(["noise", "outdoor_work"]), max_size=1)),
        languages=draw(st.sampled_from([["fi"], ["sv"], ["fi", "sv"], []])),
        youth_workshop=draw(st.booleans()),
        closed=draw(st.integers(0, 9)) == 0,
        task_category=draw(st.sampled_from(["kitchen", "parks", "library"])),
        no_replacement_attested_on=draw(st.sampled_from(ATTESTED_ON)),
    )


@st.composite
def clients(draw: st.DrawFn, index: int, n_clients: int, n_placements: int) -> dict[str, Any]:
    """A client with random plan, wishes, constraints and a coach."""
    municipality, location, _ = draw(st.sampled_from(SITES))
    available = draw(weekday_sets())
    others = [f"C{j}" for j in range(n_clients) if j != index]
    return client(
        f"C{index}",
        home_municipality=municipality,
        location=location,
        age=draw(st.sampled_from([22, 28, 29, 45])),
        max_travel_minutes=draw(st.sampled_from([15, 60, 120])),
        consent_outside_commuting_area=draw(st.booleans()),
        days_per_week=draw(st.integers(1, min(4, len(available)))),
        available_weekdays=available,
        hours_per_day=draw(st.sampled_from([4, 5, 6, 8])),
        work_constraints=draw(st.sets(st.sampled_from(["noise", "outdoor_work"]), max_size=1)),
        languages=draw(st.sampled_from([["fi"], ["sv"], ["fi", "sv"]])),
        support_units=draw(st.integers(0, 3)),
        waiting_since=draw(st.sampled_from(["2026-11-01", "2026-05-01", "2025-01-01"])),
        coach=draw(st.sampled_from([None, "K1", "K2"])),
        preferences=[
            {"placement": f"P{j}"}
            for j in draw(st.lists(st.integers(0, n_placements - 1), max_size=2, unique=True))
        ],
        avoid_clients=draw(st.sets(st.sampled_from(others), max_size=1)) if others else [],
    )


@st.composite
def problems(draw: st.DrawFn, max_clients: int = 5, max_placements: int = 3) -> AllocationProblem:
    """A tiny problem exercising every hard rule, with at most one ongoing placement."""
    n_p = draw(st.integers(1, max_placements))
    n_c = draw(st.integers(1, max_clients))
    data = problem_dict(
        clients=[draw(clients(i, n_c, n_p)) for i in range(n_c)],
        placements=[draw(placements(j)) for j in range(n_p)],
        coaches=[
            {"id": "K1", "caseload_capacity": draw(st.integers(0, 3))},
            {"id": "K2", "caseload_capacity": draw(st.integers(0, 3))},
        ],
    )
    if draw(st.booleans()):
        data["ongoing"] = [
            {
                "client": "C0",
                "placement": f"P{draw(st.integers(0, n_p - 1))}",
                "start_date": draw(st.sampled_from(["2026-10-01", "2026-01-01"])),
            }
        ]
    months = draw(st.sampled_from([None, 12, 24]))
    if months is not None:
        data["regime"] = {"no_replacement_attestation_months": months}
    data["options"] = {
        "allow_moving_ongoing": draw(st.booleans()),
        "waiting_priority": draw(st.booleans()),
        "time_limit_s": 5,
    }
    return AllocationProblem.model_validate(data)
