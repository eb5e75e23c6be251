"""The clients' wishes: placements and task categories they would like, ranked."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.sample.clients import Clients
from matching.sample.draws import BoolArray, IntArray
from matching.sample.ongoing import Nearest
from matching.sample.placements import Placements
from matching.sample.profiles import CATEGORIES
from models import (
    Preference,
)

# ---------------------------------------------------------------------------------------------


def _nearby_placements(
    clients: Clients, placements: Placements, rows: IntArray, k: int = 8
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
        found = Nearest(placements, index).query(clients, rows[sel], k)
        result[sel, : found.shape[1]] = found
    return result


def draw_preferences(
    clients: Clients,
    placements: Placements,
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
    by_category = {c: Preference(task_category=c) for c in CATEGORIES}
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
            prefs.append(by_category[CATEGORIES[category_rank[i][next_category]]])
            next_category += 1
        result.append(tuple(prefs))
    return result
