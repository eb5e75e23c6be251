"""Properties of the engine on tiny random problems, against brute force and the checker."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import allocate, check_allocation
from matching.candidates import score
from matching.compile import placement_value
from matching.pairs import Pairs
from matching.tables import Tables
from models import AllocationProblem, SolveStatus
from tests.strategies import problems


def brute_force(problem: AllocationProblem) -> tuple[int, int] | None:
    """The lexicographic optimum over every assignment the independent checker accepts."""
    from tests.factories import make_result

    tables = Tables(problem)
    n_c, n_p = len(problem.clients), len(problem.placements)
    grid = Pairs.of(tables, np.repeat(np.arange(n_c), n_p), np.tile(np.arange(n_p), n_c))
    points = score(grid)[1].reshape(n_c, n_p)
    value = placement_value(tables)
    best: tuple[int, int] | None = None
    for choice in itertools.product(range(-1, n_p), repeat=n_c):
        pairs = {
            problem.clients[i].id: problem.placements[j].id for i, j in enumerate(choice) if j >= 0
        }
        if check_allocation(problem, make_result(problem, pairs)):
            continue
        placed = sum(int(value[i]) for i, j in enumerate(choice) if j >= 0)
        quality = sum(int(points[i, j]) for i, j in enumerate(choice) if j >= 0)
        if best is None or (placed, quality) > best:
            best = (placed, quality)
    return best


@settings(max_examples=60)
@given(problems(max_clients=4, max_placements=3))
def test_exact_optimum_equals_brute_force_and_passes_the_checker(problem) -> None:
    expected = brute_force(problem)
    result = allocate(problem)
    if expected is None:
        assert result.status is SolveStatus.INFEASIBLE_INPUT
        return
    assert result.status is SolveStatus.OPTIMAL
    assert check_allocation(problem, result) == []
    assert (result.objective.placed_value, result.objective.quality) == expected


@settings(max_examples=25)
@given(problems(), st.sampled_from(["highs", "cpsat", "greedy"]))
def test_every_method_gives_a_valid_allocation(problem, method) -> None:
    problem = problem.model_copy(
        update={"options": problem.options.model_copy(update={"method": method})}
    )
    result = allocate(problem)
    if result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        assert check_allocation(problem, result) == []
    else:
        assert result.assignments == () and result.message


@settings(max_examples=20)
@given(problems())
def test_reruns_are_byte_identical(problem) -> None:
    first = allocate(problem).model_dump_json(exclude={"timings"})
    second = allocate(problem).model_dump_json(exclude={"timings"})
    assert first == second
