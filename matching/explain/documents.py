"""The documents explanations produce: stable codes and numbers, with text rendered from catalogues.

Every model refuses unknown fields. Numbers are in the engine's units: points (a perfect pair
scores about 1,000), placement value (``W + waiting months`` per placed client, see
``matching.compile.placement_value``), seats, support units, minutes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models import Criterion

Scalar = str | int | float | bool | None
Param = Scalar | list[str]


class ExplainModel(BaseModel):
    """Base of the explanation models: immutable and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(ExplainModel):
    """One message in two registers: plain language for the client, precise for staff."""

    client: str
    coordinator: str


class Message(ExplainModel):
    """A stable machine-readable ``code`` with its ``params``, and the rendered ``text``."""

    code: str
    params: dict[str, Param] = Field(default_factory=dict)
    text: Text | None = Field(default=None, description="Rendered in the requested language.")


class CapacityUse(ExplainModel):
    """One capacity (seats or support units of a placement, a coach's caseload) and its use."""

    rule: Literal["seats", "support_units", "coach_caseload", "avoided_clients"]
    owner: str = Field(description="Placement id (seats, support units, avoided) or coach id.")
    capacity: int
    used: int = Field(description="Used by the allocation, in the rule's units.")
    needed: int = Field(description="What the client would need of it.")
    holders: list[str] = Field(description="Pseudonymous ids of the clients holding it.")
    holders_total: int = Field(description="Number of holders (the list may be cut short).")


class Move(ExplainModel):
    """Another client's change of placement that a modification would cause."""

    client: str
    before: str | None
    after: str | None


class ObjectiveChange(ExplainModel):
    """Change of the lexicographic objective (placed value, then quality) against the result.

    ``exact``: both numbers are the difference between a proven optimum of the modified problem
    and the result's objective. Otherwise they are upper bounds in lexicographic order: the
    modified problem's optimum is at most (``placed_value``, ``quality``) above the result
    (read: "at most this much better", usually "at least this much worse").
    """

    placed_value: int
    quality: int
    placed_clients: int = Field(description="Change of the number of placed clients.")
    exact: bool
    method: Literal["single", "slack", "resolve", "relaxation", "result_bound", "infeasible"]
    feasible: bool = Field(default=True, description="False: the change is impossible.")
    lower_placed_value: int | None = Field(
        default=None,
        description=(
            "Bounds only: a feasible assignment with the modification (the result repaired) "
            "reaches at least this change of placed value, with ``lower_quality``; "
            "``moves`` then lists that assignment's moves."
        ),
    )
    lower_quality: int | None = None
    moves: list[Move] = Field(
        default_factory=list, description="Other clients who would move (exact changes only)."
    )


class Alternative(ExplainModel):
    """An admissible placement the client was not proposed, and why."""

    placement: str
    score: int
    breakdown: dict[Criterion, int]
    preference_rank: int | None
    travel_minutes: int
    blockers: list[CapacityUse]
    change: ObjectiveChange | None = Field(
        default=None, description="Objective change if the client were moved there."
    )
    reasons: list[Message]


class RuleCount(ExplainModel):
    """How many placements a hard pair rule excluded: first (registry order), and at all."""

    rule: str
    placements: int = Field(description="Placements this rule is the first to exclude.")
    failing: int = Field(description="Placements failing this rule, first or not.")
    message: Message


class TightRule(ExplainModel):
    """A rule that was binding or nearly binding for a client's proposal."""

    code: str
    message: Message


class Change(ExplainModel):
    """A change to the input that, re-solved, places the client (verified by a re-solve)."""

    kind: Literal[
        "extra_seat",
        "extra_support_units",
        "extra_coach_caseload",
        "consent_outside_area",
        "extra_weekday",
        "longer_travel",
    ]
    target: str = Field(description="Placement, coach, weekday or client id it applies to.")
    amount: int = Field(description="Seats, units, minutes (new maximum) or 1.")
    placement: str = Field(description="Where the client is placed after the change.")
    verified: bool = True
    objective: ObjectiveChange
    message: Message


