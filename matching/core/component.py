"""Solve one component that the flow relaxation could not: warm start, then a MIP.

Components with at most ``NEIGHBOURHOOD_MIN_ARCS`` arcs go straight to the two-phase MIP,
warm-started from the best greedy run. Larger ones (with HiGHS) go to the restricted master
with pricing (``restricted``): the two-phase MIP over each item's best arcs, with bounds for
the full component proven by LP duality. Neighbourhood search (``neighbourhood``) remains the
fallback where that does not apply (CP-SAT, coefficients beyond HiGHS's range, or nothing
found over the kept arcs): it spends up to ``NEIGHBOURHOOD_SHARE`` of the budget before the
monolithic MIP, and past ``MONOLITHIC_MAX_NONZEROS`` the MIP is skipped (loading it alone
would outlast typical budgets); bounds then come from the relaxation.
"""

import math
import time
from collections import defaultdict
from collections.abc import MutableMapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from matching.core.cpsat import CpSatPhaseSolver
from matching.core.errors import InfeasibleInput, NoSolutionFound
from matching.core.exact import ExactResult, PhaseSolver, solve_lexicographic
from matching.core.flow import FlowResult, free_quality
from matching.core.greedy import greedy_assign
from matching.core.linear import LinearProgram, build_linear_program
from matching.core.lp import solve_lp_relaxation
from matching.core.mip import HighsPhaseSolver, highs_can_solve
from matching.core.neighbourhood import TARGET_ARCS, SubSolver, improve_by_neighbourhoods
from matching.core.options import CoreOptions
from matching.core.pace import Pace
from matching.core.problem import AssignmentProblem, IntArray, objective_of, quality_ceiling
from matching.core.restricted import Known, integer_floor, lp_bound, solve_restricted
from matching.core.rounding import (
    LP_START_SHARE,
    LP_TIME_SHARE,
    START_LP_SECONDS_PER_ARC,
    round_lp,
)
from matching.core.status import SolveStatus

DEFAULT_MIP = "highs"
"""The MIP back end of ``method="auto"``. Measured on synthetic instances with binding
per-bin support units (one worker, 30 s): HiGHS proved a 1,822-arc instance optimal in 4.5 s
where CP-SAT stopped at the limit short of the optimal quality; on 7,000 and 18,000 arcs
HiGHS reached the optimal placed value and CP-SAT did not. On 70,000 arcs (10 s) neither
improved the warm start, but HiGHS proved a bound of 3,050 where CP-SAT proved nothing
better than the relaxation's 3,177; CP-SAT's presolve (probing) alone took 7-13 s there."""

MONOLITHIC_MAX_NONZEROS = 1_500_000
"""Components whose MIP would have more nonzeros (estimated as two per arc plus one per
resource use) are not given to a monolithic MIP. Measured: with 5.4 M nonzeros (20,000 items,
2 M arcs) HiGHS and CP-SAT each spent about 19 s loading the model before their time limit
of 1 s was even checked."""

NEIGHBOURHOOD_MIN_ARCS = 150_000
"""Components with fewer arcs go straight to the MIP: on the 1,000-client county (36k arcs)
HiGHS proves the optimum in about 4 s, while a neighbourhood search first cost 3 s and left the
MIP too little time (measured with ``python -m benchmarks.run --sizes M``). Larger ones use
the restricted master (or the search, as its fallback)."""

NEIGHBOURHOOD_SHARE = 0.8
"""Most a large component's neighbourhood search may use of its budget before the MIP. The
step limit usually ends the search sooner on components the MIP can then prove optimal; on
tight components of ~70,000 arcs the MIP did not even finish its root LP in the time left,
while the search kept improving (2,000-item benchmark, 10 s: placed 2,984 with half the time
for the search, 3,022-3,043 with all of it)."""

MIN_BUDGET_S = 0.05
_MIN_MIP_S = 0.5  # below this, a large MIP's fixed costs alone would overrun the budget


@dataclass(frozen=True)
class ComponentOutcome:
    """A component's assignment (local arc indices) with its bounds and how it was found."""

    chosen_arc: IntArray
    placed_bound: int
    quality_bound: int
    optimal: bool
    method: str


