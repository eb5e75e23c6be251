"""Is a decision lawful with the assignments already in force, and what does it displace?

A coordinator's accept or override puts one client at one placement on top of the periods in
force (ongoing assignments and decisions already taken). This module answers, with the
engine's own rules (``matching.rules``: the pair rules, the capacity families, avoided
clients), whether that breaks anything, and which other pending proposals of the week could
no longer be accepted after it. Pure functions over an ``AllocationProblem``: the service calls
them before it stores a decision, and a web form can call the same ones for its preview.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from matching.pairs import Pairs
from matching.rules import CAPACITY_RULES, PAIR_RULES
from matching.rules.capacity import ResourceFamily
from matching.tables import IntArray, Tables
from models import AllocationProblem


@dataclass(frozen=True, order=True)
class Breach:
    """One hard rule a decision (or a stored period) would break, with the records involved.

    ``message`` is the engine's terse English for logs; texts for people are written from
    ``code`` (a catalogue key, ``breach.*``) and ``params`` (the placement, the numbers, and
    the other clients' ids, which a text names only through the caller's resolver of names:
    ``matching.explain.notices.breach_text``).
    """

    rule: str
    clients: tuple[str, ...]
    placements: tuple[str, ...]
    message: str
    coach: str | None = None
    code: str = field(default="", compare=False)
    params: dict[str, str | int | list[str]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class DecisionCheck:
    """The verdict on one decision: the breaches (empty = lawful) and what it displaces."""

    client: str
    placement: str
    breaches: tuple[Breach, ...]
    displaced: tuple[tuple[str, str], ...] = ()
    """Other pending proposals (client, placement) that could be accepted before the decision
    and can no longer be after it."""

    @property
    def lawful(self) -> bool:
        """No hard rule broken."""
        return not self.breaches


@dataclass
class Occupancy:
    """Capacities used by a set of periods in force, updated one period at a time.

    Built over every arc that may be added (``arcs``), so each capacity family (seats, support
    units, coach caseloads, as ``matching.rules.capacity`` defines them) is computed once.
    """

    tables: Tables
    arcs: Pairs
    families: list[ResourceFamily] = field(init=False)
    used: list[IntArray] = field(init=False)
    holders: dict[int, set[int]] = field(init=False)
    conflicts: set[tuple[int, int]] = field(init=False)
    active: set[int] = field(init=False)

    def __post_init__(self) -> None:
        self.families = [rule(self.arcs) for rule in CAPACITY_RULES]
        self.used = [np.zeros(len(f.capacity), dtype=np.int64) for f in self.families]
        self.holders = {}
        self.conflicts = {(int(i), int(j)) for i, j in self.tables.conflicts}
        self.active = set()

    def _clients_using(self, family_index: int, owner: int) -> tuple[str, ...]:
        family = self.families[family_index]
        ids = self.tables.client_ids
        return tuple(
            sorted(
                ids[int(self.arcs.client[k])]
                for k in self.active
                if family.owner[k] == owner and family.amount[k] > 0
            )
        )

    def breaches(self, k: int) -> list[Breach]:
        """What adding arc ``k`` to the periods in force would break (empty: it fits)."""
        t = self.tables
        out: list[Breach] = []
        client = int(self.arcs.client[k])
        placement = int(self.arcs.placement[k])
        cid, pid = t.client_ids[client], t.placement_ids[placement]
        for f, family in enumerate(self.families):
            owner = int(family.owner[k])
            if owner < 0 or family.amount[k] == 0:
                continue
            need = int(self.used[f][owner] + family.amount[k])
            capacity = int(family.capacity[owner])
            if need > capacity:
                holders = self._clients_using(f, owner)
                coach = family.owner_ids[owner] if family.rule == "coach_caseload" else None
                where = f"coach '{coach}'" if coach else f"placement '{family.owner_ids[owner]}'"
                others = [h for h in holders if h != cid]
                at = pid if coach else family.owner_ids[owner]
                out.append(
                    Breach(
                        family.rule,
                        tuple(sorted({cid, *holders})),
                        (at,),
                        f"{where}: {need} {family.rule.replace('_', ' ')} needed with "
                        f"'{cid}', {capacity} available (in use by "
                        f"{', '.join(holders) or 'nobody'})",
                        coach,
                        code=f"breach.{family.rule}",
                        params={
                            "client": cid,
                            "placement": at,
                            "need": need,
                            "capacity": capacity,
                            "holders": others,
                            "count": len(others),
                        },
                    )
                )
        for other in sorted(self.holders.get(placement, ())):
            pair = (min(client, other), max(client, other))
            if pair in self.conflicts:
                oid = t.client_ids[other]
                out.append(
                    Breach(
                        "avoided_clients",
                        tuple(sorted((cid, oid))),
                        (pid,),
                        f"'{cid}' and '{oid}' are to be kept apart and would share '{pid}'",
                        code="breach.avoided_clients",
                        params={"client": cid, "placement": pid, "other": oid},
                    )
                )
        return out

    def add(self, k: int) -> None:
        """Put arc ``k`` in force."""
        for f, family in enumerate(self.families):
            if family.owner[k] >= 0:
                self.used[f][family.owner[k]] += family.amount[k]
        self.holders.setdefault(int(self.arcs.placement[k]), set()).add(int(self.arcs.client[k]))
        self.active.add(k)

    def remove(self, k: int) -> None:
        """Take arc ``k`` out of force."""
        for f, family in enumerate(self.families):
            if family.owner[k] >= 0:
                self.used[f][family.owner[k]] -= family.amount[k]
        self.holders[int(self.arcs.placement[k])].discard(int(self.arcs.client[k]))
        self.active.discard(k)


def _summary(rule: object) -> str:
    """A rule's first docstring line without its 'Hard:' label."""
    line = (getattr(rule, "__doc__", None) or "").strip().splitlines()[0]
    return line.removeprefix("Hard:").strip().rstrip(".")


