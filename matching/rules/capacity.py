"""Hard rules that bind several pairs at once: capacities, conflicts and kept placements.

Each capacity rule describes a family of resources: who owns each unit of capacity (a
placement, a coach) and how much of it an arc uses. The model builder turns the families into
constraints; explanations use the same families to say which capacity was used up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.pairs import Pairs
from matching.tables import IntArray


@dataclass(frozen=True)
class ResourceFamily:
    """Capacities of one rule and each arc's use of them (``owner`` -1 = uses none)."""

    rule: str
    owner_ids: list[str]
    capacity: IntArray
    owner: IntArray
    amount: IntArray


def seats(arcs: Pairs) -> ResourceFamily:
    """Hard: no more clients at a placement at once than its seats other services leave free.

    Source: Paikka, the seats announced (Placement.seats); cooperation model, youth workshops.

    People on work trials, pay-subsidised work, social rehabilitation or youth coaching at the
    same site take seats too (``Placement.shared_use``: which service, from–to, how many);
    the most they take on a day of the minimum period is not offered (``Tables.placement_free``).
    """
    t = arcs.tables
    return ResourceFamily(
        "seats", t.placement_ids, t.placement_seats, arcs.placement, np.ones(len(arcs), np.int64)
    )


def support_units(arcs: Pairs) -> ResourceFamily:
    """Hard: the support needs of a placement's clients fit its supervisor's capacity.

    Source: Act 189/2001 § 13 a (702/2020); THL, organising and procuring the activity.

    The activity includes the support and guidance the person needs (§ 13 a), and the site must
    not depend on the clients' work (THL), so supervision sets the real limit, in support units.
    The producer's written word that no paid work is replaced is ``no_replacement_attestation``.
    Supervisor time that people on other services take (``Placement.shared_use``) is not
    offered.
    """
    t = arcs.tables
    amount = t.client_support[arcs.client]
    owner = np.where(amount > 0, arcs.placement, -1)
    return ResourceFamily("support_units", t.placement_ids, t.placement_support, owner, amount)


def coach_caseload(arcs: Pairs) -> ResourceFamily:
    """Hard: a coach supports no more placed clients than their caseload capacity.

    Source: cooperation model, the county gives the support and guidance (yksilövalmennus).
    """
    t = arcs.tables
    coach = t.client_coach[arcs.client]
    capacity = np.array([k.caseload_capacity for k in t.problem.coaches], dtype=np.int64)
    ids = [k.id for k in t.problem.coaches]
    return ResourceFamily("coach_caseload", ids, capacity, coach, (coach >= 0).astype(np.int64))


def avoided_clients(arcs: Pairs) -> IntArray:
    """Hard: clients the coordinator marked to keep apart never share a placement.

    Source: Paikka, the coordinator's decision (Client.avoid_clients).

    Returns client row pairs ``(i, j)``, ``i < j``.
    """
    return arcs.tables.conflicts


def ongoing_commitment(arcs: Pairs) -> IntArray:
    """Hard: ongoing placements younger than the commitment period are kept as they are.

    Source: cooperation model, the municipality commits to at least three months.

    The municipality commits to at least three months for each client (the cooperation model
    between the county and its municipalities). Older ongoing placements are kept too
    unless ``SolveOptions.allow_moving_ongoing``; then the client may move, but must stay
    placed, and gets a continuity bonus for staying. Returns the client rows kept in place.
    """
    return np.flatnonzero(arcs.tables.client_pinned)
