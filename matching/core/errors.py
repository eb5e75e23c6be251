"""Typed exceptions of the core layer."""

from matching.core.status import SolveStatus


class SolverError(RuntimeError):
    """A solver failed in a way that proves nothing about the problem.

    Raised for invalid models, numerical trouble and unexpected termination reasons (the model
    is bounded by construction, so an unbounded result is a bug too).
    """


class NoSolutionFound(SolverError):
    """The search stopped (time limit, or the greedy method) before finding an assignment that
    places every required item, without proving that none exists. A longer time limit may
    help."""


class InfeasibleInput(ValueError):
    """The required items cannot all be assigned at the same time (proven).

    Attributes
    ----------
    items:
        Indices of required items that clash: where seats alone are short, a set of required
        items that outnumber the seats of all the bins they could go to; otherwise the
        required items of the infeasible component(s).
    status:
        Always ``SolveStatus.INFEASIBLE``.
    """

    status = SolveStatus.INFEASIBLE

    def __init__(self, message: str, items: tuple[int, ...]) -> None:
        super().__init__(message)
        self.items = items
