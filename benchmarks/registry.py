"""Seeded benchmark instances: S, M, L and XL synthetic counties, plus seats-only variants."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matching.sample import generate_county
from models import AllocationProblem


@dataclass(frozen=True)
class Instance:
    """A named, seeded instance and the targets the issue sets for it."""

    name: str
    clients: int
    placements: int
    seed: int
    time_limit_s: float
    target_gap: float
    """Proven relative gap the full-rules solve should reach within ``time_limit_s``."""

    def build(self) -> AllocationProblem:
        """Generate the county with the instance's time limit in its options."""
        problem = generate_county(self.clients, self.placements, seed=self.seed)
        options = problem.options.model_copy(update={"time_limit_s": self.time_limit_s})
        return problem.model_copy(update={"options": options})


REGISTRY: dict[str, Instance] = {
    i.name: i
    for i in (
        Instance("S", 200, 60, seed=11, time_limit_s=5.0, target_gap=0.001),
        Instance("M", 1_000, 300, seed=12, time_limit_s=5.0, target_gap=0.001),
        Instance("L", 5_000, 1_500, seed=13, time_limit_s=20.0, target_gap=0.005),
        Instance("XL", 20_000, 4_000, seed=14, time_limit_s=60.0, target_gap=0.01),
    )
}
"""Sizes from the engine issue: S 200, M 1,000, L 5,000 and XL 20,000 clients."""


def seats_only(problem: AllocationProblem) -> AllocationProblem:
    """The same county where only seats can bind: generous support and caseloads, no
    clients kept apart. The engine must then solve it by min-cost flow alone."""
    most = max((c.support_units for c in problem.clients), default=1)
    placements = tuple(
        p.model_copy(update={"support_units": max(p.seats * most, p.support_units)})
        for p in problem.placements
    )
    coaches = tuple(k.model_copy(update={"caseload_capacity": 500}) for k in problem.coaches)
    clients = tuple(c.model_copy(update={"avoid_clients": frozenset()}) for c in problem.clients)
    return problem.model_copy(
        update={"placements": placements, "coaches": coaches, "clients": clients}
    )


VARIANTS: dict[str, Callable[[AllocationProblem], AllocationProblem]] = {
    "full": lambda problem: problem,
    "seats-only": seats_only,
}
