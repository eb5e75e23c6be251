"""One client's journey to a placement, leg by leg, and its cheapest fare: what a proposal's
explanation shows ("leave 7.12 from the stop at Kirkkotie, change at Oulu, arrive 7.48, walk
6 minutes, 4,20 € a day").

The trip table (``matching.transit.table``) keeps only minutes; this module scans once more
for one pair, in plain Python, remembering which connection set each stop's latest departure
and where each trip is left, so the legs can be read back. Its times agree with the table's
(tests check it): both are the latest departure that arrives by the start.

The fare is the feed's cheapest (GTFS fares v1: a fare applies to a leg if its rules match
the leg's route and the zones of its ends; one ticket covers the whole trip if it applies to
every leg and allows the changes within its transfer time), else the tariff table's price for
the distance (``matching/data/tariff.json``). A day costs the ticket there and back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import numpy as np

from matching.transit.feed import Feed
from matching.transit.table import HORIZON_S, near_stops, walk_minutes
from matching.travel import distance_km
from models import Location, TravelModel


@dataclass(frozen=True)
class Leg:
    """One ride: the route, where and when it is boarded and left (seconds of the day)."""

    route: str
    board_stop: str
    board_time: int
    alight_stop: str
    alight_time: int
    board_index: int
    alight_index: int
    route_index: int


@dataclass(frozen=True)
class Journey:
    """A door-to-door journey there: walk, ride(s), walk; or a walk alone (no legs)."""

    leave_home: int
    """Seconds of the day the client leaves home."""
    walk_to_stop: int
    """Minutes from home to the first stop."""
    legs: tuple[Leg, ...]
    walk_from_stop: int
    """Minutes from the last stop to the placement (or of the whole walk, without legs)."""
    arrive: int
    """Seconds of the day the client is at the placement."""
    fare: float | None
    """Cheapest one-way fare, euros (None for a walk)."""
    fare_source: str
    """``feed`` or ``tariff`` (or empty for a walk)."""

    @property
    def daily_fare(self) -> float | None:
        """Fare there and back, euros."""
        return None if self.fare is None else round(2 * self.fare, 2)

    @property
    def changes(self) -> tuple[str, ...]:
        """Stops where the client changes vehicle."""
        return tuple(leg.board_stop for leg in self.legs[1:])


@cache
def tariff() -> dict[str, object]:
    """The tariff table: price by distance band (``matching/data/tariff.json``)."""
    text = resources.files("matching").joinpath("data/tariff.json").read_text(encoding="utf-8")
    data: dict[str, object] = json.loads(text)
    return data


def tariff_price(km: float) -> float:
    """The tariff's single ticket for a straight-line distance in km (road distance by its
    factor); past the last band, the last band's price per km."""
    data = tariff()
    road = km * float(data["distance_factor"])  # type: ignore[arg-type]
    bands: list[dict[str, float]] = data["bands"]  # type: ignore[assignment]
    for band in bands:
        if road <= band["up_to_km"]:
            return float(band["price"])
    last = bands[-1]
    return round(last["price"] * road / last["up_to_km"], 2)


def _fare_applies(feed: Feed, fare: int, leg: Leg) -> bool:
    fares = feed.fares
    assert fares is not None
    origin = feed.stop_zone[leg.board_index]
    destination = feed.stop_zone[leg.alight_index]
    route = feed.route_id[leg.route_index]
    rules = np.flatnonzero(fares.rule_fare == fare)
    if not rules.size:
        return True
    return any(
        fares.rule_route[r] in ("", route)
        and fares.rule_origin[r] in ("", origin)
        and fares.rule_destination[r] in ("", destination)
        and fares.rule_contains[r] == ""
        for r in rules.tolist()
    )


