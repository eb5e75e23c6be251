"""An LP-guided start for phase 2: keep the arcs the LP relaxation takes whole, solve the rest.

On a large component, phase 2's MIP (quality, with the placed value held) improves its
incumbent slowly: on the 5,000-item instance HiGHS ended 6.6 s at a quality 14 % below the LP
bound, which the same MIP nearly reached with 60 s. The LP relaxation of an assignment problem
whose side constraints are few is almost integral, so its solution is a far better start:
every arc the LP takes whole *and* the incumbent (phase 1's answer) also takes is kept, and the
items where the two differ go to a small exact MIP over their arcs, with the seats, resources
and conflicts the kept arcs leave, started from the incumbent (relaxation-induced
neighbourhood search). The combined assignment is feasible by construction and never worse
than the incumbent; it is only a start: phase 2 still runs and still proves its own bound.
"""

import time

import numpy as np
from numpy.typing import NDArray

from matching.core.check import core_violations
from matching.core.exact import solve_lexicographic, to_chosen_arc
from matching.core.linear import LinearProgram, build_linear_program
from matching.core.lp import solve_lp_relaxation
from matching.core.mip import HIGHS_MAX_COEFFICIENT, HighsPhaseSolver, highs_can_solve
from matching.core.problem import AssignmentProblem, IntArray, objective_of, quality_ceiling

FloatArray = NDArray[np.float64]

WHOLE = 1.0 - 1e-6
"""An arc counts as taken whole from this LP value up."""
PRESENT = 1e-6
"""An item takes part in the LP solution from this total value up."""

LP_START_SHARE = 0.6
"""Most of phase 2's time the LP-guided start may use (the LP, then the small MIP over the
items where the LP and phase 1's answer differ); phase 2's own MIP keeps the rest, mostly to
prove: on the 1,000-client counties the start is optimal or within 0.1 %."""

LP_ALONE_SHARE = 0.5
"""Most of the rounding's time the completion of the LP's whole arcs alone may use."""

WIDENINGS = 2
"""Times the completion of the LP's whole arcs is retried with more items released
(``_widen``) when it misses phase 1's placed value."""

START_LP_SECONDS_PER_ARC = 1.5e-5
"""First guess of the phase-2 LP's cost per arc (dual simplex, building included): measured
0.4 s for 32k arcs on a quiet machine, 2.3 times faster than barrier there."""

LP_TIME_SHARE = 0.6
"""Most of the start's time the LP itself may take; the rounding MIP keeps the rest."""


def split_items(
    problem: AssignmentProblem, primal: FloatArray, incumbent: IntArray
) -> tuple[IntArray, IntArray]:
    """``(kept arc per item or -1, items left open)``: an item keeps its arc where the LP
    takes it whole and the incumbent agrees; items either of them places otherwise are open.
    The incumbent restricted to the open items then fits what the kept arcs leave, so the
    open items' MIP always has a solution as good as the incumbent."""
    kept = np.full(problem.n_items, -1, dtype=np.int64)
    whole = np.flatnonzero(primal >= WHOLE)
    agree = whole[incumbent[problem.arc_item[whole]] == whole]
    kept[problem.arc_item[agree]] = agree
    weight = np.bincount(problem.arc_item, weights=primal, minlength=problem.n_items)
    placed_somewhere = (weight >= PRESENT) | (incumbent >= 0)
    open_items = np.flatnonzero(placed_somewhere & (kept < 0))
    return kept, open_items


def residual_problem(
    problem: AssignmentProblem, kept: IntArray, open_items: IntArray
) -> tuple[AssignmentProblem, IntArray]:
    """The problem over the open items' arcs with what the kept arcs leave: seats, resource
    units, and no arc into a full bin or one where a conflicting item is kept. Returns it with the
    original index of each of its arcs."""
    taken = kept[kept >= 0]
    is_open = np.zeros(problem.n_items, dtype=np.bool_)
    is_open[open_items] = True
    seats = problem.bin_capacity - np.bincount(problem.arc_bin[taken], minlength=problem.n_bins)
    arcs = is_open[problem.arc_item] & (seats[problem.arc_bin] > 0)
    # A conflict partner kept at a bin closes that bin to the item.
    bin_of = np.full(problem.n_items, -1, dtype=np.int64)
    bin_of[problem.arc_item[taken]] = problem.arc_bin[taken]
    if len(problem.conflicts):
        item = np.concatenate((problem.conflicts[:, 0], problem.conflicts[:, 1]))
        partner = np.concatenate((problem.conflicts[:, 1], problem.conflicts[:, 0]))
        closing = is_open[item] & (bin_of[partner] >= 0)
        closed = item[closing] * problem.n_bins + bin_of[partner[closing]]
        arcs &= ~np.isin(problem.arc_item * problem.n_bins + problem.arc_bin, closed)
    in_use = np.zeros(problem.n_arcs, dtype=np.bool_)
    in_use[taken] = True
    live = in_use[problem.use_arc]
    used = np.bincount(
        problem.use_resource[live], weights=problem.use_amount[live], minlength=problem.n_resources
    ).astype(np.int64)
    index = np.flatnonzero(arcs).astype(np.int64)
    pairs = problem.conflicts
    both_open = is_open[pairs[:, 0]] & is_open[pairs[:, 1]] if len(pairs) else np.zeros(0, bool)
    residual = problem.subproblem(
        index,
        conflicts=pairs[both_open],
        item_required=problem.item_required & is_open,
        bin_capacity=np.maximum(seats, 0),
        resource_capacity=np.maximum(problem.resource_capacity - used, 0),
    )
    return residual, index


