"""The two-phase lexicographic driver shared by the MIP back ends (HiGHS, CP-SAT).

Phase 1 maximises the placed value; phase 2 adds the row ``placed >= placed*`` and maximises
quality. Solving the phases one after the other, rather than one weighted sum, keeps the order
exact whatever the magnitudes: no big-M weight can be too small, and no coefficient grows
beyond what a float64 MIP solver represents exactly.

Shortcuts, both exact: when the warm start already reaches the placed value of the seats-only
relaxation (an upper bound), phase 1 is proven without a solve; when it also reaches the
relaxation's quality, so is phase 2.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from matching.core.check import core_violations
from matching.core.errors import SolverError
from matching.core.flow import free_quality
from matching.core.greedy import polish_quality
from matching.core.problem import (
    AssignmentProblem,
    BoolArray,
    IntArray,
    objective_of,
)
from matching.core.status import SolveStatus

PHASE1_SHARE = 0.7
"""Phase 1 may use at most this share of the time left; phase 2 gets the rest, so it always
has time to improve quality (phase 1 usually ends far sooner, by proof)."""

OVERRUN_RESERVE = 0.05
"""Share of phase 2's time not handed to the solver, for the work after it (decoding the
answer, the checks). HiGHS's own overrun is taken off every limit it is given
(``mip.HIGHS_OVERRUN``; the MathOpt interrupter does not stop HiGHS sooner)."""


@dataclass(frozen=True)
class PhaseOutcome:
    """What one back-end solve of one phase returned.

    ``x`` is the chosen-arc mask of the best solution found (None if none), ``bound`` a proven
    upper bound on the phase objective (``inf`` if unknown), ``infeasible`` a proof that the
    phase's model has no solution.
    """

    x: BoolArray | None
    bound: float
    infeasible: bool = False
    detail: str = ""


class PhaseSolver(Protocol):
    """A back end that maximises one linear objective over the shared 0-1 model."""

    def solve_phase(
        self,
        objective: IntArray,
        min_placed: int | None,
        hint: BoolArray | None,
        time_limit_s: float,
        relative_gap: float,
    ) -> PhaseOutcome:
        """Maximise ``objective . x``, optionally subject to ``placed_coef . x >= min_placed``.

        `hint` is a feasible full assignment to warm-start from. Phase 1 passes
        ``relative_gap = 0`` and expects a proof of optimality unless time runs out.
        """
        ...


@dataclass(frozen=True)
class ExactResult:
    """Outcome of the two phases on one problem (usually one component).

    ``placed_bound`` bounds the placed value of any feasible assignment; ``quality_bound``
    bounds the quality of feasible assignments placing at least ``placed``. ``status`` is
    ``INFEASIBLE`` when phase 1 proved that the required items cannot all be assigned, and
    ``chosen_arc`` is then None, as it is when no solution was found in time.
    """

    status: SolveStatus | None
    chosen_arc: IntArray | None
    placed: int
    quality: int
    placed_bound: int
    quality_bound: int
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def integer_bound(bound: float, incumbent: int, fallback: int) -> int:
    """Round a solver's float bound on an integer objective down to an integer bound.

    A small tolerance absorbs float noise (a bound of 99.9999999 proves 100, not 99). A bound
    that is missing (infinite) or clearly below the incumbent's value, which is achievable and
    so cannot exceed a true bound, is not trusted: the `fallback` bound is returned instead.
    """
    if not math.isfinite(bound) or bound < incumbent - 0.5:
        return fallback
    return max(incumbent, min(fallback, math.floor(bound + 1e-6 * max(1.0, abs(bound)))))


def to_chosen_arc(problem: AssignmentProblem, x: BoolArray) -> IntArray:
    """Convert a chosen-arc mask into an arc index (or -1) per item."""
    chosen = np.full(problem.n_items, -1, dtype=np.int64)
    arcs = np.flatnonzero(x)
    chosen[problem.arc_item[arcs]] = arcs
    return chosen


@dataclass(frozen=True)
class PlacedResult:
    """Phase 1's answer (a chosen-arc mask, polished), or None with ``infeasible`` saying
    whether that is proven; and its proven bound on the placed value."""

    x: BoolArray | None
    placed_bound: int
    infeasible: bool = False


def solve_lexicographic(
    problem: AssignmentProblem,
    backend: PhaseSolver,
    warm_start: IntArray | None,
    upper: tuple[int, int],
    time_limit_s: float,
    relative_gap: float,
    improve: Callable[[IntArray, int, float], IntArray | None] | None = None,
) -> ExactResult:
    """Run phase 1 then phase 2 on `backend` within `time_limit_s` seconds.

    Parameters
    ----------
    warm_start:
        A feasible assignment placing every required item (or None).
    upper:
        ``(placed, quality)`` of the seats-only relaxation optimum, a lexicographic upper
        bound; the quality part applies only to assignments reaching that placed value.
    improve:
        Phase 2's start from phase 1's answer: ``(answer, placed, seconds) -> better or
        None`` (see ``rounding.lp_start``).
    """
    deadline = time.perf_counter() + time_limit_s
    timings: dict[str, float] = {}
    stats: dict[str, Any] = {}
    up_placed, up_quality = upper
    budget = (deadline - time.perf_counter()) * PHASE1_SHARE
    first = solve_placed(problem, backend, warm_start, up_placed, budget, timings, stats)
    if first.x is None:
        status = SolveStatus.INFEASIBLE if first.infeasible else None
        return ExactResult(status, None, 0, 0, up_placed, up_quality, timings, stats)
    return solve_quality(
        problem,
        backend,
        first,
        upper,
        deadline,
        relative_gap,
        improve,
        timings,
        stats,
    )


def solve_placed(
    problem: AssignmentProblem,
    backend: PhaseSolver,
    warm_start: IntArray | None,
    up_placed: int,
    time_limit_s: float,
    timings: dict[str, float],
    stats: dict[str, Any],
) -> PlacedResult:
    """Phase 1 (the placed value) within `time_limit_s`, then its answer polished for
    quality (same items, so the same placed value). `timings` and `stats` are filled in."""
    placed_coef = problem.item_value[problem.arc_item]
    start = time.perf_counter()
    if warm_start is not None and objective_of(problem, warm_start)[0] == up_placed:
        x1 = _mask(problem, warm_start)
        placed_bound = up_placed
        stats["phase1"] = "warm start reaches the relaxation bound"
    else:
        hint = None if warm_start is None else _mask(problem, warm_start)
        # No reserve here: an overrun of phase 1 shortens phase 2, not the limit.
        out1 = backend.solve_phase(placed_coef, None, hint, max(time_limit_s, 0.01), 0.0)
        stats["phase1"] = out1.detail
        found = None if out1.infeasible else _better(problem, out1.x, hint)
        if found is None:
            timings["solve_placed"] = time.perf_counter() - start
            return PlacedResult(None, up_placed, infeasible=out1.infeasible)
        x1 = found
        placed_bound = integer_bound(out1.bound, int(placed_coef[x1].sum()), up_placed)
    timings["solve_placed"] = time.perf_counter() - start
    # Phase 1 ignores quality, so its solution can score poorly; moving single items to
    # better arcs (same items, so same placed value) gives phase 2 a much better start.
    start = time.perf_counter()
    try:
        x1 = _mask(problem, polish_quality(problem, to_chosen_arc(problem, x1)))
    except ValueError as error:
        raise SolverError(f"phase 1 returned an infeasible assignment: {error}") from error
    timings["polish"] = time.perf_counter() - start
    return PlacedResult(x1, placed_bound)


def solve_quality(
    problem: AssignmentProblem,
    backend: PhaseSolver,
    first: PlacedResult,
    upper: tuple[int, int],
    deadline: float,
    relative_gap: float,
    improve: Callable[[IntArray, int, float], IntArray | None] | None,
    timings: dict[str, float],
    stats: dict[str, Any],
) -> ExactResult:
    """Phase 2 (quality at phase 1's placed value) until `deadline` (a ``perf_counter``
    reading), from `improve`'s start when it is better; ``OVERRUN_RESERVE`` of the time is
    kept back from the solver."""
    assert first.x is not None
    x1 = first.x
    placed_coef = problem.item_value[problem.arc_item]
    placed = int(placed_coef[x1].sum())
    if improve is not None:
        start = time.perf_counter()
        x1, stats["improve"] = _improved(problem, x1, improve, deadline)
        timings["improve"] = time.perf_counter() - start
    start = time.perf_counter()
    quality = int(problem.arc_score[x1].sum())
    # The relaxation's quality bounds only assignments that reach its placed value.
    quality_cap = upper[1] if placed == upper[0] else free_quality(problem)
    x2 = x1
    if quality >= quality_cap:
        quality_bound = quality
        stats["phase2"] = "incumbent reaches the relaxation bound"
    else:
        remaining = max((deadline - time.perf_counter()) * (1 - OVERRUN_RESERVE), 0.01)
        out2 = backend.solve_phase(problem.arc_score, placed, x1, remaining, relative_gap)
        stats["phase2"] = out2.detail
        if out2.infeasible:
            raise SolverError("phase 2 reported infeasible although phase 1 found a solution")
        best = _better(problem, out2.x, x1)
        x2 = x1 if best is None else best
        quality = int(problem.arc_score[x2].sum())
        quality_bound = integer_bound(out2.bound, quality, quality_cap)
    timings["solve_quality"] = time.perf_counter() - start

    placed_bound = first.placed_bound
    proven = placed == placed_bound and quality == quality_bound
    return ExactResult(
        status=SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE,
        chosen_arc=to_chosen_arc(problem, x2),
        placed=int(placed_coef[x2].sum()),
        quality=quality,
        placed_bound=placed_bound,
        quality_bound=quality_bound,
        timings=timings,
        stats=stats,
    )


def _improved(
    problem: AssignmentProblem,
    x1: BoolArray,
    improve: Callable[[IntArray, int, float], IntArray | None],
    deadline: float,
) -> tuple[BoolArray, str]:
    """Phase 2's start: `improve`'s answer when it is feasible and lexicographically better
    than `x1` (it must keep the placed value), else `x1`; with a word on what happened."""
    placed, quality = objective_of(problem, to_chosen_arc(problem, x1))
    candidate = improve(to_chosen_arc(problem, x1), placed, deadline - time.perf_counter())
    if candidate is None:
        return x1, "none found"
    if core_violations(problem, candidate):
        raise SolverError("the improved start is infeasible")
    if objective_of(problem, candidate) <= (placed, quality):
        return x1, "no better"
    return _mask(problem, candidate), f"quality {quality} -> {objective_of(problem, candidate)[1]}"


def _mask(problem: AssignmentProblem, chosen_arc: IntArray) -> BoolArray:
    """Convert an arc-per-item assignment into a chosen-arc mask."""
    x = np.zeros(problem.n_arcs, dtype=np.bool_)
    x[chosen_arc[chosen_arc >= 0]] = True
    return x


def _better(
    problem: AssignmentProblem, x: BoolArray | None, y: BoolArray | None
) -> BoolArray | None:
    """Return the lexicographically better of two masks (either may be None); ties keep x.

    A solver normally returns a solution at least as good as its hint, but this makes it so.
    """
    if x is None or y is None:
        return y if x is None else x
    value = problem.item_value[problem.arc_item]
    key_x = (int(value[x].sum()), int(problem.arc_score[x].sum()))
    key_y = (int(value[y].sum()), int(problem.arc_score[y].sum()))
    return y if key_y > key_x else x
