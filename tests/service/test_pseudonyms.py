"""Pseudonyms of a county's clients for scenario jobs: complete, consistent, reproducible."""

from __future__ import annotations

from datetime import date

from models import AllocationProblem, OngoingAssignment
from service.crud.pseudonyms import pseudonymise
from tests.service.svc_helpers import county


def _with_links() -> AllocationProblem:
    """The tiny county with a birth date, avoid lists (one to an absent client) and an
    ongoing placement."""
    base = county()
    c1, c2, *rest = base.clients
    c1 = c1.model_copy(
        update={
            "avoid_clients": frozenset({"C2", "GONE"}),
            "age": None,
            "birth_date": date(2001, 7, 1),
        }
    )
    c2 = c2.model_copy(update={"avoid_clients": frozenset({"C1"})})
    ongoing = (OngoingAssignment(client="C2", placement="P1", start_date=date(2025, 12, 1)),)
    return base.model_copy(update={"clients": (c1, c2, *rest), "ongoing": ongoing})


def test_every_client_reference_is_a_pseudonym() -> None:
    problem = pseudonymise(_with_links())
    ids = [c.id for c in problem.clients]
    assert ids == sorted(ids) == [f"S{k:04d}" for k in range(1, 5)]
    known = set(ids)
    assert all(c.avoid_clients <= known for c in problem.clients)
    assert {o.client for o in problem.ongoing} <= known
    assert "C1" not in problem.model_dump_json() and "GONE" not in problem.model_dump_json()


def test_links_between_clients_survive() -> None:
    original = _with_links()
    problem = pseudonymise(original)
    by_age = {c.age: c for c in problem.clients}
    first = by_age[24]  # C1: born 2001-07-01, 24 on the planning date
    assert first.birth_date is None
    second = next(c for c in problem.clients if first.id in c.avoid_clients)
    assert second.id in first.avoid_clients and len(first.avoid_clients) == 1
    assert problem.ongoing[0].client == second.id
    assert [c.age for c in problem.clients].count(40) == 1


def test_same_state_same_pseudonyms_and_records_otherwise_unchanged() -> None:
    original = _with_links()
    first, second = pseudonymise(original), pseudonymise(original)
    assert first == second
    strip = {"id", "avoid_clients", "birth_date", "age"}
    before = sorted(str(c.model_dump(exclude=strip)) for c in original.clients)
    after = sorted(str(c.model_dump(exclude=strip)) for c in first.clients)
    assert before == after
    assert first.placements == original.placements


def test_numbering_does_not_follow_the_real_ids() -> None:
    """S0001, S0002… are not the clients in the order of their real ids (which a planner
    could line up with the ids of the pseudonymous client list)."""
    base = county()
    clients = tuple(
        base.clients[k % 4].model_copy(update={"id": f"C{k:02d}", "max_travel_minutes": 30 + k})
        for k in range(30)
    )
    problem = pseudonymise(base.model_copy(update={"clients": clients}))
    real_order = [c.max_travel_minutes for c in problem.clients]  # identifies each record
    assert real_order != sorted(real_order)
