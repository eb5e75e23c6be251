"""The sample county's seeded synthetic GTFS feed: buses between the real municipality centres
of North Ostrobothnia, a few departures a day in the countryside, and a city network in Oulu.

Nothing in it is a real timetable. The stops stand at the centres of ``reference`` (and around
them, for a local service bus), the routes follow the corridors a reader of the county's map
would expect (``CORRIDORS``), and the times come from distances at a bus's speed, with each
route's departures shifted by a few minutes drawn from the seed. Weekdays run the most,
Saturdays little, Sundays only the busiest routes. The Oulu city lines have fares in the feed;
the regional buses have none, so their tickets come from the tariff table
(``matching/data/tariff.json``), as a county's feed without fares would.

``sample_feed_bytes`` returns the zip; equal seeds give identical bytes (the zip's dates are
fixed). Its id in the feed store is ``matching.transit.SAMPLE_FEED``.
"""

from __future__ import annotations

import io
import itertools
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.sample.reference import county_data

FEED_SEED = 1
"""Seed of the bundled sample feed."""
SAMPLE_FEED_SHA256 = "04abaf8c0b80b018b1d806d437fc9bee91c71bb89e5aa35bdb2ea3e5a03cd4da"
"""The sha-256 of ``sample_feed_bytes()``: a stored copy that differs is made again, and a test
fails when the generator's output changes (then record the new one, and name the change)."""

CORRIDORS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    # (route, centres in order, level): "trunk" 6 a weekday, "rural" 3
    ("100", ("Oulu", "Kempele", "Liminka", "Siikajoki", "Raahe", "Pyhäjoki", "Kalajoki"), "trunk"),
    ("110", ("Oulu", "Kempele", "Liminka", "Oulainen", "Ylivieska"), "trunk"),
    ("120", ("Ylivieska", "Alavieska", "Kalajoki"), "rural"),
    ("121", ("Kalajoki", "Himanka", "Merijärvi", "Oulainen"), "rural"),
    ("130", ("Ylivieska", "Sievi", "Nivala", "Haapajärvi", "Pyhäjärvi"), "rural"),
    ("131", ("Haapajärvi", "Reisjärvi"), "rural"),
    ("132", ("Haapajärvi", "Kärsämäki"), "rural"),
    ("140", ("Oulu", "Tyrnävä", "Rantsila", "Siikalatva", "Haapavesi", "Nivala"), "rural"),
    ("141", ("Siikalatva", "Kestilä", "Pyhäntä"), "rural"),
    ("142", ("Haapavesi", "Piippola", "Pyhäntä"), "rural"),
    ("150", ("Oulu", "Muhos", "Utajärvi", "Vaala"), "trunk"),
    ("160", ("Oulu", "Ii"), "trunk"),
    ("170", ("Oulu", "Pudasjärvi", "Taivalkoski", "Kuusamo"), "rural"),
    ("171", ("Oulu", "Kempele", "Liminka", "Lumijoki"), "rural"),
    ("172", ("Oulu", "Hailuoto"), "rural"),
    ("173", ("Raahe", "Vihanti", "Rantsila"), "rural"),
    ("174", ("Liminka", "Siikajoki village", "Raahe"), "rural"),
)
"""Regional routes between centres (names as in ``reference``)."""

