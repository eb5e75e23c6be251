"""Generic sparse assignment: items to bins over admissible arcs, lexicographically optimal.

This layer knows nothing of clients, placements or the law. It takes arrays (items with a
value and a required flag, bins with seats, arcs with a score, extra resources used by arcs,
conflict pairs of items) and returns the assignment that first maximises the total value of
the assigned items and then the total score of the chosen arcs, with a proof of optimality or
bounds when a time limit stops the search.

How it solves (module docstring of ``matching.core.solve``): independent components are
solved separately; a min-cost flow solves the seats-only relaxation exactly, and its answer is
kept whenever it also respects the resources and conflicts; otherwise a two-phase MIP (HiGHS
via MathOpt, or CP-SAT) is warm-started from greedy assignments and bounded by the
relaxation; large components solve it over each item's best arcs, with bounds for all arcs
proven by LP pricing (neighbourhood search as the fallback).

Modules, by role: ``problem`` (the input), ``options``, ``solution``, ``status``, ``errors``;
``solve`` (the facade), ``decompose``, ``flow``, ``greedy``, ``component``, ``neighbourhood``,
``restricted`` (restricted master with pricing), ``linear`` (the 0-1 model), ``exact`` (the
two-phase driver), ``mip`` (HiGHS), ``cpsat``;
``check`` (an independent feasibility check). Note that ``matching.core.solve`` is the
function; the module is ``sys.modules["matching.core.solve"]``.

Example
-------
Two items want the single seat of bin 0; item 1 can also go to bin 1. Placing both beats
the higher score of item 1 in bin 0 (placed value first, quality second):

>>> import numpy as np
>>> from matching.core import AssignmentProblem, CoreOptions, solve
>>> problem = AssignmentProblem(
...     item_value=np.array([1, 1]),
...     item_required=np.array([False, False]),
...     bin_capacity=np.array([1, 1]),
...     arc_item=np.array([0, 1, 1]),
...     arc_bin=np.array([0, 0, 1]),
...     arc_score=np.array([5, 9, 1]),
... )
>>> solution = solve(problem, CoreOptions(time_limit_s=5))
>>> solution.chosen_arc.tolist(), solution.placed_value, solution.quality, solution.status
([0, 2], 2, 6, <SolveStatus.OPTIMAL: 'optimal'>)
>>> solution.method
'flow'
"""

from matching.core.check import core_violations
from matching.core.errors import InfeasibleInput, NoSolutionFound, SolverError
from matching.core.flow import FlowResult, solve_seats_flow
from matching.core.greedy import greedy_assign
from matching.core.options import CoreOptions, Method
from matching.core.problem import AssignmentProblem, objective_of, quality_ceiling
from matching.core.solution import AssignmentSolution
from matching.core.solve import solve
from matching.core.status import SolveStatus

__all__ = [
    "AssignmentProblem",
    "AssignmentSolution",
    "CoreOptions",
    "FlowResult",
    "InfeasibleInput",
    "Method",
    "NoSolutionFound",
    "SolveStatus",
    "SolverError",
    "core_violations",
    "greedy_assign",
    "objective_of",
    "quality_ceiling",
    "solve",
    "solve_seats_flow",
]
