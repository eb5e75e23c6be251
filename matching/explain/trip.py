"""The trip a proposal's explanation shows: by the county's timetables, on foot, by the
client's own means, or the estimate, saying which was used.

"Leave 7.12 from the stop at Kirkkotie, arrive 7.48; walking 6 minutes. Change at Oulu. The
ticket costs 8,40 € a day." Times are Finnish time of day written the Finnish way (7.12);
fares in euros with two decimals in the language's format. The journey is read back from the
timetables for the weekday of the planning week whose trip the table counts
(``TripTable.day``): the latest departure that arrives by the placement's start.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from matching.explain.documents import Message
from matching.explain.messages import message, render_text
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
from models import AllocationProblem, Weekday


def clock(seconds: int) -> str:
    """Seconds of the day as Finnish time of day: 7.12, 14.05."""
    minutes = seconds // 60
    return f"{minutes // 60 % 24}.{minutes % 60:02d}"


def pair_journey(problem: AllocationProblem, client: int, placement: int) -> Journey | None:
    """The journey there that the trip table counts for the pair (None without one)."""
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


def trip_messages(problem: AllocationProblem, client: int, placement: int) -> list[Message]:
    """The pair's trip as messages (rows and columns in the problem's order)."""
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
        return [message("trip.estimate", minutes=minutes)]
    mode = int(table.mode[client, placement])
    minutes = int(table.minutes[client, placement])
    if mode == UNREACHABLE:
        return [message("rule.reachable")]
    if mode == OWN_MEANS:
        return [message("trip.own_means", means=c.travel_means, minutes=minutes)]
    if mode in (ESTIMATE, NO_CONNECTION):
        return [message("trip.no_connection", minutes=minutes)]
    journey = pair_journey(problem, client, placement)
    if mode == WALK or journey is None or not journey.legs:
        return [message("trip.walk", walk=minutes, feed=table.feed)]
    weekday = list(Weekday)[int(table.day[client, placement])].value
    out = [
        message(
            "trip.transit",
            leave=clock(journey.legs[0].board_time),
            stop=journey.legs[0].board_stop,
            arrive=clock(journey.arrive),
            walk=journey.walk_to_stop + journey.walk_from_stop,
            feed=table.feed,
            weekday=weekday,
        )
    ]
    if journey.changes:
        out.append(message("trip.change", stops=list(journey.changes)))
    if journey.daily_fare is not None:
        out.append(message(f"trip.fare_{journey.fare_source}", fare=journey.daily_fare))
    return out


def trip_text(
    problem: AllocationProblem,
    client: int,
    placement: int,
    lang: str,
    register: str = "coordinator",
) -> str:
    """The pair's trip in words, in ``lang`` and ``register``."""
    texts = [render_text(m, lang) for m in trip_messages(problem, client, placement)]
    return " ".join(getattr(t, register) for t in texts)
