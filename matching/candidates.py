"""Vectorised candidate generation: domain records → admissible arcs with scores.

Pairs are enumerated commuting area by commuting area (a client who has not consented to work
outside their area can only ever match a placement inside it), and in blocks of at most
``BLOCK_PAIRS`` pairs, so memory stays bounded and the full client × placement grid is never
built. Every hard pair rule of the registry then filters each block with numpy operations.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from matching.pairs import Pairs
from matching.rules import CRITERIA, PAIR_RULES
from matching.rules.soft import preference_rank
from matching.tables import IntArray, Tables
from models import Criterion

BLOCK_PAIRS = 2_000_000
"""Largest batch of pairs evaluated at once (≈ 100 MB of temporaries)."""


@dataclass(frozen=True)
class Candidates:
    """Admissible arcs, sorted by (client, placement), with their points.

    The points per criterion are not kept for every arc: on a 20,000-client county they
    would take 0.6 GB (9 M arcs x 8 criteria x 8 bytes) for the few arcs anyone reads. An
    allocation reads the chosen arcs' (``parts_of``); explanations that compare many arcs
    read ``parts``, computed once on first use.
    """

    arcs: Pairs
    score: IntArray
    """Sum of the criteria's points per arc."""
    streamed: Streamed | None = None
    """Clients left unexamined at the deadline (None: every pair was examined)."""

    @cached_property
    def parts(self) -> IntArray:
        """Points per criterion, shape (arcs, criteria), in ``CRITERIA`` order."""
        return score(self.arcs)[0]

    @cached_property
    def rank(self) -> IntArray:
        """Best preference rank of each arc (0 = unranked), computed on first read: an
        allocation reads only the chosen arcs' (``rank_of``)."""
        return preference_rank(self.arcs)

    def rank_of(self, arcs: IntArray) -> IntArray:
        """Best preference rank of the arcs `arcs` only."""
        if "rank" in self.__dict__:
            return self.rank[arcs]
        return preference_rank(self.arcs.subset(np.asarray(arcs, dtype=np.int64)))

    def parts_of(self, arcs: IntArray) -> IntArray:
        """Points per criterion of the arcs `arcs` only, shape (len(arcs), criteria)."""
        if "parts" in self.__dict__:
            return self.parts[arcs]
        return score(self.arcs.subset(np.asarray(arcs, dtype=np.int64)))[0]

    @property
    def criteria(self) -> list[Criterion]:
        """The criteria of the columns of ``parts``."""
        return [criterion for criterion, _ in CRITERIA]


