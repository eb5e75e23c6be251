"""``solve``: the facade that picks the cheapest exact path for each independent component.

Pipeline, per call:

1. Preprocess: drop arcs that can never be chosen (no seat, or more of a resource than it
   has), then split into independent components (``decompose``). An item alone in its
   component takes its best arc, no solver needed.
2. Seats-only relaxation by min-cost flow, per component. If its optimum also satisfies every
   resource and conflict, it is optimal for the component: the relaxation's feasible set
   contains the component's, so its optimum is at least as good as any feasible assignment,
   and being feasible itself it is one of them. That is always the path when only seats bind.
3. Otherwise ``component.solve_component``: the two-phase MIP (HiGHS or CP-SAT) warm-started
   from greedy runs (from the caller's hint, from the relaxation optimum, from scratch) and
   bounded by the relaxation. Large components (HiGHS) solve the MIP over each item's best
   arcs and prove bounds for all arcs by LP pricing (``"highs-restricted"``, see
   ``matching.core.restricted``); where that does not apply they get neighbourhood search
   first, and the very largest only that (``"highs-lns"`` / ``"cpsat-lns"``).

Time: ``time_limit_s`` is the wall-clock budget of the whole call. The MIP components share
what is left after steps 1-2 in proportion to their number of arcs (a proxy for model size
and difficulty). Components run one after another and each gets
``left * size / (size of the components not yet solved)``, so time a component does not
use passes on to the rest. Steps 1-2, the greedy runs and a solver's model loading cannot be
interrupted; with about 2 M arcs they alone take 8-15 s (measured), so budgets below that
overrun at that scale.

Reproducibility: fixed seeds, one deterministic worker by default, stable sorts for every
tie, seeded neighbourhoods with a fixed step count; the same input and options give the same
``chosen_arc`` whenever no time limit binds. Components too large for the monolithic MIP are
solved until the time limit, so their result depends on the machine's speed.
"""

import time
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from matching.core.check import core_violations
from matching.core.component import MIN_BUDGET_S, solve_component
from matching.core.decompose import (
    Component,
    best_single_arcs,
    decompose,
    only_seats_bind,
    usable_arcs,
)
from matching.core.decompose import (
    whole as one_component,
)
from matching.core.errors import InfeasibleInput, NoSolutionFound, SolverError
from matching.core.flow import FlowResult, solve_seats_flow
from matching.core.greedy import greedy_assign
from matching.core.options import CoreOptions
from matching.core.pace import Pace
from matching.core.problem import (
    AssignmentProblem,
    BoolArray,
    IntArray,
    as_assignment,
    objective_of,
)
from matching.core.solution import AssignmentSolution
from matching.core.status import SolveStatus

GLOBAL_GREEDY_MAX_ARCS = 250_000
"""Up to this many arcs the greedy answer of the whole problem (about a second per million
arcs) is computed and handed to every component as a start, so that the result is never worse
than it, in clients placed first and quality second. Larger problems start from the greedy
completion of the relaxation optimum, which has placed more on every instance measured."""

DECOMPOSE_MAX_ARCS = 2_000_000
"""Larger problems are solved as one component (``decompose.whole``): on the synthetic
counties of 5,000 and 20,000 clients the search found a single component every time, at a
cost of 0.5 s and 7 s of CPU (and a copy of every arc) before any solving."""

FLOW_SECONDS_PER_ARC = 0.7e-6
"""The seats-only min-cost flow per arc on a quiet machine (measured 0.6 us per arc on 0.9 M
and 9 M arcs), times the measured slowdown: the flow is skipped when twice that does not
fit the time left, since it cannot be interrupted."""

_METHOD_ORDER = (
    "trivial",
    "flow",
    "highs",
    "cpsat",
    "highs-restricted",
    "highs-lns",
    "cpsat-lns",
    "greedy",
)


