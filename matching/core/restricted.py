"""Restricted master with pricing: the two-phase MIP over each item's best arcs, proven safe.

A large component's MIP is too big to solve in time, but an item's optimal arc is almost
always among its best-scored ones. So the MIP runs on a *restricted* problem: per item its
``k`` best arcs by score, plus every arc of the warm start, of the seats-only relaxation
optimum and of the caller's hint. Linear-programming duality then bounds what the pruned arcs
could add, per phase.

The bound (Lagrangian form of LP duality). Write a phase as ``max c.x`` subject to the rows
``A x <= b`` of the full 0-1 model (items, seats, resources, conflicts; phase 2 also
``placed_coef.x >= placed*``, moved into the objective with a multiplier ``mu >= 0``) and
``0 <= x <= 1``. For *any* row duals ``y >= 0`` and ``mu >= 0`` and any assignment ``x``::

    c.x <= b.y - mu * placed* + sum_i max(0, max_{a of i} c'_a) - sum_{chosen a} |r_a|

where ``c'_a = c_a + mu * placed_coef_a - (A_a . y without the item row)`` and
``r_a = c'_a - y_i <= 0`` with the item dual ``y_i = max(0, max_a c'_a)`` (no ``max(0, .)``
for required items, whose row is an equality). The first three terms, ``L``, bound the whole
phase; an assignment that uses a pruned arc ``a`` is worth at most ``L - |r_a|``. Hence the
full problem's optimum is at most ``max(restricted MIP bound, L - min_{pruned a} |r_a|)``, and
at most ``L``. This holds for every ``y``, so inexact or time-limited duals only weaken the
bound, never invalidate it; the duals of the restricted LP relaxation make it tight. Terms of
``A_a . y`` that the restricted model lacks (a conflict row for a pruned arc, a row the
restricted model does not need) are left out, which only raises ``c'_a``: still safe.

Column generation: the LP relaxation of the restricted phase model is solved (HiGHS via
MathOpt, continuous variables), every pruned arc priced, and those with positive reduced cost
(the best few per item) added, for a bounded number of rounds. When no pruned arc prices out,
``L`` equals the LP optimum of the full problem.

Stages, each with its share of the budget: phase 1's pricing (only when the budget covers
several LPs); phase 1's MIP over the kept arcs; phase 2's pricing *at the placed value phase 1
found* (its bounds then hold for every assignment placing that much, with no adjustment, and
its last LP is exactly the guide phase 2's start needs); phase 2's MIP over the arcs kept now,
started from phase 1's answer improved by rounding that LP (``rounding``: the LP's whole arcs
completed exactly); then, if time is left, phase 2's LP priced again for a tighter bound.

Measured earlier (5,000 items, 977k arcs, two shared cores, 20 s, phase 2 priced before
phase 1's MIP): placed 3,065 against a proven 3,073 and a quality gap of 0.08 %; without an
LP-guided start the phase-2 MIP ended 14 % below the bound. With the phase-2 LP priced at the
warm start's placed value, the start had to be rounded from an LP placing less than phase 1,
and on a loaded machine (load 7-9) that left 14-21 % gaps: hence the order above.

Reproducibility: a fixed number of rounds, stable sorts, and deterministic HiGHS; the result
depends on the machine only when a time limit binds.
"""

import math
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from matching.core.cpsat import CpSatPhaseSolver
from matching.core.errors import SolverError
from matching.core.exact import (
    ExactResult,
    PhaseSolver,
    PlacedResult,
    solve_placed,
    solve_quality,
)
from matching.core.indexing import sorted_arcs_by_item
from matching.core.linear import (
    ROW_CONFLICT,
    ROW_RESOURCE,
    ROW_SEAT,
    LinearProgram,
    build_linear_program,
)
from matching.core.lp import solve_lp_relaxation
from matching.core.mip import HighsPhaseSolver, highs_can_solve
from matching.core.options import CoreOptions
from matching.core.pace import Pace
from matching.core.problem import AssignmentProblem, IntArray, objective_of
from matching.core.rounding import START_LP_SECONDS_PER_ARC, lp_start

FloatArray = NDArray[np.float64]

