"""The cheapest daily fare of a pair's trip: what the organiser pays a client for a day.

189/2001 § 18(2): the organiser pays the client's travel costs by the cheapest means. A day is
the ticket there and back (twice the one-way fare, as ``Journey.daily_fare``), in euros:

- by bus or train (``TRANSIT``): the journey the trip table counts, priced from the feed's
  fares where they apply, else from the tariff table (``matching/data/tariff.json``);
- by the estimate (no feed, or no stop within walking distance): the tariff for the distance;
- walking the whole way, or a client who walks or cycles: 0, it costs nothing;
- a client who drives or has a taxi decision: the tariff for the distance, the cheapest
  public means the organiser would otherwise pay;
- an unreachable pair: None (no trip, so no fare).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np

from matching.transit.journey import journey_there, tariff_price
from matching.transit.store import load_feed
from matching.transit.table import TRANSIT, UNREACHABLE, WALK, TripTable, trip_table
from matching.travel import distance_km
from models import AllocationProblem

FREE_MEANS = ("walks", "cycles")
"""A client's own means that cost nothing."""


def _km(problem: AllocationProblem, client: int, placement: int) -> float:
    c, p = problem.clients[client].location, problem.placements[placement].location
    one = np.array
    return float(distance_km(one([c.lat]), one([c.lon]), one([p.lat]), one([p.lon]))[0])


def pair_daily_fare(
    problem: AllocationProblem,
    client: int,
    placement: int,
    table: TripTable | None = None,
    root: Path | None = None,
) -> float | None:
    """The cheapest daily fare (euros, there and back) of the pair, rows and columns in the
    problem's order; ``table`` defaults to the problem's trip table (None without a feed)."""
    c = problem.clients[client]
    if c.travel_means in FREE_MEANS:
        return 0.0
    if table is None:
        table = trip_table(problem, root)
    if c.travel_means != "public_transport" or table is None:
        return round(2 * tariff_price(_km(problem, client, placement)), 2)
    mode = int(table.mode[client, placement])
    if mode == UNREACHABLE:
        return None
    if mode == WALK:
        return 0.0
    if mode != TRANSIT:
        return round(2 * tariff_price(_km(problem, client, placement)), 2)
    model = problem.options.travel
    assert model.feed is not None
    p = problem.placements[placement]
    weekday = int(table.day[client, placement])
    day = problem.planning_date + timedelta(days=(weekday - problem.planning_date.weekday()) % 7)
    start = p.starts_at.hour * 3600 + p.starts_at.minute * 60 + p.starts_at.second
    journey = journey_there(load_feed(model.feed, root), c.location, p.location, start, day, model)
    if journey is None or journey.daily_fare is None:
        # The table counts the trip but no journey there is read back: the tariff's price.
        return round(2 * tariff_price(_km(problem, client, placement)), 2)
    return journey.daily_fare


def daily_fares(
    problem: AllocationProblem,
    pairs: list[tuple[int, int]],
    root: Path | None = None,
) -> list[float | None]:
    """The cheapest daily fare (euros) of each (client, placement) pair, in order."""
    table = trip_table(problem, root)
    return [pair_daily_fare(problem, i, j, table, root) for i, j in pairs]


def weekly_travel_cost(
    problem: AllocationProblem,
    pairs: list[tuple[int, int]],
    root: Path | None = None,
) -> float:
    """Travel costs of a week for the placed ``pairs``: daily fare × the client's days per
    week, summed, euros (an unreachable pair, which no rule admits, counts nothing)."""
    fares = daily_fares(problem, pairs, root)
    total = sum(
        (fare or 0.0) * problem.clients[i].days_per_week
        for (i, _), fare in zip(pairs, fares, strict=True)
    )
    return round(total, 2)
