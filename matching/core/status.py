"""Outcome of a core solve, as a string enum that serialises as itself."""

from enum import StrEnum


class SolveStatus(StrEnum):
    """How good the returned assignment is known to be."""

    OPTIMAL = "optimal"
    """Proven lexicographic optimum: placed value first, then quality."""

    FEASIBLE = "feasible"
    """Feasible, not proven optimal: a time limit or the relative gap tolerance stopped the
    search. ``gap`` and the bounds say how far from optimal it can be."""

    INFEASIBLE = "infeasible"
    """Proven: the required items cannot all be assigned together. ``solve`` reports this by
    raising ``InfeasibleInput`` (whose ``status`` is this value) rather than returning it, so
    that no caller can use an assignment that drops a required item by mistake."""