DEFAULT_K = 8
"""Arcs kept per item (best scores first) before pricing adds more. Measured on the
5,000-item instance (977k arcs, 20 s, two shared cores): k = 20, 12 and 8 placed 3,042, 3,061
and 3,063 with quality gaps of 20 %, 16 % and 15 %: smaller LPs leave more rounds and MIP
time. With 60 s and k = 20 the MIP placed 3,064 against a proven bound of 3,067."""

MAX_RESTRICTED_ARCS = 250_000
"""The initial restriction keeps fewer arcs per item (at least ``MIN_K``) on components whose
items would otherwise keep more than this many arcs, so that the restricted MIP stays small."""

MIN_K = 6
PRICING_ROUNDS = 6
"""Column-generation rounds per phase (a fixed count keeps the result reproducible)."""

ADD_PER_ITEM = 4
"""Most arcs added per item and round: those of largest positive reduced cost."""

LP_SHARE = (0.3, 0.35)
"""Most of the budget the column generation of phase 1 and of phase 2 may use before the MIP.
Each starts a round only if the time left covers its estimated duration."""

PHASE1_MIN_LPS = 6
"""Phase-1 pricing runs only when the budget covers this many estimated LP solves."""

PLACED_SHARE = 0.45
"""Most of the time left after phase 1's pricing that phase 1's MIP may use; phase 2's
pricing, its start and its MIP share the rest."""

FINAL_LP_RESERVE = 0.1
"""Share of the budget kept after the MIP: slack for HiGHS, whose MIP overran a 4.5 s limit by
up to 1.5 s on the 977k-arc instance, and time for a phase-2 LP at the placed value found (run
only if its estimated duration fits; it then tightens the quality bound)."""

LP_SECONDS_PER_ARC = 2.5e-5
"""First guess of a restricted LP's cost (build and solve) per kept arc on a quiet machine
(0.8 s at 35k arcs), times the measured slowdown (``pace``); later rounds use the measured
rate. A round is only started when the time left covers it, since an LP stopped by its time
limit proves nothing."""

_PRICE_TOL = 1e-6


@dataclass(frozen=True)
class RestrictedOutcome:
    """The restricted solve's assignment (full arc indices) with bounds valid for the full
    problem, and what was kept."""

    chosen_arc: IntArray
    placed: int
    quality: int
    placed_bound: int
    quality_bound: int
    result: ExactResult
    stats: dict[str, Any]


class _Pricer:
    """Static per-problem data for the Lagrangian bound and the reduced costs."""

    def __init__(self, problem: AssignmentProblem) -> None:
        self.problem = problem
        order, starts = sorted_arcs_by_item(problem)
        self.order = order  # arcs by item, best score first
        self.starts = starts
        self.nonempty = np.flatnonzero(np.diff(starts) > 0)
        self._item_value = problem.item_value.astype(np.float64)

    def placed_coef(self) -> FloatArray:
        """Each arc's item value, as a new array: made when a phase needs it rather than
        kept, which at nine million arcs saves 72 MB for the whole solve."""
        return self._item_value[self.problem.arc_item]

    def reduced(
        self,
        keep: IntArray,
        model: LinearProgram,
        duals: FloatArray,
        objective: FloatArray,
    ) -> tuple[FloatArray, float]:
        """``c'`` for every arc (see the module docstring) and the rows' part ``b.y``.

        `duals` are the restricted model's row duals (sign as MathOpt reports them for a
        maximisation: non-negative for binding ``<=`` rows); negative values are clipped to 0,
        which keeps every bound valid.
        """
        p = self.problem
        y = np.maximum(duals[: model.n_rows], 0.0)
        kind = model.row_kind
        y[kind == 0] = 0.0  # item duals are recomputed below
        matrix = model.matrix
        # Seat rows: entity = the bin of the row's first arc; resource rows: recompute ids.
        y_bin = np.zeros(p.n_bins)
        seat_rows = np.flatnonzero(kind == ROW_SEAT)
        first = matrix.indices[matrix.indptr[seat_rows]]
        y_bin[p.arc_bin[keep[first]]] = y[seat_rows]
        y_res = np.zeros(p.n_resources)
        res_rows = np.flatnonzero(kind == ROW_RESOURCE)
        if res_rows.size:
            ids = _resource_rows_of(p, keep)
            if len(ids) != len(res_rows):
                raise SolverError("internal: resource rows do not match the restricted model")
            y_res[ids] = y[res_rows]
        cp = y_bin[p.arc_bin]
        np.subtract(objective, cp, out=cp)  # in place: nine million arcs, no second array
        priced = y_res > 0.0
        if len(p.use_arc) and priced.any():
            # Only the uses of resources with a positive dual change c' (y is clipped at 0):
            # usually a few, where weighting all eighteen million uses took 360 MB.
            uses = np.flatnonzero(priced[p.use_resource])
            weight = y_res[p.use_resource[uses]]
            weight *= p.use_amount[uses]
            cp -= np.bincount(p.use_arc[uses], weights=weight, minlength=p.n_arcs)
        yc = np.where(kind == ROW_CONFLICT, y, 0.0)
        if yc.any():
            cp[keep] -= matrix.T @ yc
        rhs = float(y_bin @ p.bin_capacity.astype(np.float64))
        rhs += float(y_res @ p.resource_capacity.astype(np.float64)) + float(yc.sum())
        return cp, rhs

    def item_duals(self, cp: FloatArray, mask: NDArray[np.bool_] | None = None) -> FloatArray:
        """Best item duals given ``c'``: ``max(0, max_a c'_a)`` (no clip when required),
        over the arcs in `mask` (all by default)."""
        p = self.problem
        values = cp if mask is None else np.where(mask, cp, -np.inf)
        best = np.full(p.n_items, -np.inf)
        if self.nonempty.size:
            best[self.nonempty] = np.maximum.reduceat(
                values[self.order], self.starts[self.nonempty]
            )
        optional = ~p.item_required
        best[optional] = np.maximum(best[optional], 0.0)
        return best


