"""A batch of (client, placement) pairs with lazily derived columns."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from matching.tables import BoolArray, IntArray, Tables
from matching.transit import UNREACHABLE, trip_table
from matching.travel import distance_km, travel_minutes


@dataclass(frozen=True)
class Pairs:
    """Client and placement row indices of equal length, over one problem's tables."""

    tables: Tables
    client: IntArray
    placement: IntArray

    def __len__(self) -> int:
        return int(self.client.shape[0])

    @classmethod
    def of(cls, tables: Tables, client: IntArray, placement: IntArray) -> Pairs:
        """Pairs from two index arrays (copied to int64)."""
        return cls(
            tables, np.asarray(client, dtype=np.int64), np.asarray(placement, dtype=np.int64)
        )

    @cached_property
    def travel_minutes(self) -> IntArray:
        """One-way travel time of each pair, minutes: from the problem's trip table where it
        names a feed (``matching.transit``), else the estimate from distance."""
        t = self.tables
        table = trip_table(t.problem)
        if table is not None:
            return table.minutes[self.client, self.placement].astype(np.int64)
        km = distance_km(
            t.client_lat[self.client],
            t.client_lon[self.client],
            t.placement_lat[self.placement],
            t.placement_lon[self.placement],
        )
        return travel_minutes(km, t.problem.options.travel)

    @cached_property
    def unreachable(self) -> BoolArray:
        """Pairs the feed connects at both ends but no journey serves on the days attended."""
        table = trip_table(self.tables.problem)
        if table is None:
            return np.zeros(len(self), dtype=np.bool_)
        return np.asarray(table.mode[self.client, self.placement] == UNREACHABLE)

    def subset(self, keep: BoolArray | IntArray | slice) -> Pairs:
        """The pairs where ``keep`` is true, at the positions ``keep``, or in the slice
        ``keep`` (a view, no copy); derived columns already computed are kept."""
        out = Pairs(self.tables, self.client[keep], self.placement[keep])
        if "travel_minutes" in self.__dict__:
            out.__dict__["travel_minutes"] = self.travel_minutes[keep]
        return out
