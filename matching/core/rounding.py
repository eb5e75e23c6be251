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

from matching.core.exact import solve_lexicographic
from matching.core.linear import LinearProgram, build_linear_program
from matching.core.lp import solve_lp_relaxation
from matching.core.mip import HighsPhaseSolver, highs_can_solve
from matching.core.problem import AssignmentProblem, IntArray, objective_of, quality_ceiling

FloatArray = NDArray[np.float64]

WHOLE = 1.0 - 1e-6
"""An arc counts as taken whole from this LP value up."""
PRESENT = 1e-6
"""An item takes part in the LP solution from this total value up."""

LP_START_SHARE = 0.5
"""Most of phase 2's time the LP-guided start may use (the LP, then the small MIP over the
items where the LP and phase 1's answer differ); phase 2's own MIP keeps the rest."""


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
    (see the module docstring), or None if the open items' MIP returns nothing in time."""
    kept, open_items = split_items(problem, primal, incumbent)
    if open_items.size == 0:
        return kept
    residual, index = residual_problem(problem, kept, open_items)
    model = build_linear_program(residual)
    if not highs_can_solve(model):
        return None
    local = np.full(problem.n_arcs, -1, dtype=np.int64)
    local[index] = np.arange(len(index), dtype=np.int64)
    warm = np.full(problem.n_items, -1, dtype=np.int64)
    warm[open_items] = np.where(
        incumbent[open_items] >= 0, local[np.maximum(incumbent[open_items], 0)], -1
    )
    # Phase 2 keeps phase 1's placed value: the incumbent's count on the open items is all
    # the residual needs, and stating it as the bound skips the residual's own phase 1.
    upper = (objective_of(residual, warm)[0], quality_ceiling(residual))
    result = solve_lexicographic(
        residual, HighsPhaseSolver(model, seed), warm, upper, time_limit_s, 0.0
    )
    if result.chosen_arc is None:
        return None
    chosen = kept.copy()
    placed_here = result.chosen_arc >= 0
    chosen[placed_here] = index[result.chosen_arc[placed_here]]
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

    `lp_rate` holds the expected LP seconds per arc (measured, updated in place): the LP runs
    only when half the share covers twice that estimate, since an LP stopped by its limit
    gives nothing. Without it, the primal `fallback` (an older LP's, one value per arc of
    `program`) guides instead, and without that, None.
    """
    began = time.perf_counter()
    share = seconds * LP_START_SHARE
    primal = None
    if share > 2 * lp_rate[0] * max(program.n_vars, 1):
        lp = solve_lp_relaxation(program, problem.arc_score.astype(np.float64), placed, share / 2)
        spent = time.perf_counter() - began
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
