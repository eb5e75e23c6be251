"""Soft criteria of match quality: each gives a fit in [0, 1] per pair.

A pair's score is ``round(1000 * weight * fit)`` per criterion, summed; the weights are
``SolveOptions.weights`` (documented defaults there). Soft criteria act only after the number
of placed clients is fixed (phase 2 of the lexicographic objective), so no weight can make the
engine place fewer clients.
"""

from __future__ import annotations

import numpy as np

from matching.pairs import Pairs
from matching.tables import CATEGORY_INDEX, FloatArray, IntArray

PREFERENCE_DEPTH = 5
"""Ranks scored: the first wish fits 1.0, the fifth 0.2, later ones 0."""


def preference_rank(pairs: Pairs) -> IntArray:
    """Best rank (1 = first wish) of the placement itself or its task category; 0 = unranked."""
    t = pairs.tables
    keys, ranks = t.preference_rank
    if keys.size == 0:
        return np.zeros(len(pairs), dtype=np.int64)
    width = len(t.placement_ids) + len(CATEGORY_INDEX)
    best = np.full(len(pairs), np.iinfo(np.int64).max, dtype=np.int64)
    for column in (pairs.placement, len(t.placement_ids) + t.placement_category[pairs.placement]):
        wanted = pairs.client * width + column
        pos = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
        hit = keys[pos] == wanted
        best = np.where(hit, np.minimum(best, ranks[pos]), best)
    return np.where(best == np.iinfo(np.int64).max, 0, best)


def preference(pairs: Pairs) -> FloatArray:
    """Soft: the client's own ranked wishes (placement or task category), best rank counts.

    Source: cooperation model, the client's wishes and aptitudes (toiveet ja taipumukset).
    """
    rank = preference_rank(pairs)
    fit = (PREFERENCE_DEPTH + 1 - rank) / PREFERENCE_DEPTH
    return np.where((rank >= 1) & (rank <= PREFERENCE_DEPTH), fit, 0.0)


def aptitude(pairs: Pairs) -> FloatArray:
    """Soft: aptitudes and interests.

    Source: cooperation model, the client's wishes and aptitudes (toiveet ja taipumukset).

    Half for interest in the task category, half for the share of the tasks' skills the client
    has (a neutral 0.5 of that half when the placement names no skills).
    """
    t = pairs.tables
    interested = (t.client_interests[pairs.client] >> t.placement_category[pairs.placement]) & 1
    used = t.placement_skills[pairs.placement]
    n_used = np.bitwise_count(used).sum(axis=1, dtype=np.int64)
    n_have = np.bitwise_count(used & t.client_aptitudes[pairs.client]).sum(axis=1, dtype=np.int64)
    skill = np.where(n_used > 0, n_have / np.maximum(n_used, 1), 0.5)
    return 0.5 * interested + 0.5 * skill


def travel(pairs: Pairs) -> FloatArray:
    """Soft: shorter trips fit better; 0 at the client's maximum travel time.

    Source: Paikka, the client's own limit (Client.max_travel_minutes).
    """
    t = pairs.tables
    limit = t.client_max_travel[pairs.client].astype(np.float64)
    return np.clip(1.0 - pairs.travel_minutes / limit, 0.0, 1.0)


WAITING_CAP_MONTHS = 24
"""Waiting beyond two years earns no further priority (the plan is reviewed by then)."""


def waiting(pairs: Pairs) -> FloatArray:
    """Soft: waiting-time priority: when places are short, those who waited longest go first.

    Source: Paikka, waiting priority (SolveOptions.waiting_priority).

    Months waited by the planning date, up to 24, as a share of 24; 0 for every pair when
    ``SolveOptions.waiting_priority`` is off. A client in an ongoing placement is not waiting
    (their period is running), so they earn no waiting points: otherwise a client who has
    worked for a year would still outrank a newcomer by the months waited before starting. It
    depends only on the client, so it never changes where a client goes, only who is placed
    when seats are short.
    """
    t = pairs.tables
    if not t.problem.options.waiting_priority:
        return np.zeros(len(pairs), dtype=np.float64)
    months = np.minimum(t.client_waiting_months[pairs.client], WAITING_CAP_MONTHS)
    months = np.where(t.client_ongoing[pairs.client] >= 0, 0, months)
    return months.astype(np.float64) / WAITING_CAP_MONTHS


def continuity(pairs: Pairs) -> FloatArray:
    """Soft: staying at one's ongoing placement (relevant when moves are allowed).

    Source: Paikka, continuity when moves are allowed (SolveOptions.allow_moving_ongoing).
    """
    t = pairs.tables
    return (t.client_ongoing[pairs.client] == pairs.placement).astype(np.float64)


def support_fit(pairs: Pairs) -> FloatArray:
    """Soft: supervision per seat against the client's support need.

    Source: Act 189/2001 § 13 a (702/2020).

    The activity includes the support and guidance the person needs; clients needing little
    support fit anywhere.
    """
    t = pairs.tables
    need = t.client_support[pairs.client].astype(np.float64)
    offered = t.placement_support_per_seat[pairs.placement]
    return np.where(need > 0, np.minimum(1.0, offered / np.maximum(need, 1.0)), 1.0)
