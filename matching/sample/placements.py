"""Synthetic placements and the organisations that produce them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from matching.sample.draws import (
    BoolArray,
    FloatArray,
    IntArray,
    choice,
    row_choice,
    weighted_orders,
)
from matching.sample.geography import Geo, locate, spread_over_municipalities
from matching.sample.profiles import (
    ASSOCIATION_KIND,
    ATTESTATION_EXPIRED_DAYS,
    ATTESTATION_EXPIRED_SHARE,
    ATTESTATION_MISSING_SHARE,
    ATTESTATION_VALID_DAYS,
    CATEGORIES,
    COUNTY_UNIT,
    DEMANDS,
    HOUR_RANGES,
    LICENSED_DEPARTMENTS,
    LICENSED_SHARE,
    MUNICIPAL_SECTOR,
    PLACEMENT_LANGUAGES,
    PROFILES,
    SKILL_WEIGHTS,
    SKILLS,
    WEEKDAY_PATTERNS,
    YOUTH_DEPARTMENT,
    YOUTH_PRODUCERS,
    YOUTH_SHARE_OF_WORKSHOPS,
)
from matching.sample.reference import MunicipalityInfo
from models import (
    OrganisationType,
    TaskCategory,
    WorkDemand,
)

# ---------------------------------------------------------------------------------------------


@dataclass
class Placements:
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
    geo: Geo,
) -> tuple[str, str, str]:
    """(owner municipality code, type, name) of the producer of a placement."""
    data = geo.data
    area = data.area_short_names[int(geo.area_of[data.municipalities.index(info)])]
    seat = _area_seat(geo, info.commuting_area)
    if org_type is OrganisationType.MUNICIPAL_DEPARTMENT:
        sector = (
            "nuorisopalvelut" if youth else MUNICIPAL_SECTOR.get(category, "työllisyyspalvelut")
        )
        return info.code, org_type.value, f"{info.genitive} {info.status}, {sector}"
    if org_type is OrganisationType.COUNTY_UNIT:
        unit = COUNTY_UNIT.get(category, "työtoimintakeskus")
        return seat.code, org_type.value, f"Pohde, {unit}, {area}"
    if org_type is OrganisationType.ASSOCIATION:
        kind = "Nuorisoseura ry" if youth else ASSOCIATION_KIND.get(category, "Seudun Työttömät ry")
        return info.code, org_type.value, f"{info.genitive} {kind}"
    if org_type is OrganisationType.FOUNDATION:
        if category is TaskCategory.PROPERTY_MAINTENANCE:
            return info.code, org_type.value, f"{info.genitive} vuokratalosäätiö sr"
        return seat.code, org_type.value, f"Työvalmennussäätiö {area} sr"
    if org_type is OrganisationType.RELIGIOUS_COMMUNITY:
        parish = "seurakuntayhtymä" if info.population > 100_000 else "seurakunta"
        return info.code, org_type.value, f"{info.genitive} {parish}"
    raise ValueError(f"the generator never makes producers of type {org_type.value}")


def _area_seat(geo: Geo, area_id: str) -> MunicipalityInfo:
    """The most populous municipality of a commuting area (seat of area-wide producers)."""
    members = [m for m in geo.data.municipalities if m.commuting_area == area_id]
    return max(members, key=lambda m: (m.population, m.code))


def generate_placements(
    rng: np.random.Generator, geo: Geo, count: int
) -> tuple[Placements, list[tuple[str, str, str]]]:
    data = geo.data
    munis = data.municipalities
    muni = spread_over_municipalities(rng, geo.placement_weight, count, cover_all=True)
    lat, lon, centre = locate(
        rng, geo, muni, near_km=(3.5, 1.5, 1.0), far_share=(0.08, 0.15), far_radius_factor=0.4
    )

    # Task category, youth-workshop flag, producer type and department.
    profiles = [PROFILES[c] for c in CATEGORIES]
    town_w = np.array([p.town_weight for p in profiles])
    small_w = np.array([p.small_weight for p in profiles])
    cat_weights = np.where(geo.town[muni][:, None], town_w[None, :], small_w[None, :])
    category = row_choice(rng.random(count), cat_weights)
    is_workshop = np.array([p.workshop for p in profiles])[category]
    youth = is_workshop & (rng.random(count) < YOUTH_SHARE_OF_WORKSHOPS)
    if count >= 10 and not youth.any():
        # A county of this size always has a youth workshop: make one in the largest town.
        largest = int(np.argmax(geo.population))
        in_largest = np.flatnonzero(muni == largest)
        j = int(in_largest[0]) if in_largest.size else 0
        category[j] = CATEGORIES.index(TaskCategory.MEDIA_WORKSHOP)
        is_workshop[j] = True
        youth[j] = True
    u_producer = rng.random(count)
    u_department = rng.random(count)
    licensed = rng.random(count) < LICENSED_SHARE

    # Seats and supervisor support.
    small_seats = 1 + choice(rng, [(1, 0.42), (2, 0.33), (3, 0.15), (4, 0.10)], count)
    medium_seats = 1 + choice(
        rng, [(1, 0.22), (2, 0.26), (3, 0.2), (4, 0.14), (5, 0.1), (6, 0.08)], count
    )
    workshop_seats = 3 + rng.binomial(9, 0.33, size=count)
    scheme = np.array([p.seats for p in profiles])[category]
    seats = np.where(
        scheme == "workshop",
        workshop_seats,
        np.where(scheme == "medium", medium_seats, small_seats),
    ).astype(np.int64)
    support = (seats * (1 + choice(rng, [(1, 0.3), (2, 0.5), (3, 0.2)], count))).astype(np.int64)

    # Weekdays and hours.
    pattern_masks = np.array([sum(1 << d for d in days) for days, _ in WEEKDAY_PATTERNS])
    days = pattern_masks[choice(rng, WEEKDAY_PATTERNS, count)].astype(np.int64)
    saturday = rng.random(count) < np.array([p.saturday for p in profiles])[category]
    days = np.where(saturday, days | (1 << 5), days)
    hour_index = choice(rng, HOUR_RANGES, count)
    min_hours = np.array([h[0] for h in HOUR_RANGES])[hour_index]
    max_hours = np.array([h[1] for h in HOUR_RANGES])[hour_index]

    # Demands consistent with the category.
    demand_p = np.zeros((len(CATEGORIES), len(DEMANDS)))
    for ci, profile in enumerate(profiles):
        for demand, p in profile.demands:
            demand_p[ci, DEMANDS.index(demand)] = p
    has_demand = rng.random((count, len(DEMANDS))) < demand_p[category]
    demands = (has_demand * (1 << np.arange(len(DEMANDS)))).sum(axis=1).astype(np.int64)

    # Skills the tasks use: one to three of the category's skills.
    skill_in_cat = np.zeros((len(CATEGORIES), len(SKILLS)))
    for ci, profile in enumerate(profiles):
        for skill in profile.skills:
            skill_in_cat[ci, SKILLS.index(skill)] = 1.0
    skill_order = weighted_orders(rng, skill_in_cat[category] * SKILL_WEIGHTS, count)
    n_skills = np.minimum(
        1 + choice(rng, [(1, 0.3), (2, 0.45), (3, 0.25)], count),
        skill_in_cat[category].sum(axis=1).astype(np.int64),
    )

    languages = np.array([m for m, _ in PLACEMENT_LANGUAGES])[
        choice(rng, PLACEMENT_LANGUAGES, count)
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
        cat = CATEGORIES[int(category[i])]
        profile = PROFILES[cat]
        info = munis[int(muni[i])]
        if youth[i]:
            types = YOUTH_PRODUCERS
            org_type = types[_pick(u_producer[i], [w for _, w in types])][0]
            department = YOUTH_DEPARTMENT[cat]
        else:
            producer = profile.producers[
                _pick(u_producer[i], [p.weight for p in profile.producers])
            ]
            org_type = producer.type
            department = producer.departments[
                min(int(u_department[i] * len(producer.departments)), len(producer.departments) - 1)
            ]
        if department in LICENSED_DEPARTMENTS and licensed[i]:
            demands[i] |= 1 << DEMANDS.index(WorkDemand.ALCOHOL_ACCESS)
        if centre[i] > 0:
            department = f"{department}, {info.centres[int(centre[i])].name}"
        org_keys.append(_organisation_key(org_type, cat, bool(youth[i]), info, geo))
        departments.append(department)
        skills.append(tuple(SKILLS[int(s)] for s in skill_order[i, : int(n_skills[i])]))

    unique_keys = sorted(set(org_keys))
    key_index = {key: k for k, key in enumerate(unique_keys)}
    organisation = np.array([key_index[key] for key in org_keys], dtype=np.int64)

    # Stable, readable order: by municipality code, then task category.
    order = np.lexsort((np.arange(count), category, muni))
    placements = Placements(
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


def attestations(rng: np.random.Generator, count: int, planning_date: date) -> list[date | None]:
    """Date of each placement's no-replacement attestation (None: none on record).

    Most producers attested within the last year; a few attestations have expired and a few
    placements have none on record, so that the regime's rule excludes some of them.
    Drawn last, after every other random number, so the other records do not depend on them.
    """
    u = rng.random(count)
    valid = rng.integers(*ATTESTATION_VALID_DAYS, size=count, endpoint=True)
    expired = rng.integers(*ATTESTATION_EXPIRED_DAYS, size=count, endpoint=True)
    age = np.where(u < ATTESTATION_MISSING_SHARE + ATTESTATION_EXPIRED_SHARE, expired, valid)
    return [
        None if u[i] < ATTESTATION_MISSING_SHARE else planning_date - timedelta(days=int(age[i]))
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
