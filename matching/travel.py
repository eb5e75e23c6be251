"""Estimated travel time between a client's home and a placement, vectorised.

The county has no travel-time matrix for every pair, so the engine estimates one-way minutes
from the great-circle distance with the options' ``TravelModel`` (a fixed part for getting
going, a detour factor for roads, an average speed). Travel time is not part of the 4–8 hours
of activity (eura.fi), but each client has a maximum they can manage.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from models import TravelModel

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius, km (IUGG)."""

FloatArray = npt.NDArray[np.float64]


def distance_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle (haversine) distance in km between paired points given in degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(lon2) - np.radians(lon1)
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def travel_minutes(distance: FloatArray, model: TravelModel) -> npt.NDArray[np.int64]:
    """One-way travel minutes for distances in km, rounded up to whole minutes."""
    minutes = model.fixed_minutes + distance * model.road_factor / model.speed_kmh * 60.0
    return np.ceil(minutes - 1e-9).astype(np.int64)
