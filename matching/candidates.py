"""Vectorised candidate generation: domain records → admissible arcs with scores.

Pairs are enumerated commuting area by commuting area (a client who has not consented to work
outside their area can only ever match a placement inside it), and in blocks of at most
``BLOCK_PAIRS`` pairs, so memory stays bounded and the full client × placement grid is never
built. Every hard pair rule of the registry then filters each block with numpy operations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from matching.core.indexing import unique_sorted
from matching.pairs import Pairs
from matching.rules import CRITERIA, admissible
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
    rank: IntArray
    """Best preference rank of each arc (0 = unranked)."""

    @cached_property
    def parts(self) -> IntArray:
        """Points per criterion, shape (arcs, criteria), in ``CRITERIA`` order."""
        return score(self.arcs)[0]

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


def total_score(pairs: Pairs) -> IntArray:
    """The sum of ``score``'s columns, one criterion at a time (no pairs x criteria array).

    Each column is rounded before summing, exactly as in ``score``, so the totals agree.
    """
    weights = pairs.tables.problem.options.weights
    total = np.zeros(len(pairs), dtype=np.int64)
    for criterion, fn in CRITERIA:
        total += np.rint(1000.0 * getattr(weights, criterion.value) * fn(pairs)).astype(np.int64)
    return total


def build_candidates(tables: Tables, extra: Pairs | None = None) -> Candidates:
    """All admissible pairs of the problem (plus ``extra`` pairs, e.g. kept placements).

    ``extra`` pairs are added whether or not they pass the pair rules: they are the ongoing
    placements the commitment keeps. Duplicates are removed; arcs are sorted by client, then
    placement, so the same problem always gives the same arc numbering.
    """
    clients, placements = [], []
    for block in enumerate_pairs(tables):
        kept = block.subset(admissible(block))
        clients.append(kept.client)
        placements.append(kept.placement)
    if extra is not None:
        clients.append(extra.client)
        placements.append(extra.placement)
    client = np.concatenate(clients) if clients else np.zeros(0, np.int64)
    placement = np.concatenate(placements) if placements else np.zeros(0, np.int64)
    keys = unique_sorted(tables.pair_key(client, placement))
    width = max(len(tables.placement_ids), 1)
    arcs = Pairs.of(tables, keys // width, keys % width)
    return Candidates(arcs=arcs, score=total_score(arcs), rank=preference_rank(arcs))
