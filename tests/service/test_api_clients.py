"""Clients: the three views, consent-based sharing, the planner's pseudonymous view, audit
rows for every access, import errors and deactivation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.svc_helpers import Seed

NEW = {
    "id": "C10",
    "display_name": "Eero E",
    "phone": "+358 40 555",
    "shared_fields": ["display_name"],
    "birth_date": "1999-03-01",
    "home_municipality": "564",
    "location": {"lat": 65.0, "lon": 25.5},
    "days_per_week": 2,
    "hours_per_day": 4,
    "available_weekdays": ["mon", "tue"],
    "work_constraints": ["noise"],
    "support_units": 3,
    "waiting_since": "2025-10-01",
}
SPECIAL = {
    "display_name",
    "phone",
    "email",
    "birth_date",
    "age",
    "location",
    "work_constraints",
    "support_units",
    "referral_basis",
    "avoid_placements",
    "avoid_clients",
    "shared_fields",
    "home_municipality",
    "max_travel_minutes",
}


def _walk_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _walk_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _walk_keys(v)}
    return set()


def test_coordinator_sees_everything(client: TestClient, seed: Seed) -> None:
    body = client.get("/clients/C1", headers=seed.h("coordinator")).json()
    assert body["view"] == "full"
    assert body["display_name"] == "Aino A" and body["work_constraints"] == ["noise"]
    assert body["support_units"] == 2


def test_planner_never_sees_special_category_fields(client: TestClient, seed: Seed) -> None:
    h = seed.h("planner")
    responses = [
        client.get("/clients", headers=h).json(),
        client.get("/clients/C1", headers=h).json(),
        client.get(f"/runs/{seed.run_id}/proposals", headers=h).json(),
        client.get("/assignments", headers=h).json(),
    ]
    for body in responses:
        assert not (_walk_keys(body) & SPECIAL), _walk_keys(body) & SPECIAL
    one = responses[1]
    assert one["view"] == "pseudonymous" and one["age_band"] == "under_25"
    assert one["commuting_area"] == "A1"
    assert "Aino" not in str(responses)


def test_municipality_sees_only_consented_fields(client: TestClient, seed: Seed) -> None:
    h = seed.h("muni1")
    # C1 is proposed at P1 and C2 placed at P1, both O1's; C3 and C4 are not there. The site
    # sees C1 only once the coordinator has accepted C1 for P1 (issue 20).
    assert [c["id"] for c in client.get("/clients", headers=h).json()] == ["C2"]
    assert client.get("/clients/C1", headers=h).status_code == 404
    decided = client.post(
        f"/proposals/{seed.proposal_id}/decision",
        json={"decision": "accept", "reason_code": "client_agreed"},
        headers=seed.h("coordinator"),
    )
    assert decided.status_code == 200, decided.text
    listed = client.get("/clients", headers=h).json()
    assert [c["id"] for c in listed] == ["C1", "C2"]
    c1 = next(c for c in listed if c["id"] == "C1")
    assert c1 == {
        "view": "shared",
        "id": "C1",
        "placements": ["P1"],
        "display_name": "Aino A",
        "phone": "+358 40 111",
        "email": None,
        "days_per_week": None,
        "hours_per_day": None,
        "available_weekdays": None,
        "languages": None,
        "aptitudes": None,
        "work_constraints": ["noise"],
    }
    c2 = client.get("/clients/C2", headers=h).json()
    assert c2["display_name"] == "Bertta B" and c2["phone"] is None
    assert client.get("/clients/C3", headers=h).status_code == 404
    assert client.get("/clients", headers=seed.h("muni2")).json() == []


def test_consent_change_takes_effect(client: TestClient, seed: Seed) -> None:
    changed = client.patch(
        "/clients/C2",
        json={"shared_fields": ["phone", "schedule"]},
        headers=seed.h("coordinator"),
    )
    assert changed.status_code == 200
    c2 = client.get("/clients/C2", headers=seed.h("muni1")).json()
    assert c2["display_name"] is None and c2["phone"] == "+358 40 222"
    assert c2["days_per_week"] == 3


def test_every_access_is_audited_with_purpose(client: TestClient, seed: Seed) -> None:
    client.get("/clients/C1", headers=seed.h("muni1", **{"X-Purpose": "start meeting"}))
    client.get("/clients", headers=seed.h("planner"))
    client.post("/clients", json=NEW, headers=seed.h("coordinator"))
    client.get(f"/runs/{seed.run_id}/proposals", headers=seed.h("coordinator"))
    client.post(
        f"/assignments/{seed.assignment_id}/attendance",
        json={"day": "2026-01-07", "status": "present"},
        headers=seed.h("muni1"),
    )
    rows = client.get("/audit?page_size=100", headers=seed.h("admin")).json()["items"]
    seen = {(r["actor"], r["action"], r["resource"], r["record_id"], r["purpose"]) for r in rows}
    assert ("muni1", "read", "clients", "C1", "start meeting") in seen
    assert ("planner", "read", "clients", None, "placement planning") in seen
    assert ("coordinator", "create", "clients", "C10", "client record maintenance") in seen
    assert ("coordinator", "read", "proposals", f"run:{seed.run_id}", "reviewing proposals") in seen
    assert (
        "muni1",
        "create",
        "attendance",
        str(seed.assignment_id),
        "attendance reporting",
    ) in seen
    listing = next(r for r in rows if r["actor"] == "planner")
    assert listing["role"] == "planner" and listing["detail"]["count"] == 4
    only = client.get("/audit?actor=muni1&resource=clients", headers=seed.h("coordinator"))
    assert {r["actor"] for r in only.json()["items"]} == {"muni1"}


def test_create_update_delete(client: TestClient, seed: Seed) -> None:
    h = seed.h("coordinator")
    created = client.post("/clients", json=NEW, headers=h)
    assert created.status_code == 201 and created.headers["Location"] == "/clients/C10"
    assert client.post("/clients", json=NEW, headers=h).status_code == 409
    anonymous = client.post("/clients", json={k: v for k, v in NEW.items() if k != "id"}, headers=h)
    assert anonymous.status_code == 201 and anonymous.json()["id"].startswith("C-")
    both = client.post("/clients", json={**NEW, "id": "C11", "age": 30}, headers=h)
    assert both.status_code == 422  # give exactly one of birth_date or age
    bad = client.patch("/clients/C10", json={"days_per_week": 9}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.days_per_week"
    assert client.patch("/clients/C10", json={}, headers=h).status_code == 422
    assert client.patch("/clients/NOPE", json={"age": 30}, headers=h).status_code == 404
    assert client.delete("/clients/C10", headers=h).status_code == 204
    gone = client.get("/clients/C10", headers=h).json()
    assert gone["active"] is False and gone["display_name"] is None and gone["phone"] is None
    assert "C10" not in [c["id"] for c in client.get("/clients", headers=h).json()]
    assert client.delete("/clients/NOPE", headers=h).status_code == 404


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "C20,30,564,65.0,25.5,9,4,mon tue,2025-10-01",
            "row 2, column days_per_week: 9 is above 7",
        ),
        (
            "C20,30,999,65.0,25.5,2,4,mon tue,2025-10-01",
            "row 2, column home_municipality: unknown municipality '999'",
        ),
        ("C1,30,564,65.0,25.5,2,4,mon tue,2025-10-01", "row 2, column id: 'C1' already exists"),
        ("C20,30,564,65.0,25.5,2,4,,2025-10-01", "row 2, column available_weekdays: is required"),
    ],
)
def test_client_import_errors(client: TestClient, seed: Seed, row: str, message: str) -> None:
    header = (
        "id,age,home_municipality,lat,lon,days_per_week,hours_per_day,"
        "available_weekdays,waiting_since"
    )
    response = client.post(
        "/clients/import",
        files={"file": ("c.csv", f"{header}\n{row}\n".encode(), "text/csv")},
        headers=seed.h("coordinator"),
    )
    assert response.status_code == 422
    assert message in [e["message"] for e in response.json()["errors"]]


def test_client_import_with_preferences_and_consent(client: TestClient, seed: Seed) -> None:
    text = (
        "id,display_name,shared_fields,age,home_municipality,lat,lon,days_per_week,"
        "hours_per_day,available_weekdays,waiting_since,preferences,consent_outside_commuting_area\n"
        "C30,Ulla U,display_name,30,564,65.0,25.5,2,4,mon;tue,2025-10-01,kitchen;P3,yes\n"
    )
    response = client.post(
        "/clients/import",
        files={"file": ("c.csv", text.encode(), "text/csv")},
        headers=seed.h("coordinator"),
    )
    assert response.status_code == 201, response.text
    body = client.get("/clients/C30", headers=seed.h("coordinator")).json()
    assert body["preferences"] == [
        {"placement": None, "task_category": "kitchen"},
        {"placement": "P3", "task_category": None},
    ]
    assert body["consent_outside_commuting_area"] is True
    assert body["display_name"] == "Ulla U" and body["shared_fields"] == ["display_name"]
