"""The trip table in the engine, the checker, the cache, the CLI and the sample feed."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matching.check import check_allocation
from matching.cli import main
from matching.sample.feed import SAMPLE_FEED_SHA256, sample_feed_bytes
from matching.solve import allocate
from matching.transit import (
    OWN_MEANS,
    TRANSIT,
    UNREACHABLE,
    FeedError,
    build_trip_table,
    feed_version,
    journey_there,
    load_feed,
    read_feed,
    store_feed,
    trip_table,
)
from matching.transit import store as transit_store
from matching.travel import distance_km
from tests.factories import client, make_problem, make_result, placement, problem_dict
from tests.transit.small_feed import small_feed

SMALL = feed_version(small_feed())
VILLAGE = {"lat": 65.00, "lon": 25.00}
STATION = {"lat": 65.00, "lon": 25.50}
TRAVEL = {"travel": {"feed": SMALL, "walk_factor": 1.0}}


def test_the_sample_feed_is_seeded_and_its_bytes_recorded() -> None:
    data = sample_feed_bytes()
    assert hashlib.sha256(data).hexdigest() == SAMPLE_FEED_SHA256
    feed = read_feed(data)
    names = set(feed.stop_name)
    assert {"Oulu linja-autoasema", "Kuusamo linja-autoasema", "Hailuoto keskusta"} <= names
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        trips = archive.read("trips.txt").decode().splitlines()[1:]
    by_service: dict[tuple[str, str], int] = {}
    for line in trips:
        route, service, _ = line.split(",")
        by_service[(route, service)] = by_service.get((route, service), 0) + 1
    # A rural route: four runs each way on weekdays, one on Saturdays, none on Sundays.
    assert (by_service[("170", "ark")], by_service[("170", "la")]) == (8, 2)
    assert ("170", "su") not in by_service
    # An Oulu city line runs at least every 20 minutes on weekdays from 5.30 to 23.00.
    assert by_service[("C1", "ark")] >= 2 * 50


def test_the_checker_reads_the_same_matrix() -> None:
    # The estimate would take the village client to the station in 36 minutes; the timetables
    # take 60 (the 6.30 for a 7.30 start) and, on Sundays, never.
    c = client("C1", location=VILLAGE, hours_per_day=7, max_travel_minutes=59)
    weekday = placement("P1", location=STATION, starts_at="07:30")
    sunday = placement("P2", location=STATION, weekdays=["sun"])
    c2 = client("C2", location=VILLAGE, available_weekdays=["sun"], days_per_week=1)
    problem = make_problem([c, c2], [weekday, sunday], options=TRAVEL)
    table = trip_table(problem)
    assert table is not None
    assert (int(table.minutes[0, 0]), int(table.mode[0, 0])) == (60, TRANSIT)
    assert int(table.mode[1, 1]) == UNREACHABLE
    found = check_allocation(problem, make_result(problem, {"C1": "P1", "C2": "P2"}))
    rules = {(v.rule, v.client) for v in found}
    assert ("travel_time", "C1") in rules
    assert ("reachable", "C2") in rules
    assert ("travel_time", "C2") not in rules
    minutes = next(v for v in found if v.rule == "travel_time").params["minutes"]
    assert minutes == 60
    # Without the feed the same result is admissible by the estimate.
    plain = make_problem([c, c2], [weekday, sunday])
    assert not {v.rule for v in check_allocation(plain, make_result(plain, {"C1": "P1"}))} & {
        "travel_time",
        "reachable",
    }


def test_the_engine_places_by_the_timetables() -> None:
    # Sundays are unreachable; the weekday placement is reached (55 minutes, limit 60).
    c = client(
        "C1",
        location=VILLAGE,
        hours_per_day=6.5,
        available_weekdays=["mon", "sun"],
        days_per_week=1,
    )
    sunday = placement("P1", location=STATION, weekdays=["sun"], seats=5)
    monday = placement("P2", location={"lat": 65.0, "lon": 25.49}, weekdays=["mon"])
    problem = make_problem([c], [sunday, monday], options=TRAVEL)
    result = allocate(problem)
    assert [(a.client, a.placement) for a in result.assignments] == [("C1", "P2")]
    table = trip_table(problem)
    assert table is not None
    assert result.assignments[0].travel_minutes == int(table.minutes[0, 1])
    assert check_allocation(problem, result) == []


def test_a_second_run_reads_the_cached_scans(tmp_path: Path) -> None:
    version = store_feed(small_feed(), tmp_path)
    problem = make_problem(
        [client("C1", location=VILLAGE, hours_per_day=6.5)],
        [placement("P1", location=STATION), placement("P2", location=STATION, starts_at="07:30")],
        options={"travel": {"feed": version, "walk_factor": 1.0}},
    )
    cold = build_trip_table(problem, load_feed(version, tmp_path), tmp_path)
    assert cold.scanned_columns > 0
    transit_store._LOADED.clear()
    warm = build_trip_table(problem, load_feed(version, tmp_path), tmp_path)
    assert warm.scanned_columns == 0
    assert np.array_equal(cold.minutes, warm.minutes)
    assert np.array_equal(cold.mode, warm.mode)
    assert (tmp_path / "cache" / version / transit_store.PARSED).exists()
    # A new placement scans only its own columns.
    more = make_problem(
        [client("C1", location=VILLAGE, hours_per_day=6.5)],
        [placement("P1", location=STATION), placement("P3", location=STATION, starts_at="12:50")],
        options={"travel": {"feed": version, "walk_factor": 1.0}},
    )
    again = build_trip_table(more, load_feed(version, tmp_path), tmp_path)
    assert 0 < again.scanned_columns < cold.scanned_columns


@pytest.mark.parametrize(
    ("means", "speed_kmh", "factor"),
    [("walks", 4.5, 1.0), ("cycles", 15.0, 1.3)],
)
def test_own_means_walk_and_cycle(means: str, speed_kmh: float, factor: float) -> None:
    problem = make_problem(
        [client("C1", location=VILLAGE, travel_means=means)],
        [placement("P1", location=STATION)],
        options=TRAVEL,
    )
    table = trip_table(problem)
    assert table is not None
    km = float(
        distance_km(np.array([65.0]), np.array([25.0]), np.array([65.0]), np.array([25.5]))[0]
    )
    assert int(table.mode[0, 0]) == OWN_MEANS
    assert int(table.minutes[0, 0]) == int(np.ceil(km * factor / speed_kmh * 60))


def test_the_tariff_prices_a_feed_without_fares(tmp_path: Path) -> None:
    # Kirkkotie → Oulu: 23.52 km straight, 30.6 km by the tariff's factor 1.3: the 30–40 km
    # band, 9.20 €; 18.40 € a day.
    version = store_feed(small_feed(with_fares=False), tmp_path)
    feed = load_feed(version, tmp_path)
    problem = make_problem([client(location=VILLAGE)], [placement(location=STATION)])
    from datetime import date

    from models import Location

    trip = journey_there(
        feed,
        Location(**VILLAGE),
        Location(**STATION),
        8 * 3600,
        date(2026, 11, 30),
        problem.options.travel.model_copy(update={"walk_factor": 1.0}),
    )
    assert trip is not None
    assert (trip.fare, trip.fare_source, trip.daily_fare) == (9.20, "tariff", 18.40)


def test_a_file_that_is_no_feed_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="not a zip"):
        read_feed(b"stop_id,stop_name\n")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("routes.txt", "route_id\n1\n")
    with pytest.raises(FeedError, match=r"stops\.txt: missing"):
        read_feed(out.getvalue())


def _county(tmp_path: Path, **kw: Any) -> Path:
    data = problem_dict(
        [client("C1", location=VILLAGE, hours_per_day=6.5)],
        [placement("P1", location=STATION), placement("P2", location=STATION, weekdays=["sun"])],
        **kw,
    )
    path = tmp_path / "county.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_gtfs_flag_solves_and_checks_with_a_zip(tmp_path: Path, capsys) -> None:
    feed = tmp_path / "feed.zip"
    feed.write_bytes(small_feed())
    county, result = _county(tmp_path), tmp_path / "result.json"
    assert main(["solve", str(county), "--gtfs", str(feed), "-o", str(result)]) == 0
    placed = json.loads(result.read_text(encoding="utf-8"))["assignments"]
    # The default walk factor 1.2 adds nothing here: home and site stand at the stops.
    assert [(a["placement"], a["travel_minutes"]) for a in placed] == [("P1", 55)]
    capsys.readouterr()
    assert main(["check", str(county), str(result), "--gtfs", str(feed), "--lang", "en"]) == 0
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"no zip")
    assert main(["solve", str(county), "--gtfs", str(bad)]) == 2
    assert "not a zip file" in capsys.readouterr().err


@pytest.mark.slow
def test_the_demo_shows_a_trip_by_the_timetables(capsys) -> None:
    assert main(["demo", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "A trip by the timetables" in out
    line = out.split("A trip by the timetables", 1)[1].splitlines()[1]
    assert re.fullmatch(
        r"    Leave \d{1,2}\.\d{2} from the stop at [^,]+, arrive \d{1,2}\.\d{2}, walk \d+ min "
        r"\(timetables sample-pohde-1, (Mon|Tue|Wed|Thu|Fri|Sat|Sun)\)\..*€ a day.*",
        line,
    ), line
    assert "Independent check: passed" in out


def test_journeys_agree_with_the_table_on_the_sample() -> None:
    from matching.cli import sample_path, with_feed
    from matching.explain.trip import pair_journey
    from matching.io import load
    from models import AllocationProblem

    problem = with_feed(load(AllocationProblem, sample_path()), "sample")
    table = trip_table(problem)
    assert table is not None
    pairs = np.argwhere(table.mode == TRANSIT)
    assert len(pairs) > 100
    for i, j in pairs[:: max(1, len(pairs) // 40)].tolist():
        trip = pair_journey(problem, i, j)
        start = problem.placements[j].starts_at
        start_s = start.hour * 3600 + start.minute * 60
        assert trip is not None and trip.legs
        assert trip.arrive <= start_s
        # There is part of the pair's trip: the worse of there and back is its minutes.
        assert -((trip.leave_home - start_s) // 60) <= table.minutes[i, j]


def test_platforms_of_a_station_are_one_stop_for_changing(tmp_path: Path) -> None:
    # The city bus leaves from platform 2 of the station, the village bus arrives at platform
    # 1: with the platforms grouped by parent_station the change works as at one stop.
    source = zipfile.ZipFile(io.BytesIO(small_feed()))
    files = {name: source.read(name).decode() for name in source.namelist()}
    files["stops.txt"] = files["stops.txt"].replace(
        "stop_id,stop_name,stop_lat,stop_lon,zone_id\n",
        "stop_id,stop_name,stop_lat,stop_lon,zone_id,parent_station,location_type\n",
    )
    lines = files["stops.txt"].splitlines()
    lines = [lines[0]] + [line + ",," for line in lines[1:]]
    lines = [
        line.replace("OULU,Oulu linja-autoasema,65.0,25.5,A,,", "OULU,Laituri 1,65.0,25.5,A,ST,0")
        for line in lines
    ]
    lines += ["OULU2,Laituri 2,65.0003,25.5003,A,ST,0", "ST,Oulun asema,65.0001,25.5001,A,,1"]
    files["stops.txt"] = "\n".join(lines) + "\n"
    files["stop_times.txt"] = re.sub(
        r"^(2-[ab]),07:(20|45):00,07:(20|45):00,OULU,",
        r"\1,07:\2:00,07:\3:00,OULU2,",
        files["stop_times.txt"],
        flags=re.M,
    )
    assert "OULU2" in files["stop_times.txt"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    version = store_feed(out.getvalue(), tmp_path)
    feed = load_feed(version, tmp_path)
    assert "Oulun asema" in feed.stop_name and "Laituri 2" not in feed.stop_name
    problem = make_problem(
        [client(location=VILLAGE, hours_per_day=6, max_travel_minutes=90)],
        [placement(location={"lat": 65.05, "lon": 25.50}, starts_at="08:10")],
        options={"travel": {"feed": version, "walk_factor": 1.0}},
    )
    table = build_trip_table(problem, feed, tmp_path)
    assert (int(table.minutes[0, 0]), int(table.mode[0, 0])) == (75, TRANSIT)


@pytest.mark.parametrize("direction", ["there", "back"])
def test_a_column_does_not_depend_on_the_others_scanned_with_it(
    tmp_path: Path, direction: str
) -> None:
    # Arriving at the station by 18.40 (there) or leaving it from 6.00 (back): within the
    # 4-hour horizon no bus serves Kirkkotie, so the column is empty alone; scanned beside a
    # column that widens the window (7.40 there, 14.00 back) the 12.00 and the 14.45 come into
    # the window, and must still not count.
    from matching.transit.table import cached_scan

    one, two = tmp_path / "one", tmp_path / "two"
    version = store_feed(small_feed(), one)
    store_feed(small_feed(), two)
    feed = load_feed(version, one)
    services = feed.services_on(date(2026, 11, 30))
    station, village = feed.stop_index["OULU"], feed.stop_index["KIRK"]
    if direction == "there":
        column, other = 18 * 3600 + 40 * 60, 7 * 3600 + 40 * 60
    else:
        column, other = 6 * 3600, 14 * 3600
    alone, at, _ = cached_scan(
        feed, services, direction, np.array([station]), np.array([column]), 120, one
    )
    batch, where, _ = cached_scan(
        feed, services, direction, np.array([station, station]), np.array([column, other]), 120, two
    )
    value = np.asarray(alone)[village, at[0]]
    assert value == (-(10**8) if direction == "there" else 10**8)
    assert np.array_equal(np.asarray(alone)[:, at[0]], np.asarray(batch)[:, where[0]])


def test_the_scenario_figures_total_a_week_of_fares() -> None:
    # C1 takes the direct bus, the feed's 4.20 each way: 8.40 a day × 3 days = 25.20 € a week;
    # C2 cycles 2.35 km, which costs nothing; C3 drives 23.50 km: the tariff's 9.20 each way,
    # 18.40 a day × 2 days = 36.80. The week costs 62.00 €, in the comparison too.
    from matching.scenario.compare import compare
    from matching.scenario.metrics import scenario_metrics

    clients = [
        client("C1", location=VILLAGE, hours_per_day=6.5, days_per_week=3),
        client("C2", location={"lat": 65.0, "lon": 25.45}, travel_means="cycles"),
        client("C3", location=VILLAGE, hours_per_day=6.5, days_per_week=2, travel_means="drives"),
    ]
    problem = make_problem(clients, [placement("P1", location=STATION, seats=3)], options=TRAVEL)
    result = allocate(problem)
    assert sorted(a.client for a in result.assignments) == ["C1", "C2", "C3"]
    base = scenario_metrics("base", problem, result)
    assert base.weekly_travel_cost_eur == 62.00
    fewer = scenario_metrics(
        "no-c1", problem, result.model_copy(update={"assignments": result.assignments[1:]})
    )
    rows = {(r.scenario, r.metric): r for r in compare([base, fewer])}
    cost = rows[("no-c1", "weekly_travel_cost_eur")]
    assert (cost.base, cost.value) == (62.00, 36.80)