def solve(
    problem: AssignmentProblem,
    options: CoreOptions | None = None,
    *,
    hint: IntArray | None = None,
) -> AssignmentSolution:
    """Assign items to bins: maximise placed value, then quality (lexicographically).

    Parameters
    ----------
    problem:
        The problem.
    options:
        Method, time limit, seed, workers and gap (``CoreOptions()`` by default).
    hint:
        Optional ``int[n_items]``: an arc index or -1 per item, e.g. last week's assignment.
        Arcs that no longer fit are skipped. It only warm-starts the search: when the solve
        finishes within the time limit the objective values do not depend on it (the chosen
        arcs may, among equally good ones).

    Returns
    -------
    AssignmentSolution
        ``OPTIMAL`` or ``FEASIBLE``, always satisfying every constraint.

    Raises
    ------
    InfeasibleInput
        The required items cannot all be assigned (proven); ``items`` lists those that clash.
    NoSolutionFound
        The time limit (or, for ``method="greedy"``, the heuristic) ran out before every
        required item was placed, without a proof that this is impossible.
    ValueError
        Invalid hint, or ``method="flow"`` when resources or conflicts bind.
    SolverError
        A solver failed (invalid model, numerical trouble): a bug, not a property of the input.
    """
    options = options or CoreOptions()
    started = time.perf_counter()
    start_arcs = None if hint is None else as_assignment(problem, hint)
    if options.method == "greedy":
        return _solve_greedy(problem, start_arcs, started)
    return _Run(problem, options, start_arcs, started).run()