def round_lp(
    problem: AssignmentProblem,
    primal: FloatArray,
    incumbent: IntArray,
    time_limit_s: float,
    seed: int = 0,
) -> IntArray | None:
    """A feasible assignment at least as good as `incumbent` from an LP solution of phase 2
    (see the module docstring), or None if no MIP returns anything in time.

    First the LP alone: every arc it takes whole is kept (when they fit together, as they do
    for a true LP solution) and the few items left are completed exactly. The LP at phase 1's
    placed value is nearly integral (25 fractional arcs of 32,000 on a 1,000-client county),
    so this is small and close to optimal. Where that misses the incumbent's value, the
    items are split by agreement with the incumbent instead (``split_items``), which always
    has the incumbent as a solution.
    """
    started = time.perf_counter()
    target = objective_of(problem, incumbent)
    kept = lp_whole(problem, primal)
    if kept is not None:
        weight = np.bincount(problem.arc_item, weights=primal, minlength=problem.n_items)
        wanted = (weight >= PRESENT) | (incumbent >= 0) | problem.item_required
        open_items = np.flatnonzero(wanted & (kept < 0))
        fractional = np.flatnonzero((weight >= PRESENT) & (kept < 0))
        previous = None
        for widening in range(WIDENINGS + 1):
            left = time_limit_s * LP_ALONE_SHARE - (time.perf_counter() - started)
            if left <= 0.05:
                break
            chosen = _complete(problem, kept, open_items, previous, left, seed, enough=False)
            if chosen is not None and objective_of(problem, chosen) >= target:
                return chosen
            previous = chosen if chosen is not None else previous
            kept, open_items = _widen(problem, kept, open_items, fractional, widening)
    kept, open_items = split_items(problem, primal, incumbent)
    left = max(time_limit_s - (time.perf_counter() - started), 0.05)
    return _complete(problem, kept, open_items, incumbent, left, seed)


def _widen(
    problem: AssignmentProblem,
    kept: IntArray,
    open_items: IntArray,
    focus: IntArray,
    widening: int,
) -> tuple[IntArray, IntArray]:
    """Release the kept items sitting in a bin that a `focus` item (one the LP placed
    fractionally) could use, and from the second widening on those drawing on a resource it
    could use too: rounding the fractional items can leave them short of a seat or a unit
    that a kept item would give up for an equally good one."""
    is_open = np.zeros(problem.n_items, dtype=np.bool_)
    is_open[focus] = True
    arcs = np.flatnonzero(is_open[problem.arc_item])
    bins = np.zeros(problem.n_bins, dtype=np.bool_)
    bins[problem.arc_bin[arcs]] = True
    touched = np.zeros(problem.n_resources, dtype=np.bool_)
    on_open = np.zeros(problem.n_arcs, dtype=np.bool_)
    on_open[arcs] = True
    touched[problem.use_resource[on_open[problem.use_arc]]] = True
    held = np.flatnonzero(kept >= 0)
    release = bins[problem.arc_bin[kept[held]]]
    kept_arc = np.zeros(problem.n_arcs, dtype=np.bool_)
    kept_arc[kept[held]] = True
    drawing = kept_arc[problem.use_arc] & touched[problem.use_resource]
    by_resource = np.zeros(problem.n_items, dtype=np.bool_)
    by_resource[problem.arc_item[problem.use_arc[drawing]]] = True
    if widening >= 1:
        release |= by_resource[held]
    kept = kept.copy()
    kept[held[release]] = -1
    return kept, np.union1d(open_items, held[release])


