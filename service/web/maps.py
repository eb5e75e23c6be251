"""A map drawn on the server as inline SVG from the coordinates the county already has: the
placements (and, on a proposal, the client's home municipality) among the municipality
centres with their names. Nothing is fetched from the internet (no tiles, no script).

The projection is equirectangular with longitude scaled by the cosine of the middle latitude,
which is close enough at the scale of one county. Each marker is a link to its row in the list
beside the map, so the map is usable with the keyboard and the list is its text alternative.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from service.db.tables import MunicipalityRow

WIDTH = 560
HEIGHT = 420
PAD = 28
MIN_SPAN_DEG = 0.25
"""Smallest latitude span shown, so that one placement is not drawn at an absurd zoom."""
HIDE_PX = 14
"""A home square closer than this (pixels, each axis) to a placement's dot would hide it."""
SHIFT_PX = 22
"""How far up and left such a square is drawn instead."""
MARGIN = 0.12
"""Share of the span added around the markers; towns in it are named too."""


@dataclass(frozen=True)
class Point:
    """Something to mark: ``kind`` is ``placement``, ``proposed``, ``alternative`` or
    ``home``; ``anchor`` the id of its row in the list beside the map."""

    key: str
    label: str
    lat: float
    lon: float
    kind: str = "placement"
    anchor: str = ""


@dataclass(frozen=True)
class Drawn:
    """A point or town placed on the drawing (pixel coordinates)."""

    x: float
    y: float
    point: Point | None = None
    name: str = ""
    lead: tuple[float, float] | None = None
    """Where the point really is, when its marker is drawn beside it (a line joins them)."""


@dataclass(frozen=True)
class Map:
    """What the template draws."""

    width: int
    height: int
    markers: list[Drawn]
    towns: list[Drawn]


def draw(points: Iterable[Point], towns: Iterable[tuple[str, float, float]]) -> Map | None:
    """Place ``points`` and the ``towns`` (name, lat, lon) near them on the drawing;
    ``None`` when no point has coordinates."""
    shown = [p for p in points if math.isfinite(p.lat) and math.isfinite(p.lon)]
    if not shown:
        return None
    lats = [p.lat for p in shown]
    lons = [p.lon for p in shown]
    mid = (min(lats) + max(lats)) / 2
    scale_lon = math.cos(math.radians(mid))
    span_lat = max(max(lats) - min(lats), MIN_SPAN_DEG)
    span_lon = max((max(lons) - min(lons)) * scale_lon, MIN_SPAN_DEG * 0.75)
    south = (min(lats) + max(lats) - span_lat) / 2 - span_lat * MARGIN
    north = south + span_lat * (1 + 2 * MARGIN)
    centre_lon = (min(lons) + max(lons)) / 2
    half_lon = span_lon * (1 + 2 * MARGIN) / 2 / scale_lon
    west, east = centre_lon - half_lon, centre_lon + half_lon
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    ratio = min(inner_w / ((east - west) * scale_lon), inner_h / (north - south))
    off_x = PAD + (inner_w - (east - west) * scale_lon * ratio) / 2
    off_y = PAD + (inner_h - (north - south) * ratio) / 2

    def xy(lat: float, lon: float) -> tuple[float, float]:
        x = off_x + (lon - west) * scale_lon * ratio
        y = off_y + (north - lat) * ratio
        return round(x, 1), round(y, 1)

    markers = _beside(
        [Drawn(*xy(p.lat, p.lon), point=p) for p in shown if p.kind != "home"],
        [Drawn(*xy(p.lat, p.lon), point=p) for p in shown if p.kind == "home"],
    )
    named = [
        Drawn(*xy(lat, lon), name=name)
        for name, lat, lon in towns
        if south <= lat <= north and west <= lon <= east
    ]
    return Map(WIDTH, HEIGHT, markers, sorted(named, key=lambda t: t.name))


def _beside(places: list[Drawn], homes: list[Drawn]) -> list[Drawn]:
    """The markers, each home square moved up and left of a placement it would hide (a
    client's home municipality is often the proposed placement's): the square then shows
    beside the dot, with a line to where it belongs."""
    out = list(places)
    for home in homes:
        if any(abs(m.x - home.x) < HIDE_PX and abs(m.y - home.y) < HIDE_PX for m in places):
            x = max(PAD / 2, home.x - SHIFT_PX)
            y = max(PAD / 2, home.y - SHIFT_PX)
            home = Drawn(x, y, point=home.point, lead=(home.x, home.y))
        out.append(home)
    return out


def town_names(session: Any, language: str) -> list[tuple[str, float, float]]:
    """(name in ``language``, lat, lon) of every municipality centre on record."""
    rows = session.execute(
        select(
            MunicipalityRow.name_fi,
            MunicipalityRow.name_sv,
            MunicipalityRow.centre_lat,
            MunicipalityRow.centre_lon,
        ).where(MunicipalityRow.centre_lat.is_not(None), MunicipalityRow.centre_lon.is_not(None))
    ).all()
    return [
        ((sv if language == "sv" and sv else fi), float(lat), float(lon))
        for fi, sv, lat, lon in rows
    ]
