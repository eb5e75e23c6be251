"""A GTFS feed read into column arrays: stops, the day's connections, calendars and fares.

Only what journeys need is read (``stops``, ``routes``, ``trips``, ``stop_times``,
``calendar``/``calendar_dates``, ``fare_attributes``/``fare_rules``, ``agency`` for the feed's
name). Times are seconds after noon minus 12 h of the service day, as GTFS defines them, so a
trip past midnight keeps counting (25:10:00 is 90,600 s).

A connection is one vehicle's hop from a stop to the next: the stop it leaves, the stop it
reaches, its departure and arrival (s) and its trip. The scans of ``matching.transit.scan`` walk
them in time order; they are kept sorted by departure.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

REQUIRED = ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt")


class FeedError(ValueError):
    """The file is not a GTFS feed this reader can use (the message names the file and field)."""


def _table(archive: zipfile.ZipFile, name: str) -> pd.DataFrame | None:
    names = {Path(n).name: n for n in archive.namelist()}
    if name not in names:
        return None
    with archive.open(names[name]) as raw:
        frame = pd.read_csv(
            io.TextIOWrapper(raw, encoding="utf-8-sig"),
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
        )
    frame.columns = [c.strip() for c in frame.columns]
    return frame


def _need(frame: pd.DataFrame, name: str, *columns: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise FeedError(f"{name}: no column {column}")


def gtfs_seconds(values: pd.Series) -> IntArray:
    """``H:MM:SS`` times (hours may pass 24) as seconds of the service day; -1 where empty."""
    parts = values.str.strip().str.split(":", expand=True)
    if parts.shape[1] != 3:
        parts = parts.reindex(columns=range(3))
    numbers = parts.apply(pd.to_numeric, errors="coerce")
    seconds = numbers[0] * 3600 + numbers[1] * 60 + numbers[2]
    return seconds.fillna(-1).to_numpy(dtype=np.int64)


def _times(frame: pd.DataFrame, name: str, other: str) -> pd.Series:
    """A stop_times column of times, or the other one where the feed gives only that."""
    if name in frame.columns:
        return frame[name]
    if other in frame.columns:
        return frame[other]
    raise FeedError(f"stop_times.txt: no column {name}")


SAME_STOP_M = 150.0
"""Stops of one name closer than this (m) are one stop for changing: the two sides of a street,
the platforms of a station (which GTFS may also group by ``parent_station``)."""


def _stop_groups(stops: pd.DataFrame) -> tuple[IntArray, IntArray]:
    """For each row of stops.txt, the stop it is one with for changing vehicles (its parent
    station, else the first stop of the same name within ``SAME_STOP_M``), numbered from 0;
    and the row of each such stop."""
    n = len(stops)
    root = np.arange(n)
    index = {s: i for i, s in enumerate(stops["stop_id"])}
    lat = pd.to_numeric(stops["stop_lat"], errors="coerce").to_numpy(dtype=np.float64)
    lon = pd.to_numeric(stops["stop_lon"], errors="coerce").to_numpy(dtype=np.float64)
    parent = stops["parent_station"] if "parent_station" in stops.columns else None
    if parent is not None:
        for i, p in enumerate(parent):
            if p and p in index:
                root[i] = index[p]
    names = stops["stop_name"] if "stop_name" in stops.columns else stops["stop_id"]
    first: dict[str, list[int]] = {}
    for i in range(n):
        if root[i] != i:
            continue
        for j in first.setdefault(str(names.iloc[i]), []):
            dlat = (lat[i] - lat[j]) * 110_574.0
            dlon = (lon[i] - lon[j]) * 111_320.0 * np.cos(np.radians(lat[j]))
            if float(np.hypot(dlat, dlon)) < SAME_STOP_M:
                root[i] = j
                break
        else:
            first[str(names.iloc[i])].append(i)
    # a parent station may itself have been joined to another stop
    root = root[root]
    rows, numbered = np.unique(root, return_inverse=True)
    return numbered.astype(np.int64), rows.astype(np.int64)


def _gtfs_date(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


@dataclass(frozen=True)
class Fares:
    """GTFS fares v1: each fare's price and transfer terms, and the rules saying where it applies.

    ``rule_*`` are parallel arrays, one row per ``fare_rules.txt`` row; an empty string matches
    anything (GTFS: an omitted field does not restrict the fare).
    """

    fare_id: tuple[str, ...]
    price: FloatArray
    currency: tuple[str, ...]
    transfers: IntArray
    """Transfers allowed on one ticket; -1 = unlimited."""
    transfer_seconds: IntArray
    """Seconds from first boarding the ticket is valid for; -1 = no limit."""
    rule_fare: IntArray
    rule_route: tuple[str, ...]
    rule_origin: tuple[str, ...]
    rule_destination: tuple[str, ...]
    rule_contains: tuple[str, ...]


@dataclass(frozen=True)
class Feed:
    """One GTFS feed as arrays; ``version`` names its content (sha-256 of the zip's bytes)."""

    version: str
    name: str
    stop_id: tuple[str, ...]
    stop_name: tuple[str, ...]
    stop_lat: FloatArray
    stop_lon: FloatArray
    stop_zone: tuple[str, ...]
    route_id: tuple[str, ...]
    route_name: tuple[str, ...]
    trip_route: IntArray
    trip_service: IntArray
    service_id: tuple[str, ...]
    calendar_days: npt.NDArray[np.bool_]
    """Service × weekday (Monday first): runs on that weekday within its dates."""
    calendar_start: tuple[date | None, ...]
    calendar_end: tuple[date | None, ...]
    added: dict[date, frozenset[int]]
    removed: dict[date, frozenset[int]]
    dep_stop: IntArray
    arr_stop: IntArray
    dep_time: IntArray
    arr_time: IntArray
    trip: IntArray
    fares: Fares | None = None

    @property
    def n_stops(self) -> int:
        return len(self.stop_id)

    def services_on(self, day: date) -> frozenset[int]:
        """Indices of the services running on ``day`` (calendar, then its exceptions)."""
        weekday = day.weekday()
        running = {
            s
            for s in range(len(self.service_id))
            if self.calendar_days[s, weekday]
            and (self.calendar_start[s] is None or self.calendar_start[s] <= day)  # type: ignore[operator]
            and (self.calendar_end[s] is None or day <= self.calendar_end[s])  # type: ignore[operator]
        }
        running |= self.added.get(day, frozenset())
        running -= self.removed.get(day, frozenset())
        return frozenset(running)

    def connections_of(self, services: frozenset[int]) -> IntArray:
        """Positions of the connections of trips of ``services``, in departure order."""
        running = np.zeros(len(self.service_id) + 1, dtype=np.bool_)
        running[list(services)] = True
        return np.flatnonzero(running[self.trip_service[self.trip]])

    @cached_property
    def stop_index(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.stop_id)}


