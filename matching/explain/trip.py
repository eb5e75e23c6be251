"""The trip a proposal's explanation shows: by the county's timetables, on foot, by the
client's own means, or the estimate, saying which was used.

"Leave 7.12 from the stop at Kirkkotie, change at Oulu linja-autoasema, arrive 7.48, walk 6
minutes, 4,20 € a day." Times are Finnish time written the Finnish way (7.12); fares in euros
with a decimal comma. The journey is read back from the timetables for the first weekday of
the planning week on which the pair's trip is the one the table counts (``TripTable.day``).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from matching.explain.messages import word
from matching.transit import (
    ESTIMATE,
    NO_CONNECTION,
    OWN_MEANS,
    UNREACHABLE,
    WALK,
    Journey,
    journey_there,
    load_feed,
    trip_table,
)
from matching.travel import distance_km, travel_minutes
from models import AllocationProblem


def clock(seconds: int) -> str:
    """Seconds of the day as Finnish time of day: 7.12, 14.05."""
    minutes = seconds // 60
    return f"{minutes // 60 % 24}.{minutes % 60:02d}"


def euros(value: float, lang: str) -> str:
    """Euros with two decimals, a decimal comma in Finnish and Swedish (4,20)."""
    text = f"{value:.2f}"
    return text if lang == "en" else text.replace(".", ",")


def pair_journey(problem: AllocationProblem, client: int, placement: int) -> Journey | None:
    """The journey there the trip table counts for the pair (None without one)."""
    table = trip_table(problem)
    if table is None or table.day[client, placement] < 0:
        return None
    model = problem.options.travel
    assert model.feed is not None
    c, p = problem.clients[client], problem.placements[placement]
    weekday = int(table.day[client, placement])
    day = problem.planning_date + timedelta(days=(weekday - problem.planning_date.weekday()) % 7)
    start = p.starts_at.hour * 3600 + p.starts_at.minute * 60 + p.starts_at.second
    return journey_there(load_feed(model.feed), c.location, p.location, start, day, model)


def trip_text(
    problem: AllocationProblem,
    client: int,
    placement: int,
    lang: str,
    register: str = "coordinator",
) -> str:
    """The pair's trip in words, saying whether timetables, a walk, own means or the estimate
    gave it."""
    table = trip_table(problem)
    c, p = problem.clients[client], problem.placements[placement]
    if table is None:
        km = distance_km(
            np.array([c.location.lat]),
            np.array([c.location.lon]),
            np.array([p.location.lat]),
            np.array([p.location.lon]),
        )
        minutes = int(travel_minutes(km, problem.options.travel)[0])
        return word(lang, "trip.estimate", register, minutes=minutes)
    mode = int(table.mode[client, placement])
    minutes = int(table.minutes[client, placement])
    feed = table.feed
    if mode == UNREACHABLE:
        return word(lang, "trip.unreachable", register)
    if mode == OWN_MEANS:
        means = word(lang, f"means.{c.travel_means}", register)
        return word(lang, "trip.own_means", register, means=means, minutes=minutes)
    if mode in (ESTIMATE, NO_CONNECTION):
        return word(lang, "trip.no_connection", register, minutes=minutes)
    journey = pair_journey(problem, client, placement)
    if mode == WALK or journey is None or not journey.legs:
        return word(lang, "trip.walk", register, walk=minutes, feed=feed)
    changes = ""
    if journey.changes:
        changes = word(lang, "trip.change", register, stops=", ".join(journey.changes))
    fare = ""
    if journey.daily_fare is not None:
        source = word(lang, f"trip.fare_source.{journey.fare_source}", register)
        fare = word(
            lang, "trip.fare", register, fare=euros(journey.daily_fare, lang), source=source
        )
    return word(
        lang,
        "trip.transit",
        register,
        leave=clock(journey.leave_home + 60 * journey.walk_to_stop),
        stop=journey.legs[0].board_stop,
        changes=changes,
        arrive=clock(journey.legs[-1].alight_time),
        walk=journey.walk_to_stop + journey.walk_from_stop,
        fare=fare,
        feed=feed,
    )