def cheapest_fare(feed: Feed, legs: tuple[Leg, ...]) -> tuple[float, str]:
    """The cheapest one-way fare of ``legs`` (euros) and where it came from."""
    if not legs:
        return 0.0, ""
    fares = feed.fares
    if fares is not None:
        options: list[float] = []
        span = legs[-1].alight_time - legs[0].board_time
        per_leg: list[float] = []
        for leg in legs:
            prices = [
                float(fares.price[f])
                for f in range(len(fares.fare_id))
                if _fare_applies(feed, f, leg)
            ]
            per_leg.append(min(prices) if prices else float("nan"))
        if not any(np.isnan(per_leg)):
            options.append(sum(per_leg))
        for f in range(len(fares.fare_id)):
            transfers, seconds = int(fares.transfers[f]), int(fares.transfer_seconds[f])
            covers = (transfers < 0 or transfers >= len(legs) - 1) and (
                seconds < 0 or span <= seconds
            )
            if covers and all(_fare_applies(feed, f, leg) for leg in legs):
                options.append(float(fares.price[f]))
        if options:
            return round(min(options), 2), "feed"
    first, last = legs[0], legs[-1]
    km = float(
        distance_km(
            np.array([feed.stop_lat[first.board_index]]),
            np.array([feed.stop_lon[first.board_index]]),
            np.array([feed.stop_lat[last.alight_index]]),
            np.array([feed.stop_lon[last.alight_index]]),
        )[0]
    )
    return tariff_price(km), "tariff"


def journey_there(
    feed: Feed,
    home: Location,
    site: Location,
    start: int,
    day: date,
    model: TravelModel,
) -> Journey | None:
    """The journey leaving home latest that reaches ``site`` by ``start`` (seconds) on ``day``;
    None if there is none (walking included)."""
    one = np.array
    c_near = near_stops(one([home.lat]), one([home.lon]), feed, model)
    p_near = near_stops(one([site.lat]), one([site.lon]), feed, model)
    km = float(distance_km(one([home.lat]), one([home.lon]), one([site.lat]), one([site.lon]))[0])
    walk_only: int | None = None
    if km * model.walk_factor * 1000 <= model.max_walk_m + 1e-9:
        walk_only = int(walk_minutes(one([km]), model)[0])
    slack = model.transfer_minutes * 60
    target = {int(s): start - 60 * int(w) for s, w in zip(p_near.stop, p_near.walk, strict=True)}
    latest: dict[int, int] = {}
    setter: dict[int, int] = {}
    exit_of: dict[int, int] = {}
    conn = feed.connections_of(feed.services_on(day))
    dep = feed.dep_time[conn]
    conn = conn[(dep >= start - HORIZON_S) & (dep <= start)]
    for c in conn[::-1].tolist():
        u, v = int(feed.dep_stop[c]), int(feed.arr_stop[c])
        k, ta, td = int(feed.trip[c]), int(feed.arr_time[c]), int(feed.dep_time[c])
        ok = k in exit_of
        if not ok and (latest.get(v, -(10**9)) >= ta + slack or target.get(v, -(10**9)) >= ta):
            exit_of[k] = c
            ok = True
        if ok and td > latest.get(u, -(10**9)):
            latest[u] = td
            setter[u] = c
    best: tuple[int, int, int] | None = None  # (leave home, origin stop, walk)
    for o, w in zip(c_near.stop.tolist(), c_near.walk.tolist(), strict=True):
        if o in setter:
            leave = latest[o] - 60 * w
            if best is None or leave > best[0]:
                best = (leave, o, w)
    if walk_only is not None and (best is None or start - 60 * walk_only >= best[0]):
        return Journey(start - 60 * walk_only, 0, (), walk_only, start, None, "")
    if best is None:
        return None
    legs: list[Leg] = []
    stop = best[1]
    while True:
        c = setter[stop]
        e = exit_of[int(feed.trip[c])]
        k = int(feed.trip[c])
        route = int(feed.trip_route[k])
        legs.append(
            Leg(
                route=feed.route_name[route] if route >= 0 else "",
                board_stop=feed.stop_name[stop],
                board_time=int(feed.dep_time[c]),
                alight_stop=feed.stop_name[int(feed.arr_stop[e])],
                alight_time=int(feed.arr_time[e]),
                board_index=stop,
                alight_index=int(feed.arr_stop[e]),
                route_index=route,
            )
        )
        stop = int(feed.arr_stop[e])
        if target.get(stop, -(10**9)) >= int(feed.arr_time[e]) or stop not in setter:
            break
    walk_end = dict(zip(p_near.stop.tolist(), p_near.walk.tolist(), strict=True))[stop]
    fare, source = cheapest_fare(feed, tuple(legs))
    return Journey(
        leave_home=best[0],
        walk_to_stop=best[2],
        legs=tuple(legs),
        walk_from_stop=walk_end,
        arrive=legs[-1].alight_time + 60 * walk_end,
        fare=fare,
        fare_source=source,
    )
