"""Our own tiny random instances where side constraints bind: support units, caseloads."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from models import AllocationProblem
from tests.factories import KEMPELE, OULU, client, placement, problem_dict


@st.composite
def tight_problems(draw: st.DrawFn, max_clients: int = 4, max_placements: int = 3) -> Any:
    """Clients who all pass the pair rules somewhere, competing for seats, supervisor
    support units and two coaches' caseloads."""
    n_p = draw(st.integers(1, max_placements))
    n_c = draw(st.integers(2, max_clients))
    placements = [
        placement(
            f"P{j}",
            seats=draw(st.integers(0, 2)),
            support_units=draw(st.integers(0, 4)),
            location=draw(st.sampled_from([OULU, KEMPELE])),
            municipality="564",
            task_category=draw(st.sampled_from(["kitchen", "parks"])),
        )
        for j in range(n_p)
    ]
    clients = [
        client(
            f"C{i}",
            support_units=draw(st.integers(0, 3)),
            coach=draw(st.sampled_from([None, "K1", "K2"])),
            waiting_since=draw(st.sampled_from(["2026-11-01", "2026-03-01", "2025-01-01"])),
            max_travel_minutes=draw(st.sampled_from([8, 60])),
            preferences=[
                {"placement": f"P{j}"}
                for j in draw(st.lists(st.integers(0, n_p - 1), max_size=2, unique=True))
            ],
            interests=draw(st.sets(st.sampled_from(["kitchen", "parks"]), max_size=1)),
        )
        for i in range(n_c)
    ]
    data = problem_dict(
        clients=clients,
        placements=placements,
        coaches=[
            {"id": "K1", "caseload_capacity": draw(st.integers(0, 2))},
            {"id": "K2", "caseload_capacity": draw(st.integers(1, 3))},
        ],
    )
    data["options"] = {"time_limit_s": 5}
    return AllocationProblem.model_validate(data)