CITY_LINES: tuple[tuple[str, str, float, float], ...] = (
    # (line, end, bearing degrees from north, km); a centre's name: to that centre
    ("1", "Haukipudas", 0.0, 0.0),
    ("2", "Kiiminki", 0.0, 0.0),
    ("3", "Oulunsalo", 0.0, 0.0),
    ("4", "Kempele", 0.0, 0.0),
    ("5", "Ylikiiminki", 0.0, 0.0),
    ("6", "Linnanmaa", 5.0, 7.5),
    ("7", "Tuira", 300.0, 4.5),
    ("8", "Kaakkuri", 150.0, 7.0),
    ("9", "Hiukkavaara", 80.0, 8.0),
    ("10", "Ritaharju", 30.0, 9.0),
    ("11", "Maikkula", 200.0, 5.5),
    ("12", "Kaukovainio", 170.0, 5.0),
    ("13", "Myllyoja", 120.0, 6.0),
    ("14", "Toppila", 330.0, 4.0),
    ("15", "Kaijonharju", 15.0, 6.5),
    ("16", "Heikkilänkangas", 100.0, 5.5),
    ("17", "Rajakylä", 55.0, 6.0),
    ("18", "Pateniemi", 345.0, 7.0),
    ("19", "Höyhtyä", 140.0, 3.5),
    ("20", "Madekoski", 250.0, 3.5),
)
"""Oulu city lines from the bus station: to a centre, or a bearing and a length."""

STREETS = (
    "Kirkkotie",
    "Koulutie",
    "Asematie",
    "Kauppatie",
    "Rantatie",
    "Myllytie",
    "Meijeritie",
    "Urheilutie",
    "Sairaalatie",
    "Teollisuustie",
    "Pappilantie",
    "Kylätie",
    "Puistotie",
    "Harjutie",
    "Kalliotie",
    "Kuusitie",
    "Koivutie",
    "Mäntytie",
    "Peltotie",
    "Torikatu",
    "Isokatu",
    "Kajaanintie",
    "Nahkatehtaankatu",
    "Kasarmintie",
    "Pohjantie",
    "Yliopistokatu",
    "Tervahovi",
    "Saaristonkatu",
    "Linnankatu",
    "Hallituskatu",
)
"""Street names for stops (common Finnish ones; a stop is named after the street it is on)."""

_KM_LAT = 110.574
_DAY_TYPES = ("ark", "la", "su")


@dataclass
class _Builder:
    stops: list[tuple[str, str, float, float, str]]
    trips: list[tuple[str, str, str]]
    times: list[tuple[str, str, str, int]]
    routes: dict[str, tuple[str, str]]

    def stop(self, name: str, lat: float, lon: float, zone: str) -> str:
        sid = f"S{len(self.stops) + 1:04d}"
        self.stops.append((sid, name, round(lat, 6), round(lon, 6), zone))
        return sid

    def trip(self, route: str, service: str, calls: list[tuple[str, int]]) -> None:
        tid = f"{route}-{service}-{len([t for t in self.trips if t[0] == route]) + 1}"
        self.trips.append((route, service, tid))
        for stop, t in calls:
            self.times.append((tid, stop, _hms(t), 0))


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:00"


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = (a[0] - b[0]) * _KM_LAT
    dlon = (a[1] - b[1]) * 111.320 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dlat, dlon)


def _towards(lat: float, lon: float, bearing: float, km: float) -> tuple[float, float]:
    rad = math.radians(bearing)
    return (
        lat + km * math.cos(rad) / _KM_LAT,
        lon + km * math.sin(rad) / (111.320 * math.cos(math.radians(lat))),
    )


def _run(
    b: _Builder,
    route: str,
    stops: list[str],
    minutes: list[int],
    service: str,
    departures: list[int],
) -> None:
    """Trips both ways along ``stops`` (``minutes`` from the first stop), leaving the ends at
    ``departures`` (minutes of the day)."""
    total = minutes[-1]
    back = [total - m for m in reversed(minutes)]
    for dep in departures:
        b.trip(route, service, [(s, 60 * (dep + m)) for s, m in zip(stops, minutes, strict=True)])
        b.trip(
            route,
            service,
            [(s, 60 * (dep + m)) for s, m in zip(list(reversed(stops)), back, strict=True)],
        )


