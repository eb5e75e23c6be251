"""The outcome of a run: assignments with score breakdowns, the unplaced, status and timings."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from models.base import DomainModel, RecordId


class SolveStatus(StrEnum):
    """How good the allocation is known to be.

    ``optimal``: proven; ``feasible``: the time limit stopped the search, see the gap;
    ``infeasible_input``: proven that the fixed parts (placements within the 3-month
    commitment) cannot all be kept; ``no_solution``: the search stopped before finding an
    allocation that keeps them, without proving there is none (raise the time limit).
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE_INPUT = "infeasible_input"
    NO_SOLUTION = "no_solution"


class Criterion(StrEnum):
    """Soft criteria of match quality, in registry order."""

    PREFERENCE = "preference"
    APTITUDE = "aptitude"
    TRAVEL = "travel"
    WAITING = "waiting"
    CONTINUITY = "continuity"
    SUPPORT_FIT = "support_fit"


class Assignment(DomainModel):
    """A proposed (or kept) placement of one client, with its score in points (max ~1,000)."""

    client: RecordId
    placement: RecordId
    score: int = Field(description="Sum of the breakdown, points.")
    breakdown: dict[Criterion, int] = Field(description="Points per criterion.")
    travel_minutes: int = Field(ge=0, description="Estimated one-way travel time, minutes.")
    preference_rank: int | None = Field(default=None, description="1 = the client's first wish.")
    kept_ongoing: bool = Field(default=False, description="Continues an ongoing placement.")
    ongoing_since: date | None = None


class Objective(DomainModel):
    """Lexicographic objective: placement value first, then quality points."""

    placed_value: int
    quality: int


class Timings(DomainModel):
    """Wall-clock seconds per phase of a run (vary from run to run; not part of the answer)."""

    candidates_s: float = 0.0
    build_s: float = 0.0
    solve_s: float = 0.0
    total_s: float = 0.0
    phases: dict[str, float] = Field(default_factory=dict)


class RunStats(DomainModel):
    """Sizes of a run."""

    clients: int
    placements: int
    arcs: int
    components: int
    placed: int
    kept_ongoing: int


class AllocationResult(DomainModel):
    """A checked allocation. The same input and options give the same result (but timings)."""

    problem_name: str
    input_hash: str = Field(description="SHA-256 of the canonical problem JSON.")
    engine_version: str
    status: SolveStatus
    method: str = Field(description="Which solver produced it, e.g. 'flow' or 'highs'.")
    objective: Objective
    bound: Objective = Field(description="Proven upper bounds of the objective parts.")
    gap: float = Field(
        ge=0,
        description=(
            "Relative gap of quality to its bound. The number placed has its own bound: "
            "optimal only when bound.placed_value equals objective.placed_value too."
        ),
    )
    assignments: tuple[Assignment, ...]
    unassigned: tuple[RecordId, ...]
    stats: RunStats
    message: str | None = None
    timings: Timings = Timings()


class SetAside(DomainModel):
    """A stored record a run left out or changed, and why, for a coordinator to review.

    ``action``: ``set_aside`` = left out of this run (the rest was solved without it);
    ``released`` = an ongoing period that ended under the rules (the client is free to be
    proposed again); ``review`` = kept as the rules say, but a person should look at it.
    """

    kind: Literal[
        "client", "placement", "organisation", "municipality", "commuting_area", "coach", "period"
    ]
    id: str = Field(description="Id of the record (for a period: the client id).")
    action: Literal["set_aside", "released", "review"]
    rule: str = Field(description="Code of the rule, e.g. 'above_legal_maximum' or 'seats'.")
    field: str | None = Field(default=None, description="The offending field, if one.")
    value: str | None = Field(default=None, description="Its stored value, as text.")
    message: str = Field(description="The engine's own terse English (logs; older runs).")
    clients: tuple[str, ...] = ()
    placements: tuple[str, ...] = ()
    coach: str | None = Field(default=None, description="The coach whose caseload is full.")
    code: str | None = Field(
        default=None,
        description="Catalogue key of the text for people ('note.placement_ended', or "
        "'error.<type>' for a refused value); rendered in the reader's language when read.",
    )
    params: dict[str, str | int | float | list[str] | None] = Field(
        default_factory=dict, description="The numbers, dates and ids the text names."
    )
