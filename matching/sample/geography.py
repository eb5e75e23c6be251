"""Geography of the synthetic county: where people live and where sites are."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from matching.sample.draws import BoolArray, FloatArray, IntArray, offset_km
from matching.sample.profiles import AREA_CLIENT_RATE, AREA_SEAT_RATE, PLACEMENT_SIZE_EXPONENT
from matching.sample.reference import CountyData

OULU_REGION = "oulu"


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Geo:
    """Per-municipality arrays derived from the reference data."""

    data: CountyData
    area_of: IntArray  # municipality -> commuting-area index
    population: FloatArray
    town: BoolArray
    client_weight: FloatArray
    placement_weight: FloatArray


def geography_of(data: CountyData) -> Geo:
    area_index = {a.id: i for i, a in enumerate(data.commuting_areas)}
    munis = data.municipalities
    area_of = np.array([area_index[m.commuting_area] for m in munis], dtype=np.int64)
    population = np.array([m.population for m in munis], dtype=np.float64)
    rate = np.array([AREA_CLIENT_RATE.get(m.commuting_area, 1.0) for m in munis])
    seat_rate = np.array([AREA_SEAT_RATE.get(m.commuting_area, 1.0) for m in munis])
    clients = population * rate
    placements = clients**PLACEMENT_SIZE_EXPONENT * seat_rate
    return Geo(
        data=data,
        area_of=area_of,
        population=population,
        town=np.array([m.population >= 5000 for m in munis], dtype=np.bool_),
        client_weight=clients / clients.sum(),
        placement_weight=placements / placements.sum(),
    )


def spread_over_municipalities(
    rng: np.random.Generator, weights: FloatArray, count: int, cover_all: bool
) -> IntArray:
    """Municipality index per record, by weight; each municipality at least once if asked."""
    n_munis = len(weights)
    if cover_all and count >= n_munis:
        rest = rng.choice(n_munis, size=count - n_munis, p=weights)
        return rng.permutation(np.concatenate([np.arange(n_munis), rest])).astype(np.int64)
    return rng.choice(n_munis, size=count, p=weights).astype(np.int64)


def locate(
    rng: np.random.Generator,
    geo: Geo,
    muni: IntArray,
    near_km: tuple[float, float, float],
    far_share: tuple[float, float],
    far_radius_factor: float,
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Points around the municipalities' centres; returns lat, lon and the centre index.

    ``near_km`` is the spread (sd, km) around the Oulu city centre, a town centre and any
    other centre; a share ``far_share`` (town, other) lies anywhere within
    ``far_radius_factor * sqrt(land area)`` km of the main centre (villages, countryside).
    """
    n = len(muni)
    u_centre = rng.random(n)
    u_far = rng.random(n)
    near = rng.normal(0.0, 1.0, size=(n, 2))
    far_r = np.sqrt(rng.random(n))
    far_angle = rng.random(n) * 2 * np.pi
    lat = np.empty(n)
    lon = np.empty(n)
    centre_index = np.zeros(n, dtype=np.int64)
    for m, info in enumerate(geo.data.municipalities):
        rows = np.flatnonzero(muni == m)
        if rows.size == 0:
            continue
        shares = np.array([c.share for c in info.centres])
        picked = np.minimum(
            np.searchsorted(np.cumsum(shares) / shares.sum(), u_centre[rows], side="right"),
            len(shares) - 1,
        )
        centre_index[rows] = picked
        c_lat = np.array([c.lat for c in info.centres])[picked]
        c_lon = np.array([c.lon for c in info.centres])[picked]
        main = picked == 0
        if info.code == "564":
            sd_main = near_km[0]
        elif info.status == "kaupunki":
            sd_main = near_km[1]
        else:
            sd_main = near_km[2]
        sd = np.where(main, sd_main, near_km[2])
        east = near[rows, 0] * sd
        north = near[rows, 1] * sd
        is_far = u_far[rows] < (far_share[0] if info.status == "kaupunki" else far_share[1])
        radius = far_radius_factor * math.sqrt(info.land_area_km2) * far_r[rows]
        east = np.where(is_far, radius * np.cos(far_angle[rows]), east)
        north = np.where(is_far, radius * np.sin(far_angle[rows]), north)
        c_lat = np.where(is_far, info.lat, c_lat)
        c_lon = np.where(is_far, info.lon, c_lon)
        if info.coastal:
            east = np.abs(east)
        lat[rows], lon[rows] = offset_km(c_lat, c_lon, east, north)
    return np.round(lat, 5), np.round(lon, 5), centre_index
