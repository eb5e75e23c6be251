"""Points per criterion: computed for the chosen arcs only by an allocation, and equal to
the full table (and to each arc's score) whenever read."""

import numpy as np

from matching import allocate
from matching.compile import compile_problem
from matching.sample import generate_county


def test_an_allocation_reads_the_chosen_arcs_points_only_and_they_match_the_table() -> None:
    problem = generate_county(60, 20, seed=3)
    compiled = compile_problem(problem)
    result = allocate(problem, compiled=compiled)
    candidates = compiled.candidates
    assert "parts" not in candidates.__dict__  # no arcs x criteria table was built
    table = candidates.parts  # computed now, on first read
    assert np.array_equal(table.sum(axis=1), candidates.score)
    by_pair = {
        (compiled.tables.client_ids[c], compiled.tables.placement_ids[p]): k
        for k, (c, p) in enumerate(
            zip(candidates.arcs.client.tolist(), candidates.arcs.placement.tolist(), strict=True)
        )
    }
    assert result.assignments
    for a in result.assignments:
        arc = by_pair[(a.client, a.placement)]
        assert list(a.breakdown.values()) == table[arc].tolist()
        assert a.score == int(candidates.score[arc]) == sum(a.breakdown.values())
    some = np.array([0, len(candidates.score) - 1, 3])
    assert np.array_equal(candidates.parts_of(some), table[some])
