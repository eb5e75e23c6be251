"""A small GTFS feed whose journeys are worked out by hand in the tests.

Stops (lat, lon): Kirkkotie, a village stop at (65.00, 25.00); Oulu linja-autoasema, the hub at
(65.00, 25.50); Keskusta (65.02, 25.50) and Sairaala (65.05, 25.50) in the city.

- Route 10, village bus Kirkkotie → Oulu: 6.30 → 7.10, 7.12 → 7.40, 12.00 → 12.40 on weekdays
  (service ``ark``, Monday–Friday), 9.00 → 9.40 on Saturdays (``la``). Back Oulu → Kirkkotie
  14.45 → 15.25 and 16.45 → 17.25 on weekdays, 14.10 → 14.50 on Saturdays.
- Route 2, city bus Oulu → Keskusta → Sairaala: 7.20 / 7.30 / 7.40 and 7.45 / 7.55 / 8.05 on
  weekdays; back Sairaala → Keskusta → Oulu 14.10 / 14.20 / 14.30.
- No service on Sundays.
- Fares: ``seutu`` 4.20 € on route 10, ``kaupunki`` 3.20 € on route 2, ``vaihto`` 5.50 € on
  either with one change within 90 minutes.
"""

from __future__ import annotations

import io
import zipfile

STOPS = {
    "KIRK": ("Kirkkotie", 65.00, 25.00, "B"),
    "OULU": ("Oulu linja-autoasema", 65.00, 25.50, "A"),
    "KESK": ("Keskusta", 65.02, 25.50, "A"),
    "SAIR": ("Sairaala", 65.05, 25.50, "A"),
}

TRIPS = {
    # trip: (route, service, [(stop, time), ...])
    "10-a": ("10", "ark", [("KIRK", "06:30:00"), ("OULU", "07:10:00")]),
    "10-b": ("10", "ark", [("KIRK", "07:12:00"), ("OULU", "07:40:00")]),
    "10-c": ("10", "ark", [("KIRK", "12:00:00"), ("OULU", "12:40:00")]),
    "10-d": ("10", "la", [("KIRK", "09:00:00"), ("OULU", "09:40:00")]),
    "10-r1": ("10", "ark", [("OULU", "14:45:00"), ("KIRK", "15:25:00")]),
    "10-r2": ("10", "ark", [("OULU", "16:45:00"), ("KIRK", "17:25:00")]),
    "10-r3": ("10", "la", [("OULU", "14:10:00"), ("KIRK", "14:50:00")]),
    "2-a": ("2", "ark", [("OULU", "07:20:00"), ("KESK", "07:30:00"), ("SAIR", "07:40:00")]),
    "2-b": ("2", "ark", [("OULU", "07:45:00"), ("KESK", "07:55:00"), ("SAIR", "08:05:00")]),
    "2-r": ("2", "ark", [("SAIR", "14:10:00"), ("KESK", "14:20:00"), ("OULU", "14:30:00")]),
}


def _csv(rows: list[list[str]]) -> str:
    return "\n".join(",".join(r) for r in rows) + "\n"


def small_feed(with_fares: bool = True) -> bytes:
    """The feed as zip bytes."""
    files = {
        "agency.txt": _csv(
            [
                ["agency_id", "agency_name", "agency_url", "agency_timezone"],
                ["pk", "Pieni liikenne", "https://example.org", "Europe/Helsinki"],
            ]
        ),
        "stops.txt": _csv(
            [["stop_id", "stop_name", "stop_lat", "stop_lon", "zone_id"]]
            + [[k, n, str(a), str(o), z] for k, (n, a, o, z) in STOPS.items()]
        ),
        "routes.txt": _csv(
            [
                ["route_id", "agency_id", "route_short_name", "route_type"],
                ["10", "pk", "10", "3"],
                ["2", "pk", "2", "3"],
            ]
        ),
        "trips.txt": _csv(
            [["route_id", "service_id", "trip_id"]] + [[r, s, t] for t, (r, s, _) in TRIPS.items()]
        ),
        "stop_times.txt": _csv(
            [["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"]]
            + [
                [t, time, time, stop, str(i + 1)]
                for t, (_, _, stops) in TRIPS.items()
                for i, (stop, time) in enumerate(stops)
            ]
        ),
        "calendar.txt": _csv(
            [
                [
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
                ],
                ["ark", "1", "1", "1", "1", "1", "0", "0", "20260101", "20271231"],
                ["la", "0", "0", "0", "0", "0", "1", "0", "20260101", "20271231"],
            ]
        ),
    }
    if with_fares:
        files["fare_attributes.txt"] = _csv(
            [
                [
                    "fare_id",
                    "price",
                    "currency_type",
                    "payment_method",
                    "transfers",
                    "transfer_duration",
                ],
                ["seutu", "4.20", "EUR", "0", "0", ""],
                ["kaupunki", "3.20", "EUR", "0", "0", ""],
                ["vaihto", "5.50", "EUR", "0", "1", "5400"],
            ]
        )
        files["fare_rules.txt"] = _csv(
            [
                ["fare_id", "route_id"],
                ["seutu", "10"],
                ["kaupunki", "2"],
                ["vaihto", "10"],
                ["vaihto", "2"],
            ]
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), text)
    return out.getvalue()
