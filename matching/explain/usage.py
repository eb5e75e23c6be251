"""Which client attributes the engine uses, derived by tracing the rule registry.

Every hard pair rule, capacity rule, conflict and pin rule, soft criterion and the placement
value is run once on a tracing view of the column tables; the columns each reads are mapped
to the client attributes they are computed from. Nothing here lists rules by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.compile import placement_value
from matching.pairs import Pairs
from matching.rules import CAPACITY_RULES, CRITERIA, PAIR_RULES, REGISTRY
from matching.tables import Tables
from models import AllocationProblem, Criterion

COLUMN_ATTRIBUTE = {
    "client_area": "home",
    "client_consent": "consent",
    "client_lat": "location",
    "client_lon": "location",
    "client_max_travel": "max_travel",
    "client_age": "age",
    "client_days": "schedule",
    "client_hours": "schedule",
    "client_weekdays": "schedule",
    "client_constraints": "work_constraints",
    "client_interests": "aptitudes",
    "client_aptitudes": "aptitudes",
    "client_languages": "languages",
    "client_support": "support",
    "client_coach": "coach",
    "client_waiting_months": "waiting",
    "client_ongoing": "ongoing",
    "client_pinned": "ongoing",
    "preference_rank": "preferences",
    "avoided_keys": "avoid",
    "conflicts": "avoid",
}
"""Table columns → client attribute they derive from (the vocabulary of the report)."""

ATTRIBUTES = (
    "age",
    "home",
    "location",
    "consent",
    "max_travel",
    "schedule",
    "preferences",
    "aptitudes",
    "work_constraints",
    "languages",
    "support",
    "waiting",
    "coach",
    "avoid",
    "ongoing",
    "referral_basis",
)


@dataclass(frozen=True)
class Usage:
    """Attribute → hard rules, criteria and whether it sets priority."""

    hard: dict[str, list[str]]
    criteria: dict[str, list[Criterion]]
    priority: set[str]


def _traced(tables: Tables, run: Callable[[Tables], Any]) -> set[str]:
    seen: set[str] = set()

    class Tracing(Tables):
        def __getattribute__(self, name: str) -> Any:
            if name in COLUMN_ATTRIBUTE:
                seen.add(name)
            return super().__getattribute__(name)

    run(Tracing(tables.problem))
    return {COLUMN_ATTRIBUTE[c] for c in seen}


def attribute_usage(problem: AllocationProblem) -> Usage:
    """Trace every registry rule on the problem's first client and placement."""
    base = Tables(problem)
    hard: dict[str, list[str]] = {a: [] for a in ATTRIBUTES}
    crit: dict[str, list[Criterion]] = {a: [] for a in ATTRIBUTES}
    if not problem.clients or not problem.placements:
        return Usage(hard, crit, set())
    one = np.zeros(1, dtype=np.int64)

    def on_pairs(fn: Callable[..., object]) -> Callable[[Tables], object]:
        def run(t: Tables) -> object:
            return fn(Pairs.of(t, one, one))

        return run

    for name, rule in PAIR_RULES:
        for a in _traced(base, on_pairs(rule)):
            hard[a].append(name)
    for capacity_rule in CAPACITY_RULES:
        for a in _traced(base, on_pairs(capacity_rule)):
            hard[a].append(capacity_rule.__name__)
    for entry in REGISTRY:
        if entry.kind in ("conflict", "pin"):
            for a in _traced(base, on_pairs(entry.function)):
                hard[a].append(entry.name)
    for criterion, criterion_fn in CRITERIA:
        for a in _traced(base, on_pairs(criterion_fn)):
            crit[a].append(criterion)
    priority = _traced(base, placement_value)
    return Usage(hard, crit, priority)
