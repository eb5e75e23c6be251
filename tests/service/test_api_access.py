"""Every endpoint for every role: the access matrix of domain.md § 7 as the service keeps it.

A municipality user (``muni1``, organisation O1) sees another organisation's records as 404
(their existence is not disclosed); a role that may not use an endpoint at all gets 403.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

import matching
from tests.service.svc_helpers import Seed, poll

ROLES = ("coordinator", "muni1", "planner", "admin")

PLACEMENT = {
    "id": "P9",
    "organisation": "O1",
    "department": "Library",
    "municipality": "564",
    "location": {"lat": 65.0, "lon": 25.5},
    "task_category": "library",
    "seats": 1,
    "weekdays": ["mon", "tue"],
    "min_hours_per_day": 4,
    "max_hours_per_day": 6,
    "support_units": 1,
    "available_from": "2026-01-01",
}
CLIENT = {
    "id": "C9",
    "display_name": "Nina N",
    "age": 30,
    "home_municipality": "564",
    "location": {"lat": 65.0, "lon": 25.5},
    "days_per_week": 2,
    "hours_per_day": 4,
    "available_weekdays": ["mon", "tue"],
    "waiting_since": "2025-10-01",
}
PLACEMENT_CSV = (
    "id,organisation,department,municipality,lat,lon,task_category,seats,weekdays,"
    "min_hours_per_day,max_hours_per_day,support_units,available_from\n"
    "P20,O1,Parks,564,65.0,25.5,parks,2,mon;tue,4,6,2,2026-01-01\n"
)
CLIENT_CSV = (
    "id,age,home_municipality,lat,lon,days_per_week,hours_per_day,available_weekdays,"
    "waiting_since\nC20,30,564,65.0,25.5,2,4,mon tue,2025-10-01\n"
)
RESIZE = {"kind": "resize_placements", "select": {"ids": ["P1"]}, "add_seats": 1}
SCENARIO_JOB = {
    "scenarios": [{"name": "more", "changes": [RESIZE]}],
    "time_limit_s": 1,
    "seat_values": 0,
}

# (method, path, request extras, expected status per role in ROLES order)
MATRIX: list[tuple[str, str, dict[str, Any], tuple[int, int, int, int]]] = [
    ("GET", "/reference", {}, (200, 200, 200, 200)),
    (
        "PUT",
        "/reference",
        {"json": {"coaches": [{"id": "K2", "caseload_capacity": 5}]}},
        (200, 403, 403, 200),
    ),
    ("GET", "/placements", {}, (200, 200, 200, 200)),
    ("GET", "/placements/P1", {}, (200, 200, 200, 200)),
    ("GET", "/placements/P3", {}, (200, 404, 200, 200)),
    ("POST", "/placements", {"json": PLACEMENT}, (403, 201, 403, 201)),
    ("PATCH", "/placements/P1", {"json": {"seats": 3}}, (403, 200, 403, 200)),
    ("PATCH", "/placements/P3", {"json": {"seats": 3}}, (403, 404, 403, 200)),
    ("POST", "/placements/P2/close", {}, (403, 200, 403, 200)),
    (
        "POST",
        "/placements/import",
        {"files": {"file": ("p.csv", PLACEMENT_CSV, "text/csv")}},
        (403, 201, 403, 201),
    ),
    ("GET", "/clients", {}, (200, 200, 200, 403)),
    # C1 is only proposed at muni1's P1 (not seen before the coordinator's decision, issue
    # 20); C2 works there.
    ("GET", "/clients/C1", {}, (200, 404, 200, 403)),
    ("GET", "/clients/C2", {}, (200, 200, 200, 403)),
    ("GET", "/clients/C3", {}, (200, 404, 200, 403)),
    ("POST", "/clients", {"json": CLIENT}, (201, 403, 403, 403)),
    ("PATCH", "/clients/C1", {"json": {"days_per_week": 2}}, (200, 403, 403, 403)),
    ("DELETE", "/clients/C4", {}, (204, 403, 403, 403)),
    (
        "POST",
        "/clients/import",
        {"files": {"file": ("c.csv", CLIENT_CSV, "text/csv")}},
        (201, 403, 403, 403),
    ),
    ("GET", "/runs", {}, (200, 403, 200, 200)),
    ("GET", "/runs/{run}", {}, (200, 403, 200, 200)),
    ("POST", "/runs", {"json": {"planning_date": "2026-01-05"}}, (202, 403, 403, 403)),
    ("POST", "/runs/{run}/cancel", {}, (409, 403, 403, 403)),
    ("GET", "/runs/{run}/proposals", {}, (200, 200, 200, 403)),
    ("GET", "/runs/{run}/unassigned", {}, (200, 403, 403, 403)),
    ("GET", "/proposals/{proposal}", {}, (200, 200, 200, 403)),
    (
        "POST",
        "/proposals/{proposal}/decision",
        {"json": {"decision": "accept", "reason_code": "client_agreed"}},
        (200, 403, 403, 403),
    ),
    ("GET", "/assignments", {}, (200, 200, 200, 403)),
    ("GET", "/assignments/{assignment}", {}, (200, 200, 200, 403)),
    (
        "POST",
        "/assignments/{assignment}/end",
        {"json": {"end_date": "2026-02-01"}},
        # the coordinator may, but an imported period runs on it: it is the period that ends
        (409, 403, 403, 403),
    ),
    (
        "POST",
        "/assignments/{assignment}/attendance",
        {"json": {"day": "2026-01-07", "status": "present"}},
        (201, 201, 403, 403),
    ),
    ("GET", "/assignments/{assignment}/attendance", {}, (200, 200, 403, 403)),
    ("GET", "/scenario-jobs", {}, (403, 403, 200, 200)),
    ("POST", "/scenario-jobs", {"json": SCENARIO_JOB}, (403, 403, 202, 202)),
    ("GET", "/scenario-jobs/{job}", {}, (403, 403, 200, 200)),
    ("POST", "/scenario-jobs/{job}/cancel", {}, (403, 403, 409, 409)),
    ("GET", "/scenario-jobs/{job}/comparison", {}, (403, 403, 200, 200)),
    ("GET", "/scenario-jobs/{job}/files", {}, (403, 403, 200, 200)),
    ("GET", "/scenario-jobs/{job}/files/comparison.json", {}, (403, 403, 200, 200)),
    ("GET", "/audit", {}, (200, 403, 403, 200)),
]

CASES = [
    pytest.param(method, path, extras, role, expected[i], id=f"{method} {path} as {role}")
    for method, path, extras, expected in MATRIX
    for i, role in enumerate(ROLES)
]


def _url(path: str, seed: Seed) -> str:
    return path.format(
        run=seed.run_id,
        proposal=seed.proposal_id,
        assignment=seed.assignment_id,
        job=seed.scenario_job_id,
    )


@pytest.mark.parametrize(("method", "path", "extras", "role", "expected"), CASES)
def test_access_matrix(
    client: TestClient,
    seed: Seed,
    method: str,
    path: str,
    extras: dict[str, Any],
    role: str,
    expected: int,
) -> None:
    url = _url(path, seed)
    response = client.request(method, url, headers=seed.h(role), **extras)
    assert response.status_code == expected, response.text
    if method == "POST" and path == "/runs" and expected == 202:
        poll(client, response.headers["Location"], seed.h(role))
    if method == "POST" and path == "/scenario-jobs" and expected == 202:
        client.post(f"{response.headers['Location']}/cancel", headers=seed.h(role))


@pytest.mark.parametrize(("method", "path", "extras"), [(m, p, e) for m, p, e, _ in MATRIX])
def test_without_token_is_401(
    client: TestClient, seed: Seed, method: str, path: str, extras: dict[str, Any]
) -> None:
    response = client.request(method, _url(path, seed), **extras)
    assert response.status_code == 401
    bad = client.request(
        method, _url(path, seed), headers={"Authorization": "Bearer nope"}, **extras
    )
    assert bad.status_code == 401


def test_revoked_token_is_401(client: TestClient, seed: Seed, app: Any) -> None:
    from sqlalchemy import update

    from service.db.tables import TokenRow
    from tests.service.svc_helpers import sessions_of

    with sessions_of(app)() as session:
        session.execute(update(TokenRow).where(TokenRow.name == "planner").values(revoked=True))
        session.commit()
    assert client.get("/placements", headers=seed.h("planner")).status_code == 401


def test_health_needs_no_token(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["engine_version"] == matching.__version__
    assert client.get("/openapi.json").json()["info"]["version"] == matching.__version__