def feed_version(data: bytes) -> str:
    """The version id of a feed's zip: ``gtfs-`` and the first 16 hex digits of its sha-256."""
    return "gtfs-" + hashlib.sha256(data).hexdigest()[:16]


def read_feed(source: str | Path | bytes, version: str | None = None) -> Feed:
    """Read a GTFS zip (a path or its bytes). Raises ``FeedError`` naming what is missing."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise FeedError("not a zip file") from error
    with archive:
        tables = {n: _table(archive, n) for n in REQUIRED}
        for name, frame in tables.items():
            if frame is None:
                raise FeedError(f"{name}: missing")
        stops, routes, trips, times = (tables[n] for n in REQUIRED)
        assert stops is not None and routes is not None and trips is not None
        assert times is not None
        _need(stops, "stops.txt", "stop_id", "stop_lat", "stop_lon")
        _need(routes, "routes.txt", "route_id")
        _need(trips, "trips.txt", "route_id", "service_id", "trip_id")
        _need(times, "stop_times.txt", "trip_id", "stop_id", "stop_sequence")
        calendar = _table(archive, "calendar.txt")
        exceptions = _table(archive, "calendar_dates.txt")
        agency = _table(archive, "agency.txt")
        fare_attributes = _table(archive, "fare_attributes.txt")
        fare_rules = _table(archive, "fare_rules.txt")

    group, roots = _stop_groups(stops)
    stop_index = {s: int(group[i]) for i, s in enumerate(stops["stop_id"])}
    stops = stops.iloc[roots].reset_index(drop=True)
    route_index = {r: i for i, r in enumerate(routes["route_id"])}
    services = sorted(
        set(trips["service_id"])
        | (set(calendar["service_id"]) if calendar is not None else set())
        | (set(exceptions["service_id"]) if exceptions is not None else set())
    )
    service_index = {s: i for i, s in enumerate(services)}
    trip_index = {t: i for i, t in enumerate(trips["trip_id"])}

    days = np.zeros((len(services), 7), dtype=np.bool_)
    start: list[date | None] = [None] * len(services)
    end: list[date | None] = [None] * len(services)
    if calendar is not None:
        names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        for row in calendar.itertuples(index=False):
            s = service_index[row.service_id]
            days[s] = [getattr(row, n, "0") == "1" for n in names]
            first, last = str(getattr(row, "start_date", "")), str(getattr(row, "end_date", ""))
            start[s] = _gtfs_date(first) if first else None
            end[s] = _gtfs_date(last) if last else None
    added: dict[date, set[int]] = {}
    removed: dict[date, set[int]] = {}
    if exceptions is not None:
        for row in exceptions.itertuples(index=False):
            target = added if row.exception_type == "1" else removed
            day = _gtfs_date(str(row.date))
            target.setdefault(day, set()).add(service_index[str(row.service_id)])

    frame = pd.DataFrame(
        {
            "trip": times["trip_id"].map(trip_index),
            "stop": times["stop_id"].map(stop_index),
            "seq": pd.to_numeric(times["stop_sequence"]),
            "arr": gtfs_seconds(_times(times, "arrival_time", "departure_time")),
            "dep": gtfs_seconds(_times(times, "departure_time", "arrival_time")),
        }
    )
    if frame["trip"].isna().any() or frame["stop"].isna().any():
        raise FeedError("stop_times.txt: a trip_id or stop_id not in trips.txt or stops.txt")
    frame = frame.astype({"trip": np.int64, "stop": np.int64})
    # A stop time without times (GTFS allows them between timepoints) takes the time of the
    # stop before it: the hop is then counted from that timepoint, never earlier.
    frame = frame.sort_values(["trip", "seq"], kind="stable")
    frame.loc[frame["arr"] < 0, "arr"] = frame["dep"]
    frame.loc[frame["dep"] < 0, "dep"] = frame["arr"]
    frame[["arr", "dep"]] = frame[["arr", "dep"]].replace(-1, np.nan).ffill().fillna(0)
    trip_of = frame["trip"].to_numpy()
    same = trip_of[1:] == trip_of[:-1]
    stop_of = frame["stop"].to_numpy()
    dep_of = frame["dep"].to_numpy(dtype=np.int64)
    arr_of = frame["arr"].to_numpy(dtype=np.int64)
    dep_stop = stop_of[:-1][same]
    arr_stop = stop_of[1:][same]
    dep_time = dep_of[:-1][same]
    arr_time = np.maximum(arr_of[1:][same], dep_time)
    trip = trip_of[:-1][same]
    order = np.lexsort((-arr_time, dep_time))
    name = ""
    if agency is not None and "agency_name" in agency.columns and len(agency):
        name = str(agency["agency_name"].iloc[0])
    route_name = [
        (r.get("route_short_name") or r.get("route_long_name") or r["route_id"])
        for r in routes.to_dict("records")
    ]
    return Feed(
        version=version or feed_version(data),
        name=name,
        stop_id=tuple(stops["stop_id"]),
        stop_name=tuple(stops.get("stop_name", stops["stop_id"])),
        stop_lat=pd.to_numeric(stops["stop_lat"]).to_numpy(dtype=np.float64),
        stop_lon=pd.to_numeric(stops["stop_lon"]).to_numpy(dtype=np.float64),
        stop_zone=tuple(stops["zone_id"]) if "zone_id" in stops.columns else ("",) * len(stops),
        route_id=tuple(routes["route_id"]),
        route_name=tuple(route_name),
        trip_route=trips["route_id"].map(route_index).fillna(-1).to_numpy(dtype=np.int64),
        trip_service=trips["service_id"].map(service_index).to_numpy(dtype=np.int64),
        service_id=tuple(services),
        calendar_days=days,
        calendar_start=tuple(start),
        calendar_end=tuple(end),
        added={d: frozenset(s) for d, s in added.items()},
        removed={d: frozenset(s) for d, s in removed.items()},
        dep_stop=dep_stop[order],
        arr_stop=arr_stop[order],
        dep_time=dep_time[order],
        arr_time=arr_time[order],
        trip=trip[order],
        fares=_fares(fare_attributes, fare_rules),
    )


def _fares(attributes: pd.DataFrame | None, rules: pd.DataFrame | None) -> Fares | None:
    if attributes is None or not len(attributes):
        return None
    _need(attributes, "fare_attributes.txt", "fare_id", "price")
    index = {f: i for i, f in enumerate(attributes["fare_id"])}
    rules = rules if rules is not None else pd.DataFrame({"fare_id": []})

    def column(frame: pd.DataFrame, name: str) -> tuple[str, ...]:
        return tuple(frame[name]) if name in frame.columns else ("",) * len(frame)

    transfers = attributes.get("transfers", pd.Series([""] * len(attributes)))
    duration = attributes.get("transfer_duration", pd.Series([""] * len(attributes)))
    return Fares(
        fare_id=tuple(attributes["fare_id"]),
        price=pd.to_numeric(attributes["price"]).to_numpy(dtype=np.float64),
        currency=column(attributes, "currency_type"),
        transfers=pd.to_numeric(transfers, errors="coerce").fillna(-1).to_numpy(dtype=np.int64),
        transfer_seconds=pd.to_numeric(duration, errors="coerce")
        .fillna(-1)
        .to_numpy(dtype=np.int64),
        rule_fare=np.array([index.get(f, -1) for f in rules["fare_id"]], dtype=np.int64),
        rule_route=column(rules, "route_id"),
        rule_origin=column(rules, "origin_id"),
        rule_destination=column(rules, "destination_id"),
        rule_contains=column(rules, "contains_id"),
    )
