"""The trip table of a problem: every client's trip to every placement, in minutes one way.

For a client who travels by bus and train, a pair's trip on one day is the worse of two
journeys: there, leaving home as late as possible and arriving by the placement's start
(``Placement.starts_at``), counted from leaving home to the start; and back, leaving when the
client's day ends (start plus ``Client.hours_per_day``) and counted to arriving home. Walks to
and from stops come from the coordinates (``TravelModel`` walking speed, detour factor and
longest walk); a placement within walking distance may be walked to. The client attends
``days_per_week`` of the weekdays both have, so the pair's trip is that many days' best: the
``days_per_week``-th shortest day (a placement reached only on Mondays does not serve a client
coming three days a week).

Where the feed cannot serve a pair because the home or the placement has no stop within the
longest walk, the estimate of ``matching.travel`` applies (mode ``NO_CONNECTION``); where both
have stops but no journey arrives in time or brings the client back, the pair is
``UNREACHABLE``. A client's own means (``Client.travel_means``) override the feed: walking and
cycling over the detoured distance, driving and a taxi by the road estimate.

The stop-to-stop results of the scans (``matching.transit.scan``) are cached per feed version
and service day, column by column (a target stop and the time to arrive by, or a source stop
and the time to leave from), so a weekly run with the same placements scans nothing.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from matching.transit.feed import Feed
from matching.transit.scan import NEVER, earliest_arrivals, latest_departures
from matching.transit.store import cache_dir, load_feed
from matching.travel import distance_km, travel_minutes
from models import AllocationProblem, TravelModel, Weekday

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

ESTIMATE = 0
"""No feed: the estimate from distance."""
NO_CONNECTION = 1
"""The feed has no stop within walking distance of the home or the placement: the estimate."""
TRANSIT = 2
"""By bus or train (with walks to and from stops)."""
WALK = 3
"""Walking the whole way is quickest (within the longest walk)."""
OWN_MEANS = 4
"""The client's own means: walking, cycling, driving or a taxi."""
UNREACHABLE = 5
"""Stops at both ends, but no journey arrives by the start or brings the client home."""
MODE_NAMES = ("estimate", "no_connection", "transit", "walk", "own_means", "unreachable")

UNREACHABLE_MINUTES = 9999
"""Minutes of an unreachable pair: more than any client's limit (240)."""
HORIZON_S = 240 * 60
"""Journeys longer than the longest limit a client may have (240 min) are not looked for."""

CACHE_FORMAT = "v4"
"""Version of the cached scans' file layout (a new layout never reads an old file)."""
WEEKDAYS = tuple(Weekday)
_INF = np.int32(2**30)


@dataclass(frozen=True)
class TripTable:
    """Trips of every (client, placement) pair, rows and columns in the problem's order."""

    feed: str
    minutes: npt.NDArray[np.int32]
    """One-way minutes (``UNREACHABLE_MINUTES`` where unreachable)."""
    mode: npt.NDArray[np.uint8]
    """How the minutes were found: ``ESTIMATE`` … ``UNREACHABLE``."""
    day: npt.NDArray[np.int8]
    """The weekday (0 = Monday) whose trip an explanation shows; -1 where there is none."""
    planning_date: date
    scanned_columns: int = field(default=0, compare=False)
    """Stop-to-stop columns scanned by this build (0 when all came from the cache)."""


@dataclass(frozen=True)
class Near:
    """Stops within the longest walk of each of a set of points, as owner-sorted incidences."""

    owner: IntArray
    stop: IntArray
    walk: IntArray
    """Walking minutes, whole minutes rounded up."""

    def starts(self, n: int) -> IntArray:
        """Offset of each owner's first incidence (``len`` where it has none)."""
        return np.searchsorted(self.owner, np.arange(n))


def walk_minutes(km: FloatArray, model: TravelModel) -> IntArray:
    """Walking minutes for straight-line distances in km, whole minutes rounded up."""
    return np.ceil(km * model.walk_factor / model.walk_speed_kmh * 60.0 - 1e-9).astype(np.int64)


def _walkable(km: FloatArray, model: TravelModel) -> npt.NDArray[np.bool_]:
    return km * model.walk_factor * 1000.0 <= model.max_walk_m + 1e-9