def solve_component(
    problem: AssignmentProblem,
    relaxed: FlowResult | None,
    hint: IntArray | None,
    options: CoreOptions,
    budget: float,
    step_solver: SubSolver | None,
    timings: MutableMapping[str, float],
    stats: dict[str, Any],
    pace: Pace | None = None,
    greedy: IntArray | None = None,
) -> ComponentOutcome:
    """Solve one component within `budget` seconds (see the module docstring).

    Anytime: the outcome is never lexicographically worse than the best greedy warm start,
    whichever path ran and wherever the time limit stopped it.

    Parameters
    ----------
    relaxed:
        The seats-only relaxation optimum (None if its scaling overflowed).
    hint:
        The caller's hint in local arc indices, or None.
    step_solver:
        Solves a neighbourhood; None disables neighbourhood search (inside a step).
    timings, stats:
        Accumulated in place: seconds per phase, and diagnostics.
    pace:
        The machine's measured slowdown, which scales the solvers' cost estimates.
    greedy:
        The whole problem's greedy answer on this component (local arcs), or None: the
        outcome is then never worse than it either.

    Raises
    ------
    InfeasibleInput
        The MIP proved the component infeasible; ``items`` are its required items (local).
    NoSolutionFound
        No assignment placing every required item was found in time.
    """
    pace = pace or Pace()
    started = time.perf_counter()
    warm = warm_start(problem, hint, relaxed, greedy)
    timings["greedy"] += time.perf_counter() - started
    if budget <= 0:
        # The deadline has passed: the best greedy answer is the answer.
        upper = _upper(problem, relaxed)
        return _heuristic_outcome(problem, warm, upper, "greedy")
    outcome = _solve_from(
        problem, relaxed, hint, warm, options, started + budget, step_solver, timings, stats, pace
    )
    return at_least_warm(problem, outcome, warm)


def at_least_warm(
    problem: AssignmentProblem, outcome: ComponentOutcome, warm: IntArray | None
) -> ComponentOutcome:
    """`outcome`, or the warm start with `outcome`'s bounds where the warm start is
    lexicographically better (a solver stopped by its time limit can return less than its
    hint). The bounds stay valid: they bound the component, whatever assignment is kept."""
    if warm is None:
        return outcome
    found = objective_of(problem, outcome.chosen_arc)
    kept = objective_of(problem, warm)
    if kept <= found:
        return outcome
    return ComponentOutcome(
        chosen_arc=warm,
        placed_bound=max(outcome.placed_bound, kept[0]),
        quality_bound=max(outcome.quality_bound, kept[1]),
        optimal=kept == (outcome.placed_bound, outcome.quality_bound),
        method=outcome.method,
    )