@dataclass(frozen=True)
class _Bound:
    """A proven Lagrangian bound ``total`` and the best a pruned arc allows."""

    total: float
    pruned_best: float  # L - min |r_a| over pruned arcs (-inf if none is pruned)


def _bound(pricer: _Pricer, cp: FloatArray, rhs: float, kept: NDArray[np.bool_]) -> _Bound:
    """The Lagrangian bound for these ``c'`` (see the module docstring)."""
    y_item = pricer.item_duals(cp)
    finite = np.isfinite(y_item)
    total = rhs + float(y_item[finite].sum())
    pruned = ~kept
    if not pruned.any():
        return _Bound(total, -math.inf)
    loss = y_item[pricer.problem.arc_item[pruned]] - cp[pruned]
    return _Bound(total, total - float(loss.min()))


def lp_bound(
    problem: AssignmentProblem,
    program: LinearProgram,
    duals: FloatArray,
    mu: float,
    placed: int,
) -> float:
    """Proven bound on the quality of any assignment of `problem` placing at least `placed`,
    from the duals of phase 2's LP over all of its arcs (`program` is its whole 0-1
    program): the Lagrangian bound of the module docstring, valid for any duals, and the LP
    optimum itself for exact ones. When phase 2's MIP is stopped before its root LP, this
    keeps the reported gap near the LP's instead of the relaxation's."""
    pricer = _Pricer(problem)
    keep = np.arange(problem.n_arcs, dtype=np.int64)
    objective = pricer.placed_coef()
    objective *= mu
    objective += pricer.problem.arc_score
    cp, rhs = pricer.reduced(keep, program, duals, objective)
    kept = np.ones(problem.n_arcs, dtype=np.bool_)
    return _bound(pricer, cp, rhs - mu * placed, kept).total


def _resource_rows_of(problem: AssignmentProblem, keep: IntArray) -> IntArray:
    """Resources with a row in the restricted model (same rule as ``linear._resource_rows``)."""
    kept = np.zeros(problem.n_arcs, dtype=np.bool_)
    kept[keep] = True
    live = kept[problem.use_arc]
    total = np.bincount(
        problem.use_resource[live],
        weights=problem.use_amount[live],
        minlength=problem.n_resources,
    )
    return np.flatnonzero(total > problem.resource_capacity)


def initial_arcs(
    problem: AssignmentProblem, k: int, starts: list[IntArray | None]
) -> NDArray[np.bool_]:
    """Mask of each item's `k` best arcs (ties by index) and every arc of the `starts`."""
    order, item_starts = sorted_arcs_by_item(problem)
    rank = np.arange(problem.n_arcs, dtype=np.int64) - np.repeat(
        item_starts[:-1], np.diff(item_starts)
    )
    kept = np.zeros(problem.n_arcs, dtype=np.bool_)
    kept[order[rank < k]] = True
    for start in starts:
        if start is not None:
            kept[start[start >= 0]] = True
    return kept