def sample_feed_bytes(seed: int = FEED_SEED) -> bytes:
    """The sample feed as GTFS zip bytes (identical for equal seeds)."""
    rng = np.random.default_rng(seed)
    data = county_data()
    centres: dict[str, tuple[float, float, str, bool]] = {}
    for m in data.municipalities:
        for i, c in enumerate(m.centres):
            centres[c.name] = (c.lat, c.lon, m.commuting_area, i == 0 and m.population >= 5000)
    b = _Builder([], [], [], {})
    hub: dict[str, str] = {}
    for name in sorted(centres):
        lat, lon, area, town = centres[name]
        suffix = "linja-autoasema" if town else "keskusta"
        hub[name] = b.stop(f"{name} {suffix}", lat, lon, area)

    # Regional routes: 70 km/h over 1.25 × the straight line, whole minutes; on the way out
    # of and into each centre a roadside stop every 3 km up to 9 km (villages along the road).
    roadside: dict[tuple[str, str], list[tuple[str, float]]] = {}
    streets = list(STREETS)
    for route, names, level in CORRIDORS:
        b.routes[route] = (route, f"{names[0]}–{names[-1]}")
        stops = [hub[names[0]]]
        minutes = [0]
        for a, z in itertools.pairwise(names):
            seg = _km(centres[a][:2], centres[z][:2])
            key = (a, z) if a < z else (z, a)
            if key not in roadside:
                marks = [d for d in (3.0, 6.0, 9.0) if d < seg / 2 - 1.0]
                marks += [seg - d for d in reversed(marks)]
                here: list[tuple[str, float]] = []
                first, second = key
                flat, flon = centres[first][:2]
                slat, slon = centres[second][:2]
                for d in marks:
                    f = d / seg
                    name = streets[int(rng.integers(len(streets)))]
                    here.append(
                        (
                            b.stop(
                                name,
                                flat + (slat - flat) * f,
                                flon + (slon - flon) * f,
                                centres[first if d < seg / 2 else second][2],
                            ),
                            d,
                        )
                    )
                roadside[key] = here
            along = (
                roadside[key]
                if key == (a, z)
                else [(s_, seg - d) for s_, d in reversed(roadside[key])]
            )
            base = minutes[-1]
            for stop_id, d in along:
                stops.append(stop_id)
                minutes.append(base + max(1, round(d * 1.25 / 70 * 60)))
            stops.append(hub[z])
            minutes.append(base + max(3, round(seg * 1.25 / 70 * 60)))
        shift = int(rng.integers(-10, 11))
        # Rural buses run at school hours (morning, the end of the school day, afternoon);
        # the trunk routes about every two hours.
        if level == "trunk":
            plan = {
                "ark": [360, 420, 540, 660, 750, 840, 930, 1020, 1140],
                "la": [540, 780, 960],
                "su": [720, 960],
            }
        else:
            plan = {"ark": [375, 750, 870, 990], "la": [600], "su": []}
        for service, deps in plan.items():
            _run(b, route, stops, minutes, service, [d + shift for d in deps])

    # Local service buses around the towns and villages (not Oulu): four lines through the
    # centre, four stops on each, five runs a weekday.
    for name in sorted(centres):
        lat, lon, area, _ = centres[name]
        if name in ("Oulu", "Haukipudas", "Kiiminki", "Oulunsalo", "Kempele"):
            continue
        for k, bearing in enumerate((0.0, 45.0, 90.0, 135.0)):
            route = f"L-{hub[name]}-{k}"
            b.routes[route] = ("", f"{name} palveluliikenne")
            line: list[str] = []
            for km in (-2.4, -1.2, 0.0, 1.2, 2.4):
                if km == 0.0:
                    line.append(hub[name])
                    continue
                p = _towards(lat, lon, bearing, km)
                street = streets[int(rng.integers(len(streets)))]
                line.append(b.stop(street, p[0], p[1], area))
            shift = int(rng.integers(0, 15))
            runs = [d + shift for d in (400, 570, 750, 810, 930)]
            _run(b, route, line, [0, 3, 6, 9, 12], "ark", runs)

    # Oulu city lines: a stop every 600 m from the bus station, 25 km/h, every 15–30 minutes
    # on weekdays, half-hourly on Saturdays, hourly on Sundays.
    olat, olon = centres["Oulu"][:2]
    for line_id, end, bearing, length in CITY_LINES:
        if end in centres and length == 0.0:
            elat, elon = centres[end][:2]
            length = _km((olat, olon), (elat, elon))
            bearing = math.degrees(
                math.atan2(
                    (elon - olon) * 111.320 * math.cos(math.radians(olat)), (elat - olat) * _KM_LAT
                )
            )
        n = max(2, round(length / 0.6))
        stops = [hub["Oulu"]]
        for j in range(1, n + 1):
            p = _towards(olat, olon, bearing, length * j / n)
            if j == n and end in hub:
                stops.append(hub[end])
            else:
                name = streets[int(rng.integers(len(streets)))]
                stops.append(b.stop(name if j < n else end, p[0], p[1], "oulu-city"))
        route = f"C{line_id}"
        b.routes[route] = (line_id, f"Oulu–{end}")
        minutes = [round(j * length / n / 25 * 60) for j in range(n + 1)]
        shift = int(rng.integers(0, 10))
        plan = {
            "ark": [
                *range(330, 540, 15),
                *range(540, 900, 20),
                *range(900, 1080, 15),
                *range(1080, 1380, 30),
            ],
            "la": list(range(420, 1380, 30)),
            "su": list(range(540, 1320, 60)),
        }
        for service, deps in plan.items():
            _run(b, route, stops, minutes, service, [d + shift for d in deps])

    return _zip(b)