def pair_breaches(tables: Tables, client: int, placement: int) -> list[Breach]:
    """The hard pair rules (``matching.rules.PAIR_RULES``) one pair breaks."""
    pair = Pairs.of(tables, np.array([client]), np.array([placement]))
    cid, pid = tables.client_ids[client], tables.placement_ids[placement]
    return [
        Breach(
            name,
            (cid,),
            (pid,),
            f"'{cid}' at '{pid}' breaks {name}: {_summary(rule)}",
            code="breach.pair",
            params={"client": cid, "placement": pid, "rule": name},
        )
        for name, rule in PAIR_RULES
        if not bool(rule(pair)[0])
    ]


def _arcs(tables: Tables, pairs: Iterable[tuple[str, str]]) -> tuple[Pairs, list[tuple[str, str]]]:
    known = [(c, p) for c, p in pairs if c in tables.client_index and p in tables.placement_index]
    clients = np.array([tables.client_index[c] for c, _ in known], dtype=np.int64)
    placements = np.array([tables.placement_index[p] for _, p in known], dtype=np.int64)
    return Pairs.of(tables, clients, placements), known


def check_decision(
    problem: AllocationProblem,
    in_force: Mapping[str, str],
    client: str,
    placement: str,
    pending: Mapping[str, str] | None = None,
    tables: Tables | None = None,
) -> DecisionCheck:
    """Check that placing ``client`` at ``placement`` breaks no hard rule with the periods in
    force (``in_force``: client id → placement id; the client's own current period ends with
    the decision unless it is the same placement), and list the ``pending`` proposals
    (client id → proposed placement id) it displaces.

    A continuation (the client already works at the placement) is not re-examined against the
    pair rules, as the engine keeps ongoing placements; capacities are always checked.
    """
    tables = tables or Tables(problem)
    pending = dict(pending or {})
    if client not in tables.client_index or placement not in tables.placement_index:
        missing = client if client not in tables.client_index else placement
        return DecisionCheck(
            client,
            placement,
            (
                Breach(
                    "unknown_record",
                    (client,),
                    (placement,),
                    f"'{missing}' is not in this week's county (unknown, inactive or set aside)",
                    code="breach.unknown_record",
                    params={"client": client, "placement": placement},
                ),
            ),
        )
    forced = [(c, p) for c, p in sorted(in_force.items()) if c != client]
    others = [(c, p) for c, p in sorted(pending.items()) if c != client and in_force.get(c) != p]
    arcs, known = _arcs(tables, [*forced, (client, placement), *others])
    occupancy = Occupancy(tables, arcs)
    n_forced = sum(1 for c, p in forced if c in tables.client_index and p in tables.placement_index)
    for k in range(n_forced):
        occupancy.add(k)
    new = n_forced
    breaches: list[Breach] = []
    if in_force.get(client) != placement:
        breaches.extend(
            pair_breaches(tables, tables.client_index[client], tables.placement_index[placement])
        )
    breaches.extend(occupancy.breaches(new))
    displaced: list[tuple[str, str]] = []
    if not breaches:
        rows = range(new + 1, len(known))
        # A pending proposal moves its client: their own period in force ends with it.
        own = {known[k][0]: k for k in range(n_forced)}
        before = {k for k in rows if _fits(occupancy, k, own.get(known[k][0]))}
        occupancy.add(new)
        displaced = [
            known[k] for k in sorted(before) if not _fits(occupancy, k, own.get(known[k][0]))
        ]
    return DecisionCheck(client, placement, tuple(sorted(set(breaches))), tuple(displaced))


def _fits(occupancy: Occupancy, k: int, own: int | None) -> bool:
    if own is not None:
        occupancy.remove(own)
    try:
        return not occupancy.breaches(k)
    finally:
        if own is not None:
            occupancy.add(own)


def fit_in_order(
    problem: AllocationProblem, periods: Sequence[tuple[str, str]], tables: Tables | None = None
) -> tuple[list[tuple[str, str]], dict[tuple[str, str], list[Breach]]]:
    """Put ``periods`` (client, placement) in force one by one, in the given order; return the
    ones that fit and, for each one that does not, the capacities it would break."""
    tables = tables or Tables(problem)
    arcs, known = _arcs(tables, periods)
    occupancy = Occupancy(tables, arcs)
    kept: list[tuple[str, str]] = []
    refused: dict[tuple[str, str], list[Breach]] = {}
    for k, pair in enumerate(known):
        found = occupancy.breaches(k)
        if found:
            refused[pair] = found
        else:
            occupancy.add(k)
            kept.append(pair)
    return kept, refused