def _blocks(clients: IntArray, placements: IntArray) -> Iterator[tuple[IntArray, IntArray]]:
    """Cartesian product of two index sets, in blocks of at most ``BLOCK_PAIRS`` pairs."""
    if clients.size == 0 or placements.size == 0:
        return
    per_block = max(1, BLOCK_PAIRS // placements.size)
    for start in range(0, clients.size, per_block):
        chunk = clients[start : start + per_block]
        yield np.repeat(chunk, placements.size), np.tile(placements, chunk.size)


def enumerate_pairs(tables: Tables) -> Iterator[Pairs]:
    """Blocks of pairs that can pass the commuting-area rule, in a reproducible order."""
    all_placements = np.arange(len(tables.placement_ids), dtype=np.int64)
    for area in range(len(tables.area_index)):
        clients = np.flatnonzero((tables.client_area == area) & ~tables.client_consent)
        placements = np.flatnonzero(tables.placement_area == area)
        for c, p in _blocks(clients, placements):
            yield Pairs.of(tables, c, p)
    for c, p in _blocks(np.flatnonzero(tables.client_consent), all_placements):
        yield Pairs.of(tables, c, p)


def score(pairs: Pairs) -> tuple[IntArray, IntArray]:
    """Points per criterion (pairs × criteria) and their sums, from the options' weights."""
    weights = pairs.tables.problem.options.weights
    columns = [
        np.rint(1000.0 * getattr(weights, criterion.value) * fn(pairs)).astype(np.int64)
        for criterion, fn in CRITERIA
    ]
    parts = np.stack(columns, axis=1) if columns else np.zeros((len(pairs), 0), np.int64)
    return parts, parts.sum(axis=1)


SCORE_CHUNK = 500_000
"""Arcs scored at once by ``total_score``: the criteria's temporaries (a few float64 and
bit-set columns per arc) then stay near 100 MB, where nine million arcs at once took over
a gigabyte."""


def total_score(pairs: Pairs) -> IntArray:
    """The sum of ``score``'s columns, one criterion at a time (no pairs x criteria array).

    Each column is rounded before summing, exactly as in ``score``, so the totals agree.
    Scored in chunks of ``SCORE_CHUNK`` arcs (every criterion is a function of its pair
    alone, so the chunks change nothing but the memory used).
    """
    weights = pairs.tables.problem.options.weights
    total = np.zeros(len(pairs), dtype=np.int64)
    for start in range(0, len(pairs), SCORE_CHUNK):
        chunk = pairs.subset(slice(start, start + SCORE_CHUNK))
        part = total[start : start + SCORE_CHUNK]
        for criterion, fn in CRITERIA:
            points = 1000.0 * getattr(weights, criterion.value) * fn(chunk)
            part += np.rint(points).astype(np.int64)
    return total


FILTER_ORDER = (
    "placement_open",
    "placement_period",
    "no_replacement_attestation",
    "commuting_area",
    "youth_workshop_age",
    "weekdays",
    "hours_per_day",
    "work_demands",
    "languages",
    "travel_time",
    "avoided_placement",
)
"""The order in which ``admissible_pairs`` applies the pair rules: the cheap column look-ups
first, the trip estimate (a haversine per pair) and the avoided-pair search last, so that
these run only on the pairs every other rule allows. The set kept is the intersection, so
the order changes the cost only, never the result."""


def admissible_pairs(block: Pairs) -> Pairs:
    """The pairs of `block` that pass every hard pair rule (``rules.admissible``), each rule
    run only on the pairs the rules before it kept (``FILTER_ORDER``)."""
    rules = dict(PAIR_RULES)
    order = [name for name in FILTER_ORDER if name in rules]
    order += [name for name in rules if name not in order]
    for name in order:
        if len(block) == 0:
            break
        keep = rules[name](block)
        if not keep.all():
            block = block.subset(keep)
    return block


AFTER_SECONDS_PER_ARC = 1.0e-6
"""CPU seconds per kept arc of the work that follows the stream and cannot be interrupted:
scoring and compiling the arcs, and the core's preprocessing (measured about 1 us per arc
on the 5,000- and 20,000-client counties; the relaxation after it is skipped on its own
when it does not fit)."""


STREAM_MAX_SLOWDOWN = 3.0
"""The stream's projection assumes at most this slowdown. Beyond it (a process given less
than a third of a core: measured 8x at a load average of 16 on two cores) holding the limit
would leave most clients unexamined (18,000 of 20,000 in that run, placing 5,653 where
greedy on the whole county places 8,202); the limit is then overrun instead, and the
answer stays whole."""


class _Pace:
    """How much slower than its own CPU time this process runs now (wall / CPU time since
    the stream began, at least 1): the share of a core the machine gives it."""

    def __init__(self) -> None:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def slowdown(self) -> float:
        cpu = time.process_time() - self._cpu
        if cpu < 0.05:
            return 1.0
        return min(max((time.perf_counter() - self._wall) / cpu, 1.0), STREAM_MAX_SLOWDOWN)


@dataclass(frozen=True)
class Streamed:
    """What ``build_candidates`` saw: the clients whose pairs were all examined, and those
    left unexamined because the deadline came first (they get no arcs, and the bound of the
    result counts them as if each could be placed at the best possible score)."""

    skipped_clients: IntArray


def build_candidates(
    tables: Tables,
    extra: Pairs | None = None,
    deadline: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Candidates:
    """All admissible pairs of the problem (plus ``extra`` pairs, e.g. kept placements).

    ``extra`` pairs are added whether or not they pass the pair rules: they are the ongoing
    placements the commitment keeps. Duplicates are removed; arcs are sorted by client, then
    placement, so the same problem always gives the same arc numbering.

    Streamed by commuting area in blocks (``enumerate_pairs``); only the kept pairs' keys and
    trip minutes are held between blocks. With a `deadline` (a `clock` reading), the blocks
    not started before it, less the time the kept arcs' later work will take at the
    machine's current pace (``AFTER_SECONDS_PER_ARC``), are left out: their clients get no
    arcs (``Candidates.streamed`` names them) and the caller's bound accounts for them. The
    trip minutes computed by the travel rule are kept for the travel criterion.
    """
    width = max(len(tables.placement_ids), 1)
    keys: list[IntArray] = []
    minutes: list[IntArray] = []
    skipped: list[IntArray] = []
    pace = _Pace()
    n_kept = 0
    for block in enumerate_pairs(tables):
        # Stop where the work that must follow the stream, for the arcs kept so far, would
        # no longer end by the deadline at the pace the machine runs now.
        after = n_kept * AFTER_SECONDS_PER_ARC * pace.slowdown()
        if deadline is not None and clock() + after >= deadline:
            skipped.append(np.unique(block.client))
            continue
        kept = admissible_pairs(block)
        n_kept += len(kept)
        keys.append(tables.pair_key(kept.client, kept.placement))
        minutes.append(kept.travel_minutes.astype(np.int32))
    if extra is not None and len(extra):
        keys.append(tables.pair_key(extra.client, extra.placement))
        minutes.append(extra.travel_minutes.astype(np.int32))
    key = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    minute = np.concatenate(minutes) if minutes else np.zeros(0, np.int32)
    del keys, minutes
    # Each block is sorted by client then placement, so the stable sort merges sorted runs.
    order = np.argsort(key, kind="stable")
    key = key[order]
    minute = minute[order]
    del order
    first = np.ones(key.size, dtype=np.bool_)
    if key.size:
        np.not_equal(key[1:], key[:-1], out=first[1:])
    key, minute = key[first], minute[first]
    arcs = Pairs.of(tables, key // width, key % width)
    del key
    arcs.__dict__["travel_minutes"] = minute.astype(np.int64)
    gone = np.unique(np.concatenate(skipped)) if skipped else np.zeros(0, np.int64)
    return Candidates(
        arcs=arcs,
        score=total_score(arcs),
        streamed=Streamed(skipped_clients=gone.astype(np.int64)),
    )
