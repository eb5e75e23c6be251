"""No sequence of accepted API calls can make the next run fail.

A hypothesis state machine drives the API through ``TestClient`` with random writes of every
kind (clients, placements, reference data, runs, decisions and overrides, attendance, ends of
periods, deletes), on SQLite and PostgreSQL. Some writes are refused (422/409): that is
allowed. Every sequence ends with a run that must succeed, and its proposals must pass the
independent checker (``matching.check``) against the county as stored.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from matching.check import check_allocation
from models import LegalRegime, SolveOptions
from service.crud.runs import county_problem, decided_seats
from tests.factories import make_result
from tests.service.svc_helpers import PLANNING, Seed, poll, reset, sessions_of, wait_idle

pytestmark = pytest.mark.slow

CLIENTS = ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]
PLACEMENTS = ["P1", "P2", "P3", "P4", "P5"]
RUN = {"planning_date": PLANNING.isoformat(), "options": {"time_limit_s": 5}}
OK = {200, 201, 204}
SEEN: Counter[tuple[str, str, int]] = Counter()
"""(resource, method, status) of every write of the machine, to show it writes for real."""
REFUSED = {404, 409, 422}

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))
languages = st.lists(st.sampled_from(["fi", "FI", "sv", "Sv", "en"]), min_size=1, max_size=2)


@st.composite
def client_bodies(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "id": draw(st.sampled_from(CLIENTS[4:] * 3 + CLIENTS[:4])),
        "birth_date": draw(
            st.dates(min_value=date(1940, 1, 1), max_value=date(2031, 1, 1))
        ).isoformat(),
        "home_municipality": draw(st.sampled_from(["564", "139", "305"])),
        "location": {"lat": 65.01, "lon": 25.47},
        "days_per_week": draw(st.sampled_from([1, 2, 3, 3, 4, 5])),
        "hours_per_day": draw(st.sampled_from([3, 4, 5, 6, 8, 9])),
        "available_weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "waiting_since": draw(days).isoformat(),
        "languages": draw(languages),
        "support_units": draw(st.integers(0, 4)),
        "coach": draw(st.sampled_from([None, "K1", "K1", "K2"])),
        "consent_outside_commuting_area": draw(st.sampled_from([True, False, "kyllä", "ei"])),
        "avoid_clients": draw(st.lists(st.sampled_from(CLIENTS[:5]), max_size=1)),
        "preferences": [
            {"placement": p}
            for p in draw(st.lists(st.sampled_from(PLACEMENTS), max_size=2, unique=True))
        ],
    }


@st.composite
def placement_bodies(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 3, 1)))
    until = draw(st.one_of(st.none(), st.integers(0, 400)))
    return {
        "id": draw(st.sampled_from(PLACEMENTS)),
        "organisation": draw(st.sampled_from(["O1", "O2"])),
        "department": "Unit",
        "municipality": draw(st.sampled_from(["564", "139", "305"])),
        "location": {"lat": 65.02, "lon": 25.48},
        "task_category": draw(st.sampled_from(["kitchen", "parks", "library"])),
        "seats": draw(st.integers(0, 3)),
        "weekdays": ["mon", "tue", "wed", "thu"],
        "min_hours_per_day": draw(st.sampled_from([2, 4])),
        "max_hours_per_day": draw(st.sampled_from([3, 6, 8])),
        "support_units": draw(st.integers(0, 6)),
        "youth_workshop": draw(st.sampled_from([False, True, "kyllä", "nej"])),
        "languages": draw(languages),
        "available_from": start.isoformat(),
        "available_until": None if until is None else (start + timedelta(days=until)).isoformat(),
    }


def _machine(client: TestClient, app: FastAPI) -> type[RuleBasedStateMachine]:
    class WriteMachine(RuleBasedStateMachine):
        """Random writes of every kind; any refusal is fine, a broken run is not."""

        def __init__(self) -> None:
            super().__init__()
            wait_idle(app)
            self.seed: Seed = reset(sessions_of(app))

        def h(self, who: str = "coordinator") -> dict[str, str]:
            return self.seed.h(who)

        def _write(self, response: Any) -> None:
            path = response.request.url.path.split("/")
            kind = "decision" if path[-1] == "decision" else path[1]
            SEEN[(kind, response.request.method, response.status_code)] += 1
            assert response.status_code in OK | REFUSED, response.text
            if response.status_code == 422:
                assert response.json().get("errors") or response.json().get("detail")

        def _run(self, **options: Any) -> dict[str, Any]:
            body = {**RUN, "options": {**RUN["options"], **options}}  # type: ignore[dict-item]
            response = client.post("/runs", json=body, headers=self.h())
            assert response.status_code == 202, response.text
            run = poll(client, response.headers["Location"], self.h())
            assert run["status"] == "succeeded", (run["error"], run.get("set_aside"))
            return run

        @rule(body=client_bodies())
        def create_client(self, body: dict[str, Any]) -> None:
            self._write(client.post("/clients", json=body, headers=self.h()))

        @rule(cid=st.sampled_from(CLIENTS), body=client_bodies())
        def update_client(self, cid: str, body: dict[str, Any]) -> None:
            field = list(body)[1 + (len(cid) + len(body["waiting_since"])) % (len(body) - 1)]
            patch = {field: body[field]}
            self._write(client.patch(f"/clients/{cid}", json=patch, headers=self.h()))

        @rule(cid=st.sampled_from(CLIENTS))
        def delete_client(self, cid: str) -> None:
            self._write(client.delete(f"/clients/{cid}", headers=self.h()))

        @rule(body=placement_bodies())
        def create_placement(self, body: dict[str, Any]) -> None:
            self._write(client.post("/placements", json=body, headers=self.h("admin")))

        @rule(
            pid=st.sampled_from(PLACEMENTS),
            seats=st.integers(0, 3),
            support=st.integers(0, 6),
            who=st.sampled_from(["admin", "muni1"]),
        )
        def update_placement(self, pid: str, seats: int, support: int, who: str) -> None:
            patch = {"seats": seats, "support_units": support}
            self._write(client.patch(f"/placements/{pid}", json=patch, headers=self.h(who)))

        @rule(pid=st.sampled_from(PLACEMENTS))
        def close_placement(self, pid: str) -> None:
            self._write(client.post(f"/placements/{pid}/close", headers=self.h("admin")))

        @rule(
            capacity=st.integers(0, 3),
            coach=st.sampled_from(["K1", "K2"]),
            kind=st.sampled_from(["association", "company", "municipal_department"]),
            org=st.sampled_from(["O1", "O2", "O3"]),
        )
        def put_reference(self, capacity: int, coach: str, kind: str, org: str) -> None:
            body = {
                "coaches": [{"id": coach, "caseload_capacity": capacity}],
                "organisations": [{"id": org, "name": f"Org {org}", "type": kind}],
            }
            self._write(client.put("/reference", json=body, headers=self.h("admin")))

        @rule(moving=st.booleans(), waiting=st.booleans())
        def run_mid_sequence(self, moving: bool, waiting: bool) -> None:
            self._run(allow_moving_ongoing=moving, waiting_priority=waiting)

        @rule(
            index=st.integers(0, 20),
            override=st.one_of(st.none(), st.sampled_from([*PLACEMENTS, ""])),
            consent=st.sampled_from([None, True]),
            months=st.sampled_from([None, 3, 6, 24]),
        )
        def decide(
            self, index: int, override: str | None, consent: bool | None, months: int | None
        ) -> None:
            page = client.get("/runs?page_size=1", headers=self.h()).json()
            runs = page["items"] if isinstance(page, dict) else page
            if not runs:
                return
            listing = client.get(
                f"/runs/{runs[0]['id']}/proposals?status=proposed&page_size=500", headers=self.h()
            ).json()
            items = listing["items"]
            if not items:
                return
            proposal = items[index % len(items)]
            body: dict[str, Any] = {"decision": "accept", "reason_code": "good_fit"}
            if override is not None:
                body = {
                    "decision": "override",
                    "reason_code": "client_wish",
                    "placement": override or None,
                }
            if consent is not None:
                body["consent_outside_commuting_area"] = consent
            if months is not None:
                body["period_months"] = months
            self._write(
                client.post(f"/proposals/{proposal['id']}/decision", json=body, headers=self.h())
            )

        @rule(index=st.integers(0, 20), day=days, absent=st.booleans(), end=st.booleans())
        def attendance_or_end(self, index: int, day: date, absent: bool, end: bool) -> None:
            listing = client.get(
                "/assignments?status=active&page_size=500", headers=self.h()
            ).json()
            items = listing["items"] if isinstance(listing, dict) else listing
            if not items:
                return
            period = items[index % len(items)]
            if end:
                response = client.post(
                    f"/assignments/{period['id']}/end",
                    json={"end_date": day.isoformat()},
                    headers=self.h(),
                )
                if response.status_code == 409:  # a period runs on it: the period ends
                    running = client.get(
                        f"/periods?client={period['client_id']}&running=true", headers=self.h()
                    ).json()
                    end = {
                        "end_date": day.isoformat(),
                        "reason": "agreed_end",
                        "onward_path": "job",
                    }
                    for p in running:
                        response = client.post(
                            f"/periods/{p['id']}/end", json=end, headers=self.h()
                        )
            else:
                mark: dict[str, Any] = {"day": day.isoformat(), "status": "present"}
                if absent:
                    mark = {**mark, "status": "absent", "absence_reason": "own_illness"}
                response = client.post(
                    f"/assignments/{period['id']}/attendance", json=mark, headers=self.h()
                )
                if response.status_code == 409:  # no period runs on it yet: end it instead
                    response = client.post(
                        f"/assignments/{period['id']}/end",
                        json={"end_date": day.isoformat()},
                        headers=self.h(),
                    )
            self._write(response)

        @invariant()
        def nothing_is_half_stored(self) -> None:
            # Refused writes roll back: the reference data always reads back whole.
            assert client.get("/reference", headers=self.h("admin")).status_code == 200

        def teardown(self) -> None:
            run = self._run()
            with sessions_of(app)() as session:
                problem, _hint = county_problem(
                    session, "check", PLANNING, SolveOptions(), LegalRegime()
                )
            listing = client.get(f"/runs/{run['id']}/proposals?page_size=500", headers=self.h())
            pairs = {p["client_id"]: p["placement_id"] for p in listing.json()["items"]}
            # the clients the run keeps at the seat they hold are not proposed again
            kept = {(a.client, a.placement) for a in problem.ongoing}
            with sessions_of(app)() as session:
                for c, p in decided_seats(session).items():
                    if c not in pairs and (c, p) in kept:
                        pairs[c] = p
            result = make_result(problem, pairs)
            assert check_allocation(problem, result) == [], (pairs, run.get("set_aside"))
            assert run["stats"]["placed"] == len(pairs)

    return WriteMachine


def test_no_sequence_of_accepted_writes_breaks_the_next_run(
    client: TestClient, app: FastAPI
) -> None:
    machine = _machine(client, app)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=60,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        ),
    )
    accepted = {(kind, method) for (kind, method, status), n in SEEN.items() if status in OK}
    print(sorted(SEEN.items()))
    # The property is about accepted writes: each kind must have been accepted at least once.
    assert {
        ("clients", "POST"),
        ("clients", "PATCH"),
        ("clients", "DELETE"),
        ("placements", "POST"),
        ("placements", "PATCH"),
        ("reference", "PUT"),
        ("decision", "POST"),
        ("assignments", "POST"),
    } <= accepted, sorted(SEEN.items())