def _solve_from(
    problem: AssignmentProblem,
    relaxed: FlowResult | None,
    hint: IntArray | None,
    warm: IntArray | None,
    options: CoreOptions,
    deadline: float,
    step_solver: SubSolver | None,
    timings: MutableMapping[str, float],
    stats: dict[str, Any],
    pace: Pace,
) -> ComponentOutcome:
    """The paths of ``solve_component`` after the warm start."""
    name = options.method if options.method in ("highs", "cpsat") else DEFAULT_MIP
    upper = _upper(problem, relaxed)

    monolithic = 2 * problem.n_arcs + len(problem.use_arc) <= MONOLITHIC_MAX_NONZEROS
    large = problem.n_arcs > NEIGHBOURHOOD_MIN_ARCS
    if large and name == "highs":
        outcome = _restricted_outcome(problem, relaxed, hint, warm, upper, options, deadline, pace)
        if outcome is not None:
            timings_add(timings, outcome[1])
            stats.setdefault("restricted", []).append(outcome[2])
            return outcome[0]
    if step_solver is not None and warm is not None and large:
        t = time.perf_counter()
        share = NEIGHBOURHOOD_SHARE if monolithic else 1.0
        # A fixed number of steps (about three sweeps over the arcs) keeps the result
        # reproducible when the MIP follows; alone, the search uses all the time.
        max_steps = 3 * math.ceil(problem.n_arcs / TARGET_ARCS) if monolithic else None
        warm, steps = improve_by_neighbourhoods(
            problem, warm, step_solver, options, t + (deadline - t) * share, max_steps
        )
        timings["neighbourhood"] += time.perf_counter() - t
        stats.setdefault("neighbourhood", []).append(steps)
    if not monolithic or (large and deadline - time.perf_counter() < _MIN_MIP_S):
        return _heuristic_outcome(problem, warm, upper, f"{name}-lns")

    t = time.perf_counter()
    model = build_linear_program(problem)
    if name == "highs" and not highs_can_solve(model):
        name = "cpsat"  # HiGHS cannot hold such coefficients exactly; CP-SAT can
    backend: PhaseSolver
    if name == "cpsat":
        backend = CpSatPhaseSolver(model, options.seed, options.num_workers)
    else:
        backend = HighsPhaseSolver(model, options.seed)
    timings["build"] += time.perf_counter() - t

    left = max(deadline - time.perf_counter(), MIN_BUDGET_S)
    improve = None
    lp_bounds: list[tuple[int, float]] = []
    if name == "highs":
        rate = [START_LP_SECONDS_PER_ARC * max(pace.slowdown, pace.share())]

        def improve(start: IntArray, placed: int, seconds: float) -> IntArray | None:
            return _lp_start_with_bound(
                problem, model, start, placed, seconds, options.seed, rate, lp_bounds
            )

    result = solve_lexicographic(
        problem, backend, warm, upper, left, options.relative_gap, improve=improve
    )
    result = _with_lp_bound(result, lp_bounds)
    for key, seconds in result.timings.items():
        timings[key] += seconds
    stats.setdefault("mip", []).append(
        {"items": problem.n_items, "arcs": problem.n_arcs, "rows": model.n_rows, **result.stats}
    )
    if result.status is SolveStatus.INFEASIBLE:
        items = tuple(int(i) for i in np.flatnonzero(problem.item_required))
        raise InfeasibleInput("required items cannot all be assigned", items)
    if result.chosen_arc is None:
        raise NoSolutionFound(
            f"{name}: no assignment placing every required item found within the time "
            f"limit for a component of {problem.n_items} items"
        )
    return ComponentOutcome(
        chosen_arc=result.chosen_arc,
        placed_bound=result.placed_bound,
        quality_bound=result.quality_bound,
        optimal=result.status is SolveStatus.OPTIMAL,
        method=name,
    )


def _upper(problem: AssignmentProblem, relaxed: FlowResult | None) -> tuple[int, int]:
    """The relaxation's ``(placed, quality)``, or trivial bounds without it (everything
    placed, each at its best score)."""
    if relaxed is None:
        return int(problem.item_value.sum()), quality_ceiling(problem)
    return relaxed.placed, relaxed.quality


def _lp_start_with_bound(
    problem: AssignmentProblem,
    program: LinearProgram,
    start: IntArray,
    placed: int,
    seconds: float,
    seed: int,
    rate: list[float],
    bounds: list[tuple[int, float]],
) -> IntArray | None:
    """Phase 2's LP-guided start (``rounding``), from an LP over all the component's arcs
    whose duals also prove a quality bound at `placed` (appended to `bounds`)."""
    began = time.perf_counter()
    share = seconds * LP_START_SHARE
    lp_limit = share * LP_TIME_SHARE
    if lp_limit <= rate[0] * max(program.n_vars, 1):
        return None
    objective = problem.arc_score.astype(np.float64)
    lp = solve_lp_relaxation(program, objective, placed, lp_limit, "dual_simplex")
    if lp is None:
        return None
    rate[0] = max(rate[0], (time.perf_counter() - began) / max(program.n_vars, 1))
    duals, mu, primal = lp
    bounds.append((placed, lp_bound(problem, program, duals, mu, placed)))
    left = share - (time.perf_counter() - began)
    return round_lp(problem, primal, start, left, seed) if left > 0.05 else None


