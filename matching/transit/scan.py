"""Connection scans over many targets at once (the Connection Scan Algorithm, vectorised).

A scan walks the day's connections once in time order and carries one column per query, so a
single pass in Python answers thousands of queries with numpy doing the per-column work:

- ``latest_departures``: for each column (a target stop and the time to be there by), the
  latest time one may board at every stop and still arrive in time; connections are walked
  from the latest departure back.
- ``earliest_arrivals``: for each column (a source stop and the time one is there from), the
  earliest arrival at every stop; connections are walked from the earliest departure on.

Changing from one vehicle to another takes at least ``slack`` seconds; staying on the same
trip takes none. A journey rides at least once: the target stop itself is not "reached" by
standing at it (a walk past a stop is no journey; walking the whole way is counted apart).
Times are seconds of the service day (``matching.transit.feed``); ``NEVER`` marks a stop from
which the target cannot be reached (``-NEVER`` a stop never reached).

Written here rather than taken from a library: the GTFS libraries on PyPI (gtfs-kit,
partridge) read and analyse feeds but plan no journeys, and the routers (pyraptor, r5py) answer
one query at a time in Python or need a Java runtime; a matrix of thousands of clients by
placements needs many queries per pass.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
TimeMatrix = npt.NDArray[np.int32]

NEVER = -(10**8)
"""Latest departure of a stop that cannot reach the target (and minus the earliest arrival of
a stop never reached)."""


def latest_departures(
    n_stops: int,
    dep_stop: IntArray,
    arr_stop: IntArray,
    dep_time: IntArray,
    arr_time: IntArray,
    trip: IntArray,
    target: IntArray,
    deadline: IntArray,
    slack: int,
) -> TimeMatrix:
    """Latest boarding time at each stop (rows) reaching each column's target stop by its
    deadline (columns); ``NEVER`` where none does. Connections in departure order."""
    n_cols = int(target.size)
    latest = np.full((n_stops, n_cols), NEVER, dtype=np.int32)
    if n_cols == 0:
        return latest
    # Time one may be at a target stop, by column (NEVER at stops other than its target).
    at_target: dict[int, npt.NDArray[np.int32]] = {}
    for stop in np.unique(target).tolist():
        row = np.full(n_cols, NEVER, dtype=np.int32)
        mask = target == stop
        row[mask] = deadline[mask]
        at_target[int(stop)] = row
    trips, local = np.unique(trip, return_inverse=True)
    seated = np.zeros((trips.size, n_cols), dtype=np.bool_)
    # Scalars that let most connections be passed over without touching a column: the latest
    # time of any column at each stop, the latest deadline at each target stop, and whether a
    # trip carries any column yet. (A connection none of them allows changes nothing.)
    target_most = np.full(n_stops, NEVER, dtype=np.int64)
    for stop, row in at_target.items():
        target_most[stop] = int(row.max())
    never = np.int32(NEVER)
    dep_l, arr_l, ta_l = dep_stop.tolist(), arr_stop.tolist(), arr_time.tolist()
    td_l, k_l = dep_time.tolist(), local.tolist()
    most_l, target_l = [NEVER] * n_stops, target_most.tolist()
    carries_l = [False] * trips.size
    for c in range(len(dep_l) - 1, -1, -1):
        v, k, ta = arr_l[c], k_l[c], ta_l[c]
        if not carries_l[k] and most_l[v] < ta + slack and target_l[v] < ta:
            continue
        ok = latest[v] >= ta + slack
        if carries_l[k]:
            ok |= seated[k]
        if target_l[v] >= ta:
            ok |= at_target[v] >= ta
        if not ok.any():
            continue
        u = dep_l[c]
        seated[k] = ok
        carries_l[k] = True
        np.maximum(latest[u], np.where(ok, np.int32(td_l[c]), never), out=latest[u])
        if td_l[c] > most_l[u]:
            most_l[u] = td_l[c]
    return latest


def earliest_arrivals(
    n_stops: int,
    dep_stop: IntArray,
    arr_stop: IntArray,
    dep_time: IntArray,
    arr_time: IntArray,
    trip: IntArray,
    source: IntArray,
    ready: IntArray,
    slack: int,
) -> TimeMatrix:
    """Earliest arrival at each stop (rows) leaving each column's source stop at its ready
    time or later (columns); ``-NEVER`` where none arrives. Connections in departure order."""
    n_cols = int(source.size)
    arrival = np.full((n_stops, n_cols), -NEVER, dtype=np.int32)
    if n_cols == 0:
        return arrival
    # Earliest time one can board at a stop: the ready time at the source, later the arrival
    # by another vehicle plus the slack of changing.
    board = np.full((n_stops, n_cols), -NEVER, dtype=np.int32)
    columns = np.arange(n_cols)
    board[source, columns] = ready
    trips, local = np.unique(trip, return_inverse=True)
    seated = np.zeros((trips.size, n_cols), dtype=np.bool_)
    # The earliest boarding time of any column at each stop, and whether a trip carries any
    # column yet: a connection neither allows is passed over without touching a column.
    least = np.full(n_stops, -NEVER, dtype=np.int64)
    np.minimum.at(least, source, ready)
    far = np.int32(-NEVER)
    dep_l, arr_l, ta_l = dep_stop.tolist(), arr_stop.tolist(), arr_time.tolist()
    td_l, k_l = dep_time.tolist(), local.tolist()
    least_l, carries_l = least.tolist(), [False] * trips.size
    for c in range(len(dep_l)):
        u, k, td = dep_l[c], k_l[c], td_l[c]
        if not carries_l[k] and least_l[u] > td:
            continue
        ok = board[u] <= td
        if carries_l[k]:
            ok |= seated[k]
        if not ok.any():
            continue
        seated[k] = ok
        carries_l[k] = True
        v, ta = arr_l[c], ta_l[c]
        reached = np.where(ok, np.int32(ta), far)
        np.minimum(arrival[v], reached, out=arrival[v])
        np.minimum(board[v], np.where(ok, np.int32(ta + slack), far), out=board[v])
        if ta + slack < least_l[v]:
            least_l[v] = ta + slack
    return arrival