def _xy(lat: FloatArray, lon: FloatArray, lat0: float) -> FloatArray:
    return np.column_stack([lat * 110.574, lon * 111.320 * math.cos(math.radians(lat0))])


def near_stops(lat: FloatArray, lon: FloatArray, feed: Feed, model: TravelModel) -> Near:
    """The stops each point may walk to, with the walking minutes."""
    if not len(lat) or not feed.n_stops:
        empty = np.zeros(0, np.int64)
        return Near(empty, empty, empty)
    lat0 = float(np.mean(feed.stop_lat))
    tree = cKDTree(_xy(feed.stop_lat, feed.stop_lon, lat0))
    radius = model.max_walk_m / 1000.0 / model.walk_factor * 1.02 + 0.01
    found = tree.query_ball_point(_xy(lat, lon, lat0), r=radius)
    counts = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
    owner = np.repeat(np.arange(len(found)), counts)
    stop = np.fromiter((s for f in found for s in f), dtype=np.int64, count=int(counts.sum()))
    km = distance_km(lat[owner], lon[owner], feed.stop_lat[stop], feed.stop_lon[stop])
    keep = _walkable(km, model)
    owner, stop, km = owner[keep], stop[keep], km[keep]
    order = np.lexsort((stop, owner))
    return Near(owner[order], stop[order], walk_minutes(km[order], model))


# ---- cached scans ----------------------------------------------------------------------------


def _day_key(feed: Feed, services: frozenset[int]) -> str:
    text = ",".join(feed.service_id[s] for s in sorted(services))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _window(feed: Feed, conn: IntArray, low: int, high: int) -> IntArray:
    dep = feed.dep_time[conn]
    return conn[(dep >= low) & (dep <= high)]


def _codes(stops: IntArray, times: IntArray) -> IntArray:
    """One integer per column (stop, time); times are seconds of a service day plus a margin."""
    return stops.astype(np.int64) * (1 << 24) + (times.astype(np.int64) + (1 << 22))


def _positions(known: IntArray, wanted: IntArray) -> IntArray:
    """Where each of ``wanted`` is in ``known`` (-1 where absent)."""
    if not known.size:
        return np.full(wanted.size, -1, dtype=np.int64)
    order = np.argsort(known, kind="stable")
    at = np.clip(np.searchsorted(known, wanted, sorter=order), 0, known.size - 1)
    found = order[at]
    return np.where(known[found] == wanted, found, -1)


def cached_scan(
    feed: Feed,
    services: frozenset[int],
    direction: str,
    stops: IntArray,
    times: IntArray,
    slack: int,
    root: Path | None = None,
) -> tuple[npt.NDArray[np.int32], IntArray, int]:
    """The scan matrix for the columns (stop, time), read from the cache where computed before.

    ``direction`` is ``"there"`` (latest departures arriving at the stop by the time) or
    ``"back"`` (earliest arrivals leaving the stop from the time). Returns the matrix (stops ×
    cached columns), each asked column's position in it, and how many columns were scanned.
    """
    name = f"{direction}-{CACHE_FORMAT}-{_day_key(feed, services)}-{slack}"
    folder = cache_dir(feed.version, root)
    keys_path, matrix_path = folder / f"{name}.keys.npy", folder / f"{name}.matrix.npy"
    have_keys = np.zeros(0, np.int64)
    have: npt.NDArray[np.int32] = np.zeros((feed.n_stops, 0), np.int32)
    if keys_path.exists() and matrix_path.exists():
        # Mapped, not read: a run reads only the rows of the stops near its clients.
        keys = np.load(keys_path)
        matrix = np.load(matrix_path, mmap_mode="r")
        if keys.ndim == 1 and matrix.shape == (feed.n_stops, keys.size):
            have_keys, have = keys, matrix
    wanted = _codes(stops, times)
    asked = np.unique(wanted)
    missing = asked[_positions(have_keys, asked) < 0]
    scanned = int(missing.size)
    if scanned:
        m_stop = missing >> 24
        m_time = (missing & ((1 << 24) - 1)) - (1 << 22)
        conn = feed.connections_of(services)
        scan = latest_departures if direction == "there" else earliest_arrivals
        if direction == "there":
            conn = _window(feed, conn, int(m_time.min()) - HORIZON_S, int(m_time.max()))
        else:
            conn = _window(feed, conn, int(m_time.min()), int(m_time.max()) + HORIZON_S)
        fresh = scan(
            feed.n_stops,
            feed.dep_stop[conn],
            feed.arr_stop[conn],
            feed.dep_time[conn],
            feed.arr_time[conn],
            feed.trip[conn],
            m_stop,
            m_time,
            slack,
        )
        # A column's answer must not depend on the others scanned with it (the window is the
        # batch's): journeys longer than the horizon are cut, whatever the window let in.
        if direction == "there":
            fresh[fresh < (m_time - HORIZON_S)[None, :]] = NEVER
        else:
            fresh[fresh > (m_time + HORIZON_S)[None, :]] = -NEVER
        have_keys = np.concatenate([have_keys, missing])
        have = np.concatenate([np.asarray(have), fresh], axis=1)
        tag = f"{os.getpid()}-{threading.get_ident()}"
        # The matrix first, then its keys: a reader that finds keys finds their matrix (a
        # mismatch of shapes, from a write in between, is read as no cache).
        for target, array in ((matrix_path, have), (keys_path, have_keys)):
            partial = target.with_name(f"{target.name}.{tag}.npy")
            np.save(partial, array)
            partial.replace(target)
    return have, _positions(have_keys, wanted), scanned


