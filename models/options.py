"""Options of a run: soft-criterion weights, the travel-time model and solver limits."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from models.base import DomainModel


class Weights(DomainModel):
    """Weights of the soft criteria of match quality (phase 2 of the objective).

    Each criterion is a fit in [0, 1]; a pair's score is ``round(1000 * w_k * fit_k)`` summed over
    criteria, so with the defaults (summing to 1) a perfect pair scores 1,000 points. Weights
    never change how many clients are placed: that is decided first (see ``SolveOptions``).
    """

    preference: float = Field(default=0.30, ge=0, le=10, description="Client's ranked wishes.")
    aptitude: float = Field(default=0.15, ge=0, le=10, description="Aptitudes and interests.")
    travel: float = Field(default=0.15, ge=0, le=10, description="Shorter trips score higher.")
    waiting: float = Field(
        default=0.25,
        ge=0,
        le=10,
        description=(
            "Months waited (up to 24): longest first; 0 for a client already in a placement."
        ),
    )
    continuity: float = Field(default=0.10, ge=0, le=10, description="Staying where one is.")
    support_fit: float = Field(default=0.05, ge=0, le=10, description="Supervision per seat.")


class TravelModel(DomainModel):
    """How a client's trip to a placement is found, in minutes one way.

    The estimate: ``minutes = fixed_minutes + distance_km * road_factor / speed_kmh * 60``. The
    defaults fit a rural county where most trips are by car or bus on main roads. With a
    ``feed``, the trip is the public-transport journey of the county's timetables (walking to
    and from stops at ``walk_speed_kmh`` over straight-line distance times ``walk_factor``, at
    most ``max_walk_m``); the estimate then applies only where the feed has no connection.
    """

    fixed_minutes: float = Field(default=5.0, ge=0, le=120)
    road_factor: float = Field(default=1.3, ge=1.0, le=3.0)
    speed_kmh: float = Field(default=60.0, gt=0, le=200)
    feed: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]{0,79}$",
        description=(
            "Version id of the county's GTFS feed in the feed store (``matching.transit``): "
            "trips by bus and train replace the estimate where the feed connects a pair. "
            "None: the estimate applies to every pair."
        ),
    )
    walk_speed_kmh: float = Field(
        default=4.5, gt=0, le=10, description="Walking speed to and from stops, km/h."
    )
    walk_factor: float = Field(
        default=1.2, ge=1.0, le=3.0, description="Walking distance per straight-line distance."
    )
    max_walk_m: int = Field(
        default=1500, ge=0, le=5000, description="Longest walk to or from a stop, metres."
    )
    transfer_minutes: int = Field(
        default=2, ge=0, le=30, description="Least time to change from one vehicle to another."
    )
    cycle_speed_kmh: float = Field(
        default=15.0, gt=0, le=40, description="Cycling speed of a client who cycles, km/h."
    )


class SolveOptions(DomainModel):
    """How a run is made. Every solve is bounded by ``time_limit_s`` and seeded.

    The objective is lexicographic: first the number of clients placed, then match quality,
    the sum of the placed pairs' points (``Weights``), in which waiting time weighs as much as
    a quarter of a perfect fit by default: when places are short, those who have waited longest
    go first, and no weight can make the engine place fewer clients.
    """

    weights: Weights = Weights()
    travel: TravelModel = TravelModel()
    waiting_priority: bool = Field(
        default=True,
        description="Score waiting time (the 'waiting' criterion); False scores it 0.",
    )
    allow_moving_ongoing: bool = Field(
        default=False,
        description=(
            "May ongoing placements older than the commitment period move? They then get a "
            "continuity bonus for staying instead of being kept."
        ),
    )
    time_limit_s: float = Field(default=10.0, gt=0, le=3600, description="Seconds.")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    method: Literal["auto", "flow", "highs", "cpsat", "greedy"] = "auto"
    num_workers: int = Field(default=1, ge=1, le=64)
    relative_gap: float = Field(default=1e-4, ge=0, le=1)
