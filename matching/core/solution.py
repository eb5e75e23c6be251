"""The result of a core solve."""

from dataclasses import dataclass, field
from typing import Any

from matching.core.problem import IntArray
from matching.core.status import SolveStatus


@dataclass(frozen=True, eq=False)
class AssignmentSolution:
    """A feasible assignment with its objective values, bounds and diagnostics.

    Attributes
    ----------
    status:
        ``OPTIMAL`` (proven lexicographic optimum) or ``FEASIBLE`` (stopped by the time limit
        or the relative gap; see the bounds).
    chosen_arc:
        ``int64[n_items]``: the arc assigned to each item, or -1. Satisfies every constraint.
    placed_value:
        Sum of ``item_value`` over assigned items (phase-1 objective).
    quality:
        Sum of ``arc_score`` over chosen arcs (phase-2 objective).
    placed_bound:
        Proven upper bound on the placed value of any feasible assignment.
    quality_bound:
        Proven upper bound on the quality of any feasible assignment that places, in every
        independent component, at least the value this one does. When the placed value is
        proven optimal (``placed_value == placed_bound``) that is exactly the bound on the
        quality of lexicographically optimal assignments.
    gap:
        Relative quality gap ``(quality_bound - quality) / max(quality_bound, 1)``; 0 when
        optimal. A placed-value gap shows as ``placed_bound > placed_value``.
    method:
        What produced the answer: ``"trivial"`` (one-item components), ``"flow"``,
        ``"highs"``, ``"cpsat"``, ``"highs-lns"`` / ``"cpsat-lns"`` (neighbourhood search
        only, for components too large for a monolithic MIP) or ``"greedy"``, joined with
        ``"+"`` when components used different ones.
    timings:
        Seconds per phase, summed over components: ``"preprocess"``, ``"relaxation"``,
        ``"greedy"``, ``"neighbourhood"``, ``"build"``, ``"solve_placed"``, ``"polish"``,
        ``"solve_quality"``, and ``"total"`` for the whole call. Phases that did not run are
        absent.
    n_components:
        Number of independent components with at least one usable arc (0 when the problem
        was not decomposed: ``method="greedy"``, or only seats could bind and one min-cost
        flow solved it whole).
    stats:
        Diagnostics (counts of components per method, model sizes, solver termination
        details); informative only, its keys may change.
    """

    status: SolveStatus
    chosen_arc: IntArray
    placed_value: int
    quality: int
    placed_bound: int
    quality_bound: int
    gap: float
    method: str
    timings: dict[str, float] = field(default_factory=dict)
    n_components: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