# ---- the table ------------------------------------------------------------------------------


def _weekday_mask(days: frozenset[Weekday]) -> int:
    return sum(1 << WEEKDAYS.index(d) for d in days)


def _seconds(t: object) -> int:
    return int(t.hour) * 3600 + int(t.minute) * 60 + int(t.second)  # type: ignore[attr-defined]


def _reduce_rows(
    values: npt.NDArray[np.int64], owner: IntArray, n: int, largest: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Per owner (0..n-1), the max (or min) of its rows of ``values``; and which owners had rows."""
    fill = NEVER if largest else -NEVER
    out = np.full((n, values.shape[1]), fill, dtype=np.int64)
    has = np.zeros(n, dtype=np.bool_)
    if owner.size:
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        ufunc = np.maximum if largest else np.minimum
        out[owner[starts]] = ufunc.reduceat(values, starts, axis=0)
        has[owner[starts]] = True
    return out, has


def _reduce_cols(
    values: npt.NDArray[np.int64], owner: IntArray, n: int, largest: bool
) -> npt.NDArray[np.int64]:
    fill = NEVER if largest else -NEVER
    out = np.full((values.shape[0], n), fill, dtype=np.int64)
    if owner.size:
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        ufunc = np.maximum if largest else np.minimum
        out[:, owner[starts]] = ufunc.reduceat(values, starts, axis=1)
    return out


MEMO_SIZE = 2
"""Trip tables kept in memory per process (a 5,000 × 1,500 table takes about 45 MB)."""
_MEMO: dict[int, tuple[AllocationProblem, TripTable]] = {}
_MEMO_LOCK = threading.Lock()


def trip_table(problem: AllocationProblem, root: Path | None = None) -> TripTable | None:
    """The problem's trip table, or None if it names no feed (the estimate then applies).

    Built once per problem object in a process (the engine, the checker and the explanation
    read the same table); the scans behind it are cached on disk per feed version.
    """
    version = problem.options.travel.feed
    if version is None:
        return None
    with _MEMO_LOCK:
        hit = _MEMO.get(id(problem))
        if hit is not None and hit[0] is problem:
            return hit[1]
    table = build_trip_table(problem, load_feed(version, root), root)
    with _MEMO_LOCK:
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[id(problem)] = (problem, table)
    return table


def build_trip_table(
    problem: AllocationProblem, feed: Feed, root: Path | None = None, chunk: int = 0
) -> TripTable:
    """Compute the trip table of ``problem`` over ``feed`` (scans read from and added to the
    cache under ``root``)."""
    model = problem.options.travel
    clients, placements = problem.clients, problem.placements
    n_c, n_p = len(clients), len(placements)
    c_lat = np.array([c.location.lat for c in clients], dtype=np.float64)
    c_lon = np.array([c.location.lon for c in clients], dtype=np.float64)
    p_lat = np.array([p.location.lat for p in placements], dtype=np.float64)
    p_lon = np.array([p.location.lon for p in placements], dtype=np.float64)
    start = np.array([_seconds(p.starts_at) for p in placements], dtype=np.int64)
    hours_s = np.array([round(c.hours_per_day * 3600) for c in clients], dtype=np.int64)
    means = [c.travel_means for c in clients]
    transit = np.array([m == "public_transport" for m in means], dtype=np.bool_)
    c_days = np.array([_weekday_mask(c.available_weekdays) for c in clients], dtype=np.int64)
    p_days = np.array([_weekday_mask(p.weekdays) for p in placements], dtype=np.int64)
    per_week = np.array([c.days_per_week for c in clients], dtype=np.int64)
    slack = model.transfer_minutes * 60

    minutes = np.zeros((n_c, n_p), dtype=np.int32)
    mode = np.full((n_c, n_p), ESTIMATE, dtype=np.uint8)
    day = np.full((n_c, n_p), -1, dtype=np.int8)

    # Only clients travelling by public transport use the feed.
    rows = np.flatnonzero(transit)
    c_near = near_stops(c_lat[rows], c_lon[rows], feed, model)
    p_near = near_stops(p_lat, p_lon, feed, model)
    c_has = np.zeros(rows.size, np.bool_)
    c_has[c_near.owner] = True
    p_has = np.zeros(n_p, np.bool_)
    p_has[p_near.owner] = True

    # Service days of the planning week, weekday by weekday, grouped by the services running.
    week = [problem.planning_date + timedelta(days=k) for k in range(7)]
    by_weekday: dict[int, frozenset[int]] = {d.weekday(): feed.services_on(d) for d in week}
    day_types = sorted(set(by_weekday.values()), key=lambda s: sorted(s))
    scanned = 0

    # There: one column per (stop near a placement, its start less the walk from the stop).
    there_stop = p_near.stop
    there_time = start[p_near.owner] - 60 * p_near.walk
    hours_values = np.unique(hours_s[rows]) if rows.size else np.zeros(0, np.int64)
    there: dict[int, tuple[npt.NDArray[np.int32], IntArray]] = {}
    back: dict[tuple[int, int], tuple[npt.NDArray[np.int32], IntArray]] = {}
    for t, services in enumerate(day_types):
        matrix, position, n = cached_scan(
            feed, services, "there", there_stop, there_time, slack, root
        )
        there[t] = (matrix, position)
        scanned += n
        # Back: every length of day in one scan (one pass over the connections).
        leave_site = start[p_near.owner] + 60 * p_near.walk
        back_time = np.concatenate(
            [leave_site + h for h in hours_values.tolist()] or [np.zeros(0, np.int64)]
        )
        back_stop = np.tile(there_stop, len(hours_values))
        matrix, position, n = cached_scan(feed, services, "back", back_stop, back_time, slack, root)
        scanned += n
        width = there_stop.size
        for g, h in enumerate(hours_values.tolist()):
            back[(t, h)] = (matrix, position[g * width : (g + 1) * width])

    type_of_weekday = np.array([day_types.index(by_weekday[w]) for w in range(7)])

    # Stop to placement, per day type: the latest boarding at each stop near a client that
    # reaches the placement by its start (walk from the last stop included); and per length of
    # day, the earliest arrival at each such stop leaving the placement when the day ends.
    u_stop, u_of_inc = np.unique(c_near.stop, return_inverse=True)
    to_site: dict[int, npt.NDArray[np.int64]] = {}
    from_site: dict[tuple[int, int], npt.NDArray[np.int64]] = {}
    for t in range(len(day_types)):
        matrix, position = there[t]
        to_site[t] = _reduce_cols(
            matrix[u_stop][:, position].astype(np.int64), p_near.owner, n_p, True
        )
        for h in hours_values.tolist():
            matrix, position = back[(t, h)]
            from_site[(t, h)] = _reduce_cols(
                matrix[u_stop][:, position].astype(np.int64), p_near.owner, n_p, False
            )

    c_inc_starts = c_near.starts(rows.size)
    step = chunk or max(1, min(rows.size, 2_000_000 // max(1, n_p)))
    bits = 1 << np.arange(7)
    for lo in range(0, rows.size, step):
        hi = min(rows.size, lo + step)
        block = rows[lo:hi]
        a, b = c_inc_starts[lo], c_inc_starts[hi] if hi < rows.size else c_near.owner.size
        inc_owner = c_near.owner[a:b] - lo
        inc_u, inc_walk = u_of_inc[a:b], 60 * c_near.walk[a:b]
        inc_hours = hours_s[block][inc_owner]
        n_b = block.size
        km = distance_km(
            c_lat[block][:, None], c_lon[block][:, None], p_lat[None, :], p_lon[None, :]
        )
        walkable = _walkable(km, model)
        walk = np.where(walkable, walk_minutes(km, model), _INF)
        day_minutes = np.full((n_b, n_p, len(day_types)), _INF, dtype=np.int32)
        for t in range(len(day_types)):
            leave, _ = _reduce_rows(to_site[t][inc_u] - inc_walk[:, None], inc_owner, n_b, True)
            go = np.where(leave > NEVER // 2, -((leave - start[None, :]) // 60), _INF)
            go = np.minimum(go, walk)
            home = np.full((n_b, n_p), _INF, dtype=np.int64)
            for h in np.unique(hours_s[block]).tolist():
                sel = inc_hours == h
                arrive, has = _reduce_rows(
                    from_site[(t, h)][inc_u[sel]] + inc_walk[sel][:, None],
                    inc_owner[sel],
                    n_b,
                    False,
                )
                group = np.flatnonzero(has)
                end = start[None, :] + h
                arrive = arrive[group]
                home[group] = np.where(arrive < -NEVER // 2, -((end - arrive) // 60), _INF)
            home = np.minimum(home, walk)
            day_minutes[:, :, t] = np.where((go < _INF) & (home < _INF), np.maximum(go, home), _INF)
        # The days_per_week-th best of the weekdays both have (or, with none in common, of the
        # placement's days: the weekday rule refuses such a pair anyway).
        week_minutes = day_minutes[:, :, type_of_weekday]  # block × placements × 7
        common = (c_days[block][:, None] & p_days[None, :])[:, :, None] & bits[None, None, :]
        none = np.asarray(~common.any(axis=2), dtype=np.bool_)
        open_days = (p_days[None, :, None] & bits[None, None, :]) > 0
        attends = np.where(none[:, :, None], open_days, common > 0)
        masked = np.where(attends, week_minutes, _INF)
        n_days = attends.sum(axis=2)
        k = np.clip(np.minimum(per_week[block][:, None], n_days), 1, 7) - 1
        ranked = np.sort(masked, axis=2)
        best = np.take_along_axis(ranked, k[:, :, None], axis=2)[:, :, 0]
        shown = np.argmax(masked <= best[:, :, None], axis=2)
        connected = c_has[lo:hi][:, None] & p_has[None, :]
        reach = best < _INF
        kind = np.where(
            reach,
            np.where(walkable & (walk <= best), WALK, TRANSIT),
            np.where(connected, UNREACHABLE, NO_CONNECTION),
        )
        minutes[block] = np.where(reach, best, UNREACHABLE_MINUTES).astype(np.int32)
        mode[block] = kind.astype(np.uint8)
        day[block] = np.where(reach, shown, -1).astype(np.int8)

    # The estimate where the feed has no connection; the client's own means where they have one.
    estimate = mode == NO_CONNECTION
    estimate_rows = np.flatnonzero(~transit | estimate.any(axis=1))
    for lo in range(0, estimate_rows.size, 2000):
        sub = estimate_rows[lo : lo + 2000]
        km = distance_km(c_lat[sub][:, None], c_lon[sub][:, None], p_lat[None, :], p_lon[None, :])
        road = travel_minutes(km, model)
        own = road.copy()
        walks = np.array([means[i] == "walks" for i in sub.tolist()], dtype=np.bool_)
        cycles = np.array([means[i] == "cycles" for i in sub.tolist()], dtype=np.bool_)
        own[walks] = walk_minutes(km[walks], model)
        own[cycles] = np.ceil(
            km[cycles] * model.road_factor / model.cycle_speed_kmh * 60 - 1e-9
        ).astype(np.int64)
        by_feed = transit[sub]
        fill = estimate[sub] & by_feed[:, None]
        minutes[sub] = np.where(fill, road, np.where(by_feed[:, None], minutes[sub], own))
        mode[sub] = np.where(by_feed[:, None], mode[sub], OWN_MEANS).astype(np.uint8)
    return TripTable(
        feed=feed.version,
        minutes=minutes,
        mode=mode,
        day=day,
        planning_date=problem.planning_date,
        scanned_columns=scanned,
    )