class _Run:
    """State of one exact solve: the assignment so far, bounds, timings and statistics."""

    def __init__(
        self,
        problem: AssignmentProblem,
        options: CoreOptions,
        start_arcs: IntArray | None,
        started: float,
        neighbourhoods: bool = True,
    ) -> None:
        self.problem = problem
        self.neighbourhoods = neighbourhoods
        self.options = options
        self.start_arcs = start_arcs
        self.started = started
        self.deadline = started + options.time_limit_s
        self.clock = time.perf_counter
        self.chosen = np.full(problem.n_items, -1, dtype=np.int64)
        self.placed_bound = 0
        self.quality_bound = 0
        self.all_optimal = True
        self.timings: defaultdict[str, float] = defaultdict(float)
        self.methods: Counter[str] = Counter()
        self.stats: dict[str, Any] = {}
        self.pace = Pace()
        self.greedy: IntArray | None = None

    def run(self) -> AssignmentSolution:
        """Preprocess, relax, solve what remains, and assemble the solution."""
        problem = self.problem
        t = time.perf_counter()
        alive = usable_arcs(problem)
        stranded = np.flatnonzero(
            problem.item_required
            & (np.bincount(problem.arc_item[alive], minlength=problem.n_items) == 0)
        )
        if stranded.size:
            items = tuple(int(i) for i in stranded)
            raise InfeasibleInput(f"required items {list(items)} have no usable arc", items)
        self.stats["arcs_unusable"] = int(problem.n_arcs - np.count_nonzero(alive))
        if only_seats_bind(problem, alive) and self._flow_fits(problem.n_arcs):
            # One min-cost flow over the usable arcs is then exact for the whole problem:
            # decomposing first would only add work (a third of the time on 977k arcs).
            self.timings["preprocess"] += time.perf_counter() - t
            whole = Component(
                problem=problem,
                items=np.arange(problem.n_items, dtype=np.int64),
                arcs=None,
            )
            solved, _ = self._relax(whole, alive)
            if solved:  # always, unless the flow's cost scaling would overflow
                return self._finish(n_components=0)
        if problem.n_arcs > DECOMPOSE_MAX_ARCS:
            parts = one_component(problem, alive)
        else:
            parts = decompose(problem, alive)
        self._take_single_items(alive, parts.single_items)
        self.timings["preprocess"] += time.perf_counter() - t

        pending: list[tuple[Component, FlowResult | None]] = []
        for component in parts.components:
            if not self._flow_fits(component.size):
                # Too little time left for the relaxation: the component keeps its greedy
                # answer with trivial bounds (``solve_component`` past its deadline).
                self.stats["relaxation_skipped"] = self.stats.get("relaxation_skipped", 0) + 1
                pending.append((component, None))
                continue
            # A component that is the problem itself may hold unusable arcs (``whole``).
            solved, relaxed = self._relax(
                component, alive if component.problem is problem else None
            )
            if not solved:
                pending.append((component, relaxed))
        # Work of known cost, timed: how much slower than quiet the machine runs now.
        self.pace.observe(problem.n_arcs, time.perf_counter() - t)
        self.stats["slowdown"] = round(self.pace.slowdown, 2)
        if problem.n_arcs <= GLOBAL_GREEDY_MAX_ARCS and pending:
            # Components are independent, so this answer restricted to each is a start
            # there, and each component's answer is never worse than it: nor is the whole.
            t_greedy = time.perf_counter()
            self.greedy = greedy_assign(problem)
            self.timings["greedy"] += time.perf_counter() - t_greedy
        if pending and self.options.method == "flow":
            raise ValueError(
                f"method 'flow': resources or conflicts bind in {len(pending)} component(s) "
                "(or the flow scaling would overflow); use 'auto', 'highs' or 'cpsat'"
            )
        self._solve_mip_components(pending)
        return self._finish(n_components=parts.n_components)

    def _flow_fits(self, arcs: int) -> bool:
        """Whether the seats-only flow over `arcs` arcs is expected to end before the
        deadline (at the measured pace, with room for a greedy answer after it)."""
        slowdown = max(self.pace.slowdown, self.pace.share())
        expected = FLOW_SECONDS_PER_ARC * slowdown * arcs
        return self.deadline - self.clock() > 2 * expected

    def _finish(self, n_components: int) -> AssignmentSolution:
        """Check the assembled assignment and wrap it with its bounds, timings and stats."""
        problem = self.problem
        placed, quality = objective_of(problem, self.chosen)
        violations = core_violations(problem, self.chosen)
        if violations:
            raise SolverError(f"internal: the assignment violates {violations[:3]}")
        self.timings["total"] = time.perf_counter() - self.started
        self.stats["components_by_method"] = dict(self.methods)
        optimal = self.all_optimal and placed == self.placed_bound
        optimal = optimal and quality == self.quality_bound
        return AssignmentSolution(
            status=SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE,
            chosen_arc=self.chosen,
            placed_value=placed,
            quality=quality,
            placed_bound=self.placed_bound,
            quality_bound=self.quality_bound,
            gap=_gap(quality, self.quality_bound),
            method=_method_name(self.methods),
            timings=dict(self.timings),
            n_components=n_components,
            stats=self.stats,
        )

    def _take_single_items(self, alive: np.ndarray, items: IntArray) -> None:
        """Give each one-item component its best arc (optimal, see ``best_single_arcs``)."""
        if items.size == 0:
            return
        arcs = best_single_arcs(self.problem, alive, items)
        self.chosen[items] = arcs
        self.placed_bound += int(self.problem.item_value[items].sum())
        self.quality_bound += int(self.problem.arc_score[arcs].sum())
        self.methods["trivial"] += len(items)

    def _relax(
        self, component: Component, alive: BoolArray | None = None
    ) -> tuple[bool, FlowResult | None]:
        """Solve the component's seats-only relaxation and keep its optimum if feasible.

        Returns whether that solved the component, and the relaxation optimum (None when the
        flow scaling would overflow) for the MIP to use as warm start and bound.
        """
        t = time.perf_counter()
        sub = component.problem
        try:
            relaxed: FlowResult | None = solve_seats_flow(sub, alive)
        except InfeasibleInput as error:
            items = tuple(int(i) for i in component.items[list(error.items)])
            raise InfeasibleInput(
                f"required items {list(items)} need more seats than their bins have", items
            ) from error
        except OverflowError:
            relaxed = None
        solved = relaxed is not None and (
            not sub.has_side_constraints or not core_violations(sub, relaxed.chosen_arc)
        )
        self.timings["relaxation"] += time.perf_counter() - t
        if not solved or relaxed is None:
            return False, relaxed
        self._accept(component, relaxed.chosen_arc)
        self.placed_bound += relaxed.placed
        self.quality_bound += relaxed.quality
        self.methods["flow"] += 1
        return True, relaxed

    def _accept(self, component: Component, local_chosen: IntArray) -> None:
        """Copy a component's assignment (local arc indices) into the global one."""
        assigned = local_chosen >= 0
        self.chosen[component.items[assigned]] = component.global_arcs(local_chosen[assigned])

    def _solve_mip_components(self, pending: list[tuple[Component, FlowResult | None]]) -> None:
        """Solve the components the relaxation could not, sharing the time left by size."""
        size_left = sum(c.size for c, _ in pending)
        step_solver = _solve_step if self.neighbourhoods else None
        for component, relaxed in pending:
            left = self.deadline - time.perf_counter()
            budget = left * component.size / max(size_left, 1)
            if left > 0:  # a component past the deadline keeps its greedy answer
                budget = max(budget, MIN_BUDGET_S)
            size_left -= component.size
            hint = None if self.start_arcs is None else self._local(component, self.start_arcs)
            greedy = None if self.greedy is None else self._local(component, self.greedy)
            try:
                outcome = solve_component(
                    component.problem,
                    relaxed,
                    hint,
                    self.options,
                    budget,
                    step_solver,
                    self.timings,
                    self.stats,
                    self.pace,
                    greedy,
                )
            except InfeasibleInput as error:
                items = tuple(int(i) for i in component.items[list(error.items)])
                raise InfeasibleInput(
                    f"required items {list(items)} cannot all be assigned within the "
                    "resources and conflicts (their seats alone would suffice)",
                    items,
                ) from error
            self._accept(component, outcome.chosen_arc)
            self.placed_bound += outcome.placed_bound
            self.quality_bound += outcome.quality_bound
            self.all_optimal &= outcome.optimal
            self.methods[outcome.method] += 1

    def _local(self, component: Component, chosen: IntArray) -> IntArray:
        """An assignment (global arcs) on this component's items, in local arc indices (or
        -1 where its arc is not in the component)."""
        return component.local_arcs(chosen[component.items])


