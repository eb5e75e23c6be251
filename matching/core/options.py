"""Options of a core solve."""

from dataclasses import dataclass
from typing import Literal

Method = Literal["auto", "flow", "highs", "cpsat", "greedy"]
METHODS: tuple[Method, ...] = ("auto", "flow", "highs", "cpsat", "greedy")


@dataclass(frozen=True)
class CoreOptions:
    """How to solve an ``AssignmentProblem``.

    Parameters
    ----------
    time_limit_s:
        Wall-clock budget in seconds for the exact solvers (> 0). Preprocessing, the flow
        relaxation and the greedy warm start are fast and counted in it too.
    method:
        ``"auto"``: the flow relaxation, then the default MIP (HiGHS) where resources or
        conflicts bind. ``"highs"`` / ``"cpsat"``: the same with that MIP back end.
        ``"flow"``: the flow relaxation only; raises ``ValueError`` if resources or conflicts
        bind, because its answer would then be infeasible. ``"greedy"``: the heuristic alone.
    seed:
        Random seed passed to the solvers (>= 0), for reproducible runs.
    num_workers:
        CP-SAT workers (>= 1). With one worker CP-SAT is deterministic; with more it
        interleaves them in a fixed order, which stays deterministic. HiGHS ignores it
        (MathOpt refuses a HiGHS thread count; HiGHS's MIP search is sequential and
        deterministic anyway).
    relative_gap:
        Stop phase 2 (quality) once it is proven within this relative gap (>= 0). Phase 1
        (placed value) is always solved to proven optimality unless the time limit stops it.
    """

    time_limit_s: float = 10.0
    method: Method = "auto"
    seed: int = 0
    num_workers: int = 1
    relative_gap: float = 1e-4

    def __post_init__(self) -> None:
        """Raise ValueError naming the first out-of-range field."""
        if not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s: must be > 0, got {self.time_limit_s}")
        if self.method not in METHODS:
            raise ValueError(f"method: must be one of {METHODS}, got {self.method!r}")
        if self.seed < 0:
            raise ValueError(f"seed: must be >= 0, got {self.seed}")
        if self.num_workers < 1:
            raise ValueError(f"num_workers: must be >= 1, got {self.num_workers}")
        if not 0 <= self.relative_gap < 1:
            raise ValueError(f"relative_gap: must be in [0, 1), got {self.relative_gap}")
