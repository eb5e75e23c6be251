"""The planner's seat ranking (``matching.scenario.compare.seat_values``) against re-solves:
every figure lies within its bounds, and a top reported as proven really is the top."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings

from matching import allocate, core
from matching.explain.context import Context
from matching.explain.resolve import subset_arcs
from matching.scenario.compare import seat_values
from models import AllocationProblem, SolveStatus
from tests.explain.explain_strategies import tight_problems

TOP = 2


def _true_gain(ctx: Context, placement: int, resource: str) -> tuple[int, int]:
    """(more clients placed, quality added) by a full core re-solve with the extra capacity."""
    c = ctx.compiled.core
    seats, units = c.bin_capacity.copy(), c.resource_capacity.copy()
    if resource == "seat":
        seats[placement] += 1
    else:
        family = [f.rule for f in ctx.compiled.families].index("support_units")
        units[ctx.compiled.resource_offset[family] + placement] += 1
    keep = np.ones(c.n_arcs, np.bool_)
    more, _ = subset_arcs(c, keep, bin_capacity=seats, resource_capacity=units)
    again = core.solve(more)
    base = ctx.result.objective
    return again.placed_value - base.placed_value, again.quality - base.quality


@settings(max_examples=25, deadline=None)
@given(tight_problems(max_clients=5, max_placements=4))
def test_ranking_bounds_and_proven_top(problem: AllocationProblem) -> None:
    result = allocate(problem)
    assume(result.status is SolveStatus.OPTIMAL)
    ctx = Context.build(problem, result)
    index = {p.id: j for j, p in enumerate(problem.placements)}
    for resource in ("seat", "support_unit"):  # the two resources a planner can add
        for resolves in (0, 50):
            ranking = seat_values(ctx, 30.0, resolves, resource, TOP)
            gains = []
            for row in ranking.rows:
                gain = _true_gain(ctx, index[row.placement], resource)
                # one client per unit of placed value in these problems
                assert (row.extra_placed_at_least, row.quality_at_least) <= gain
                assert gain <= (row.extra_placed, row.quality)
                if row.exact:
                    assert gain == (row.extra_placed, row.quality)
                gains.append(gain)
            if resolves:
                # enough re-solves for these sizes: the top is always proven
                assert ranking.top_proven
            if ranking.top_proven and len(gains) > TOP:
                assert min(gains[:TOP]) >= max(gains[TOP:])
