"""Small vectorised helpers of the generator: weighted draws, distances, record ids."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from models import (
    TravelModel,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_KM_PER_DEGREE_LAT = 111.2


# ---------------------------------------------------------------------------------------------


def weighted_orders(rng: np.random.Generator, weights: FloatArray, rows: int) -> IntArray:
    """Per row, a random order of the columns drawn without replacement by weight.

    Gumbel-top-k: sorting ``log w + Gumbel noise`` gives weighted sampling without
    replacement; zero-weight columns come last.
    """
    w = np.broadcast_to(weights, (rows, weights.shape[-1]))
    u = np.clip(rng.random(w.shape), 1e-12, 1.0 - 1e-12)
    with np.errstate(divide="ignore"):
        keys = np.log(w) - np.log(-np.log(u))
    return np.argsort(-keys, axis=1, kind="stable").astype(np.int64)


def choice(rng: np.random.Generator, rows: Sequence[tuple[Any, ...]], size: int) -> IntArray:
    """Indices into ``rows`` drawn by their weights (the last element of each row)."""
    return rng.choice(len(rows), size=size, p=probabilities(rows)).astype(np.int64)


def row_choice(u: FloatArray, weights: FloatArray) -> IntArray:
    """For each row of ``weights``, the column picked by the uniform draw ``u`` of that row."""
    cumulative = np.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    picked = (u[:, None] > cumulative).sum(axis=1)
    return np.minimum(picked, weights.shape[1] - 1).astype(np.int64)


def distance_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in km (haversine), broadcasting like numpy."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin((np.radians(lon2) - np.radians(lon1)) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def travel_minutes(distance: Any, model: TravelModel) -> Any:
    """One-way minutes as estimated from distance by ``models.TravelModel`` (not rounded; the
    engine rounds up to whole minutes)."""
    return model.fixed_minutes + distance * model.road_factor / model.speed_kmh * 60.0


def offset_km(
    lat: FloatArray, lon: FloatArray, east_km: FloatArray, north_km: FloatArray
) -> tuple[FloatArray, FloatArray]:
    new_lat = lat + north_km / _KM_PER_DEGREE_LAT
    new_lon = lon + east_km / (_KM_PER_DEGREE_LAT * np.cos(np.radians(lat)))
    return np.clip(new_lat, 59.5, 70.0), np.clip(new_lon, 19.5, 31.5)


@lru_cache(maxsize=4096)
def members_of(mask: int, vocabulary: tuple[Any, ...]) -> frozenset[Any]:
    """The items of ``vocabulary`` whose bits are set in ``mask`` (cached: few masks recur)."""
    return frozenset(item for i, item in enumerate(vocabulary) if mask >> i & 1)


def record_id(prefix: str, number: int, width: int) -> str:
    return f"{prefix}{number:0{width}d}"


def probabilities(rows: Sequence[tuple[Any, ...]]) -> FloatArray:
    """Normalised weights, taken from the last element of each row."""
    weights = np.array([row[-1] for row in rows], dtype=np.float64)
    return weights / weights.sum()
