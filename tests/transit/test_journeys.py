"""Journeys on the small feed of ``small_feed``, worked out by hand.

The travel model of these tests walks 4.5 km/h over the straight line (walk factor 1), at most
1.5 km, and changes vehicle in 2 minutes. 30.11.2026, the planning date, is a Monday.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matching.transit import (
    NO_CONNECTION,
    TRANSIT,
    UNREACHABLE,
    UNREACHABLE_MINUTES,
    WALK,
    build_trip_table,
    journey_there,
    load_feed,
    store_feed,
)
from matching.travel import distance_km, travel_minutes
from models import AllocationProblem, Location
from tests.factories import client, make_problem, placement
from tests.transit.small_feed import small_feed

KIRKKOTIE = {"lat": 65.00, "lon": 25.00}
OULU_STATION = {"lat": 65.00, "lon": 25.50}
SAIRAALA = {"lat": 65.05, "lon": 25.50}
MONDAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("transit")
    return root, store_feed(small_feed(), root)


def travel(version: str) -> dict[str, Any]:
    return {
        "travel": {
            "feed": version,
            "walk_speed_kmh": 4.5,
            "walk_factor": 1.0,
            "max_walk_m": 1500,
            "transfer_minutes": 2,
        }
    }


def one_pair(
    store: tuple[Path, str], home: dict[str, float], site: dict[str, float], **kw: Any
) -> tuple[int, int, AllocationProblem]:
    root, version = store
    c = client(location=home, **kw.get("client", {}))
    p = placement(location=site, **kw.get("placement", {}))
    problem = make_problem([c], [p], options=travel(version))
    table = build_trip_table(problem, load_feed(version, root), root)
    return int(table.minutes[0, 0]), int(table.mode[0, 0]), problem


def test_a_direct_bus(store: tuple[Path, str]) -> None:
    # There by 8.00: the 7.12 from Kirkkotie arrives 7.40; leaving home 7.12 is 48 minutes
    # before the start. Back after 6.5 hours, 14.30: the 14.45 arrives 15.25, 55 minutes.
    minutes, mode, problem = one_pair(store, KIRKKOTIE, OULU_STATION, client={"hours_per_day": 6.5})
    assert (minutes, mode) == (55, TRANSIT)
    trip = journey_there(
        load_feed(store[1], store[0]),
        problem.clients[0].location,
        problem.placements[0].location,
        8 * 3600,
        MONDAY,
        problem.options.travel,
    )
    assert trip is not None
    assert (trip.leave_home, trip.arrive) == (7 * 3600 + 12 * 60, 7 * 3600 + 40 * 60)
    assert [leg.board_stop for leg in trip.legs] == ["Kirkkotie"]
    assert (trip.fare, trip.fare_source, trip.daily_fare) == (4.20, "feed", 8.40)


def test_a_walk_to_the_stop_counts(store: tuple[Path, str]) -> None:
    # Home 0.005° north of Kirkkotie: 0.5560 km, 7.41 min at 4.5 km/h, so 8 minutes each way:
    # there 48 + 8 = 56, back 55 + 8 = 63.
    home = {"lat": 65.005, "lon": 25.00}
    km = distance_km(np.array([65.005]), np.array([25.0]), np.array([65.0]), np.array([25.0]))
    assert float(km[0]) == pytest.approx(0.5560, abs=1e-4)
    minutes, mode, _ = one_pair(store, home, OULU_STATION, client={"hours_per_day": 6.5})
    assert (minutes, mode) == (63, TRANSIT)


def test_a_change(store: tuple[Path, str]) -> None:
    # There by 8.10 at Sairaala: the 7.12 from Kirkkotie reaches Oulu 7.40, 2 minutes to
    # change makes 7.42, the city bus 7.45 arrives 8.05: leave 7.12, 58 minutes. Back after 6
    # hours, 14.10: the 14.10 city bus reaches Oulu 14.30, the 14.45 Kirkkotie 15.25: 75.
    minutes, mode, problem = one_pair(
        store,
        KIRKKOTIE,
        SAIRAALA,
        client={"hours_per_day": 6},
        placement={"starts_at": "08:10"},
    )
    assert (minutes, mode) == (75, TRANSIT)
    trip = journey_there(
        load_feed(store[1], store[0]),
        problem.clients[0].location,
        problem.placements[0].location,
        8 * 3600 + 10 * 60,
        MONDAY,
        problem.options.travel,
    )
    assert trip is not None
    assert [(leg.route, leg.board_stop, leg.board_time // 60) for leg in trip.legs] == [
        ("10", "Kirkkotie", 7 * 60 + 12),
        ("2", "Oulu linja-autoasema", 7 * 60 + 45),
    ]
    assert trip.changes == ("Oulu linja-autoasema",)
    assert trip.arrive == 8 * 3600 + 5 * 60
    # Two singles cost 4.20 + 3.20 = 7.40; the change ticket 5.50 covers both within 90 min.
    assert (trip.fare, trip.daily_fare) == (5.50, 11.00)


def test_the_last_bus_before_the_start(store: tuple[Path, str]) -> None:
    # Start 7.30: the 7.12 arrives 7.40, too late; the 6.30 arrives 7.10: 60 minutes. Back
    # after 7 hours, 14.30: 14.45 → 15.25, 55. A limit of 59 minutes refuses the pair.
    minutes, mode, _ = one_pair(
        store,
        KIRKKOTIE,
        OULU_STATION,
        client={"hours_per_day": 7},
        placement={"starts_at": "07:30"},
    )
    assert (minutes, mode) == (60, TRANSIT)


def test_no_service_on_sundays(store: tuple[Path, str]) -> None:
    # A Sunday placement: no bus runs, so the pair is unreachable (stops at both ends).
    minutes, mode, _ = one_pair(
        store,
        KIRKKOTIE,
        OULU_STATION,
        client={"available_weekdays": ["sun"], "days_per_week": 1},
        placement={"weekdays": ["sun"]},
    )
    assert (minutes, mode) == (UNREACHABLE_MINUTES, UNREACHABLE)
    # On Saturdays the 9.00 arrives 9.40 for a 10.00 start (60 minutes) and the 14.10 after a
    # 4-hour day arrives 14.50 (50 minutes).
    minutes, mode, _ = one_pair(
        store,
        KIRKKOTIE,
        OULU_STATION,
        client={"available_weekdays": ["sat", "sun"], "days_per_week": 1, "hours_per_day": 4},
        placement={"weekdays": ["sat", "sun"], "starts_at": "10:00"},
    )
    assert (minutes, mode) == (60, TRANSIT)


def test_days_per_week_take_that_many_days(store: tuple[Path, str]) -> None:
    # Coming two days, Saturday and Sunday: Sunday has no bus, so the second day fails.
    _, mode, _ = one_pair(
        store,
        KIRKKOTIE,
        OULU_STATION,
        client={"available_weekdays": ["sat", "sun"], "days_per_week": 2, "hours_per_day": 4},
        placement={"weekdays": ["sat", "sun"], "starts_at": "10:00"},
    )
    assert mode == UNREACHABLE


def test_a_walk_only_trip(store: tuple[Path, str]) -> None:
    # No stop within 1.5 km of either; the placement 0.009° north: 1.0008 km, 13.34 min → 14.
    home = {"lat": 64.90, "lon": 25.00}
    site = {"lat": 64.909, "lon": 25.00}
    minutes, mode, problem = one_pair(store, home, site)
    assert (minutes, mode) == (14, WALK)
    trip = journey_there(
        load_feed(store[1], store[0]),
        Location(**home),
        Location(**site),
        8 * 3600,
        MONDAY,
        problem.options.travel,
    )
    assert trip is not None
    assert (trip.legs, trip.walk_from_stop, trip.leave_home) == ((), 14, 8 * 3600 - 14 * 60)


def test_no_stop_near_home_uses_the_estimate(store: tuple[Path, str]) -> None:
    home = {"lat": 64.50, "lon": 25.00}
    minutes, mode, problem = one_pair(store, home, OULU_STATION)
    km = distance_km(np.array([64.5]), np.array([25.0]), np.array([65.0]), np.array([25.5]))
    assert mode == NO_CONNECTION
    assert minutes == int(travel_minutes(km, problem.options.travel)[0])


def test_own_means_override_the_feed(store: tuple[Path, str]) -> None:
    from matching.transit import OWN_MEANS

    minutes, mode, problem = one_pair(
        store, KIRKKOTIE, OULU_STATION, client={"travel_means": "drives"}
    )
    km = distance_km(np.array([65.0]), np.array([25.0]), np.array([65.0]), np.array([25.5]))
    assert (minutes, mode) == (int(travel_minutes(km, problem.options.travel)[0]), OWN_MEANS)


def test_daily_fares_of_the_trip_table(store: tuple[Path, str]) -> None:
    # The cheapest daily fare of each pair, there and back, worked out by hand.
    from matching.transit.fares import daily_fares, pair_daily_fare, weekly_travel_cost

    root = store[0]
    # The direct bus: the feed's single 4.20 each way, 8.40 a day.
    _, _, problem = one_pair(store, KIRKKOTIE, OULU_STATION, client={"hours_per_day": 6.5})
    assert pair_daily_fare(problem, 0, 0, root=root) == 8.40
    # Three days a week: 3 × 8.40 = 25.20 € a week.
    assert weekly_travel_cost(problem, [(0, 0)], root) == 25.20
    # With a change: the change ticket 5.50 (cheaper than 4.20 + 3.20) each way, 11.00.
    _, _, problem = one_pair(
        store,
        KIRKKOTIE,
        SAIRAALA,
        client={"hours_per_day": 6},
        placement={"starts_at": "08:10"},
    )
    assert daily_fares(problem, [(0, 0)], root) == [11.00]
    # Walking the whole way costs nothing.
    _, _, problem = one_pair(store, {"lat": 64.90, "lon": 25.00}, {"lat": 64.909, "lon": 25.0})
    assert pair_daily_fare(problem, 0, 0, root=root) == 0.0
    # No stop near home: the tariff for 60.44 km × 1.3 = 78.6 km, band up to 80 km, 14.60
    # each way.
    _, _, problem = one_pair(store, {"lat": 64.50, "lon": 25.00}, OULU_STATION)
    assert pair_daily_fare(problem, 0, 0, root=root) == 29.20
    # A client who drives: the cheapest public means, the tariff for 23.50 km × 1.3 = 30.5 km,
    # band up to 40 km, 9.20 each way; one who cycles or walks costs nothing.
    _, _, problem = one_pair(store, KIRKKOTIE, OULU_STATION, client={"travel_means": "drives"})
    assert pair_daily_fare(problem, 0, 0, root=root) == 18.40
    _, _, problem = one_pair(store, KIRKKOTIE, OULU_STATION, client={"travel_means": "cycles"})
    assert pair_daily_fare(problem, 0, 0, root=root) == 0.0
    # No service on Sundays: unreachable, no fare; a week counts nothing for it.
    _, _, problem = one_pair(
        store,
        KIRKKOTIE,
        OULU_STATION,
        client={"available_weekdays": ["sun"], "days_per_week": 1},
        placement={"weekdays": ["sun"]},
    )
    assert pair_daily_fare(problem, 0, 0, root=root) is None
    assert weekly_travel_cost(problem, [(0, 0)], root) == 0.0
