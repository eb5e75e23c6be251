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
    never = np.int32(NEVER)
    for c in range(dep_stop.size - 1, -1, -1):
        u = int(dep_stop[c])
        v = int(arr_stop[c])
        k = int(local[c])
        ta = int(arr_time[c])
        ok = latest[v] >= ta + slack
        ok |= seated[k]
        if v in at_target:
            ok |= at_target[v] >= ta
        if not ok.any():
            continue
        seated[k] = ok
        np.maximum(latest[u], np.where(ok, np.int32(dep_time[c]), never), out=latest[u])
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
    far = np.int32(-NEVER)
    for c in range(dep_stop.size):
        u = int(dep_stop[c])
        k = int(local[c])
        ok = board[u] <= dep_time[c]
        ok |= seated[k]
        if not ok.any():
            continue
        seated[k] = ok
        v = int(arr_stop[c])
        reached = np.where(ok, np.int32(arr_time[c]), far)
        np.minimum(arrival[v], reached, out=arrival[v])
        np.minimum(board[v], np.where(ok, np.int32(arr_time[c] + slack), far), out=board[v])
    return arrival
