"""Independent oracles for explanation tests: brute force over checker-valid assignments."""

from __future__ import annotations

import itertools

import numpy as np

from matching import check_allocation
from matching.candidates import score
from matching.check import pair_violations
from matching.compile import placement_value
from matching.pairs import Pairs
from matching.tables import Tables
from models import AllocationProblem
from tests.factories import make_result


def brute_force(
    problem: AllocationProblem, fixed: tuple[str, str] | None = None
) -> tuple[int, int] | None:
    """Lexicographic optimum over checker-valid assignments (optionally with a pair fixed)."""
    tables = Tables(problem)
    n_c, n_p = len(problem.clients), len(problem.placements)
    grid = Pairs.of(tables, np.repeat(np.arange(n_c), n_p), np.tile(np.arange(n_p), n_c))
    points = score(grid)[1].reshape(n_c, n_p)
    value = placement_value(tables)
    ids = [c.id for c in problem.clients]
    pids = [p.id for p in problem.placements]
    best: tuple[int, int] | None = None
    for choice in itertools.product(range(-1, n_p), repeat=n_c):
        if fixed is not None and choice[ids.index(fixed[0])] != pids.index(fixed[1]):
            continue
        pairs = {ids[i]: pids[j] for i, j in enumerate(choice) if j >= 0}
        if check_allocation(problem, make_result(problem, pairs)):
            continue
        placed = sum(int(value[i]) for i, j in enumerate(choice) if j >= 0)
        quality = sum(int(points[i, j]) for i, j in enumerate(choice) if j >= 0)
        if best is None or (placed, quality) > best:
            best = (placed, quality)
    return best


def first_rule_counts(problem: AllocationProblem, client_id: str) -> dict[str, int]:
    """Placements excluded per first failing rule, by the independent checker."""
    client = next(c for c in problem.clients if c.id == client_id)
    out: dict[str, int] = {}
    for p in problem.placements:
        broken = pair_violations(problem, client, p)
        if broken:
            out[broken[0].rule] = out.get(broken[0].rule, 0) + 1
    return out


def any_rule_counts(problem: AllocationProblem, client_id: str) -> dict[str, int]:
    """Placements failing each rule at all, by the independent checker."""
    client = next(c for c in problem.clients if c.id == client_id)
    out: dict[str, int] = {}
    for p in problem.placements:
        for rule in {v.rule for v in pair_violations(problem, client, p)}:
            out[rule] = out.get(rule, 0) + 1
    return out


def counts_of(excluded: list) -> tuple[dict[str, int], dict[str, int]]:
    """First and any counts of an explanation's rule counts (zeros left out)."""
    first = {r.rule: r.placements for r in excluded if r.placements}
    return first, {r.rule: r.failing for r in excluded}


def both_counts(
    problem: AllocationProblem, client_id: str
) -> tuple[dict[str, int], dict[str, int]]:
    """First-rule and any-rule counts of a client, by the independent checker."""
    return first_rule_counts(problem, client_id), any_rule_counts(problem, client_id)