class ClientExplanation(ExplainModel):
    """Everything explained about one client."""

    client: str
    status: Literal["assigned", "kept_ongoing", "unassigned"]
    placement: str | None = None
    score: int | None = None
    breakdown: dict[Criterion, int] | None = None
    preference_rank: int | None = None
    travel_minutes: int | None = None
    admissible_placements: int
    tight: list[TightRule] = Field(default_factory=list)
    alternatives: list[Alternative] = Field(default_factory=list)
    excluded: list[RuleCount] = Field(default_factory=list)
    blocked: list[CapacityUse] = Field(
        default_factory=list, description="Capacities that blocked admissible placements."
    )
    changes: list[Change] = Field(default_factory=list)
    changes_checked: bool = Field(
        default=False, description="False: the time budget ran out before checking changes."
    )
    insufficient_data: list[Criterion] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)


class SeatValue(ExplainModel):
    """What one more seat at a placement would bring."""

    change: ObjectiveChange


class PlacementExplanation(ExplainModel):
    """Use and pressure of one placement."""

    placement: str
    seats: int
    seats_used: int
    support_units: int
    support_used: int
    eligible: int = Field(description="Clients with an admissible (usable) pair here.")
    placed_here: list[str]
    turned_away: list[str] = Field(
        description=(
            "Eligible clients not placed here although it was not worse for them: unassigned, "
            "or placed elsewhere with a lower own score than here."
        )
    )
    one_more_seat: SeatValue | None = None
    messages: list[Message] = Field(default_factory=list)


class RankedClient(ExplainModel):
    """A client eligible for a placement, with their fit there."""

    client: str
    rank: int
    score: int
    breakdown: dict[Criterion, int]
    preference_rank: int | None
    travel_minutes: int
    waiting_months: int
    current_placement: str | None = Field(description="In the given result, if any.")
    current_score: int | None = None
    fits_capacity: bool = Field(description="The client's support need fits the placement.")
    message: Message


class InverseRanking(ExplainModel):
    """Eligible clients of one placement, best fit first."""

    placement: str
    new: bool = Field(description="A newly announced placement, not in the problem.")
    eligible: int
    clients: list[RankedClient]
    excluded: list[RuleCount]


class EnvyPair(ExplainModel):
    """Justified envy: ``client`` prefers ``placement``, held by a ``holder`` who waited less
    and fits there less well (scores of the pairs; fit compares them without waiting time)."""

    client: str
    client_placement: str | None
    client_score: int | None
    placement: str
    score_there: int
    holder: str
    holder_score: int
    client_priority: int = Field(description="Months the client has waited.")
    holder_priority: int = Field(description="Months the holder has waited.")
    change: ObjectiveChange | None = Field(
        default=None, description="Objective change if the client were moved there."
    )
    reasons: list[Message]


class GroupStat(ExplainModel):
    """Outcome of a run for one group of clients."""

    dimension: Literal["municipality", "age_band", "language", "support_level"]
    group: str
    clients: int
    placed: int
    placement_rate: float
    top3_share: float = Field(description="Share of the placed with a top-3 wish.")
    mean_waiting_months: float = Field(description="Of all the group's clients.")
    mean_waiting_months_unplaced: float | None


class AttributeUse(ExplainModel):
    """Where a client attribute enters the engine (derived from the rule registry)."""

    attribute: str
    hard_rules: list[str]
    criteria: list[Criterion]
    priority: bool = Field(description="Enters the placement value (who is placed first).")
    message: Message


class DataGap(ExplainModel):
    """A client whose profile lacks the data a criterion needs."""

    client: str
    criterion: Criterion
    message: Message


class RunReport(ExplainModel):
    """Fairness and data-completeness report of a run."""

    clients: int
    placed: int
    placement_rate: float
    top3_share: float
    groups: list[GroupStat]
    attributes: list[AttributeUse]
    insufficient_data: list[DataGap]
    messages: list[Message]


class Exactness(ExplainModel):
    """How many objective changes (alternatives, seat values, envy pairs) are exact, how many
    are proven bounds, how many proven impossible; how many smallest changes were verified,
    and for how many unassigned clients the budget ran out before every candidate was
    re-solved."""

    exact: int = 0
    bounds: int = 0
    infeasible: int = 0
    changes_verified: int = 0
    clients_not_checked: int = 0


class RunExplanation(ExplainModel):
    """Explanations of a whole run."""

    problem_name: str
    language: str
    k: int
    clients: list[ClientExplanation]
    placements: list[PlacementExplanation]
    envy: list[EnvyPair]
    report: RunReport
    exactness: Exactness
    seconds: float
