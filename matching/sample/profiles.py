"""What the synthetic county is drawn from: vocabularies, profiles and shares.

The tables (task-category profiles, producers, schedules, plans, languages, constraints) are
data in ``profiles.yaml`` beside this module, read once into the typed values below; the few
single numbers that shape the county are constants here. All are synthetic assumptions shaped
by the domain research, not statistics. Order matters: the generator draws in table order.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import yaml

from matching.sample.draws import FloatArray, IntArray
from models import OrganisationType, TaskCategory, Weekday, WorkDemand

WEEKDAYS: tuple[Weekday, ...] = tuple(Weekday)  # bit i of a weekday mask = WEEKDAYS[i]
DEMANDS: tuple[WorkDemand, ...] = tuple(WorkDemand)  # bit i of a demand mask
CATEGORIES: tuple[TaskCategory, ...] = tuple(TaskCategory)
LANGUAGES: tuple[str, ...] = ("fi", "sv", "en", "ru")  # bit i of a language mask
POPCOUNT: IntArray = np.array([bin(i).count("1") for i in range(128)], dtype=np.int64)


@dataclass(frozen=True)
class Producer:
    """Who produces placements of a task category: a kind of organisation, how often, and the
    names of its departments."""

    type: OrganisationType
    weight: float
    departments: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    """How placements of one task category look."""

    town_weight: float
    """Relative frequency in a town or a municipality of 5,000 inhabitants or more."""
    small_weight: float
    """Relative frequency in a smaller municipality."""
    description: str
    producers: tuple[Producer, ...]
    demands: tuple[tuple[WorkDemand, float], ...]
    """Probability that a placement of the category has each demand."""
    skills: tuple[str, ...]
    seats: str
    """Seat scheme: ``small`` (1–4), ``medium`` (1–6) or ``workshop`` (3–12)."""
    saturday: float
    """Probability that the placement also runs on Saturdays."""
    workshop: bool = False


def _language_mask(languages: list[str]) -> int:
    return sum(1 << LANGUAGES.index(language) for language in languages)


def _profile(raw: dict[str, Any]) -> Profile:
    return Profile(
        town_weight=raw["town_weight"],
        small_weight=raw["small_weight"],
        description=raw["description"],
        producers=tuple(
            Producer(OrganisationType(p["type"]), p["weight"], tuple(p["departments"]))
            for p in raw["producers"]
        ),
        demands=tuple((WorkDemand(d), v) for d, v in raw["demands"].items()),
        skills=tuple(raw["skills"]),
        seats=raw["seats"],
        saturday=raw["saturday"],
        workshop=raw.get("workshop", False),
    )


_DATA: dict[str, Any] = yaml.safe_load(
    resources.files("matching.sample").joinpath("profiles.yaml").read_text(encoding="utf-8")
)

SKILLS: tuple[str, ...] = tuple(_DATA["skills"])
SKILL_WEIGHTS: FloatArray = np.array(list(_DATA["skills"].values()), dtype=np.float64)
PROFILES: dict[TaskCategory, Profile] = {
    TaskCategory(category): _profile(raw) for category, raw in _DATA["profiles"].items()
}
LICENSED_DEPARTMENTS = frozenset(_DATA["licensed_departments"])
"""Departments that may serve or sell alcohol (beer and wine licences of cafés and shops)."""
YOUTH_PRODUCERS: tuple[tuple[OrganisationType, float], ...] = tuple(
    (OrganisationType(t), v) for t, v in _DATA["youth_producers"].items()
)
YOUTH_DEPARTMENT: dict[TaskCategory, str] = {
    TaskCategory(k): v for k, v in _DATA["youth_department"].items()
}
MUNICIPAL_SECTOR: dict[TaskCategory, str] = {
    TaskCategory(k): v for k, v in _DATA["municipal_sector"].items()
}
COUNTY_UNIT: dict[TaskCategory, str] = {TaskCategory(k): v for k, v in _DATA["county_unit"].items()}
ASSOCIATION_KIND: dict[TaskCategory, str] = {
    TaskCategory(k): v for k, v in _DATA["association_kind"].items()
}
AREA_CLIENT_RATE: dict[str, float] = dict(_DATA["area_client_rate"])
"""Relative number of clients per inhabitant, by commuting area (1.0 where not named)."""
AREA_SEAT_RATE: dict[str, float] = dict(_DATA["area_seat_rate"])
"""Relative number of placements per expected client, by commuting area (1.0 where not named)."""
WEEKDAY_PATTERNS: tuple[tuple[tuple[int, ...], float], ...] = tuple(
    (tuple(WEEKDAYS.index(Weekday(d)) for d in row["days"]), row["weight"])
    for row in _DATA["placement_weekdays"]
)
HOUR_RANGES: tuple[tuple[float, float, float], ...] = tuple(
    (row["min"], row["max"], row["weight"]) for row in _DATA["placement_hours"]
)
PLACEMENT_LANGUAGES: tuple[tuple[int, float], ...] = tuple(
    (_language_mask(row["languages"]), row["weight"]) for row in _DATA["placement_languages"]
)
CLIENT_DAYS: tuple[tuple[int, float], ...] = tuple(_DATA["client_days"].items())
CLIENT_HOURS: tuple[tuple[float, float], ...] = tuple(_DATA["client_hours"].items())
CLIENT_TRAVEL: tuple[tuple[int, float], ...] = tuple(_DATA["client_travel"].items())
CLIENT_LANGUAGES: tuple[tuple[int, float], ...] = tuple(
    (_language_mask(row["languages"]), row["weight"]) for row in _DATA["client_languages"]
)
CONSTRAINT_WEIGHTS: dict[WorkDemand, float] = {
    WorkDemand(k): v for k, v in _DATA["client_constraints"].items()
}

LICENSED_SHARE = 0.6
YOUTH_SHARE_OF_WORKSHOPS = 0.4
ATTESTATION_MONTHS = 12
"""Validity of a no-replacement attestation in the generated regime (THL's rule, as data)."""
ATTESTATION_MISSING_SHARE = 0.04
ATTESTATION_EXPIRED_SHARE = 0.06
ATTESTATION_VALID_DAYS = (0, 340)  # days before the planning date: inside the 12 months
ATTESTATION_EXPIRED_DAYS = (380, 1100)  # beyond them
PLACEMENT_SIZE_EXPONENT = 0.85
"""Placements follow clients ** 0.85, so small municipalities get relatively more of them."""
SHARE_WITH_CONSTRAINTS = 0.28
SHARE_YOUNG = 0.30
SHARE_ACTIVATION_PLAN = 0.55
SHARE_CONSENT_OUTSIDE_AREA = 0.06
SHARE_AVOIDING_A_PLACEMENT = 0.03
AVOID_PAIRS_PER_CLIENT = 0.01
ONGOING_SHARE = (0.17, 0.23)
ONGOING_CANDIDATES = 128  # nearest sites considered for an ongoing placement
CLIENTS_PER_COACH = 25
MAX_WAIT_DAYS = 548  # 18 months
MAX_ONGOING_DAYS = 608  # 20 months
COMMITMENT_DAYS = 88  # safely inside three calendar months