def _solve_greedy(
    problem: AssignmentProblem, start_arcs: IntArray | None, started: float
) -> AssignmentSolution:
    """The greedy heuristic alone, with simple bounds (every item at its best usable arc)."""
    chosen = greedy_assign(problem, start_arcs)
    greedy_s = time.perf_counter() - started
    missing = np.flatnonzero(problem.item_required & (chosen < 0))
    if missing.size:
        raise NoSolutionFound(f"greedy: required items {missing.tolist()[:20]} left unassigned")
    alive = usable_arcs(problem)
    best = np.zeros(problem.n_items, dtype=np.int64)
    np.maximum.at(best, problem.arc_item[alive], problem.arc_score[alive])
    reachable = np.bincount(problem.arc_item[alive], minlength=problem.n_items) > 0
    placed_bound = int(problem.item_value[reachable].sum())
    quality_bound = int(best.sum())
    placed, quality = objective_of(problem, chosen)
    optimal = placed == placed_bound and quality == quality_bound
    return AssignmentSolution(
        status=SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE,
        chosen_arc=chosen,
        placed_value=placed,
        quality=quality,
        placed_bound=placed_bound,
        quality_bound=quality_bound,
        gap=_gap(quality, quality_bound),
        method="greedy",
        timings={"greedy": greedy_s, "total": time.perf_counter() - started},
        n_components=0,
        stats={},
    )


def _solve_step(
    problem: AssignmentProblem, options: CoreOptions, hint: IntArray
) -> AssignmentSolution:
    """Solve one neighbourhood with the pipeline (flow first, then the MIP), never nesting
    another neighbourhood search."""
    return _Run(problem, options, hint, time.perf_counter(), neighbourhoods=False).run()


def _gap(quality: int, bound: int) -> float:
    """Relative quality gap, 0 when the quality meets its bound."""
    return max(bound - quality, 0) / max(bound, 1)


def _method_name(methods: Counter[str]) -> str:
    """Methods used, in a fixed order, joined with '+'; 'trivial' when nothing was solved."""
    used = [name for name in _METHOD_ORDER if methods[name]]
    return "+".join(used) if used else "trivial"
