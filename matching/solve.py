"""``allocate``: the weekly allocation from domain records to a typed, reproducible result."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping

import numpy as np

from matching import core
from matching.compile import CompiledProblem, compile_problem
from matching.rules import CRITERIA
from matching.screen import commitment_clashes
from matching.tables import IntArray
from matching.version import __version__
from models import (
    AllocationProblem,
    AllocationResult,
    Assignment,
    Objective,
    RunStats,
    SolveStatus,
    Timings,
)

ENGINE_VERSION = __version__

_STATUS = {
    core.SolveStatus.OPTIMAL: SolveStatus.OPTIMAL,
    core.SolveStatus.FEASIBLE: SolveStatus.FEASIBLE,
    core.SolveStatus.INFEASIBLE: SolveStatus.INFEASIBLE_INPUT,
}


def input_hash(problem: AllocationProblem) -> str:
    """SHA-256 of the problem's canonical JSON (sets serialise sorted), options included."""
    return hashlib.sha256(problem.model_dump_json().encode()).hexdigest()


CANDIDATES_SHARE = 1.0
"""Share of the time limit by which candidate generation and the work that must follow it
(scoring, compiling, the solver's preprocessing) are to end: the stream stops early enough
for that at the pace the machine runs (``build_candidates``). Commuting areas not reached
get no arcs (their clients stay unplaced and the bound counts each as placed at the best
possible score). This is the emergency path of a machine far slower than expected, so it
starts only where the limit would pass anyway: at a load average of 12-16 on two cores (a
process got a seventh to a fourteenth of a core) a share of 0.6 left 1,600-15,000 clients
out and 0.85 still 1,600 of 5,000, and the limit was overrun by 8-46 s all the same, where
finishing the stream keeps the answer at least greedy's. On a quiet machine a
20,000-client county needs about a third of its 60 s limit for all of it."""

MIN_SOLVE_SHARE = 0.1
"""Share of the time limit the solver keeps when building the candidates took nearly all of
it: enough for the relaxation and a greedy answer, so that a result still comes back."""


def core_options(problem: AllocationProblem, spent_s: float = 0.0) -> core.CoreOptions:
    """The generic layer's options from the domain's solve options, with `spent_s` seconds
    of the time limit already used (building the candidates)."""
    o = problem.options
    return core.CoreOptions(
        time_limit_s=max(o.time_limit_s - spent_s, MIN_SOLVE_SHARE * o.time_limit_s),
        method=o.method,
        seed=o.seed,
        num_workers=o.num_workers,
        relative_gap=o.relative_gap,
    )


def hint_arcs(compiled: CompiledProblem, hint: Mapping[str, str] | None) -> IntArray | None:
    """Arc index per client of last week's assignment (``client id → placement id``), or -1."""
    if not hint:
        return None
    t = compiled.tables
    arcs = compiled.candidates.arcs
    keys = t.pair_key(arcs.client, arcs.placement)
    out = np.full(len(t.client_ids), -1, dtype=np.int64)
    for client_id, placement_id in sorted(hint.items()):
        i, j = t.client_index.get(client_id), t.placement_index.get(placement_id)
        if i is None or j is None:
            continue
        key = t.pair_key(np.array([i]), np.array([j]))[0]
        pos = int(np.searchsorted(keys, key))
        if pos < keys.size and keys[pos] == key:
            out[i] = pos
    return out


def decode(compiled: CompiledProblem, chosen_arc: IntArray) -> list[Assignment]:
    """Assignments of the chosen arcs, in client order, with score breakdowns."""
    t = compiled.tables
    cand = compiled.candidates
    since = {a.client: a.start_date for a in t.problem.ongoing}
    out = []
    criteria = cand.criteria
    placed = np.flatnonzero(chosen_arc >= 0)
    parts = cand.parts_of(chosen_arc[placed])
    ranks = cand.rank_of(chosen_arc[placed])
    for k, i in enumerate(placed):
        a = int(chosen_arc[i])
        j = int(cand.arcs.placement[a])
        kept = bool(t.client_ongoing[i] == j)
        out.append(
            Assignment(
                client=t.client_ids[i],
                placement=t.placement_ids[j],
                score=int(cand.score[a]),
                breakdown={c: int(v) for c, v in zip(criteria, parts[k], strict=True)},
                travel_minutes=int(cand.arcs.travel_minutes[a]),
                preference_rank=int(ranks[k]) or None,
                kept_ongoing=kept,
                ongoing_since=since.get(t.client_ids[i]) if kept else None,
            )
        )
    return out


