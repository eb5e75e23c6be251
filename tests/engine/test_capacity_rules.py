"""Each hard rule over many pairs alone: an allocation it allows and one it forbids.

The engine's side is the rule itself (``matching.rules.capacity``: the resource family it
describes, the conflict pairs, the clients kept in place), applied to a hand-written allocation.
The independent checker must give the same verdict, and the solver must never break the rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from matching.check import check_allocation
from matching.pairs import Pairs
from matching.rules import CAPACITY_RULES, REGISTRY, capacity
from matching.solve import allocate
from matching.tables import Tables
from models import AllocationProblem
from tests.factories import client, make_problem, make_result, placement


def _seats() -> AllocationProblem:
    return make_problem(clients=[client("C1"), client("C2")], placements=[placement(seats=1)])


def _support_units() -> AllocationProblem:
    return make_problem(
        clients=[client("C1", support_units=2), client("C2", support_units=2)],
        placements=[placement(support_units=3)],
    )


def _coach_caseload() -> AllocationProblem:
    return make_problem(
        clients=[client("C1", coach="K1"), client("C2", coach="K1")],
        placements=[placement(), placement("P2")],
        coaches=[{"id": "K1", "caseload_capacity": 1}],
    )


def _avoided_clients() -> AllocationProblem:
    return make_problem(
        clients=[client("C1"), client("C2", avoid_clients=["C1"])],
        placements=[placement(), placement("P2")],
    )


def _ongoing_commitment() -> AllocationProblem:
    ongoing = [{"client": "C1", "placement": "P1", "start_date": "2026-10-01"}]
    # P2 is the better fit for C1 (its only wish), so only the commitment keeps C1 at P1.
    return make_problem(
        clients=[client("C1", preferences=[{"placement": "P2"}])],
        placements=[placement(), placement("P2")],
        ongoing=ongoing,
    )


CASES: list[tuple[str, Any, dict[str, str], dict[str, str]]] = [
    ("seats", _seats, {"C1": "P1"}, {"C1": "P1", "C2": "P1"}),
    ("support_units", _support_units, {"C1": "P1"}, {"C1": "P1", "C2": "P1"}),
    ("coach_caseload", _coach_caseload, {"C1": "P1"}, {"C1": "P1", "C2": "P2"}),
    ("avoided_clients", _avoided_clients, {"C1": "P1", "C2": "P2"}, {"C1": "P1", "C2": "P1"}),
    ("ongoing_commitment", _ongoing_commitment, {"C1": "P1"}, {"C1": "P2"}),
]
"""Rule, problem, an allocation the rule allows, one it forbids."""


def engine_breaks(problem: AllocationProblem, allocation: dict[str, str]) -> set[str]:
    """The hard rules over many pairs that ``allocation`` (client → placement) breaks, as the
    engine's own rules see them."""
    t = Tables(problem)
    at = {t.client_index[c]: t.placement_index[p] for c, p in allocation.items()}
    arcs = Pairs.of(t, np.array(list(at), np.int64), np.array(list(at.values()), np.int64))
    broken = set()
    for rule in CAPACITY_RULES:
        family = rule(arcs)
        used = np.zeros(len(family.capacity), dtype=np.int64)
        counted = family.owner >= 0
        np.add.at(used, family.owner[counted], family.amount[counted])
        if (used > family.capacity).any():
            broken.add(family.rule)
    for i, j in capacity.avoided_clients(arcs).tolist():
        if i in at and at[i] == at.get(j):
            broken.add("avoided_clients")
    for i in capacity.ongoing_commitment(arcs).tolist():
        if at.get(i) != t.client_ongoing[i]:
            broken.add("ongoing_commitment")
    return broken


def checker_breaks(problem: AllocationProblem, allocation: dict[str, str]) -> set[str]:
    return {v.rule for v in check_allocation(problem, make_result(problem, allocation))}


@pytest.mark.parametrize(("rule", "build", "allowed", "forbidden"), CASES)
def test_rule_allows_and_forbids(
    rule: str, build: Any, allowed: dict[str, str], forbidden: dict[str, str]
) -> None:
    problem = build()
    assert engine_breaks(problem, allowed) == set()
    assert engine_breaks(problem, forbidden) == {rule}
    assert checker_breaks(problem, allowed) == set()
    assert checker_breaks(problem, forbidden) == {rule}


@pytest.mark.parametrize(("rule", "build", "allowed", "forbidden"), CASES)
def test_the_solver_keeps_the_rule(
    rule: str, build: Any, allowed: dict[str, str], forbidden: dict[str, str]
) -> None:
    problem = build()
    result = allocate(problem)
    solved = {a.client: a.placement for a in result.assignments}
    assert engine_breaks(problem, solved) == set()
    assert check_allocation(problem, result) == []
    # The rule binds: it allows no more placed clients than the allowed case places.
    assert len(solved) == len(allowed)


def test_every_rule_over_many_pairs_has_a_case() -> None:
    kinds = {"capacity", "conflict", "pin"}
    assert {r.name for r in REGISTRY if r.kind in kinds} == {case[0] for case in CASES}
