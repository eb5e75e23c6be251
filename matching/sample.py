"""Seeded generator of a realistic synthetic county modelled on North Ostrobothnia (Pohde).

``generate_county`` builds a complete :class:`models.AllocationProblem`: the 30 real
municipalities of the wellbeing county with approximate centres and populations
(``matching/data/pohjois_pohjanmaa.json``), plausible commuting areas, producer organisations of
the kinds the law allows (municipal departments, the county's own units, associations,
foundations, parishes; never a company), placements, clients, coaches and the placements that
are already running. Nothing in it describes a real person or a real site.

The shape follows the domain research (``domain.md`` §§ 5–7): placements are short (about
0.6–0.8 seats per client, tighter in the Oulu region than in the countryside), most clients work
two or three days a week for four to six hours, a minority carries opaque work-constraint flags,
youth workshops take only clients under 29, and about a fifth of the clients are already placed,
some of them within the three-month commitment period. The regime requires a written
no-replacement attestation at most 12 months old (THL: the activity must not replace paid work);
most producers attested within the last year, a few attestations have expired or are missing.

The generator is deterministic: the same arguments give an equal problem. It draws every random
number from one ``numpy.random.default_rng(seed)`` in a fixed order, iterates only over sorted
or ordered collections, and vectorises the per-record draws so that 20,000 clients take a few
seconds (most of it building the pydantic records).

``sample_county_json`` renders a problem as pretty JSON (the models write sets sorted, so the
text does not depend on Python's hash seed); ``write_sample_file`` writes it. The small demo county
``matching/data/sample-county.json`` is ``generate_county(120, seed=1)``; regenerate it with
``python -m matching.sample``.
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from models import (
    AllocationProblem,
    Client,
    Coach,
    CommutingArea,
    LegalRegime,
    Location,
    Municipality,
    OngoingAssignment,
    Organisation,
    OrganisationType,
    Placement,
    Preference,
    TaskCategory,
    TravelModel,
    Weekday,
    WorkDemand,
)

__all__ = [
    "DEFAULT_PLANNING_DATE",
    "SAMPLE_CLIENTS",
    "SAMPLE_SEED",
    "Centre",
    "CountyData",
    "MunicipalityInfo",
    "county_data",
    "describe_county",
    "generate_county",
    "load_sample_county",
    "sample_county_json",
    "write_sample_file",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_PLANNING_DATE = date(2026, 11, 30)
SAMPLE_CLIENTS = 120
"""Size of the committed demo county ``matching/data/sample-county.json``."""
SAMPLE_SEED = 1
"""Seed of the committed demo county."""

_PACKAGE = "matching"
_REFERENCE_FILE = "data/pohjois_pohjanmaa.json"
_SAMPLE_FILE = "data/sample-county.json"

_KM_PER_DEGREE_LAT = 111.2
_OULU_REGION = "oulu"

# ---------------------------------------------------------------------------------------------
# Static reference data
# ---------------------------------------------------------------------------------------------


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
    text = resources.files(_PACKAGE).joinpath(_REFERENCE_FILE).read_text(encoding="utf-8")
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


# ---------------------------------------------------------------------------------------------
# Vocabularies and generation parameters (synthetic assumptions, not statistics)
# ---------------------------------------------------------------------------------------------

_WEEKDAYS: tuple[Weekday, ...] = tuple(Weekday)  # bit i of a weekday mask = _WEEKDAYS[i]
_DEMANDS: tuple[WorkDemand, ...] = tuple(WorkDemand)  # bit i of a demand mask
_CATEGORIES: tuple[TaskCategory, ...] = tuple(TaskCategory)
_LANGUAGES: tuple[str, ...] = ("fi", "sv", "en", "ru")  # bit i of a language mask
_POPCOUNT: IntArray = np.array([bin(i).count("1") for i in range(128)], dtype=np.int64)

_SKILLS: tuple[str, ...] = (
    "caring",
    "childcare",
    "cleaning",
    "cooking",
    "crafts",
    "customer_service",
    "driving",
    "gardening",
    "it",
    "media",
    "metalwork",
    "office",
    "property_maintenance",
    "repair",
    "sewing",
    "warehouse",
    "welding",
    "woodwork",
)
_SKILL_WEIGHTS: FloatArray = np.array(
    [5, 2, 8, 7, 4, 6, 4, 5, 4, 2, 2, 3, 4, 4, 3, 4, 1, 3], dtype=np.float64
)

_M = OrganisationType.MUNICIPAL_DEPARTMENT
_H = OrganisationType.COUNTY_UNIT
_A = OrganisationType.ASSOCIATION
_F = OrganisationType.FOUNDATION
_R = OrganisationType.RELIGIOUS_COMMUNITY


@dataclass(frozen=True)
class _Producer:
    type: OrganisationType
    weight: float
    departments: tuple[str, ...]


@dataclass(frozen=True)
class _Profile:
    """How placements of one task category look."""

    town_weight: float
    """Relative frequency in a town or a municipality of 5,000 inhabitants or more."""
    small_weight: float
    """Relative frequency in a smaller municipality."""
    description: str
    producers: tuple[_Producer, ...]
    demands: tuple[tuple[WorkDemand, float], ...]
    """Probability that a placement of the category has each demand."""
    skills: tuple[str, ...]
    seats: str
    """Seat scheme: ``small`` (1–4), ``medium`` (1–6) or ``workshop`` (3–12)."""
    saturday: float
    """Probability that the placement also runs on Saturdays."""
    workshop: bool = False


_PROFILES: dict[TaskCategory, _Profile] = {
    TaskCategory.KITCHEN: _Profile(
        13,
        14,
        "Avustavat keittiö-, tarjoilu- ja astiahuoltotyöt",
        (
            _Producer(_M, 0.55, ("Koulukeskuksen keittiö", "Keskuskeittiö", "Päiväkodin keittiö")),
            _Producer(_H, 0.20, ("Palvelukeskuksen keittiö", "Terveysaseman keittiö")),
            _Producer(_A, 0.15, ("Lounaskahvila", "Kahvila-ravintola")),
            _Producer(_R, 0.10, ("Seurakuntakodin keittiö",)),
        ),
        (
            (WorkDemand.NOISE, 0.6),
            (WorkDemand.PHYSICAL_LOAD, 0.5),
            (WorkDemand.EARLY_START, 0.35),
            (WorkDemand.CUSTOMER_CONTACT, 0.2),
        ),
        ("cooking", "cleaning", "customer_service"),
        "small",
        0.03,
    ),
    TaskCategory.CLEANING: _Profile(
        10,
        12,
        "Avustavat siivous- ja puhtaanapitotyöt",
        (
            _Producer(_M, 0.6, ("Koulujen puhtaanapito", "Toimitilojen siivous")),
            _Producer(_H, 0.3, ("Palvelukodin puhtauspalvelut", "Terveysaseman siivous")),
            _Producer(_R, 0.1, ("Seurakuntatalon siivous",)),
        ),
        (
            (WorkDemand.PHYSICAL_LOAD, 0.4),
            (WorkDemand.EARLY_START, 0.4),
            (WorkDemand.MEDICINE_ACCESS, 0.05),
        ),
        ("cleaning", "property_maintenance"),
        "small",
        0.0,
    ),
    TaskCategory.PROPERTY_MAINTENANCE: _Profile(
        10,
        13,
        "Kiinteistöjen ja pihojen kunnossapidon avustavat työt",
        (
            _Producer(_M, 0.55, ("Kiinteistöhuolto", "Tekninen varikko")),
            _Producer(_F, 0.2, ("Vuokratalojen kiinteistöhuolto",)),
            _Producer(_R, 0.15, ("Kirkon ja hautausmaan kiinteistöt",)),
            _Producer(_A, 0.1, ("Toimitalon ylläpito",)),
        ),
        (
            (WorkDemand.PHYSICAL_LOAD, 0.7),
            (WorkDemand.OUTDOOR_WORK, 0.55),
            (WorkDemand.MACHINERY, 0.3),
            (WorkDemand.EARLY_START, 0.2),
        ),
        ("property_maintenance", "repair", "driving", "gardening"),
        "small",
        0.0,
    ),
    TaskCategory.PARKS: _Profile(
        8,
        8,
        "Puisto-, viheralue- ja liikuntapaikkatyöt",
        (
            _Producer(_M, 0.75, ("Puistot ja viheralueet", "Liikuntapaikat")),
            _Producer(_R, 0.25, ("Hautausmaan viheralueet",)),
        ),
        (
            (WorkDemand.OUTDOOR_WORK, 0.9),
            (WorkDemand.PHYSICAL_LOAD, 0.7),
            (WorkDemand.MACHINERY, 0.3),
            (WorkDemand.EARLY_START, 0.15),
        ),
        ("gardening", "driving", "property_maintenance"),
        "small",
        0.0,
    ),
    TaskCategory.OFFICE: _Profile(
        5,
        3,
        "Kopiointi, postitus, arkistointi ja asiakaspalvelun avustavat tehtävät",
        (
            _Producer(_M, 0.5, ("Kirjaamo ja postitus", "Asiointipiste")),
            _Producer(_H, 0.3, ("Arkisto ja postitus",)),
            _Producer(_A, 0.2, ("Yhdistyksen toimisto",)),
        ),
        ((WorkDemand.CUSTOMER_CONTACT, 0.35),),
        ("office", "it", "customer_service"),
        "small",
        0.0,
    ),
    TaskCategory.ELDERLY_CARE: _Profile(
        9,
        10,
        "Virkistystoiminta, ulkoilutus ja ruokailuissa avustaminen",
        (
            _Producer(_H, 0.7, ("Palvelukoti", "Ikäihmisten päivätoiminta")),
            _Producer(_A, 0.2, ("Vanhusten päiväkeskus",)),
            _Producer(_R, 0.1, ("Diakoniatyö, ikäihmisten kerhot",)),
        ),
        (
            (WorkDemand.CUSTOMER_CONTACT, 0.55),
            (WorkDemand.MEDICINE_ACCESS, 0.4),
            (WorkDemand.PHYSICAL_LOAD, 0.2),
        ),
        ("caring", "cooking", "customer_service", "crafts"),
        "small",
        0.15,
    ),
    TaskCategory.DAYCARE: _Profile(
        6,
        6,
        "Avustavat tehtävät päiväkodin tai kerhon arjessa",
        (
            _Producer(_M, 0.85, ("Päiväkoti", "Koulun iltapäivätoiminta")),
            _Producer(_R, 0.15, ("Päiväkerho",)),
        ),
        (
            (WorkDemand.CHILDREN, 1.0),
            (WorkDemand.NOISE, 0.5),
            (WorkDemand.OUTDOOR_WORK, 0.3),
        ),
        ("childcare", "crafts", "cooking"),
        "small",
        0.0,
    ),
    TaskCategory.LIBRARY: _Profile(
        5,
        3,
        "Kirjojen järjestely, lehtien käsittely ja asiakkaiden opastus",
        (_Producer(_M, 1.0, ("Pääkirjasto", "Lähikirjasto")),),
        ((WorkDemand.CUSTOMER_CONTACT, 0.7),),
        ("office", "customer_service", "it"),
        "small",
        0.05,
    ),
    TaskCategory.RECYCLING: _Profile(
        9,
        8,
        "Lahjoitustavaran lajittelu, kunnostus, esillepano ja myynti",
        (
            _Producer(_A, 0.5, ("Kierrätyskeskus", "Kierrätysmyymälä")),
            _Producer(_F, 0.25, ("Kierrätys- ja kunnostuspaja",)),
            _Producer(_R, 0.15, ("Kirpputori",)),
            _Producer(_M, 0.1, ("Jäteasema",)),
        ),
        (
            (WorkDemand.CUSTOMER_CONTACT, 0.7),
            (WorkDemand.PHYSICAL_LOAD, 0.5),
            (WorkDemand.MACHINERY, 0.1),
        ),
        ("customer_service", "warehouse", "repair", "sewing"),
        "medium",
        0.25,
    ),
    TaskCategory.WOOD_WORKSHOP: _Profile(
        5,
        3,
        "Puutyöt: korjaus, pienkalusteet ja tilaustyöt",
        (
            _Producer(_H, 0.45, ("Työtoimintakeskus, puutyöpaja",)),
            _Producer(_F, 0.25, ("Työpaja, puuosasto",)),
            _Producer(_M, 0.15, ("Työpaja, puutyöt",)),
            _Producer(_A, 0.15, ("Puutyöpaja",)),
        ),
        (
            (WorkDemand.MACHINERY, 0.9),
            (WorkDemand.NOISE, 0.8),
            (WorkDemand.PHYSICAL_LOAD, 0.3),
        ),
        ("woodwork", "repair", "crafts"),
        "workshop",
        0.0,
        workshop=True,
    ),
    TaskCategory.METAL_WORKSHOP: _Profile(
        3,
        2,
        "Metallityöt: hitsaus, korjaus ja pienet sarjatyöt",
        (
            _Producer(_H, 0.45, ("Työtoimintakeskus, metallipaja",)),
            _Producer(_F, 0.35, ("Työpaja, metalliosasto",)),
            _Producer(_M, 0.2, ("Työpaja, metallityöt",)),
        ),
        (
            (WorkDemand.MACHINERY, 1.0),
            (WorkDemand.NOISE, 0.9),
            (WorkDemand.PHYSICAL_LOAD, 0.5),
        ),
        ("metalwork", "welding", "repair"),
        "workshop",
        0.0,
        workshop=True,
    ),
    TaskCategory.TEXTILE_WORKSHOP: _Profile(
        4,
        3,
        "Tekstiilityöt: ompelu, korjaus, matot ja käsityöt",
        (
            _Producer(_H, 0.4, ("Työtoimintakeskus, tekstiilipaja",)),
            _Producer(_A, 0.3, ("Ompelimo ja käsityöpaja",)),
            _Producer(_M, 0.2, ("Työpaja, tekstiilityöt",)),
            _Producer(_F, 0.1, ("Työpaja, tekstiiliosasto",)),
        ),
        ((WorkDemand.MACHINERY, 0.2),),
        ("sewing", "crafts"),
        "workshop",
        0.0,
        workshop=True,
    ),
    TaskCategory.MEDIA_WORKSHOP: _Profile(
        2,
        0.5,
        "Mediatyöt: kuvaus, taitto, verkkosisällöt ja tietotekniikka",
        (
            _Producer(_M, 0.5, ("Mediapaja",)),
            _Producer(_F, 0.3, ("Mediapaja",)),
            _Producer(_A, 0.2, ("Mediapaja",)),
        ),
        ((WorkDemand.CUSTOMER_CONTACT, 0.1),),
        ("media", "it", "office"),
        "workshop",
        0.0,
        workshop=True,
    ),
    TaskCategory.LOGISTICS: _Profile(
        4,
        2,
        "Varasto-, keräily- ja jakelutyöt",
        (
            _Producer(_H, 0.5, ("Logistiikkakeskus, varasto",)),
            _Producer(_M, 0.35, ("Varasto ja kuljetukset",)),
            _Producer(_A, 0.15, ("Ruoka-avun jakelu",)),
        ),
        (
            (WorkDemand.PHYSICAL_LOAD, 0.7),
            (WorkDemand.MACHINERY, 0.4),
            (WorkDemand.EARLY_START, 0.3),
            (WorkDemand.CUSTOMER_CONTACT, 0.2),
        ),
        ("warehouse", "driving"),
        "medium",
        0.0,
    ),
    TaskCategory.RETAIL: _Profile(
        3,
        3,
        "Myymälä- ja kahvilatyöt: kassa, hyllytys ja asiakaspalvelu",
        (
            _Producer(_A, 0.5, ("Kahvila-myymälä", "Kyläkauppa")),
            _Producer(_R, 0.25, ("Kirpputori ja kahvio",)),
            _Producer(_F, 0.25, ("Myymälä",)),
        ),
        (
            (WorkDemand.CUSTOMER_CONTACT, 1.0),
            (WorkDemand.PHYSICAL_LOAD, 0.2),
        ),
        ("customer_service", "cooking", "warehouse"),
        "small",
        0.3,
    ),
}

_LICENSED_DEPARTMENTS = frozenset({"Kahvila-ravintola", "Kahvila-myymälä", "Kyläkauppa"})
"""Departments that may serve or sell alcohol (beer and wine licences of cafés and shops)."""
_LICENSED_SHARE = 0.6
_YOUTH_SHARE_OF_WORKSHOPS = 0.4
_ATTESTATION_MONTHS = 12
"""Validity of a no-replacement attestation in the generated regime (THL's rule, as data)."""
_ATTESTATION_MISSING_SHARE = 0.04
_ATTESTATION_EXPIRED_SHARE = 0.06
_ATTESTATION_VALID_DAYS = (0, 340)  # days before the planning date: inside the 12 months
_ATTESTATION_EXPIRED_DAYS = (380, 1100)  # beyond them
_YOUTH_PRODUCERS: tuple[tuple[OrganisationType, float], ...] = ((_M, 0.6), (_F, 0.25), (_A, 0.15))
_YOUTH_DEPARTMENT: dict[TaskCategory, str] = {
    TaskCategory.WOOD_WORKSHOP: "Nuorten työpaja, puutyöt",
    TaskCategory.METAL_WORKSHOP: "Nuorten työpaja, metallityöt",
    TaskCategory.TEXTILE_WORKSHOP: "Nuorten työpaja, tekstiilityöt",
    TaskCategory.MEDIA_WORKSHOP: "Nuorten työpaja, mediapaja",
}

_MUNICIPAL_SECTOR: dict[TaskCategory, str] = {
    TaskCategory.KITCHEN: "ruoka- ja puhtauspalvelut",
    TaskCategory.CLEANING: "ruoka- ja puhtauspalvelut",
    TaskCategory.PROPERTY_MAINTENANCE: "tekniset palvelut",
    TaskCategory.PARKS: "tekniset palvelut",
    TaskCategory.LOGISTICS: "tekniset palvelut",
    TaskCategory.OFFICE: "hallintopalvelut",
    TaskCategory.DAYCARE: "varhaiskasvatus",
    TaskCategory.LIBRARY: "kirjasto- ja kulttuuripalvelut",
    TaskCategory.RECYCLING: "ympäristöpalvelut",
}
_COUNTY_UNIT: dict[TaskCategory, str] = {
    TaskCategory.KITCHEN: "ravitsemispalvelut",
    TaskCategory.CLEANING: "puhtauspalvelut",
    TaskCategory.OFFICE: "hallintopalvelut",
    TaskCategory.ELDERLY_CARE: "ikäihmisten palvelut",
    TaskCategory.LOGISTICS: "logistiikkapalvelut",
}
_ASSOCIATION_KIND: dict[TaskCategory, str] = {
    TaskCategory.RECYCLING: "Kierrätysyhdistys ry",
    TaskCategory.ELDERLY_CARE: "Vanhustuki ry",
    TaskCategory.WOOD_WORKSHOP: "4H-yhdistys ry",
    TaskCategory.MEDIA_WORKSHOP: "4H-yhdistys ry",
    TaskCategory.TEXTILE_WORKSHOP: "Mielenterveysseura ry",
}

_AREA_CLIENT_RATE: dict[str, float] = {
    # Relative number of clients per inhabitant: unemployment is higher in the east and north.
    "oulu": 1.0,
    "oulunkaari": 1.3,
    "pudasjarvi": 1.4,
    "koillismaa": 1.3,
    "raahe": 1.1,
    "ylivieska": 0.9,
    "kalajoki": 0.9,
    "nivala-haapajarvi": 1.0,
    "haapavesi-siikalatva": 1.15,
}
_AREA_SEAT_RATE: dict[str, float] = {
    # Relative number of placements per expected client: the Oulu region is the tightest.
    "oulu": 0.85,
}
_PLACEMENT_SIZE_EXPONENT = 0.85
"""Placements follow clients ** 0.85, so small municipalities get relatively more of them."""

_WEEKDAY_PATTERNS: tuple[tuple[tuple[int, ...], float], ...] = (
    ((0, 1, 2, 3, 4), 0.56),
    ((0, 1, 2, 3), 0.15),
    ((1, 2, 3, 4), 0.09),
    ((0, 2, 4), 0.06),
    ((0, 1, 2), 0.05),
    ((1, 2, 3), 0.05),
    ((0, 1, 3, 4), 0.04),
)
_HOUR_RANGES: tuple[tuple[float, float, float], ...] = (
    (4.0, 6.0, 0.34),
    (4.0, 8.0, 0.24),
    (4.0, 7.0, 0.12),
    (6.0, 8.0, 0.10),
    (4.0, 5.0, 0.10),
    (5.0, 7.0, 0.10),
)
_CLIENT_DAYS: tuple[tuple[int, float], ...] = ((1, 0.08), (2, 0.37), (3, 0.40), (4, 0.15))
_CLIENT_HOURS: tuple[tuple[float, float], ...] = (
    (4.0, 0.44),
    (5.0, 0.25),
    (6.0, 0.21),
    (7.0, 0.04),
    (8.0, 0.06),
)
_CLIENT_TRAVEL: tuple[tuple[int, float], ...] = (
    (30, 0.15),
    (40, 0.12),
    (45, 0.18),
    (60, 0.33),
    (75, 0.10),
    (90, 0.12),
)
_CLIENT_LANGUAGES: tuple[tuple[int, float], ...] = (
    (0b0001, 0.88),  # fi
    (0b0011, 0.04),  # fi, sv
    (0b0101, 0.04),  # fi, en
    (0b0100, 0.03),  # en
    (0b1001, 0.01),  # fi, ru
)
_PLACEMENT_LANGUAGES: tuple[tuple[int, float], ...] = (
    (0b0001, 0.88),  # fi
    (0b0011, 0.04),  # fi, sv
    (0b0101, 0.05),  # fi, en
    (0, 0.03),  # any language will do
)
_CONSTRAINT_WEIGHTS: dict[WorkDemand, float] = {
    WorkDemand.PHYSICAL_LOAD: 0.28,
    WorkDemand.CUSTOMER_CONTACT: 0.17,
    WorkDemand.NOISE: 0.14,
    WorkDemand.ALCOHOL_ACCESS: 0.10,
    WorkDemand.EARLY_START: 0.10,
    WorkDemand.OUTDOOR_WORK: 0.08,
    WorkDemand.MEDICINE_ACCESS: 0.06,
    WorkDemand.MACHINERY: 0.05,
    WorkDemand.CHILDREN: 0.02,
}
_SHARE_WITH_CONSTRAINTS = 0.28
_SHARE_YOUNG = 0.30
_SHARE_ACTIVATION_PLAN = 0.55
_SHARE_CONSENT_OUTSIDE_AREA = 0.06
_SHARE_AVOIDING_A_PLACEMENT = 0.03
_AVOID_PAIRS_PER_CLIENT = 0.01
_ONGOING_SHARE = (0.17, 0.23)
_ONGOING_CANDIDATES = 128  # nearest sites considered for an ongoing placement
_CLIENTS_PER_COACH = 25
_MAX_WAIT_DAYS = 548  # 18 months
_MAX_ONGOING_DAYS = 608  # 20 months
_COMMITMENT_DAYS = 88  # safely inside three calendar months


def _probabilities(rows: Sequence[tuple[Any, ...]]) -> FloatArray:
    """Normalised weights, taken from the last element of each row."""
    weights = np.array([row[-1] for row in rows], dtype=np.float64)
    return weights / weights.sum()


# ---------------------------------------------------------------------------------------------
# Small vectorised helpers
# ---------------------------------------------------------------------------------------------


def _weighted_orders(rng: np.random.Generator, weights: FloatArray, rows: int) -> IntArray:
    """Per row, a random order of the columns drawn without replacement by weight.

    Gumbel-top-k: sorting ``log w + Gumbel noise`` gives weighted sampling without
    replacement; zero-weight columns come last.
    """
    w = np.broadcast_to(weights, (rows, weights.shape[-1]))
    u = np.clip(rng.random(w.shape), 1e-12, 1.0 - 1e-12)
    with np.errstate(divide="ignore"):
        keys = np.log(w) - np.log(-np.log(u))
    return np.argsort(-keys, axis=1, kind="stable").astype(np.int64)


def _choice(rng: np.random.Generator, rows: Sequence[tuple[Any, ...]], size: int) -> IntArray:
    """Indices into ``rows`` drawn by their weights (the last element of each row)."""
    return rng.choice(len(rows), size=size, p=_probabilities(rows)).astype(np.int64)


def _row_choice(u: FloatArray, weights: FloatArray) -> IntArray:
    """For each row of ``weights``, the column picked by the uniform draw ``u`` of that row."""
    cumulative = np.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    picked = (u[:, None] > cumulative).sum(axis=1)
    return np.minimum(picked, weights.shape[1] - 1).astype(np.int64)


def _distance_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in km (haversine), broadcasting like numpy."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin((np.radians(lon2) - np.radians(lon1)) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _travel_minutes(distance: Any, model: TravelModel) -> Any:
    """One-way minutes as estimated from distance by ``models.TravelModel`` (not rounded; the
    engine rounds up to whole minutes)."""
    return model.fixed_minutes + distance * model.road_factor / model.speed_kmh * 60.0


def _offset(
    lat: FloatArray, lon: FloatArray, east_km: FloatArray, north_km: FloatArray
) -> tuple[FloatArray, FloatArray]:
    new_lat = lat + north_km / _KM_PER_DEGREE_LAT
    new_lon = lon + east_km / (_KM_PER_DEGREE_LAT * np.cos(np.radians(lat)))
    return np.clip(new_lat, 59.5, 70.0), np.clip(new_lon, 19.5, 31.5)


@lru_cache(maxsize=4096)
def _members(mask: int, vocabulary: tuple[Any, ...]) -> frozenset[Any]:
    """The items of ``vocabulary`` whose bits are set in ``mask`` (cached: few masks recur)."""
    return frozenset(item for i, item in enumerate(vocabulary) if mask >> i & 1)


def _record_id(prefix: str, number: int, width: int) -> str:
    return f"{prefix}{number:0{width}d}"


# ---------------------------------------------------------------------------------------------
# Geography: where people live and where sites are
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geo:
    """Per-municipality arrays derived from the reference data."""

    data: CountyData
    area_of: IntArray  # municipality -> commuting-area index
    population: FloatArray
    town: BoolArray
    client_weight: FloatArray
    placement_weight: FloatArray


def _geo(data: CountyData) -> _Geo:
    area_index = {a.id: i for i, a in enumerate(data.commuting_areas)}
    munis = data.municipalities
    area_of = np.array([area_index[m.commuting_area] for m in munis], dtype=np.int64)
    population = np.array([m.population for m in munis], dtype=np.float64)
    rate = np.array([_AREA_CLIENT_RATE.get(m.commuting_area, 1.0) for m in munis])
    seat_rate = np.array([_AREA_SEAT_RATE.get(m.commuting_area, 1.0) for m in munis])
    clients = population * rate
    placements = clients**_PLACEMENT_SIZE_EXPONENT * seat_rate
    return _Geo(
        data=data,
        area_of=area_of,
        population=population,
        town=np.array([m.population >= 5000 for m in munis], dtype=np.bool_),
        client_weight=clients / clients.sum(),
        placement_weight=placements / placements.sum(),
    )


def _spread_over_municipalities(
    rng: np.random.Generator, weights: FloatArray, count: int, cover_all: bool
) -> IntArray:
    """Municipality index per record, by weight; each municipality at least once if asked."""
    n_munis = len(weights)
    if cover_all and count >= n_munis:
        rest = rng.choice(n_munis, size=count - n_munis, p=weights)
        return rng.permutation(np.concatenate([np.arange(n_munis), rest])).astype(np.int64)
    return rng.choice(n_munis, size=count, p=weights).astype(np.int64)


def _locate(
    rng: np.random.Generator,
    geo: _Geo,
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
        lat[rows], lon[rows] = _offset(c_lat, c_lon, east, north)
    return np.round(lat, 5), np.round(lon, 5), centre_index


# ---------------------------------------------------------------------------------------------
# Placements and organisations
# ---------------------------------------------------------------------------------------------


@dataclass
class _Placements:
    muni: IntArray
    area: IntArray
    lat: FloatArray
    lon: FloatArray
    category: IntArray
    youth: BoolArray
    organisation: IntArray
    department: list[str]
    seats: IntArray
    support: IntArray
    days: IntArray
    min_hours: FloatArray
    max_hours: FloatArray
    demands: IntArray
    skills: list[tuple[str, ...]]
    languages: IntArray
    available_from: IntArray  # days after the planning date (negative = in the past)
    available_until: IntArray  # days after the planning date; -1 = open-ended
    closed: BoolArray

    @property
    def open_by_planning_date(self) -> BoolArray:
        result: BoolArray = (~self.closed) & (self.available_from <= 0)
        return result


def _organisation_key(
    org_type: OrganisationType,
    category: TaskCategory,
    youth: bool,
    info: MunicipalityInfo,
    geo: _Geo,
) -> tuple[str, str, str]:
    """(owner municipality code, type, name) of the producer of a placement."""
    data = geo.data
    area = data.area_short_names[int(geo.area_of[data.municipalities.index(info)])]
    seat = _area_seat(geo, info.commuting_area)
    if org_type is _M:
        sector = (
            "nuorisopalvelut" if youth else _MUNICIPAL_SECTOR.get(category, "työllisyyspalvelut")
        )
        return info.code, org_type.value, f"{info.genitive} {info.status}, {sector}"
    if org_type is _H:
        unit = _COUNTY_UNIT.get(category, "työtoimintakeskus")
        return seat.code, org_type.value, f"Pohde, {unit}, {area}"
    if org_type is _A:
        kind = (
            "Nuorisoseura ry" if youth else _ASSOCIATION_KIND.get(category, "Seudun Työttömät ry")
        )
        return info.code, org_type.value, f"{info.genitive} {kind}"
    if org_type is _F:
        if category is TaskCategory.PROPERTY_MAINTENANCE:
            return info.code, org_type.value, f"{info.genitive} vuokratalosäätiö sr"
        return seat.code, org_type.value, f"Työvalmennussäätiö {area} sr"
    if org_type is _R:
        parish = "seurakuntayhtymä" if info.population > 100_000 else "seurakunta"
        return info.code, org_type.value, f"{info.genitive} {parish}"
    raise ValueError(f"the generator never makes producers of type {org_type.value}")


def _area_seat(geo: _Geo, area_id: str) -> MunicipalityInfo:
    """The most populous municipality of a commuting area (seat of area-wide producers)."""
    members = [m for m in geo.data.municipalities if m.commuting_area == area_id]
    return max(members, key=lambda m: (m.population, m.code))


def _generate_placements(
    rng: np.random.Generator, geo: _Geo, count: int
) -> tuple[_Placements, list[tuple[str, str, str]]]:
    data = geo.data
    munis = data.municipalities
    muni = _spread_over_municipalities(rng, geo.placement_weight, count, cover_all=True)
    lat, lon, centre = _locate(
        rng, geo, muni, near_km=(3.5, 1.5, 1.0), far_share=(0.08, 0.15), far_radius_factor=0.4
    )

    # Task category, youth-workshop flag, producer type and department.
    profiles = [_PROFILES[c] for c in _CATEGORIES]
    town_w = np.array([p.town_weight for p in profiles])
    small_w = np.array([p.small_weight for p in profiles])
    cat_weights = np.where(geo.town[muni][:, None], town_w[None, :], small_w[None, :])
    category = _row_choice(rng.random(count), cat_weights)
    is_workshop = np.array([p.workshop for p in profiles])[category]
    youth = is_workshop & (rng.random(count) < _YOUTH_SHARE_OF_WORKSHOPS)
    if count >= 10 and not youth.any():
        # A county of this size always has a youth workshop: make one in the largest town.
        largest = int(np.argmax(geo.population))
        in_largest = np.flatnonzero(muni == largest)
        j = int(in_largest[0]) if in_largest.size else 0
        category[j] = _CATEGORIES.index(TaskCategory.MEDIA_WORKSHOP)
        is_workshop[j] = True
        youth[j] = True
    u_producer = rng.random(count)
    u_department = rng.random(count)
    licensed = rng.random(count) < _LICENSED_SHARE

    # Seats and supervisor support.
    small_seats = 1 + _choice(rng, [(1, 0.42), (2, 0.33), (3, 0.15), (4, 0.10)], count)
    medium_seats = 1 + _choice(
        rng, [(1, 0.22), (2, 0.26), (3, 0.2), (4, 0.14), (5, 0.1), (6, 0.08)], count
    )
    workshop_seats = 3 + rng.binomial(9, 0.33, size=count)
    scheme = np.array([p.seats for p in profiles])[category]
    seats = np.where(
        scheme == "workshop",
        workshop_seats,
        np.where(scheme == "medium", medium_seats, small_seats),
    ).astype(np.int64)
    support = (seats * (1 + _choice(rng, [(1, 0.3), (2, 0.5), (3, 0.2)], count))).astype(np.int64)

    # Weekdays and hours.
    pattern_masks = np.array([sum(1 << d for d in days) for days, _ in _WEEKDAY_PATTERNS])
    days = pattern_masks[_choice(rng, _WEEKDAY_PATTERNS, count)].astype(np.int64)
    saturday = rng.random(count) < np.array([p.saturday for p in profiles])[category]
    days = np.where(saturday, days | (1 << 5), days)
    hour_index = _choice(rng, _HOUR_RANGES, count)
    min_hours = np.array([h[0] for h in _HOUR_RANGES])[hour_index]
    max_hours = np.array([h[1] for h in _HOUR_RANGES])[hour_index]

    # Demands consistent with the category.
    demand_p = np.zeros((len(_CATEGORIES), len(_DEMANDS)))
    for ci, profile in enumerate(profiles):
        for demand, p in profile.demands:
            demand_p[ci, _DEMANDS.index(demand)] = p
    has_demand = rng.random((count, len(_DEMANDS))) < demand_p[category]
    demands = (has_demand * (1 << np.arange(len(_DEMANDS)))).sum(axis=1).astype(np.int64)

    # Skills the tasks use: one to three of the category's skills.
    skill_in_cat = np.zeros((len(_CATEGORIES), len(_SKILLS)))
    for ci, profile in enumerate(profiles):
        for skill in profile.skills:
            skill_in_cat[ci, _SKILLS.index(skill)] = 1.0
    skill_order = _weighted_orders(rng, skill_in_cat[category] * _SKILL_WEIGHTS, count)
    n_skills = np.minimum(
        1 + _choice(rng, [(1, 0.3), (2, 0.45), (3, 0.25)], count),
        skill_in_cat[category].sum(axis=1).astype(np.int64),
    )

    languages = np.array([m for m, _ in _PLACEMENT_LANGUAGES])[
        _choice(rng, _PLACEMENT_LANGUAGES, count)
    ].astype(np.int64)

    # Availability relative to the planning date.
    u_from = rng.random(count)
    past = -rng.integers(30, 2500, size=count)
    recent = -rng.integers(0, 30, size=count)
    soon = rng.integers(7, 76, size=count)
    available_from = np.where(u_from < 0.08, soon, np.where(u_from < 0.16, recent, past))
    u_until = rng.random(count)
    ends_soon = rng.integers(10, 86, size=count)
    ends_later = rng.integers(150, 600, size=count)
    available_until = np.where(u_until < 0.05, ends_soon, np.where(u_until < 0.09, ends_later, -1))
    available_until = np.where(
        available_until >= 0, np.maximum(available_until, available_from + 30), -1
    )
    closed = rng.random(count) < 0.03

    # Producers and department names.
    org_keys: list[tuple[str, str, str]] = []
    departments: list[str] = []
    skills: list[tuple[str, ...]] = []
    for i in range(count):
        cat = _CATEGORIES[int(category[i])]
        profile = _PROFILES[cat]
        info = munis[int(muni[i])]
        if youth[i]:
            types = _YOUTH_PRODUCERS
            org_type = types[_pick(u_producer[i], [w for _, w in types])][0]
            department = _YOUTH_DEPARTMENT[cat]
        else:
            producer = profile.producers[
                _pick(u_producer[i], [p.weight for p in profile.producers])
            ]
            org_type = producer.type
            department = producer.departments[
                min(int(u_department[i] * len(producer.departments)), len(producer.departments) - 1)
            ]
        if department in _LICENSED_DEPARTMENTS and licensed[i]:
            demands[i] |= 1 << _DEMANDS.index(WorkDemand.ALCOHOL_ACCESS)
        if centre[i] > 0:
            department = f"{department}, {info.centres[int(centre[i])].name}"
        org_keys.append(_organisation_key(org_type, cat, bool(youth[i]), info, geo))
        departments.append(department)
        skills.append(tuple(_SKILLS[int(s)] for s in skill_order[i, : int(n_skills[i])]))

    unique_keys = sorted(set(org_keys))
    key_index = {key: k for k, key in enumerate(unique_keys)}
    organisation = np.array([key_index[key] for key in org_keys], dtype=np.int64)

    # Stable, readable order: by municipality code, then task category.
    order = np.lexsort((np.arange(count), category, muni))
    placements = _Placements(
        muni=muni[order],
        area=geo.area_of[muni][order],
        lat=lat[order],
        lon=lon[order],
        category=category[order],
        youth=youth[order],
        organisation=organisation[order],
        department=[departments[int(i)] for i in order],
        seats=seats[order],
        support=support[order],
        days=days[order],
        min_hours=min_hours[order],
        max_hours=max_hours[order],
        demands=demands[order],
        skills=[skills[int(i)] for i in order],
        languages=languages[order],
        available_from=available_from[order].astype(np.int64),
        available_until=available_until[order].astype(np.int64),
        closed=closed[order],
    )
    return placements, unique_keys


def _attestations(rng: np.random.Generator, count: int, planning_date: date) -> list[date | None]:
    """Date of each placement's no-replacement attestation (None: none on record).

    Most producers attested within the last year; a few attestations have expired and a few
    placements have none on record, so that the regime's rule excludes some of them.
    Drawn last, after every other random number, so the other records do not depend on them.
    """
    u = rng.random(count)
    valid = rng.integers(*_ATTESTATION_VALID_DAYS, size=count, endpoint=True)
    expired = rng.integers(*_ATTESTATION_EXPIRED_DAYS, size=count, endpoint=True)
    age = np.where(u < _ATTESTATION_MISSING_SHARE + _ATTESTATION_EXPIRED_SHARE, expired, valid)
    return [
        None if u[i] < _ATTESTATION_MISSING_SHARE else planning_date - timedelta(days=int(age[i]))
        for i in range(count)
    ]


def _pick(u: float, weights: Sequence[float]) -> int:
    total = float(sum(weights))
    acc = 0.0
    for k, w in enumerate(weights):
        acc += w / total
        if u < acc:
            return k
    return len(weights) - 1


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------


@dataclass
class _Clients:
    muni: IntArray
    area: IntArray
    lat: FloatArray
    lon: FloatArray
    age: IntArray
    days_per_week: IntArray
    hours: FloatArray
    weekdays: IntArray
    max_travel: IntArray
    languages: IntArray
    support: IntArray
    wait_days: IntArray
    consent: BoolArray
    activation_plan: BoolArray
    constraints: IntArray
    aptitudes: list[tuple[str, ...]]
    interests: list[tuple[TaskCategory, ...]]
    interest_matrix: BoolArray  # client x category
    category_rank: IntArray  # client x category: weighted random order for preferences
    n_preferences: IntArray
    preference_is_placement: BoolArray  # client x 5 slots
    u_preference_pick: FloatArray  # client x 8
    u_ongoing: FloatArray
    ongoing_start_days: IntArray
    ongoing_wait_gap: IntArray
    keeps_current_first: BoolArray


def _generate_clients(rng: np.random.Generator, geo: _Geo, count: int) -> _Clients:
    muni = _spread_over_municipalities(rng, geo.client_weight, count, cover_all=count >= 60)
    lat, lon, _ = _locate(
        rng, geo, muni, near_km=(5.0, 2.5, 1.5), far_share=(0.25, 0.4), far_radius_factor=0.55
    )

    young = rng.random(count) < _SHARE_YOUNG
    age = np.where(
        young,
        rng.integers(18, 29, size=count),
        29 + np.floor(rng.beta(1.4, 1.6, size=count) * 36).astype(np.int64),
    )
    age = np.clip(age, 18, 64).astype(np.int64)

    days_per_week = np.array([d for d, _ in _CLIENT_DAYS])[_choice(rng, _CLIENT_DAYS, count)]
    hours = np.array([h for h, _ in _CLIENT_HOURS])[_choice(rng, _CLIENT_HOURS, count)]

    # Available weekdays: often the whole working week, otherwise a subset that fits the plan.
    full_week = rng.random(count) < 0.55
    extra = rng.integers(0, 3, size=count)
    n_available = np.where(full_week, 5, np.minimum(5, days_per_week + extra))
    weekday_order = _weighted_orders(rng, np.ones(5), count)
    ranks = np.argsort(weekday_order, axis=1)  # rank of each weekday in the row's order
    chosen = ranks < n_available[:, None]
    weekdays = (chosen * (1 << np.arange(5))).sum(axis=1).astype(np.int64)
    weekdays = np.where(rng.random(count) < 0.03, weekdays | (1 << 5), weekdays)

    rural = geo.area_of[muni] != _area_index(geo, _OULU_REGION)
    travel = np.array([t for t, _ in _CLIENT_TRAVEL])[_choice(rng, _CLIENT_TRAVEL, count)]
    travel = np.where(rural & (rng.random(count) < 0.3), np.minimum(travel + 15, 90), travel)

    languages = np.array([m for m, _ in _CLIENT_LANGUAGES])[_choice(rng, _CLIENT_LANGUAGES, count)]
    support = 1 + _choice(rng, [(1, 0.7), (2, 0.22), (3, 0.08)], count)

    wait = rng.exponential(170.0, size=count)
    wait = np.where(wait > _MAX_WAIT_DAYS, rng.uniform(0, _MAX_WAIT_DAYS, size=count), wait)
    wait_days = np.floor(wait).astype(np.int64)

    consent = rng.random(count) < _SHARE_CONSENT_OUTSIDE_AREA
    activation_plan = rng.random(count) < _SHARE_ACTIVATION_PLAN

    # Opaque work-constraint flags: a minority has one or two.
    constraint_w = np.array([_CONSTRAINT_WEIGHTS[d] for d in _DEMANDS])
    constraint_order = _weighted_orders(rng, constraint_w, count)
    n_constraints = np.where(
        rng.random(count) < _SHARE_WITH_CONSTRAINTS, 1 + (rng.random(count) < 0.25), 0
    )
    constraints = np.zeros(count, dtype=np.int64)
    for k in range(2):
        bit = (1 << constraint_order[:, k]).astype(np.int64)
        constraints |= np.where(n_constraints > k, bit, 0)

    # Aptitudes (skills) and interests (task categories), correlated with each other.
    aptitude_order = _weighted_orders(rng, _SKILL_WEIGHTS, count)
    n_aptitudes = _choice(rng, [(0, 0.2), (1, 0.35), (2, 0.3), (3, 0.15)], count)
    has_aptitude = np.zeros((count, len(_SKILLS)), dtype=np.bool_)
    for k in range(3):
        rows = np.flatnonzero(n_aptitudes > k)
        has_aptitude[rows, aptitude_order[rows, k]] = True
    profiles = [_PROFILES[c] for c in _CATEGORIES]
    uses_skill = np.array(
        [[skill in p.skills for skill in _SKILLS] for p in profiles], dtype=np.float64
    )
    overlap = (has_aptitude.astype(np.float64) @ uses_skill.T) > 0
    category_base = np.array([p.town_weight for p in profiles])
    interest_order = _weighted_orders(rng, category_base * (1 + 4 * overlap), count)
    n_interests = _choice(rng, [(0, 0.25), (1, 0.35), (2, 0.25), (3, 0.15)], count)
    interest_matrix = np.zeros((count, len(_CATEGORIES)), dtype=np.bool_)
    for k in range(3):
        rows = np.flatnonzero(n_interests > k)
        interest_matrix[rows, interest_order[rows, k]] = True
    category_rank = _weighted_orders(
        rng, category_base * (1 + 2 * overlap + 30 * interest_matrix), count
    )

    n_preferences = _choice(
        rng, [(0, 0.12), (1, 0.18), (2, 0.25), (3, 0.22), (4, 0.13), (5, 0.10)], count
    )
    preference_is_placement = rng.random((count, 5)) < 0.2
    u_preference_pick = rng.random((count, 8))
    u_ongoing = rng.random(count)
    recent_start = rng.random(count) < 0.2
    ongoing_start_days = np.where(
        recent_start,
        rng.integers(0, _COMMITMENT_DAYS + 1, size=count),
        rng.integers(_COMMITMENT_DAYS + 8, _MAX_ONGOING_DAYS + 1, size=count),
    ).astype(np.int64)
    ongoing_wait_gap = rng.integers(0, 90, size=count).astype(np.int64)
    keeps_current_first = rng.random(count) < 0.5

    aptitudes = [
        tuple(_SKILLS[int(s)] for s in aptitude_order[i, : int(n_aptitudes[i])])
        for i in range(count)
    ]
    interests = [
        tuple(_CATEGORIES[int(c)] for c in interest_order[i, : int(n_interests[i])])
        for i in range(count)
    ]
    return _Clients(
        muni=muni,
        area=geo.area_of[muni],
        lat=lat,
        lon=lon,
        age=age,
        days_per_week=days_per_week.astype(np.int64),
        hours=hours.astype(np.float64),
        weekdays=weekdays,
        max_travel=travel.astype(np.int64),
        languages=languages.astype(np.int64),
        support=support.astype(np.int64),
        wait_days=wait_days,
        consent=consent,
        activation_plan=activation_plan,
        constraints=constraints,
        aptitudes=aptitudes,
        interests=interests,
        interest_matrix=interest_matrix,
        category_rank=category_rank,
        n_preferences=n_preferences,
        preference_is_placement=preference_is_placement,
        u_preference_pick=u_preference_pick,
        u_ongoing=u_ongoing,
        ongoing_start_days=ongoing_start_days,
        ongoing_wait_gap=ongoing_wait_gap,
        keeps_current_first=keeps_current_first,
    )


def _area_index(geo: _Geo, area_id: str) -> int:
    for i, area in enumerate(geo.data.commuting_areas):
        if area.id == area_id:
            return i
    raise KeyError(area_id)


def _avoidances(
    rng: np.random.Generator, clients: _Clients, placements: _Placements
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """A few clients avoid a placement of their area; a few pairs avoid each other."""
    count = len(clients.age)
    avoid_placements: dict[int, set[int]] = {}
    avoiders = np.flatnonzero(rng.random(count) < _SHARE_AVOIDING_A_PLACEMENT)
    u_place = rng.random(len(avoiders))
    for i, u in zip(avoiders.tolist(), u_place.tolist(), strict=True):
        options = np.flatnonzero(placements.area == clients.area[i])
        if options.size:
            avoid_placements.setdefault(i, set()).add(int(options[int(u * options.size)]))
    avoid_clients: dict[int, set[int]] = {}
    n_pairs = round(count * _AVOID_PAIRS_PER_CLIENT)
    first = rng.integers(0, count, size=n_pairs) if count > 1 else np.zeros(0, dtype=np.int64)
    u_second = rng.random(n_pairs)
    mutual = rng.random(n_pairs) < 0.5
    for a, u, both in zip(first.tolist(), u_second.tolist(), mutual.tolist(), strict=True):
        same_area = np.flatnonzero(clients.area == clients.area[a])
        same_area = same_area[same_area != a]
        if same_area.size == 0:
            continue
        b = int(same_area[int(u * same_area.size)])
        avoid_clients.setdefault(a, set()).add(b)
        if both:
            avoid_clients.setdefault(b, set()).add(a)
    return avoid_placements, avoid_clients


# ---------------------------------------------------------------------------------------------
# Coaches and ongoing assignments
# ---------------------------------------------------------------------------------------------


def _assign_coaches(
    rng: np.random.Generator, geo: _Geo, clients: _Clients
) -> tuple[IntArray, list[list[int]], IntArray]:
    """Coach index per client, the clients of each coach, and caseload capacities.

    About one coach per 25 clients, at least one per commuting area with clients; a coach
    covers a geographically coherent group of clients of one area. Capacities are 55–95 % of
    the coach's clients, so in areas with many seats the caseload binds.
    """
    count = len(clients.age)
    n_areas = len(geo.data.commuting_areas)
    per_area = np.bincount(clients.area, minlength=n_areas)
    total = max(int(np.count_nonzero(per_area)), round(count / _CLIENTS_PER_COACH))
    desired = per_area / count * total
    coaches_per_area = np.where(per_area > 0, np.maximum(1, np.floor(desired)), 0).astype(np.int64)
    left = total - int(coaches_per_area.sum())
    if left > 0:
        remainder = np.where(per_area > 0, desired - coaches_per_area, -np.inf)
        for a in np.argsort(-remainder, kind="stable")[:left].tolist():
            coaches_per_area[a] += 1
    coaches_per_area = np.minimum(coaches_per_area, per_area)

    coach_of = np.zeros(count, dtype=np.int64)
    members: list[list[int]] = []
    for a in range(n_areas):
        rows = np.flatnonzero(clients.area == a)
        if rows.size == 0:
            continue
        order = rows[np.lexsort((rows, clients.lat[rows], clients.muni[rows]))]
        for group in np.array_split(order, int(coaches_per_area[a])):
            coach_of[group] = len(members)
            members.append(sorted(int(i) for i in group))
    factor = rng.uniform(0.55, 0.95, size=len(members))
    capacity = np.array(
        [max(1, round(len(m) * f)) for m, f in zip(members, factor.tolist(), strict=True)],
        dtype=np.int64,
    )
    return coach_of, members, capacity


def _ongoing(
    clients: _Clients,
    placements: _Placements,
    coach_of: IntArray,
    capacity: IntArray,
    avoid_placements: dict[int, set[int]],
    avoid_clients: dict[int, set[int]],
    share: float,
    order: IntArray,
    u_area: FloatArray,
    youth_age_limit: int,
    travel_model: TravelModel,
) -> dict[int, tuple[int, int]]:
    """Client -> (placement, start offset in days) for the clients already placed.

    In each commuting area about ``share`` of the clients, taken in the random ``order``, are
    placed at a compatible placement (same commuting area, weekdays, hours, demands, language,
    youth age, travel time, already open), preferring nearby placements of an interesting
    category. No placement gets more clients than its seats or its supervisor support allow,
    no coach more than their caseload, and no one is placed next to someone avoided.
    """
    seats_left = placements.seats.copy()
    support_left = placements.support.copy()
    caseload_left = capacity.copy()
    avoided_by: dict[int, set[int]] = {}
    for a, others in sorted(avoid_clients.items()):
        for b in sorted(others):
            avoided_by.setdefault(b, set()).add(a)
    usable = placements.open_by_planning_date
    result: dict[int, tuple[int, int]] = {}
    for area in range(len(u_area)):
        members = order[clients.area[order] == area]
        target = int(np.floor(share * members.size + u_area[area]))
        index = np.flatnonzero(usable & (placements.area == area))
        if index.size == 0:
            continue
        nearest = _Nearest(placements, index)
        placed = 0
        for start in range(0, members.size, 256):
            if placed >= target:
                break
            rows = members[start : start + 256]
            cands = nearest.query(clients, rows, _ONGOING_CANDIDATES)
            fits, weights = _static_fit(
                clients, rows, placements, cands, youth_age_limit, travel_model
            )
            for r, i in enumerate(rows.tolist()):
                if placed >= target:
                    break
                coach = int(coach_of[i])
                if caseload_left[coach] <= 0:
                    continue
                cand = cands[r][fits[r]]
                ok = (seats_left[cand] > 0) & (support_left[cand] >= clients.support[i])
                # Not where the client refuses to go, nor next to someone either avoids.
                blocked = set(avoid_placements.get(i, set()))
                for other in sorted(avoid_clients.get(i, set()) | avoided_by.get(i, set())):
                    if other in result:
                        blocked.add(result[other][0])
                if blocked:
                    ok &= ~np.isin(cand, sorted(blocked))
                if not ok.any():
                    continue
                cumulative = np.cumsum(weights[r][fits[r]] * ok)
                k = int(np.searchsorted(cumulative, clients.u_ongoing[i] * cumulative[-1], "right"))
                k = min(k, cand.size - 1)
                if not ok[k]:
                    k = int(np.flatnonzero(ok)[-1])
                p = int(cand[k])
                # Started some months ago, but not before the placement opened.
                began = -int(clients.ongoing_start_days[i])
                result[i] = (p, max(began, int(placements.available_from[p])))
                seats_left[p] -= 1
                support_left[p] -= int(clients.support[i])
                caseload_left[coach] -= 1
                placed += 1
    return result


class _Nearest:
    """Nearest-neighbour search over some placements, in a local flat projection (plenty
    for ranking sites a few tens of kilometres apart)."""

    def __init__(self, placements: _Placements, index: IntArray) -> None:
        self.index = index
        self.scale = math.cos(math.radians(float(np.mean(placements.lat[index]))))
        self.tree = cKDTree(
            np.column_stack([placements.lon[index] * self.scale, placements.lat[index]])
        )

    def query(self, clients: _Clients, rows: IntArray, k: int) -> IntArray:
        """Per client row, the ``min(k, n)`` nearest placements, nearest first."""
        take = min(k, self.index.size)
        points = np.column_stack([clients.lon[rows] * self.scale, clients.lat[rows]])
        _, local = self.tree.query(points, k=take)
        result: IntArray = self.index[np.asarray(local, dtype=np.int64).reshape(len(rows), take)]
        return result


def _static_fit(
    clients: _Clients,
    rows: IntArray,
    placements: _Placements,
    cands: IntArray,
    youth_age_limit: int,
    travel_model: TravelModel,
) -> tuple[BoolArray, FloatArray]:
    """Which candidate placements ``cands[r]`` suit each client ``rows[r]`` (capacity aside),
    and a weight for choosing among them: near placements of an interesting category."""
    c = rows[:, None]
    lang = placements.languages[cands]
    fits = (
        (_POPCOUNT[placements.days[cands] & clients.weekdays[c]] >= clients.days_per_week[c])
        & (placements.min_hours[cands] <= clients.hours[c])
        & (placements.max_hours[cands] >= clients.hours[c])
        & ((placements.demands[cands] & clients.constraints[c]) == 0)
        & ((lang == 0) | ((lang & clients.languages[c]) != 0))
        & (~placements.youth[cands] | (clients.age[c] < youth_age_limit))
    )
    minutes = _travel_minutes(
        _distance_km(clients.lat[c], clients.lon[c], placements.lat[cands], placements.lon[cands]),
        travel_model,
    )
    # The engine rounds the same estimate up to whole minutes; stay clear of the limit.
    fits &= minutes <= clients.max_travel[c] - 1e-6
    liked = clients.interest_matrix[c, placements.category[cands]]
    weights: FloatArray = (1.0 + 2.0 * liked) / (1.0 + minutes / 15.0)
    return fits, weights


# ---------------------------------------------------------------------------------------------
# Preferences
# ---------------------------------------------------------------------------------------------


def _nearby_placements(
    clients: _Clients, placements: _Placements, rows: IntArray, k: int = 8
) -> IntArray:
    """For each client row, up to ``k`` nearest placements (not closed) in their commuting
    area, nearest first; -1 pads rows of areas with fewer placements."""
    result = np.full((len(rows), k), -1, dtype=np.int64)
    usable = ~placements.closed
    for a in np.unique(clients.area[rows]).tolist():
        index = np.flatnonzero(usable & (placements.area == a))
        if index.size == 0:
            continue
        sel = np.flatnonzero(clients.area[rows] == a)
        found = _Nearest(placements, index).query(clients, rows[sel], k)
        result[sel, : found.shape[1]] = found
    return result


def _preferences(
    clients: _Clients,
    placements: _Placements,
    placement_ids: Sequence[str],
    ongoing: dict[int, tuple[int, int]],
    avoid_placements: dict[int, set[int]],
) -> list[tuple[Preference, ...]]:
    count = len(clients.age)
    n = clients.n_preferences
    in_list = np.arange(5)[None, :] < n[:, None]
    wants_place: BoolArray = np.any(clients.preference_is_placement & in_list, axis=1)
    rows = np.flatnonzero(wants_place)
    nearby = np.full((count, 8), -1, dtype=np.int64)
    if rows.size and len(placement_ids):
        nearby[rows] = _nearby_placements(clients, placements, rows)
    pick_order = np.argsort(clients.u_preference_pick, axis=1, kind="stable")
    # Records are immutable, so equal preferences can share one instance.
    by_category = {c: Preference(task_category=c) for c in _CATEGORIES}
    by_placement: dict[int, Preference] = {}

    def placement_preference(p: int) -> Preference:
        if p not in by_placement:
            by_placement[p] = Preference(placement=placement_ids[p])
        return by_placement[p]

    is_placement = clients.preference_is_placement.tolist()
    category_rank = clients.category_rank[:, :5].tolist()
    result: list[tuple[Preference, ...]] = []
    for i in range(count):
        wanted = int(n[i])
        prefs: list[Preference] = []
        used_places: set[int] = set()
        if wanted > 0 and i in ongoing and clients.keeps_current_first[i]:
            p = ongoing[i][0]
            prefs.append(placement_preference(p))
            used_places.add(p)
        near: list[int] = []
        if wants_place[i]:
            avoided = avoid_placements.get(i, set())
            near = [
                int(nearby[i, j])
                for j in pick_order[i].tolist()
                if nearby[i, j] >= 0 and int(nearby[i, j]) not in avoided
            ]
        next_category = 0
        for slot in range(wanted):
            if len(prefs) >= wanted:
                break
            if is_placement[i][slot]:
                place = next((p for p in near if p not in used_places), None)
                if place is not None:
                    used_places.add(place)
                    prefs.append(placement_preference(place))
                    continue
            prefs.append(by_category[_CATEGORIES[category_rank[i][next_category]]])
            next_category += 1
        result.append(tuple(prefs))
    return result


# ---------------------------------------------------------------------------------------------
# The public generator
# ---------------------------------------------------------------------------------------------


def generate_county(
    n_clients: int = 1000,
    n_placements: int | None = None,
    seed: int = 0,
    planning_date: date = DEFAULT_PLANNING_DATE,
    name: str | None = None,
) -> AllocationProblem:
    """A synthetic county modelled on North Ostrobothnia, as a validated problem.

    ``n_placements`` defaults to 30 % of ``n_clients`` (at least 5). The same arguments always
    give an equal problem; different seeds give different ones.
    """
    if n_clients < 1:
        raise ValueError("n_clients must be at least 1")
    if n_placements is None:
        n_placements = max(5, round(0.3 * n_clients))
    if n_placements < 1:
        raise ValueError("n_placements must be at least 1")
    if seed < 0:
        raise ValueError("seed must be non-negative")

    with _gc_paused():
        return _generate(n_clients, n_placements, seed, planning_date, name)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many records (it would rescan them
    again and again; the records have no reference cycles)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _generate(
    n_clients: int, n_placements: int, seed: int, planning_date: date, name: str | None
) -> AllocationProblem:
    rng = np.random.default_rng(seed)
    regime = LegalRegime(no_replacement_attestation_months=_ATTESTATION_MONTHS)
    travel_model = TravelModel()
    data = county_data()
    geo = _geo(data)
    munis = data.municipalities

    placements, org_keys = _generate_placements(rng, geo, n_placements)
    clients = _generate_clients(rng, geo, n_clients)
    avoid_placements, avoid_clients = _avoidances(rng, clients, placements)
    coach_of, coach_members, capacity = _assign_coaches(rng, geo, clients)
    ongoing = _ongoing(
        clients,
        placements,
        coach_of,
        capacity,
        avoid_placements,
        avoid_clients,
        share=float(rng.uniform(*_ONGOING_SHARE)),
        order=rng.permutation(n_clients).astype(np.int64),
        u_area=rng.random(len(data.commuting_areas)),
        youth_age_limit=regime.youth_age_limit,
        travel_model=travel_model,
    )
    attested_on = _attestations(rng, n_placements, planning_date)

    org_width = max(3, len(str(len(org_keys))))
    placement_width = max(4, len(str(n_placements)))
    client_width = max(5, len(str(n_clients)))
    coach_width = max(3, len(str(len(coach_members))))
    org_ids = [_record_id("O", k + 1, org_width) for k in range(len(org_keys))]
    placement_ids = [_record_id("P", k + 1, placement_width) for k in range(n_placements)]
    client_ids = [_record_id("C", k + 1, client_width) for k in range(n_clients)]
    coach_ids = [_record_id("K", k + 1, coach_width) for k in range(len(coach_members))]

    preferences = _preferences(clients, placements, placement_ids, ongoing, avoid_placements)

    def day(offset: int) -> date:
        return planning_date + timedelta(days=offset)

    organisations = tuple(
        Organisation(id=org_ids[k], name=nm, type=OrganisationType(t), municipality=code)
        for k, (code, t, nm) in enumerate(org_keys)
    )
    placement_records = tuple(
        Placement(
            id=placement_ids[i],
            organisation=org_ids[int(placements.organisation[i])],
            department=placements.department[i],
            municipality=munis[int(placements.muni[i])].code,
            location=Location(lat=float(placements.lat[i]), lon=float(placements.lon[i])),
            task_category=_CATEGORIES[int(placements.category[i])],
            description=_PROFILES[_CATEGORIES[int(placements.category[i])]].description,
            seats=int(placements.seats[i]),
            weekdays=_members(int(placements.days[i]), _WEEKDAYS),
            min_hours_per_day=float(placements.min_hours[i]),
            max_hours_per_day=float(placements.max_hours[i]),
            demands=_members(int(placements.demands[i]), _DEMANDS),
            skills=frozenset(placements.skills[i]),
            support_units=int(placements.support[i]),
            youth_workshop=bool(placements.youth[i]),
            languages=_members(int(placements.languages[i]), _LANGUAGES),
            available_from=day(int(placements.available_from[i])),
            available_until=(
                day(int(placements.available_until[i]))
                if placements.available_until[i] >= 0
                else None
            ),
            closed=bool(placements.closed[i]),
            no_replacement_attested_on=attested_on[i],
        )
        for i in range(n_placements)
    )

    client_records: list[Client] = []
    for i in range(n_clients):
        waiting = int(clients.wait_days[i])
        if i in ongoing:
            # An ongoing client was ready before they started.
            waiting = max(waiting, -ongoing[i][1] + int(clients.ongoing_wait_gap[i]))
        client_records.append(
            Client(
                id=client_ids[i],
                age=int(clients.age[i]),
                home_municipality=munis[int(clients.muni[i])].code,
                consent_outside_commuting_area=bool(clients.consent[i]),
                location=Location(lat=float(clients.lat[i]), lon=float(clients.lon[i])),
                max_travel_minutes=int(clients.max_travel[i]),
                referral_basis=(
                    "activation_plan"
                    if clients.activation_plan[i]
                    else "multidisciplinary_employment_plan"
                ),
                days_per_week=int(clients.days_per_week[i]),
                hours_per_day=float(clients.hours[i]),
                available_weekdays=_members(int(clients.weekdays[i]), _WEEKDAYS),
                preferences=preferences[i],
                aptitudes=frozenset(clients.aptitudes[i]),
                interests=frozenset(clients.interests[i]),
                work_constraints=_members(int(clients.constraints[i]), _DEMANDS),
                languages=_members(int(clients.languages[i]), _LANGUAGES),
                support_units=int(clients.support[i]),
                waiting_since=day(-waiting),
                coach=coach_ids[int(coach_of[i])],
                avoid_placements=frozenset(
                    placement_ids[p] for p in sorted(avoid_placements.get(i, set()))
                ),
                avoid_clients=frozenset(client_ids[c] for c in sorted(avoid_clients.get(i, set()))),
            )
        )

    coaches = tuple(
        Coach(
            id=coach_ids[k],
            caseload_capacity=int(capacity[k]),
            municipalities=frozenset(munis[int(clients.muni[i])].code for i in members),
        )
        for k, members in enumerate(coach_members)
    )
    ongoing_records = tuple(
        OngoingAssignment(client=client_ids[i], placement=placement_ids[p], start_date=day(offset))
        for i, (p, offset) in sorted(ongoing.items())
    )
    return AllocationProblem(
        name=name or f"Pohjois-Pohjanmaa synthetic, {n_clients} clients, seed {seed}",
        planning_date=planning_date,
        regime=regime,
        commuting_areas=data.commuting_areas,
        municipalities=tuple(
            Municipality(
                code=m.code,
                name_fi=m.name_fi,
                name_sv=m.name_sv,
                commuting_area=m.commuting_area,
                centre=Location(lat=m.lat, lon=m.lon),
            )
            for m in munis
        ),
        organisations=organisations,
        placements=placement_records,
        clients=tuple(client_records),
        coaches=coaches,
        ongoing=ongoing_records,
    )


# ---------------------------------------------------------------------------------------------
# JSON, the demo file and statistics
# ---------------------------------------------------------------------------------------------


def sample_county_json(problem: AllocationProblem) -> str:
    """The problem as pretty JSON, ending in a newline. The models write every set sorted, so
    equal problems give identical text whatever the interpreter's hash seed."""
    return problem.model_dump_json(indent=2, exclude_defaults=False) + "\n"


def write_sample_file(
    path: str | Path, n_clients: int = SAMPLE_CLIENTS, seed: int = SAMPLE_SEED
) -> Path:
    """Write ``generate_county(n_clients, seed=seed)`` to ``path`` as pretty JSON."""
    target = Path(path)
    target.write_text(sample_county_json(generate_county(n_clients, seed=seed)), encoding="utf-8")
    return target


def load_sample_county() -> AllocationProblem:
    """The committed demo county (``generate_county(120, seed=1)``)."""
    text = resources.files(_PACKAGE).joinpath(_SAMPLE_FILE).read_text(encoding="utf-8")
    return AllocationProblem.model_validate_json(text)


def describe_county(problem: AllocationProblem) -> dict[str, Any]:
    """Headline statistics of a problem: sizes, seats per client by commuting area, ages,
    the ongoing share and the coaches' caseload (for checking that an instance is realistic)."""
    planning = problem.planning_date
    area_of = {m.code: m.commuting_area for m in problem.municipalities}
    open_seats: dict[str, int] = {a.id: 0 for a in problem.commuting_areas}
    clients_in: dict[str, int] = {a.id: 0 for a in problem.commuting_areas}
    for p in problem.placements:
        if not p.closed and p.available_from <= planning:
            open_seats[area_of[p.municipality]] += p.seats
    for c in problem.clients:
        clients_in[area_of[c.home_municipality]] += 1
    ages = [c.age for c in problem.clients if c.age is not None]
    recent = sum(1 for a in problem.ongoing if (planning - a.start_date).days < 91)
    return {
        "clients": len(problem.clients),
        "placements": len(problem.placements),
        "organisations": len(problem.organisations),
        "coaches": len(problem.coaches),
        "seats": sum(p.seats for p in problem.placements),
        "open_seats": sum(open_seats.values()),
        "open_seats_per_client": sum(open_seats.values()) / max(1, len(problem.clients)),
        "seats_per_client_by_area": {
            a: (open_seats[a] / clients_in[a] if clients_in[a] else None) for a in open_seats
        },
        "clients_by_area": clients_in,
        "share_under_29": sum(1 for a in ages if a < 29) / max(1, len(ages)),
        "ongoing": len(problem.ongoing),
        "ongoing_share": len(problem.ongoing) / max(1, len(problem.clients)),
        "ongoing_within_3_months": recent,
        "youth_workshops": sum(1 for p in problem.placements if p.youth_workshop),
        "caseload_capacity": sum(c.caseload_capacity for c in problem.coaches),
    }


def main() -> None:
    """Regenerate the committed demo county ``matching/data/sample-county.json``."""
    write_sample_file(Path(__file__).with_name("data") / "sample-county.json")


if __name__ == "__main__":
    main()