def allocate(
    problem: AllocationProblem,
    hint: Mapping[str, str] | None = None,
    *,
    compiled: CompiledProblem | None = None,
) -> AllocationResult:
    """Allocate clients to placements: as many as possible, longest waiting first, best fit.

    Parameters
    ----------
    problem:
        The validated county state and options. The whole call is bounded by
        ``problem.options.time_limit_s`` (candidates first, the solver gets the rest, at
        least ``MIN_SOLVE_SHARE`` of it; a pre-built `compiled` costs nothing) and seeded by
        ``problem.options.seed``. Whatever the limit, the answer is never worse than the
        greedy warm start, in clients placed first and quality second.
    hint:
        Last week's assignments (client id → placement id) to warm-start the exact solver.
        A hint never changes an optimal answer, only how fast it is found.
    compiled:
        A model compiled earlier from the same problem (explanations reuse it).

    Returns
    -------
    AllocationResult
        Status, lexicographic objective and bound, gap, assignments with score breakdowns,
        the unplaced clients and timings. Apart from timings, identical for identical input.
    """
    started = time.perf_counter()
    limit = problem.options.time_limit_s
    digest = input_hash(problem)
    # Decoding and building the result after the solve cost about what hashing the input
    # did (both walk every record once): that much of the limit is kept for them.
    hashed_at = time.perf_counter()
    after_solve_s = 2 * (hashed_at - started)
    compiled = compiled or compile_problem(problem, deadline=started + CANDIDATES_SHARE * limit)
    compiled_at = time.perf_counter()
    try:
        options = core_options(problem, time.perf_counter() - started + after_solve_s)
        solution = core.solve(compiled.core, options, hint=hint_arcs(compiled, hint))
    except core.InfeasibleInput as error:
        return _unsolved(problem, compiled, error, SolveStatus.INFEASIBLE_INPUT, started)
    except core.NoSolutionFound as error:
        return _unsolved(problem, compiled, error, SolveStatus.NO_SOLUTION, started)
    assignments = decode(compiled, solution.chosen_arc)
    placed = {a.client for a in assignments}
    finished = time.perf_counter()
    phases = {k: round(v, 6) for k, v in sorted(solution.timings.items())}
    placed_bound, quality_bound = solution.placed_bound, solution.quality_bound
    status = _STATUS[solution.status]
    skipped = skipped_clients(compiled)
    if skipped:
        # Clients the candidates did not reach in time: each might have been placed, at
        # the best points a pair can earn, and the quality bound is then unconditional.
        placed_bound += skipped
        quality_bound = core.quality_ceiling(compiled.core) + skipped * max_points(problem)
        status = SolveStatus.FEASIBLE
        phases["candidates_skipped_clients"] = float(skipped)
    return AllocationResult(
        problem_name=problem.name,
        input_hash=digest,
        engine_version=ENGINE_VERSION,
        status=status,
        method=solution.method,
        objective=Objective(placed_value=solution.placed_value, quality=solution.quality),
        bound=Objective(placed_value=placed_bound, quality=quality_bound),
        gap=max(quality_bound - solution.quality, 0) / max(quality_bound, 1),
        assignments=tuple(assignments),
        unassigned=tuple(c.id for c in problem.clients if c.id not in placed),
        stats=_stats(compiled, len(assignments), solution.n_components),
        timings=Timings(
            candidates_s=round(compiled_at - hashed_at, 6),
            build_s=round(sum(v for k, v in phases.items() if k.startswith("build")), 6),
            solve_s=round(finished - compiled_at, 6),
            total_s=round(finished - started, 6),
            phases=phases,
        ),
    )


def skipped_clients(compiled: CompiledProblem) -> int:
    """How many clients candidate generation left unexamined at its deadline."""
    streamed = compiled.candidates.streamed
    return 0 if streamed is None else len(streamed.skipped_clients)


def max_points(problem: AllocationProblem) -> int:
    """The most points any pair can earn: every criterion's fit at 1."""
    weights = problem.options.weights
    return sum(round(1000.0 * getattr(weights, c.value)) for c, _ in CRITERIA)


def _stats(compiled: CompiledProblem, placed: int, components: int) -> RunStats:
    t = compiled.tables
    return RunStats(
        clients=len(t.client_ids),
        placements=len(t.placement_ids),
        arcs=len(compiled.candidates.arcs),
        components=components,
        placed=placed,
        kept_ongoing=int(compiled.pinned.sum()),
    )


def _unsolved(
    problem: AllocationProblem,
    compiled: CompiledProblem,
    error: Exception,
    status: SolveStatus,
    started: float,
) -> AllocationResult:
    """A result without assignments, saying why none could be given."""
    t = compiled.tables
    items = error.items if isinstance(error, core.InfeasibleInput) else ()
    clients = ", ".join(t.client_ids[i] for i in items[:20])
    if status is SolveStatus.INFEASIBLE_INPUT:
        clashes = commitment_clashes(problem, t)
        named = "; ".join(b.message for b in clashes[:10])
        message = (
            "the placements that must be kept (commitment period) do not fit the capacities: "
            + (named or f"clients involved: {clients or 'unknown'}")
        )
    else:  # the solver's own wording (item indices, bins) stays out of texts for people
        message = "no allocation keeping every committed placement was found in time"
    finished = time.perf_counter()
    return AllocationResult(
        problem_name=problem.name,
        input_hash=input_hash(problem),
        engine_version=ENGINE_VERSION,
        status=status,
        method="none",
        objective=Objective(placed_value=0, quality=0),
        bound=Objective(placed_value=0, quality=0),
        gap=0.0,
        assignments=(),
        unassigned=tuple(t.client_ids),
        stats=_stats(compiled, 0, 0).model_copy(update={"kept_ongoing": 0}),  # none kept
        message=message,
        timings=Timings(total_s=round(finished - started, 6)),
    )
