"""Coaches and the placements already running when the synthetic county is planned."""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

from matching.sample.clients import Clients
from matching.sample.draws import BoolArray, FloatArray, IntArray, distance_km, travel_minutes
from matching.sample.geography import Geo
from matching.sample.placements import Placements
from matching.sample.profiles import CLIENTS_PER_COACH, ONGOING_CANDIDATES, POPCOUNT
from models import (
    TravelModel,
)

# ---------------------------------------------------------------------------------------------


def assign_coaches(
    rng: np.random.Generator, geo: Geo, clients: Clients
) -> tuple[IntArray, list[list[int]], IntArray]:
    """Coach index per client, the clients of each coach, and caseload capacities.

    About one coach per 25 clients, at least one per commuting area with clients; a coach
    covers a geographically coherent group of clients of one area. Capacities are 55–95 % of
    the coach's clients, so in areas with many seats the caseload binds.
    """
    count = len(clients.age)
    n_areas = len(geo.data.commuting_areas)
    per_area = np.bincount(clients.area, minlength=n_areas)
    total = max(int(np.count_nonzero(per_area)), round(count / CLIENTS_PER_COACH))
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


def ongoing_assignments(
    clients: Clients,
    placements: Placements,
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
        nearest = Nearest(placements, index)
        placed = 0
        for start in range(0, members.size, 256):
            if placed >= target:
                break
            rows = members[start : start + 256]
            cands = nearest.query(clients, rows, ONGOING_CANDIDATES)
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


class Nearest:
    """Nearest-neighbour search over some placements, in a local flat projection (plenty
    for ranking sites a few tens of kilometres apart)."""

    def __init__(self, placements: Placements, index: IntArray) -> None:
        self.index = index
        self.scale = math.cos(math.radians(float(np.mean(placements.lat[index]))))
        self.tree = cKDTree(
            np.column_stack([placements.lon[index] * self.scale, placements.lat[index]])
        )

    def query(self, clients: Clients, rows: IntArray, k: int) -> IntArray:
        """Per client row, the ``min(k, n)`` nearest placements, nearest first."""
        take = min(k, self.index.size)
        points = np.column_stack([clients.lon[rows] * self.scale, clients.lat[rows]])
        _, local = self.tree.query(points, k=take)
        result: IntArray = self.index[np.asarray(local, dtype=np.int64).reshape(len(rows), take)]
        return result


def _static_fit(
    clients: Clients,
    rows: IntArray,
    placements: Placements,
    cands: IntArray,
    youth_age_limit: int,
    travel_model: TravelModel,
) -> tuple[BoolArray, FloatArray]:
    """Which candidate placements ``cands[r]`` suit each client ``rows[r]`` (capacity aside),
    and a weight for choosing among them: near placements of an interesting category."""
    c = rows[:, None]
    lang = placements.languages[cands]
    fits = (
        (POPCOUNT[placements.days[cands] & clients.weekdays[c]] >= clients.days_per_week[c])
        & (placements.min_hours[cands] <= clients.hours[c])
        & (placements.max_hours[cands] >= clients.hours[c])
        & ((placements.demands[cands] & clients.constraints[c]) == 0)
        & ((lang == 0) | ((lang & clients.languages[c]) != 0))
        & (~placements.youth[cands] | (clients.age[c] < youth_age_limit))
    )
    minutes = travel_minutes(
        distance_km(clients.lat[c], clients.lon[c], placements.lat[cands], placements.lon[cands]),
        travel_model,
    )
    # The engine rounds the same estimate up to whole minutes; stay clear of the limit.
    fits &= minutes <= clients.max_travel[c] - 1e-6
    liked = clients.interest_matrix[c, placements.category[cands]]
    weights: FloatArray = (1.0 + 2.0 * liked) / (1.0 + minutes / 15.0)
    return fits, weights
