"""Records of a scenario's figures: groups, waiting, utilisation, unplaced clients, seat
values, horizon weeks, and one comparison row. Codes and numbers only; texts for people are
made from them by ``output`` and ``charts`` with the catalogues."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Figures(BaseModel):
    """Base of the output records."""

    model_config = ConfigDict(extra="forbid")


class ScenarioNote(Figures):
    """What a scenario's change did, or a caveat on its figures: a catalogue ``code`` with its
    ``params`` for machines, and ``text``, the same in words of the language the outputs were
    written in (``output.write_outputs``; empty until then)."""

    code: str = Field(description="Catalogue key, e.g. 'scenario.note.ineligible'.")
    params: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    text: str = ""


class ReferralChange(Figures):
    """A client whose referral basis a regime version no longer allows for their benefit on
    the planning date: ``after`` is the basis the version allows instead (the client is
    referred anew), or None when it allows none (the client loses the service)."""

    client: str
    benefit: str | None
    before: str
    after: str | None


class GroupFigure(Figures):
    """Placement in one group of clients."""

    dimension: str
    group: str
    clients: int
    placed: int
    placement_rate: float


class Waiting(Figures):
    """Waiting time in whole months by the planning date (None: nobody in the group)."""

    placed_median: float | None
    placed_p90: float | None
    unplaced_median: float | None
    unplaced_p90: float | None


class Utilisation(Figures):
    """Seats and support units offered (open placements) and used in one group of placements:
    a department (organisation and unit), a municipality or a task category."""

    dimension: str = Field(description="'department', 'municipality' or 'task_category'.")
    group: str
    placements: int
    seats: int
    seats_used: int
    seat_rate: float
    support_units: int
    support_used: int
    support_rate: float


class Unplaced(Figures):
    """A client left without a place and what kept them out."""

    client: str
    reason: str = Field(description="'capacity' or 'rule:<first failing hard rule>'.")
    admissible: int = Field(description="Placements the hard rules allow for the client.")


Resource = Literal["seat", "support_unit"]


class SeatValue(Figures):
    """Value of one more seat or supervisor support unit at a placement (the explanation
    layer's change engine): clients it would place, placement value and fit it adds."""

    resource: Resource = "seat"
    placement: str
    department: str = Field(description="Organisation and unit, as in utilisation.")
    municipality: str
    task_category: str
    extra_placed: int = Field(description="More clients placed (exact, or at most this).")
    extra_placed_at_least: int = Field(
        description="Proven lower bound: a feasible assignment with the extra capacity."
    )
    placed_value: int
    quality: int = Field(description="Fit added, quality points (exact, or at most this).")
    quality_at_least: int = Field(
        description="Fit that assignment adds (with ``extra_placed_at_least`` more placed)."
    )
    exact: bool = Field(description="False: upper bounds, with the lower bounds beside them.")


class WeekFigures(Figures):
    """Outcome of one week of a horizon."""

    week: int
    planning_date: date
    clients: int
    arrivals: int
    ended: int
    open_placements: int
    seats: int
    placed: int
    kept_ongoing: int
    new_placements: int
    placement_rate: float
    waiting_unplaced_median: float | None
    status: str


class SeatGroupValue(Figures):
    """Where one more seat (or support unit) in a department or municipality does most good:
    its best placement there."""

    resource: Resource = "seat"
    dimension: str = Field(description="'department' or 'municipality'.")
    group: str
    best_placement: str
    extra_placed: int
    quality: int
    exact: bool


class ScenarioMetrics(Figures):
    """Every figure of one scenario's run."""

    scenario: str
    description: str = ""
    notes: list[ScenarioNote] = Field(default_factory=list)
    status: str
    clients: int = Field(description="Clients in the run (eligible under the scenario's rules).")
    placed: int
    placement_rate: float = Field(description="Placed / clients in the run.")
    ineligible: int = Field(
        default=0, description="Clients a rule change of the scenario made ineligible."
    )
    ineligible_clients: list[str] = Field(default_factory=list)
    referral_changes: list[ReferralChange] = Field(
        default_factory=list,
        description="Clients who lose or change their referral basis under a regime version.",
    )
    population: int = Field(
        default=0, description="Clients before the rule change: clients + ineligible."
    )
    population_placement_rate: float = Field(
        default=0.0, description="Placed / population: the rate a rule change cannot flatter."
    )
    top3_share: float
    mean_travel_minutes: float | None
    weekly_travel_cost_eur: float | None = Field(
        default=None,
        description="Travel costs of a week, euros: each placed client's cheapest daily fare "
        "× their days per week, summed (189/2001 § 18(2)).",
    )
    waiting: Waiting
    groups: list[GroupFigure]
    utilisation: list[Utilisation]
    unplaced: list[Unplaced]
    unplaced_reasons: dict[str, int]
    seat_values: list[SeatValue] = Field(default_factory=list)
    support_values: list[SeatValue] = Field(
        default_factory=list, description="Placements ranked by one more support unit."
    )
    seat_value_groups: list[SeatGroupValue] = Field(default_factory=list)
    weeks: list[WeekFigures] = Field(
        default_factory=list, description="Horizon weeks, when the scenario has a horizon."
    )
    waiting_months_placed: list[int] = Field(default_factory=list)
    waiting_months_unplaced: list[int] = Field(default_factory=list)
    seconds: float = Field(default=0.0, description="Wall clock; varies from run to run.")


class ComparisonRow(Figures):
    """One figure of one scenario beside the base's."""

    scenario: str
    section: str
    key: str
    metric: str
    base: float | None
    value: float | None
    delta: float | None
