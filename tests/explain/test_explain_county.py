"""On a synthetic county: every claim is checked against the checker and full re-solves."""

from __future__ import annotations

import numpy as np
import pytest

from matching import allocate, check_allocation, core
from matching.check import pair_violations
from matching.compile import compile_problem
from matching.explain import explain_run
from matching.explain.resolve import subset_arcs
from matching.explain.whatif import Candidate, apply
from models import AllocationProblem
from tests.explain.explain_oracles import both_counts, counts_of

sample = pytest.importorskip("matching.sample")

CHECKED = 25
"""Exact objective changes re-solved independently (each a full core solve)."""


@pytest.fixture(scope="module")
def county() -> AllocationProblem:
    return sample.generate_county(100, seed=3)


def _fixed_optimum(problem: AllocationProblem, client: str, place: str) -> tuple[int, int] | None:
    """Full core re-solve (no decomposition by us) with the pair forced."""
    compiled = compile_problem(problem)
    c = compiled.core
    t = compiled.tables
    i, j = t.client_index[client], t.placement_index[place]
    arcs = compiled.candidates.arcs
    keep = (arcs.client != i) | (arcs.placement == j)
    required = c.item_required.copy()
    required[i] = True
    fixed, _ = subset_arcs(c, keep, required=required)
    try:
        solution = core.solve(fixed)
    except core.InfeasibleInput:
        return None
    return solution.placed_value, solution.quality


@pytest.mark.slow
def test_every_claim_on_a_county(county: AllocationProblem) -> None:
    result = allocate(county)
    run = explain_run(county, result, budget_s=6.0)
    clients = {c.id: c for c in county.clients}
    places = {p.id: p for p in county.placements}
    base = (result.objective.placed_value, result.objective.quality)
    checked = 0
    for item in run.clients:
        if item.status == "unassigned":
            assert counts_of(item.excluded) == both_counts(county, item.client)
        for alt in item.alternatives:
            assert pair_violations(county, clients[item.client], places[alt.placement]) == []
            change = alt.change
            assert change is not None
            if checked >= CHECKED:
                continue
            checked += 1
            fixed = _fixed_optimum(county, item.client, alt.placement)
            if not change.feasible:
                assert fixed is None
                continue
            assert fixed is not None
            delta = (fixed[0] - base[0], fixed[1] - base[1])
            if change.exact:
                assert delta == (change.placed_value, change.quality)
            else:
                assert delta <= (change.placed_value, change.quality)
                if change.lower_placed_value is not None:
                    assert delta >= (change.lower_placed_value, change.lower_quality)
        for ch in item.changes[:1]:
            modified = apply(county, item.client, Candidate(ch.kind, ch.target, ch.amount))
            again = allocate(modified)
            assert item.client in {a.client for a in again.assignments}
            assert check_allocation(modified, again) == []
    assert checked > 0
    for pair in run.envy:
        assert pair.holder_priority < pair.client_priority
        assert pair.holder_score < pair.score_there
        assert pair.client_score is None or pair.client_score < pair.score_there
    assert np.isclose(
        run.report.placement_rate, len(result.assignments) / len(county.clients), atol=1e-4
    )
