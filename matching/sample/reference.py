"""The county's reference data: its real municipalities, centres and commuting areas."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from models import (
    CommutingArea,
)

PACKAGE = "matching"
_REFERENCE_FILE = "data/pohjois_pohjanmaa.json"


@dataclass(frozen=True)
class Centre:
    """A population centre of a municipality: its main centre or a village of a merged one."""

    name: str
    lat: float
    lon: float
    share: float
    """Approximate share of the municipality's inhabitants living around this centre."""


@dataclass(frozen=True)
class MunicipalityInfo:
    """One municipality of the reference data (approximate figures, see the JSON's note)."""

    code: str
    name_fi: str
    name_sv: str | None
    genitive: str
    """Finnish genitive of the name, for organisation names ("Oulun kaupunki")."""
    status: str
    """``kaupunki`` (town) or ``kunta`` (municipality)."""
    commuting_area: str
    lat: float
    lon: float
    population: int
    land_area_km2: float
    coastal: bool
    """The sea lies to the west of the centre; keeps synthetic homes on land."""
    centres: tuple[Centre, ...]
    """The main centre first, then the villages of merged municipalities."""


@dataclass(frozen=True)
class CountyData:
    """The reference data of the county, loaded from ``matching/data``."""

    source: str
    note: str
    commuting_areas: tuple[CommutingArea, ...]
    area_short_names: tuple[str, ...]
    """Short names of the commuting areas, in the same order."""
    municipalities: tuple[MunicipalityInfo, ...]
    """Sorted by municipality code."""


@lru_cache(maxsize=1)
def county_data() -> CountyData:
    """Load the North Ostrobothnia reference data shipped with the package."""
    text = resources.files(PACKAGE).joinpath(_REFERENCE_FILE).read_text(encoding="utf-8")
    raw = json.loads(text)
    areas = tuple(CommutingArea(id=a["id"], name=a["name"]) for a in raw["commuting_areas"])
    shorts = tuple(str(a["short"]) for a in raw["commuting_areas"])
    municipalities: list[MunicipalityInfo] = []
    for m in raw["municipalities"]:
        villages = tuple(
            Centre(
                name=s["name"], lat=float(s["lat"]), lon=float(s["lon"]), share=float(s["share"])
            )
            for s in m.get("subcentres", [])
        )
        main_share = 1.0 - sum(v.share for v in villages)
        if main_share <= 0:
            raise ValueError(f"subcentre shares of {m['name_fi']} exceed 1")
        main = Centre(name=m["name_fi"], lat=float(m["lat"]), lon=float(m["lon"]), share=main_share)
        municipalities.append(
            MunicipalityInfo(
                code=m["code"],
                name_fi=m["name_fi"],
                name_sv=m["name_sv"],
                genitive=m["genitive"],
                status=m["status"],
                commuting_area=m["commuting_area"],
                lat=float(m["lat"]),
                lon=float(m["lon"]),
                population=int(m["population"]),
                land_area_km2=float(m["land_area_km2"]),
                coastal=bool(m["coastal"]),
                centres=(main, *villages),
            )
        )
    municipalities.sort(key=lambda info: info.code)
    return CountyData(
        source=str(raw["source"]),
        note=str(raw["note"]),
        commuting_areas=areas,
        area_short_names=shorts,
        municipalities=tuple(municipalities),
    )
