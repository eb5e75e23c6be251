"""Candidate generation honours its deadline: streamed by commuting area, it stops where the
clock says, the clients it did not reach get no arcs, and the allocation's bound still holds
for the whole county (no timed test: the clock is injected)."""

from collections.abc import Callable

import numpy as np

from matching import allocate, check_allocation
from matching.candidates import admissible_pairs, build_candidates, enumerate_pairs
from matching.compile import compile_problem
from matching.rules import admissible
from matching.sample import generate_county
from matching.tables import Tables
from models import SolveStatus


def _ticks(after: int) -> Callable[[], float]:
    """A clock that reads 0 for the first `after` readings and 1 from then on."""
    readings = iter(range(10**9))
    return lambda: 0.0 if next(readings) < after else 1.0


def test_admissible_pairs_keep_exactly_what_every_rule_allows() -> None:
    tables = Tables(generate_county(80, 25, seed=5))
    for block in enumerate_pairs(tables):
        kept = admissible_pairs(block)
        expected = block.subset(admissible(block))
        assert np.array_equal(kept.client, expected.client)
        assert np.array_equal(kept.placement, expected.placement)


def test_a_deadline_already_past_examines_no_pair() -> None:
    tables = Tables(generate_county(80, 25, seed=5))
    candidates = build_candidates(tables, deadline=0.5, clock=lambda: 1.0)
    assert len(candidates.arcs) == 0
    assert candidates.streamed is not None
    # Every client that some block pairs with a placement (the others can have no arc).
    paired = np.unique(np.concatenate([b.client for b in enumerate_pairs(tables)]))
    assert candidates.streamed.skipped_clients.tolist() == paired.tolist()


def test_the_stream_stops_at_the_deadline_and_names_the_clients_left_out() -> None:
    tables = Tables(generate_county(80, 25, seed=5))
    blocks = list(enumerate_pairs(tables))
    assert len(blocks) >= 3
    full = build_candidates(tables)
    assert full.streamed is not None and full.streamed.skipped_clients.size == 0
    cut = build_candidates(tables, deadline=0.5, clock=_ticks(2))  # two blocks, then late
    reached = np.unique(np.concatenate([b.client for b in blocks[:2]]))
    skipped = cut.streamed.skipped_clients if cut.streamed else np.zeros(0)
    paired = np.unique(np.concatenate([b.client for b in blocks]))
    assert set(skipped.tolist()) == set(paired.tolist()) - set(reached.tolist())
    assert set(cut.arcs.client.tolist()) <= set(reached.tolist())
    # The arcs of the clients reached are exactly theirs in the full set, with their points.
    mine = np.isin(full.arcs.client, reached)
    assert np.array_equal(cut.arcs.client, full.arcs.client[mine])
    assert np.array_equal(cut.arcs.placement, full.arcs.placement[mine])
    assert np.array_equal(cut.score, full.score[mine])


def test_an_allocation_cut_short_stays_valid_and_its_bound_covers_the_whole_county() -> None:
    problem = generate_county(80, 25, seed=5)
    full = allocate(problem)
    assert full.status is SolveStatus.OPTIMAL
    compiled = compile_problem(problem, deadline=0.5, clock=_ticks(1))
    cut = allocate(problem, compiled=compiled)
    assert not check_allocation(problem, cut)
    assert cut.status is SolveStatus.FEASIBLE
    assert cut.timings.phases["candidates_skipped_clients"] > 0
    assert cut.bound.placed_value >= full.objective.placed_value
    assert cut.bound.quality >= full.objective.quality
    assert cut.objective.placed_value <= full.objective.placed_value
