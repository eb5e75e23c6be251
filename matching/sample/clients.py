"""Synthetic clients: plans, constraints, languages, aptitudes, and whom they avoid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.sample.draws import BoolArray, FloatArray, IntArray, choice, weighted_orders
from matching.sample.geography import OULU_REGION, Geo, locate, spread_over_municipalities
from matching.sample.placements import Placements
from matching.sample.profiles import (
    AVOID_PAIRS_PER_CLIENT,
    CATEGORIES,
    CLIENT_DAYS,
    CLIENT_HOURS,
    CLIENT_LANGUAGES,
    CLIENT_TRAVEL,
    COMMITMENT_DAYS,
    CONSTRAINT_WEIGHTS,
    DEMANDS,
    MAX_ONGOING_DAYS,
    MAX_WAIT_DAYS,
    PROFILES,
    SHARE_ACTIVATION_PLAN,
    SHARE_AVOIDING_A_PLACEMENT,
    SHARE_CONSENT_OUTSIDE_AREA,
    SHARE_WITH_CONSTRAINTS,
    SHARE_YOUNG,
    SKILL_WEIGHTS,
    SKILLS,
)
from models import (
    TaskCategory,
)

# ---------------------------------------------------------------------------------------------


@dataclass
class Clients:
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


def generate_clients(rng: np.random.Generator, geo: Geo, count: int) -> Clients:
    muni = spread_over_municipalities(rng, geo.client_weight, count, cover_all=count >= 60)
    lat, lon, _ = locate(
        rng, geo, muni, near_km=(5.0, 2.5, 1.5), far_share=(0.25, 0.4), far_radius_factor=0.55
    )

    young = rng.random(count) < SHARE_YOUNG
    age = np.where(
        young,
        rng.integers(18, 29, size=count),
        29 + np.floor(rng.beta(1.4, 1.6, size=count) * 36).astype(np.int64),
    )
    age = np.clip(age, 18, 64).astype(np.int64)

    days_per_week = np.array([d for d, _ in CLIENT_DAYS])[choice(rng, CLIENT_DAYS, count)]
    hours = np.array([h for h, _ in CLIENT_HOURS])[choice(rng, CLIENT_HOURS, count)]

    # Available weekdays: often the whole working week, otherwise a subset that fits the plan.
    full_week = rng.random(count) < 0.55
    extra = rng.integers(0, 3, size=count)
    n_available = np.where(full_week, 5, np.minimum(5, days_per_week + extra))
    weekday_order = weighted_orders(rng, np.ones(5), count)
    ranks = np.argsort(weekday_order, axis=1)  # rank of each weekday in the row's order
    chosen = ranks < n_available[:, None]
    weekdays = (chosen * (1 << np.arange(5))).sum(axis=1).astype(np.int64)
    weekdays = np.where(rng.random(count) < 0.03, weekdays | (1 << 5), weekdays)

    rural = geo.area_of[muni] != _area_index(geo, OULU_REGION)
    travel = np.array([t for t, _ in CLIENT_TRAVEL])[choice(rng, CLIENT_TRAVEL, count)]
    travel = np.where(rural & (rng.random(count) < 0.3), np.minimum(travel + 15, 90), travel)

    languages = np.array([m for m, _ in CLIENT_LANGUAGES])[choice(rng, CLIENT_LANGUAGES, count)]
    support = 1 + choice(rng, [(1, 0.7), (2, 0.22), (3, 0.08)], count)

    wait = rng.exponential(170.0, size=count)
    wait = np.where(wait > MAX_WAIT_DAYS, rng.uniform(0, MAX_WAIT_DAYS, size=count), wait)
    wait_days = np.floor(wait).astype(np.int64)

    consent = rng.random(count) < SHARE_CONSENT_OUTSIDE_AREA
    activation_plan = rng.random(count) < SHARE_ACTIVATION_PLAN

    # Opaque work-constraint flags: a minority has one or two.
    constraint_w = np.array([CONSTRAINT_WEIGHTS[d] for d in DEMANDS])
    constraint_order = weighted_orders(rng, constraint_w, count)
    n_constraints = np.where(
        rng.random(count) < SHARE_WITH_CONSTRAINTS, 1 + (rng.random(count) < 0.25), 0
    )
    constraints = np.zeros(count, dtype=np.int64)
    for k in range(2):
        bit = (1 << constraint_order[:, k]).astype(np.int64)
        constraints |= np.where(n_constraints > k, bit, 0)

    # Aptitudes (skills) and interests (task categories), correlated with each other.
    aptitude_order = weighted_orders(rng, SKILL_WEIGHTS, count)
    n_aptitudes = choice(rng, [(0, 0.2), (1, 0.35), (2, 0.3), (3, 0.15)], count)
    has_aptitude = np.zeros((count, len(SKILLS)), dtype=np.bool_)
    for k in range(3):
        rows = np.flatnonzero(n_aptitudes > k)
        has_aptitude[rows, aptitude_order[rows, k]] = True
    profiles = [PROFILES[c] for c in CATEGORIES]
    uses_skill = np.array(
        [[skill in p.skills for skill in SKILLS] for p in profiles], dtype=np.float64
    )
    overlap = (has_aptitude.astype(np.float64) @ uses_skill.T) > 0
    category_base = np.array([p.town_weight for p in profiles])
    interest_order = weighted_orders(rng, category_base * (1 + 4 * overlap), count)
    n_interests = choice(rng, [(0, 0.25), (1, 0.35), (2, 0.25), (3, 0.15)], count)
    interest_matrix = np.zeros((count, len(CATEGORIES)), dtype=np.bool_)
    for k in range(3):
        rows = np.flatnonzero(n_interests > k)
        interest_matrix[rows, interest_order[rows, k]] = True
    category_rank = weighted_orders(
        rng, category_base * (1 + 2 * overlap + 30 * interest_matrix), count
    )

    n_preferences = choice(
        rng, [(0, 0.12), (1, 0.18), (2, 0.25), (3, 0.22), (4, 0.13), (5, 0.10)], count
    )
    preference_is_placement = rng.random((count, 5)) < 0.2
    u_preference_pick = rng.random((count, 8))
    u_ongoing = rng.random(count)
    recent_start = rng.random(count) < 0.2
    ongoing_start_days = np.where(
        recent_start,
        rng.integers(0, COMMITMENT_DAYS + 1, size=count),
        rng.integers(COMMITMENT_DAYS + 8, MAX_ONGOING_DAYS + 1, size=count),
    ).astype(np.int64)
    ongoing_wait_gap = rng.integers(0, 90, size=count).astype(np.int64)
    keeps_current_first = rng.random(count) < 0.5

    aptitudes = [
        tuple(SKILLS[int(s)] for s in aptitude_order[i, : int(n_aptitudes[i])])
        for i in range(count)
    ]
    interests = [
        tuple(CATEGORIES[int(c)] for c in interest_order[i, : int(n_interests[i])])
        for i in range(count)
    ]
    return Clients(
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


def _area_index(geo: Geo, area_id: str) -> int:
    for i, area in enumerate(geo.data.commuting_areas):
        if area.id == area_id:
            return i
    raise KeyError(area_id)


def avoidances(
    rng: np.random.Generator, clients: Clients, placements: Placements
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """A few clients avoid a placement of their area; a few pairs avoid each other."""
    count = len(clients.age)
    avoid_placements: dict[int, set[int]] = {}
    avoiders = np.flatnonzero(rng.random(count) < SHARE_AVOIDING_A_PLACEMENT)
    u_place = rng.random(len(avoiders))
    for i, u in zip(avoiders.tolist(), u_place.tolist(), strict=True):
        options = np.flatnonzero(placements.area == clients.area[i])
        if options.size:
            avoid_placements.setdefault(i, set()).add(int(options[int(u * options.size)]))
    avoid_clients: dict[int, set[int]] = {}
    n_pairs = round(count * AVOID_PAIRS_PER_CLIENT)
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
