"""Domain records as column arrays, the form the vectorised rules work on.

Enum-valued sets (weekdays, work demands, task categories) become bit masks; open vocabularies
(languages, skills) become boolean matrices. Indices follow the order of the problem's tuples,
so a client's row is ``problem.clients[i]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from models import AllocationProblem, TaskCategory, Weekday, WorkDemand
from models.dates import add_months, age_on, months_between

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
WordArray = npt.NDArray[np.uint64]
DayArray = npt.NDArray[np.datetime64]
"""Calendar days (``datetime64[D]``); NaT where a record has no such day."""

WEEKDAY_BIT = {day: 1 << i for i, day in enumerate(Weekday)}
DEMAND_BIT = {demand: 1 << i for i, demand in enumerate(WorkDemand)}
CATEGORY_INDEX = {category: i for i, category in enumerate(TaskCategory)}


def _mask(values: Iterable[StrEnum], bits: Mapping[Any, int]) -> int:
    out = 0
    for value in values:
        out |= bits[value]
    return out


def _membership(sets: list[frozenset[str]], vocabulary: list[str]) -> WordArray:
    """Bit sets over ``vocabulary``: row i has bit j of word j // 64 set if it holds word j.

    Packed 64 words to a machine word, so intersecting millions of pairs costs one AND and a
    popcount per pair instead of a boolean row as long as the vocabulary.
    """
    index = {word: j for j, word in enumerate(vocabulary)}
    matrix = np.zeros((len(sets), max(1, -(-len(vocabulary) // 64))), dtype=np.uint64)
    for i, words in enumerate(sets):
        for word in words:
            j = index[word]
            matrix[i, j // 64] |= np.uint64(1 << (j % 64))
    return matrix


@dataclass(frozen=True)
class Tables:
    """Column arrays of one problem's clients and placements (rows in problem order)."""

    problem: AllocationProblem

    # ---- clients -------------------------------------------------------------------------
    @cached_property
    def client_ids(self) -> list[str]:
        """Client ids in problem order."""
        return [c.id for c in self.problem.clients]

    @cached_property
    def client_index(self) -> dict[str, int]:
        """Row of each client id."""
        return {cid: i for i, cid in enumerate(self.client_ids)}

    @cached_property
    def client_area(self) -> IntArray:
        """Commuting area index of each client (explicit, or the home municipality's)."""
        area = self.area_index
        return np.array(
            [area[self.problem.commuting_area_of(c)] for c in self.problem.clients], dtype=np.int64
        )

    @cached_property
    def client_consent(self) -> BoolArray:
        """Client consented to work outside their commuting area."""
        return np.array(
            [c.consent_outside_commuting_area for c in self.problem.clients], dtype=np.bool_
        )

    @cached_property
    def client_lat(self) -> FloatArray:
        """Home latitude, degrees."""
        return np.array([c.location.lat for c in self.problem.clients], dtype=np.float64)

    @cached_property
    def client_lon(self) -> FloatArray:
        """Home longitude, degrees."""
        return np.array([c.location.lon for c in self.problem.clients], dtype=np.float64)

    @cached_property
    def client_max_travel(self) -> IntArray:
        """Longest one-way trip the client can manage, minutes."""
        return np.array([c.max_travel_minutes for c in self.problem.clients], dtype=np.int64)

    @cached_property
    def client_age(self) -> IntArray:
        """Age in years on the planning date (the start date of proposed placements)."""
        start = self.problem.planning_date
        return np.array(
            [
                age_on(c.birth_date, start) if c.birth_date is not None else (c.age or 0)
                for c in self.problem.clients
            ],
            dtype=np.int64,
        )

    @cached_property
    def client_days(self) -> IntArray:
        """Days a week in the client's plan."""
        return np.array([c.days_per_week for c in self.problem.clients], dtype=np.int64)

    @cached_property
    def client_hours(self) -> FloatArray:
        """Hours a day in the client's plan."""
        return np.array([c.hours_per_day for c in self.problem.clients], dtype=np.float64)

    @cached_property
    def client_weekdays(self) -> IntArray:
        """Bit mask of the weekdays the client is available."""
        return np.array(
            [_mask(c.available_weekdays, WEEKDAY_BIT) for c in self.problem.clients],
            dtype=np.int64,
        )

    @cached_property
    def client_constraints(self) -> IntArray:
        """Bit mask of work demands the client must avoid."""
        return np.array(
            [_mask(c.work_constraints, DEMAND_BIT) for c in self.problem.clients], dtype=np.int64
        )

    @cached_property
    def client_interests(self) -> IntArray:
        """Bit mask of task categories the client is interested in."""
        return np.array(
            [sum(1 << CATEGORY_INDEX[t] for t in c.interests) for c in self.problem.clients],
            dtype=np.int64,
        )

    @cached_property
    def client_support(self) -> IntArray:
        """Support need, support units."""
        return np.array([c.support_units for c in self.problem.clients], dtype=np.int64)

    @cached_property
    def client_coach(self) -> IntArray:
        """Coach index of each client, -1 for none."""
        coach = {k.id: j for j, k in enumerate(self.problem.coaches)}
        return np.array(
            [coach[c.coach] if c.coach is not None else -1 for c in self.problem.clients],
            dtype=np.int64,
        )

    @cached_property
    def client_waiting_months(self) -> IntArray:
        """Whole months each client has waited by the planning date."""
        start = self.problem.planning_date
        return np.array(
            [months_between(c.waiting_since, start) for c in self.problem.clients], dtype=np.int64
        )

    @cached_property
    def client_ongoing(self) -> IntArray:
        """Placement row of each client's ongoing assignment, -1 for none."""
        out = np.full(len(self.client_ids), -1, dtype=np.int64)
        for a in self.problem.ongoing:
            out[self.client_index[a.client]] = self.placement_index[a.placement]
        return out

    @cached_property
    def client_pinned(self) -> BoolArray:
        """Ongoing assignment that must be kept as it is.

        Kept when younger than the commitment period (the municipality commits to at least
        3 months, cooperation model) or when the options do not allow moving ongoing clients.
        """
        out = np.zeros(len(self.client_ids), dtype=np.bool_)
        regime, options = self.problem.regime, self.problem.options
        for a in self.problem.ongoing:
            young = add_months(a.start_date, regime.commitment_months) > self.problem.planning_date
            out[self.client_index[a.client]] = young or not options.allow_moving_ongoing
        return out

    # ---- vocabularies shared by both sides ---------------------------------------------
    @cached_property
    def area_index(self) -> dict[str, int]:
        """Index of each commuting area id."""
        return {a.id: i for i, a in enumerate(self.problem.commuting_areas)}

    @cached_property
    def languages(self) -> list[str]:
        """Every language code that appears, sorted."""
        words = {w for c in self.problem.clients for w in c.languages}
        words |= {w for p in self.problem.placements for w in p.languages}
        return sorted(words)

    @cached_property
    def skills(self) -> list[str]:
        """Every aptitude/skill tag that appears, sorted."""
        words = {w for c in self.problem.clients for w in c.aptitudes}
        words |= {w for p in self.problem.placements for w in p.skills}
        return sorted(words)

    @cached_property
    def client_languages(self) -> WordArray:
        """Bit sets of the languages each client speaks (see ``_membership``)."""
        return _membership([c.languages for c in self.problem.clients], self.languages)

    @cached_property
    def client_aptitudes(self) -> WordArray:
        """Bit sets of each client's aptitudes (see ``_membership``)."""
        return _membership([c.aptitudes for c in self.problem.clients], self.skills)

    # ---- placements --------------------------------------------------------------------
    @cached_property
    def placement_ids(self) -> list[str]:
        """Placement ids in problem order."""
        return [p.id for p in self.problem.placements]

    @cached_property
    def placement_index(self) -> dict[str, int]:
        """Row of each placement id."""
        return {pid: j for j, pid in enumerate(self.placement_ids)}

    @cached_property
    def placement_area(self) -> IntArray:
        """Commuting area index of each placement (that of its municipality)."""
        by_code = {m.code: self.area_index[m.commuting_area] for m in self.problem.municipalities}
        return np.array([by_code[p.municipality] for p in self.problem.placements], dtype=np.int64)

    @cached_property
    def placement_lat(self) -> FloatArray:
        """Site latitude, degrees."""
        return np.array([p.location.lat for p in self.problem.placements], dtype=np.float64)

    @cached_property
    def placement_lon(self) -> FloatArray:
        """Site longitude, degrees."""
        return np.array([p.location.lon for p in self.problem.placements], dtype=np.float64)

    @cached_property
    def placement_category(self) -> IntArray:
        """Task category index."""
        return np.array(
            [CATEGORY_INDEX[p.task_category] for p in self.problem.placements], dtype=np.int64
        )

    @cached_property
    def placement_free(self) -> IntArray:
        """Seats and support units (columns 0, 1) left for this activity: the placement's
        less the most people on other services take on a day of the minimum period from the
        planning date (``Placement.shared_use``, ``Placement.free_capacity``)."""
        months = self.problem.regime.min_period_months
        free = [
            p.free_capacity(self.problem.planning_date, months) for p in self.problem.placements
        ]
        return np.array(free, dtype=np.int64).reshape(len(free), 2)

    @cached_property
    def placement_seats(self) -> IntArray:
        """Clients at once: the seats less those other services take."""
        return self.placement_free[:, 0].copy()

    @cached_property
    def placement_support(self) -> IntArray:
        """Supervisor support capacity, support units, less what other services take."""
        return self.placement_free[:, 1].copy()

    @cached_property
    def placement_weekdays(self) -> IntArray:
        """Bit mask of the weekdays the placement runs."""
        return np.array(
            [_mask(p.weekdays, WEEKDAY_BIT) for p in self.problem.placements], dtype=np.int64
        )

    @cached_property
    def placement_min_hours(self) -> FloatArray:
        """Shortest day offered, hours."""
        return np.array([p.min_hours_per_day for p in self.problem.placements], dtype=np.float64)

    @cached_property
    def placement_max_hours(self) -> FloatArray:
        """Longest day offered, hours."""
        return np.array([p.max_hours_per_day for p in self.problem.placements], dtype=np.float64)

    @cached_property
    def placement_demands(self) -> IntArray:
        """Bit mask of the work's demands."""
        return np.array(
            [_mask(p.demands, DEMAND_BIT) for p in self.problem.placements], dtype=np.int64
        )

    @cached_property
    def placement_youth(self) -> BoolArray:
        """Youth workshop (under the youth age limit only)."""
        return np.array([p.youth_workshop for p in self.problem.placements], dtype=np.bool_)

    @cached_property
    def placement_closed(self) -> BoolArray:
        """Closed to new clients."""
        return np.array([p.closed for p in self.problem.placements], dtype=np.bool_)

    @cached_property
    def placement_available_from(self) -> DayArray:
        """First day the placement takes clients."""
        return np.array([p.available_from for p in self.problem.placements], dtype="datetime64[D]")

    @cached_property
    def placement_available_until(self) -> DayArray:
        """Last day the placement runs; NaT when it is open-ended."""
        return np.array([p.available_until for p in self.problem.placements], dtype="datetime64[D]")

    @cached_property
    def placement_attested_on(self) -> DayArray:
        """Date of the producer's no-replacement attestation; NaT when there is none."""
        return np.array(
            [p.no_replacement_attested_on for p in self.problem.placements], dtype="datetime64[D]"
        )

    @cached_property
    def placement_any_language(self) -> BoolArray:
        """The placement names no language of work: any will do."""
        return np.array([not p.languages for p in self.problem.placements], dtype=np.bool_)

    @cached_property
    def placement_languages(self) -> WordArray:
        """Bit sets of each placement's languages of work."""
        return _membership([p.languages for p in self.problem.placements], self.languages)

    @cached_property
    def placement_skills(self) -> WordArray:
        """Bit sets of the skills each placement's tasks use."""
        return _membership([p.skills for p in self.problem.placements], self.skills)

    @cached_property
    def placement_support_per_seat(self) -> FloatArray:
        """Supervisor support units per seat (0 when there are no seats)."""
        seats = np.maximum(self.placement_seats, 1)
        return self.placement_support.astype(np.float64) / seats

    # ---- pair keys -----------------------------------------------------------------------
    def pair_key(self, client: IntArray, placement: IntArray) -> IntArray:
        """A unique int64 key per (client, placement) pair, for vectorised look-ups."""
        return client * max(len(self.placement_ids), 1) + placement

    @cached_property
    def avoided_keys(self) -> IntArray:
        """Sorted pair keys of the (client, placement) pairs marked to avoid."""
        clients, placements = [], []
        for i, c in enumerate(self.problem.clients):
            for pid in c.avoid_placements:
                clients.append(i)
                placements.append(self.placement_index[pid])
        return np.sort(
            self.pair_key(np.array(clients, dtype=np.int64), np.array(placements, dtype=np.int64))
        )

    @cached_property
    def preference_rank(self) -> tuple[IntArray, IntArray]:
        """Sorted pair keys of named placements and categories with the best rank (1 = first).

        Returns ``(keys, ranks)`` where a key is ``client * (n_placements + n_categories) + j``,
        with ``j`` a placement row or ``n_placements + category index``.
        """
        width = len(self.placement_ids) + len(CATEGORY_INDEX)
        best: dict[int, int] = {}
        for i, c in enumerate(self.problem.clients):
            for rank, pref in enumerate(c.preferences, start=1):
                if pref.placement is not None:
                    j = self.placement_index[pref.placement]
                else:
                    assert pref.task_category is not None
                    j = len(self.placement_ids) + CATEGORY_INDEX[pref.task_category]
                key = i * width + j
                best[key] = min(best.get(key, rank), rank)
        keys = np.array(sorted(best), dtype=np.int64)
        ranks = np.array([best[k] for k in sorted(best)], dtype=np.int64)
        return keys, ranks

    @cached_property
    def conflicts(self) -> IntArray:
        """Client row pairs (i < j) that may not share a placement, shape (k, 2)."""
        pairs = {
            tuple(sorted((i, self.client_index[other])))
            for i, c in enumerate(self.problem.clients)
            for other in c.avoid_clients
        }
        return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