def _with_lp_bound(result: ExactResult, bounds: list[tuple[int, float]]) -> ExactResult:
    """`result` with its quality bound tightened by the LP's, which holds for assignments
    placing at least what phase 1 placed, as the MIP's does."""
    if result.chosen_arc is None:
        return result
    quality_bound = result.quality_bound
    for placed, bound in bounds:
        if placed == result.placed and math.isfinite(bound):
            quality_bound = min(quality_bound, integer_floor(bound))
    quality_bound = max(quality_bound, result.quality)
    if quality_bound == result.quality_bound:
        return result
    proven = result.placed == result.placed_bound and result.quality == quality_bound
    return replace(
        result,
        quality_bound=quality_bound,
        status=SolveStatus.OPTIMAL if proven else result.status,
    )


def timings_add(timings: MutableMapping[str, float], more: dict[str, float]) -> None:
    """Add the seconds of `more` to `timings`, key by key."""
    for key, seconds in more.items():
        timings[key] += seconds


def _restricted_outcome(
    problem: AssignmentProblem,
    relaxed: FlowResult | None,
    hint: IntArray | None,
    warm: IntArray | None,
    upper: tuple[int, int],
    options: CoreOptions,
    deadline: float,
    pace: Pace,
) -> tuple[ComponentOutcome, dict[str, float], dict[str, Any]] | None:
    """The restricted master with pricing (``restricted``); None if it does not apply."""
    starts = [hint, None if relaxed is None else relaxed.chosen_arc, warm]
    caps = (upper[1], free_quality(problem))
    timings: dict[str, float] = defaultdict(float)
    budget = max(deadline - time.perf_counter(), MIN_BUDGET_S)
    known = Known(starts=starts, warm=warm, upper=upper, quality_caps=caps)
    found = solve_restricted(problem, known, options, budget, timings, pace=pace)
    if found is None:
        return None
    result = found.result
    timings_add(timings, result.timings)
    if result.chosen_arc is None:
        # Infeasible or nothing found over the kept arcs: neither says anything about the
        # full component, which the other paths then handle.
        return None
    outcome = ComponentOutcome(
        chosen_arc=found.chosen_arc,
        placed_bound=found.placed_bound,
        quality_bound=found.quality_bound,
        optimal=found.placed == found.placed_bound and found.quality == found.quality_bound,
        method="highs-restricted",
    )
    return outcome, timings, found.stats


def warm_start(
    problem: AssignmentProblem,
    hint: IntArray | None,
    relaxed: FlowResult | None,
    greedy: IntArray | None = None,
) -> IntArray | None:
    """Best greedy assignment placing every required item: from the hint, from the
    relaxation optimum, from the whole problem's greedy answer restricted to the component
    (`greedy`, which greedy then reproduces), or from scratch (ties prefer that order).

    Returns None if none places every required item (a greedy can fail where an assignment
    exists); the MIP then starts without a hint.
    """
    starts: list[IntArray | None] = []
    if hint is not None:
        starts.append(hint)
    if relaxed is not None:
        starts.append(relaxed.chosen_arc)
    if greedy is not None:
        starts.append(greedy)
    # From scratch too, unless the component is large and another start exists: each run
    # costs about a second per million arcs, and the relaxation start usually wins.
    if not starts or problem.n_arcs <= 2 * TARGET_ARCS:
        starts.append(None)
    best: IntArray | None = None
    best_key = (-1, -1)
    for start in starts:
        candidate = greedy_assign(problem, start)
        if np.any(problem.item_required & (candidate < 0)):
            continue
        key = objective_of(problem, candidate)
        if key > best_key:
            best, best_key = candidate, key
    return best


def _heuristic_outcome(
    problem: AssignmentProblem,
    chosen: IntArray | None,
    upper: tuple[int, int],
    method: str,
) -> ComponentOutcome:
    """Keep a heuristic assignment, bounded by the relaxation only."""
    if chosen is None:
        raise NoSolutionFound(
            f"no assignment placing every required item found for a component of "
            f"{problem.n_items} items (too large or too little time for the MIP)"
        )
    placed, quality = objective_of(problem, chosen)
    quality_bound = upper[1] if placed == upper[0] else free_quality(problem)
    return ComponentOutcome(
        chosen_arc=chosen,
        placed_bound=upper[0],
        quality_bound=quality_bound,
        optimal=placed == upper[0] and quality == quality_bound,
        method=method,
    )
