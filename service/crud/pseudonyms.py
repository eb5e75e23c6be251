"""Pseudonymous copies of a county for planners (domain.md § 7: planners see no identities).

The planner's scenario engine gets the county with every client under a pseudonym ``S0001``,
``S0002``… that exists only inside one job: the mapping is never stored nor returned. The
numbering follows a SHA-256 digest of each client's whole engine record (real id, location,
support need and all), an order no planner can reproduce from what their role may see, yet
the same for the same database state, so that a job's figures are reproducible. Birth dates
become ages on the planning date; names, contact details and free text are never read.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from models import AllocationProblem, Client
from models.benefits import BenefitSpell
from service.crud.convert import dump_sorted

PREFIX = "S"


def _digest(client: Client) -> str:
    record = json.dumps(dump_sorted(client), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(record.encode()).hexdigest()


def _age(born: date, on: date) -> int:
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return min(100, max(15, years))


def pseudonyms(clients: tuple[Client, ...]) -> dict[str, str]:
    """Real id → pseudonym, numbered in digest order."""
    width = max(4, len(str(len(clients))))
    ordered = sorted(clients, key=_digest)
    return {c.id: f"{PREFIX}{k:0{width}d}" for k, c in enumerate(ordered, start=1)}


def _client(client: Client, alias: dict[str, str], on: date) -> Client:
    update: dict[str, object] = {
        "id": alias[client.id],
        "avoid_clients": frozenset(alias[c] for c in client.avoid_clients if c in alias),
    }
    if client.birth_date is not None:
        update |= {"birth_date": None, "age": _age(client.birth_date, on)}
    if client.benefits:
        # Minimised: only the benefit on the planning date (what a regime version's referral
        # rule needs), from that day, without the client's history of benefits.
        benefit = client.benefit_on(on)
        update["benefits"] = (
            (BenefitSpell(benefit=benefit, from_date=on),) if benefit is not None else ()
        )
    return client.model_copy(update=update)


def pseudonymise(problem: AllocationProblem) -> AllocationProblem:
    """``problem`` with its clients pseudonymised and listed in pseudonym order.

    References to clients outside the problem (``avoid_clients`` of an inactive client) are
    dropped rather than kept under their real ids.
    """
    alias = pseudonyms(problem.clients)
    on = problem.planning_date
    clients = sorted((_client(c, alias, on) for c in problem.clients), key=lambda c: c.id)
    ongoing = [
        a.model_copy(update={"client": alias[a.client]})
        for a in problem.ongoing
        if a.client in alias
    ]
    fields = {name: getattr(problem, name) for name in AllocationProblem.model_fields}
    return AllocationProblem.model_validate(
        {**fields, "clients": tuple(clients), "ongoing": tuple(ongoing)}
    )