def _csv(rows: Sequence[tuple[object, ...]]) -> str:
    return "".join(",".join(str(v) for v in row) + "\n" for row in rows)


def _zip(b: _Builder) -> bytes:
    files = {
        "agency.txt": _csv(
            [
                ("agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"),
                (
                    "sample",
                    "Paikka sample county (synthetic timetables)",
                    "https://example.org",
                    "Europe/Helsinki",
                    "fi",
                ),
            ]
        ),
        "feed_info.txt": _csv(
            [
                ("feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_version"),
                (
                    "Paikka (synthetic sample, not a real timetable)",
                    "https://example.org",
                    "fi",
                    f"sample-{FEED_SEED}",
                ),
            ]
        ),
        "stops.txt": _csv([("stop_id", "stop_name", "stop_lat", "stop_lon", "zone_id"), *b.stops]),
        "routes.txt": _csv(
            [("route_id", "agency_id", "route_short_name", "route_long_name", "route_type")]
            + [(r, "sample", short, long, 3) for r, (short, long) in b.routes.items()]
        ),
        "trips.txt": _csv([("route_id", "service_id", "trip_id"), *b.trips]),
        "stop_times.txt": _csv(
            [
                ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
                *_sequenced(b.times),
            ]
        ),
        "calendar.txt": _csv(
            [
                (
                    "service_id",
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                    "sunday",
                    "start_date",
                    "end_date",
                ),
                ("ark", 1, 1, 1, 1, 1, 0, 0, "20260101", "20291231"),
                ("la", 0, 0, 0, 0, 0, 1, 0, "20260101", "20291231"),
                ("su", 0, 0, 0, 0, 0, 0, 1, "20260101", "20291231"),
            ]
        ),
        "fare_attributes.txt": _csv(
            [
                (
                    "fare_id",
                    "price",
                    "currency_type",
                    "payment_method",
                    "transfers",
                    "transfer_duration",
                ),
                ("oulu-kaupunki", "3.40", "EUR", 0, "", 3600),
            ]
        ),
        "fare_rules.txt": _csv(
            [("fare_id", "route_id")]
            + [("oulu-kaupunki", r) for r in b.routes if r.startswith("C")]
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(
                zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def _sequenced(times: list[tuple[str, str, str, int]]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    seq: dict[str, int] = {}
    for trip, stop, t, _ in times:
        seq[trip] = seq.get(trip, 0) + 1
        rows.append((trip, t, t, stop, seq[trip]))
    return rows
