"""Neighbourhood search: sub-problems are exact restrictions, and steps never lose value."""

import sys
import time

import numpy as np
import pytest

from matching.core import CoreOptions, core_violations, greedy_assign, objective_of, solve
from matching.core.neighbourhood import _grow, _Index, _neighbourhood, improve_by_neighbourhoods
from tests.core.core_helpers import random_problem

COMPONENT = sys.modules["matching.core.component"]


@pytest.fixture(scope="module")
def medium() -> object:
    """A feasible medium problem with every kind of constraint, and a greedy start."""
    problem = random_problem(3, 400, 40, 15, coaches=5, conflicts=60, required=0.2)
    return problem, greedy_assign(problem)


def test_neighbourhoods_are_exact_restrictions(medium: tuple) -> None:  # type: ignore[type-arg]
    """The current assignment is feasible in each sub-problem, and any feasible assignment of
    the sub-problem, put back, is feasible for the whole problem."""
    problem, chosen = medium
    assert core_violations(problem, chosen) == []
    index = _Index.of(problem)
    rng = np.random.default_rng(0)
    for seed_bin in range(0, 40, 7):
        bins = _grow(problem, index, seed_bin, rng)
        sub, items, arcs, hint = _neighbourhood(problem, index, chosen, bins)
        assert core_violations(sub, hint) == []
        assert set(problem.arc_bin[arcs].tolist()) <= set(bins.tolist())
        for local in (hint, greedy_assign(sub)):
            if np.any(sub.item_required & (local < 0)):
                continue
            merged = chosen.copy()
            merged[items] = np.where(local >= 0, arcs[np.maximum(local, 0)], -1)
            assert core_violations(problem, merged) == []


def test_search_never_loses_value(medium: tuple) -> None:  # type: ignore[type-arg]
    """A second of search keeps feasibility and improves or keeps the objective."""
    problem, chosen = medium
    improved, steps = improve_by_neighbourhoods(
        problem,
        chosen,
        lambda sub, options, hint: solve(sub, options, hint=hint),
        CoreOptions(),
        time.perf_counter() + 1.0,
    )
    assert steps["steps"] > 0
    assert core_violations(problem, improved) == []
    assert objective_of(problem, improved) >= objective_of(problem, chosen)


def test_large_components_use_the_search_then_the_mip(
    medium: tuple,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above ``NEIGHBOURHOOD_MIN_ARCS``, with CP-SAT (which the restricted master does not
    drive), the facade searches before the MIP."""
    problem, chosen = medium
    assert problem.n_arcs > 3000
    monkeypatch.setattr(COMPONENT, "NEIGHBOURHOOD_MIN_ARCS", 3000)
    s = solve(problem, CoreOptions(time_limit_s=3, method="cpsat"))
    assert core_violations(problem, s.chosen_arc) == []
    assert "neighbourhood" in s.timings and s.stats["neighbourhood"][0]["steps"] > 0
    assert (s.placed_value, s.quality) >= objective_of(problem, chosen)
    assert s.placed_value <= s.placed_bound


def test_huge_components_skip_the_monolithic_mip(
    medium: tuple,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the size limit only the search runs; bounds come from the relaxation."""
    problem, chosen = medium
    monkeypatch.setattr(COMPONENT, "MONOLITHIC_MAX_NONZEROS", 0)
    s = solve(problem, CoreOptions(time_limit_s=1.5))
    assert s.method.endswith("highs-lns")
    assert "build" not in s.timings
    assert core_violations(problem, s.chosen_arc) == []
    assert s.placed_value <= s.placed_bound and s.quality <= s.quality_bound
    assert (s.placed_value, s.quality) >= objective_of(problem, chosen)


def test_search_then_mip_is_reproducible(medium: tuple) -> None:  # type: ignore[type-arg]
    """With a step-limited search and a MIP that finishes, two runs agree exactly."""
    problem, _ = medium
    options = CoreOptions(time_limit_s=30)
    first, second = solve(problem, options), solve(problem, options)
    assert first.status == "optimal"
    assert np.array_equal(first.chosen_arc, second.chosen_arc)