def _price_phase(
    pricer: _Pricer,
    kept: NDArray[np.bool_],
    base_objective: FloatArray | IntArray,
    min_placed: int | None,
    deadline: float,
    rounds: int,
    log: list[dict[str, Any]],
    rate: list[float],
    mip_kept: NDArray[np.bool_] | None = None,
    primal_out: list[tuple[IntArray, FloatArray]] | None = None,
) -> list[tuple[_Bound, float]]:
    """Column generation on one phase's LP; adds priced arcs to `kept` in place.

    With `primal_out`, the last LP's arcs and primal values are put there (its only entry):
    the guide of phase 2's start (``rounding``).

    Returns every round's proven bound with its multiplier ``mu`` (each bound is valid for
    the arcs kept at the end, which only grow: see ``_bound``). `rate` holds the measured
    LP seconds per kept arc, updated in place. With `mip_kept` (the arcs of a MIP already
    solved, a subset of `kept`), the bounds are taken relative to those arcs instead.
    """
    bounds: list[tuple[_Bound, float]] = []
    for _ in range(rounds):
        started = time.perf_counter()
        left = deadline - started
        keep = np.flatnonzero(kept)
        if left < rate[0] * len(keep):
            break
        sub = pricer.problem.subproblem(keep)
        model = build_linear_program(sub)
        objective = base_objective[keep].astype(np.float64)
        lp = solve_lp_relaxation(model, objective, min_placed, left)
        rate[0] = max(rate[0], (time.perf_counter() - started) / max(len(keep), 1))
        if lp is None:
            break
        duals, mu, primal = lp
        if primal_out is not None:
            primal_out[:] = [(keep, primal)]
        # In place, arc-sized arrays one at a time (the engine's memory peak is here at XL).
        full_objective = pricer.placed_coef()
        full_objective *= mu
        full_objective += base_objective
        cp, rhs = pricer.reduced(keep, model, duals, full_objective)
        rhs -= mu * (min_placed or 0)
        bound = _bound(pricer, cp, rhs, kept if mip_kept is None else mip_kept)
        bounds.append((bound, mu))
        # Price: pruned arcs beating their item's dual over the kept arcs.
        y_kept = pricer.item_duals(cp, kept)
        gain = y_kept[pricer.problem.arc_item]
        np.subtract(cp, gain, out=gain)
        threshold = np.abs(cp)
        np.maximum(threshold, 1.0, out=threshold)
        threshold *= _PRICE_TOL
        candidates = gain > threshold
        del threshold
        candidates &= ~kept
        log.append(
            {
                "arcs": len(keep),
                "bound": round(float(bound.total), 3),
                "priced_out": int(candidates.sum()),
            }
        )
        if not candidates.any():
            break
        kept |= _best_per_item(pricer, candidates, gain, ADD_PER_ITEM)
    return bounds


def _best_per_item(
    pricer: _Pricer, candidates: NDArray[np.bool_], gain: FloatArray, per_item: int
) -> NDArray[np.bool_]:
    """Mask of up to `per_item` candidate arcs per item, largest gain first (ties by index)."""
    arcs = np.flatnonzero(candidates)
    items = pricer.problem.arc_item[arcs]
    order = np.lexsort((arcs, -gain[arcs], items))
    arcs, items = arcs[order], items[order]
    first = np.searchsorted(items, items, side="left")
    rank = np.arange(len(arcs)) - first
    out = np.zeros(len(candidates), dtype=np.bool_)
    out[arcs[rank < per_item]] = True
    return out


def integer_floor(value: float) -> int:
    """Round a float upper bound of an integer objective down, with room for float noise."""
    return math.floor(value + 1e-6 * max(1.0, abs(value)))


def _full_bound(restricted_bound: int, bound: _Bound, fallback: int) -> int:
    """Bound for the full problem from the restricted MIP bound and the pricing bound."""
    if not math.isfinite(bound.total):
        return fallback
    via_pruned = integer_floor(bound.pruned_best) if math.isfinite(bound.pruned_best) else None
    combined = restricted_bound if via_pruned is None else max(restricted_bound, via_pruned)
    return min(fallback, integer_floor(bound.total), combined)