def lp_whole(problem: AssignmentProblem, primal: FloatArray) -> IntArray | None:
    """The arc per item that the LP takes whole (or -1), or None when those arcs do not fit
    together (values that are no LP solution: two whole arcs of one item, or a row over)."""
    whole = np.flatnonzero(primal >= WHOLE)
    items = problem.arc_item[whole]
    if np.unique(items).size < items.size:
        return None
    kept = np.full(problem.n_items, -1, dtype=np.int64)
    kept[items] = whole
    return kept if not core_violations(problem, kept, require=False) else None


def _complete(
    problem: AssignmentProblem,
    kept: IntArray,
    open_items: IntArray,
    incumbent: IntArray | None,
    time_limit_s: float,
    seed: int,
    enough: bool = True,
) -> IntArray | None:
    """`kept` completed by an exact solve over the open items' arcs, from the incumbent's
    arcs on them when given (they fit what `kept` leaves whenever the incumbent and `kept`
    agree elsewhere), or None when the MIP returns nothing. With `enough`, the incumbent's
    placed value is all that is asked (phase 1 is skipped); else the most possible."""
    if open_items.size == 0:
        return kept
    residual, index = residual_problem(problem, kept, open_items)
    model = build_linear_program(residual)
    if not highs_can_solve(model):
        return None
    warm = None
    if incumbent is not None:
        local = np.full(problem.n_arcs, -1, dtype=np.int64)
        local[index] = np.arange(len(index), dtype=np.int64)
        warm = np.full(problem.n_items, -1, dtype=np.int64)
        warm[open_items] = np.where(
            incumbent[open_items] >= 0, local[np.maximum(incumbent[open_items], 0)], -1
        )
    if warm is not None and enough:
        # Phase 2 keeps phase 1's placed value: the incumbent's count on the open items is
        # all the residual needs, and stating it as the bound skips the residual's phase 1.
        upper = (objective_of(residual, warm)[0], quality_ceiling(residual))
    else:
        upper = (int(residual.item_value[open_items].sum()), quality_ceiling(residual))
    backend = HighsPhaseSolver(model, seed)
    local_chosen: IntArray | None
    weight = quality_ceiling(residual) + 1
    if not enough and warm is not None and weight * upper[0] <= HIGHS_MAX_COEFFICIENT:
        # One weighted solve (placed first by a weight above any quality): from a start
        # short of the placed value but of high quality, HiGHS finds the missing placement
        # while keeping the quality, where phase 1 alone would move far from the start.
        coef = model.placed_coef * weight + model.quality_coef
        hint = np.zeros(residual.n_arcs, dtype=np.bool_)
        hint[warm[warm >= 0]] = True
        out = backend.solve_phase(coef, None, hint, time_limit_s, 0.0)
        local_chosen = None if out.x is None else to_chosen_arc(residual, out.x)
    else:
        result = solve_lexicographic(residual, backend, warm, upper, time_limit_s, 0.0)
        local_chosen = result.chosen_arc
    if local_chosen is None:
        return None
    chosen = kept.copy()
    placed_here = local_chosen >= 0
    chosen[placed_here] = index[local_chosen[placed_here]]
    return chosen


def lp_start(
    problem: AssignmentProblem,
    program: LinearProgram,
    start: IntArray,
    placed: int,
    seconds: float,
    seed: int,
    lp_rate: list[float],
    fallback: FloatArray | None = None,
) -> IntArray | None:
    """Phase 2's start: `start` (phase 1's answer) improved where the LP of phase 2 at
    `placed` disagrees with it (``round_lp``), within ``LP_START_SHARE`` of `seconds`.

    `lp_rate` holds the expected LP seconds per arc (``START_LP_SECONDS_PER_ARC`` times the
    machine's slowdown at first, then measured, updated in place): the LP (dual simplex) runs
    only when its estimate fits ``LP_TIME_SHARE`` of the share, since an LP stopped by
    its limit gives nothing. Without it, the primal `fallback` (an older LP's, one value per
    arc of `program`) guides instead, and without that, None.
    """
    began = time.perf_counter()
    share = seconds * LP_START_SHARE
    primal = None
    lp_limit = share * LP_TIME_SHARE
    if lp_limit > lp_rate[0] * max(program.n_vars, 1):
        objective = problem.arc_score.astype(np.float64)
        lp = solve_lp_relaxation(program, objective, placed, lp_limit, "dual_simplex")
        spent = time.perf_counter() - began
        if lp is not None:
            lp_rate[0] = max(lp_rate[0], spent / max(program.n_vars, 1))
        primal = None if lp is None else lp[2]
    if primal is None:
        primal = fallback
    if primal is None:
        return None
    left = share - (time.perf_counter() - began)
    if left <= 0.05:
        return None
    return round_lp(problem, primal, start, left, seed)