@dataclass(frozen=True)
class Known:
    """What the component solver knows before the restricted master runs.

    Attributes
    ----------
    starts:
        Assignments whose arcs are always kept (hint, relaxation optimum, warm start).
    warm:
        A feasible full assignment placing every required item (or None).
    upper:
        ``(placed, quality)`` of the seats-only relaxation (or trivial bounds).
    quality_caps:
        ``(relaxation quality, quality ceiling)``: the quality bound when the placed value
        reaches ``upper[0]``, and otherwise.
    """

    starts: list[IntArray | None]
    warm: IntArray | None
    upper: tuple[int, int]
    quality_caps: tuple[int, int]


@dataclass
class _Master:
    """State shared by the stages of one restricted solve."""

    problem: AssignmentProblem
    known: Known
    options: CoreOptions
    deadline: float
    budget: float
    timings: MutableMapping[str, float]
    pricer: _Pricer
    kept: NDArray[np.bool_]
    rate: list[float]
    start_rate: list[float]
    stats: dict[str, Any]
    log: list[dict[str, Any]]


def solve_restricted(
    problem: AssignmentProblem,
    known: Known,
    options: CoreOptions,
    budget: float,
    timings: MutableMapping[str, float],
    *,
    k: int | None = None,
    pace: Pace | None = None,
) -> RestrictedOutcome | None:
    """Solve `problem` over a priced restriction of its arcs (see the module docstring).

    Stages: the initial restriction (``k`` best arcs per item and every start's), column
    generation for both phases (``_price``), the restricted two-phase MIP with its LP-guided
    phase-2 start (``_solve_master``), and bounds for the full problem (``_prove``). The MIP
    back end is CP-SAT when ``options.method == "cpsat"``, else HiGHS; `pace` (the machine's
    measured slowdown) scales the first LP cost estimate.

    A budget too short for a priced LP (a slow machine, a large component) takes the
    cheaper path: no pricing, the MIP over the kept arcs with its own LP-guided start, and
    the relaxation's bounds. It replaced neighbourhood search there: on the 5,000-client
    county at load 7-11, the search ended 40 % below its bound.

    Returns None when the restricted MIP would not fit HiGHS's coefficient range.
    """
    started = time.perf_counter()
    n = max(problem.n_items, 1)
    k = DEFAULT_K if k is None else k
    k = max(1, min(k, max(MIN_K, MAX_RESTRICTED_ARCS // n)))
    kept = initial_arcs(problem, k, known.starts)
    slowdown = 1.0 if pace is None else max(pace.slowdown, pace.share())
    rate = [LP_SECONDS_PER_ARC * slowdown]
    log: list[dict[str, Any]] = []
    master = _Master(
        problem=problem,
        known=known,
        options=options,
        deadline=started + budget,
        budget=budget,
        timings=timings,
        pricer=_Pricer(problem),
        kept=kept,
        rate=rate,
        start_rate=[START_LP_SECONDS_PER_ARC * slowdown],
        stats={"k": k, "initial_arcs": int(kept.sum()), "pricing": log},
        log=log,
    )
    bounds1 = _price_placed(master)
    phase1 = _solve_placed(master)
    if phase1 is None:
        return None
    keep1, first, placed_bound = phase1
    if first.x is None:
        # Infeasible or nothing found over the kept arcs: neither says anything about the
        # full problem, which the component solver's other paths then handle.
        return _nothing(master)
    chosen1 = keep1[np.flatnonzero(first.x)]
    placed = int(problem.item_value[problem.arc_item[chosen1]].sum())
    placed_bound = _placed_bound(master, bounds1, placed_bound, placed)
    bounds2, guide = _price_quality(master, chosen1, placed)
    result, keep = _solve_quality(master, chosen1, placed_bound, guide)
    if result.chosen_arc is None:
        return _nothing(master)
    chosen = np.where(result.chosen_arc >= 0, keep[np.maximum(result.chosen_arc, 0)], -1)
    quality_bound = _quality_bound(master, bounds2, result, chosen)
    placed, quality = objective_of(problem, chosen)
    return RestrictedOutcome(
        chosen, placed, quality, placed_bound, quality_bound, result, master.stats
    )


def _nothing(master: _Master) -> RestrictedOutcome:
    """The outcome when the restricted MIP found nothing (the relaxation's bounds)."""
    upper = master.known.upper
    nothing = np.full(master.problem.n_items, -1, dtype=np.int64)
    result = ExactResult(None, None, 0, 0, upper[0], upper[1])
    return RestrictedOutcome(nothing, 0, 0, upper[0], upper[1], result, master.stats)


def _price_placed(master: _Master) -> list[tuple[_Bound, float]]:
    """Column generation of phase 1 (placed), when the budget covers several LPs: a single
    round rarely beats the relaxation's placed bound; the MIP gets the time instead."""
    t = time.perf_counter()
    budget, kept, rate = master.budget, master.kept, master.rate
    enough = budget >= PHASE1_MIN_LPS * rate[0] * int(kept.sum())
    pricer = master.pricer
    bounds = _price_phase(
        pricer,
        kept,
        pricer.placed_coef(),
        None,
        min(master.deadline, time.perf_counter() + LP_SHARE[0] * budget),
        PRICING_ROUNDS if enough else 0,
        master.log,
        rate,
    )
    master.timings["pricing"] += time.perf_counter() - t
    return bounds


def _backend(
    master: _Master, keep: IntArray
) -> tuple[AssignmentProblem, LinearProgram, PhaseSolver] | None:
    """The restricted problem on `keep`, its program and its MIP back end (None if HiGHS
    cannot hold its coefficients)."""
    t = time.perf_counter()
    options = master.options
    sub = master.problem.subproblem(keep)
    program = build_linear_program(sub)
    backend: PhaseSolver
    if options.method == "cpsat":
        backend = CpSatPhaseSolver(program, options.seed, options.num_workers)
    elif highs_can_solve(program):
        backend = HighsPhaseSolver(program, options.seed)
    else:
        return None
    master.timings["build"] += time.perf_counter() - t
    return sub, program, backend


def _local(keep: IntArray, chosen: IntArray | None, n_arcs: int) -> IntArray | None:
    """An assignment in full arc indices, in the indices of the restriction `keep`."""
    if chosen is None:
        return None
    local = np.full(n_arcs, -1, dtype=np.int64)
    local[keep] = np.arange(len(keep), dtype=np.int64)
    return np.where(chosen >= 0, local[np.maximum(chosen, 0)], -1)


def _solve_placed(master: _Master) -> tuple[IntArray, PlacedResult, int] | None:
    """Phase 1's MIP over the kept arcs, warm-started: the kept arcs, its answer (local,
    polished) and its placed bound (valid over the kept arcs only); None if it cannot run."""
    keep = np.flatnonzero(master.kept)
    built = _backend(master, keep)
    if built is None:
        return None
    sub, _, backend = built
    left = master.deadline - time.perf_counter()
    warm = _local(keep, master.known.warm, master.problem.n_arcs)
    stats: dict[str, Any] = {}
    timings: dict[str, float] = {}
    first = solve_placed(
        sub, backend, warm, master.known.upper[0], left * PLACED_SHARE, timings, stats
    )
    timings_add(master.timings, timings)
    master.stats["mip"] = stats
    return keep, first, first.placed_bound


def _placed_bound(
    master: _Master, bounds: list[tuple[_Bound, float]], restricted_bound: int, placed: int
) -> int:
    """The full problem's placed bound from the restricted MIP's and the pricing's."""
    upper = master.known.upper[0]
    bound = upper
    for priced, _ in bounds:
        bound = min(bound, _full_bound(restricted_bound, priced, upper))
    return max(bound, placed)


def _price_quality(
    master: _Master, chosen1: IntArray, placed: int
) -> tuple[list[tuple[_Bound, float]], list[tuple[IntArray, FloatArray]]]:
    """Column generation of phase 2 at phase 1's placed value, with phase 1's arcs kept: its
    bounds hold for every assignment placing that much, and its last LP guides phase 2's
    start (no LP of its own needed)."""
    t = time.perf_counter()
    master.kept[chosen1] = True
    guide: list[tuple[IntArray, FloatArray]] = []
    left = master.deadline - time.perf_counter()
    bounds = _price_phase(
        master.pricer,
        master.kept,
        master.problem.arc_score,  # scores exact in float64 (< 2**53)
        placed,
        time.perf_counter() + LP_SHARE[1] * left,
        PRICING_ROUNDS,
        master.log,
        master.rate,
        primal_out=guide,
    )
    master.timings["pricing"] += time.perf_counter() - t
    return bounds, guide


def _solve_quality(
    master: _Master,
    chosen1: IntArray,
    placed_bound: int,
    guide: list[tuple[IntArray, FloatArray]],
) -> tuple[ExactResult, IntArray]:
    """Phase 2's MIP over the arcs kept now (phase 1's and the priced ones), from phase 1's
    answer improved by rounding the pricing's LP (or an LP of its own when there is none)."""
    problem, options = master.problem, master.options
    keep = np.flatnonzero(master.kept)
    built = _backend(master, keep)
    if built is None:  # cannot happen: phase 1's model fitted, and scores are the same
        raise SolverError("internal: the restricted phase-2 model does not fit HiGHS")
    sub, program, backend = built
    local1 = _local(keep, np.full(problem.n_items, -1, dtype=np.int64), problem.n_arcs)
    assert local1 is not None
    local1[problem.arc_item[chosen1]] = np.searchsorted(keep, chosen1)
    guided = None
    if guide:  # the last priced LP's values over the arcs kept now (arcs priced in after: 0)
        lp_arcs, lp_primal = guide[0]
        guided = np.zeros(len(keep))
        guided[np.searchsorted(keep, lp_arcs)] = lp_primal

    def improve(start: IntArray, placed: int, seconds: float) -> IntArray | None:
        """Phase 2's start: the pricing's last LP (at this placed value) rounded."""
        rate = master.start_rate
        if guided is not None:
            rate = [math.inf]  # the guide is the LP at this placed value: no second LP
        return lp_start(sub, program, start, placed, seconds, options.seed, rate, guided)

    timings: dict[str, float] = {}
    stats = master.stats["mip"]
    first = PlacedResult(_mask_of(sub, local1), placed_bound)
    reserve = FINAL_LP_RESERVE * master.budget
    deadline = max(master.deadline - reserve, time.perf_counter() + 0.05)
    result = solve_quality(
        sub,
        backend,
        first,
        master.known.upper,
        deadline,
        options.relative_gap,
        None if options.method == "cpsat" else improve,
        timings,
        stats,
    )
    timings_add(master.timings, timings)
    master.stats["restricted_arcs"] = len(keep)
    return result, keep


def _mask_of(problem: AssignmentProblem, chosen: IntArray) -> NDArray[np.bool_]:
    """A chosen-arc mask of an arc-per-item assignment."""
    x = np.zeros(problem.n_arcs, dtype=np.bool_)
    x[chosen[chosen >= 0]] = True
    return x


def _quality_bound(
    master: _Master,
    bounds: list[tuple[_Bound, float]],
    result: ExactResult,
    chosen: IntArray,
) -> int:
    """The full problem's quality bound at the placed value reached, from the restricted
    MIP's and the pricing's; phase 2's LP is priced again when time is left after the MIP
    (its bounds then taken relative to the MIP's arcs)."""
    problem, upper = master.problem, master.known.upper
    placed, quality = objective_of(problem, chosen)
    caps = master.known.quality_caps
    quality_cap = caps[0] if placed == upper[0] else caps[1]
    t = time.perf_counter()
    candidates = [bound for bound, _ in bounds]
    if master.deadline - time.perf_counter() > 0.1:
        final_log: list[dict[str, Any]] = []
        final = _price_phase(
            master.pricer,
            master.kept.copy(),
            master.problem.arc_score,  # scores exact in float64 (< 2**53)
            placed,
            master.deadline,
            PRICING_ROUNDS,
            final_log,
            master.rate,
            master.kept,
        )
        master.stats["final_lp"] = final_log
        candidates.extend(bound for bound, _ in final)
    master.timings["pricing"] += time.perf_counter() - t
    quality_bound = quality_cap
    for candidate in candidates:
        quality_bound = min(
            quality_bound, _full_bound(result.quality_bound, candidate, quality_cap)
        )
    return max(quality_bound, quality)


def timings_add(timings: MutableMapping[str, float], more: dict[str, float]) -> None:
    """Add the seconds of `more` to `timings`, key by key."""
    for key, seconds in more.items():
        timings[key] += seconds
