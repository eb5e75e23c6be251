"""One set of rules for every way in: each write passes the rules the run applies, or is
refused with 422 naming the field, the value and the rule, and nothing is stored."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.service.svc_helpers import Seed

NEW = {
    "id": "C10",
    "birth_date": "1990-03-01",
    "home_municipality": "564",
    "location": {"lat": 65.0, "lon": 25.5},
    "days_per_week": 2,
    "hours_per_day": 4,
    "available_weekdays": ["mon", "tue"],
    "waiting_since": "2025-10-01",
}
HEADER = (
    "id,organisation,department,municipality,lat,lon,task_category,seats,weekdays,"
    "min_hours_per_day,max_hours_per_day,support_units,available_from,youth_workshop"
)


def _error(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    error: dict[str, Any] = response.json()["errors"][0]
    return error


def test_a_client_with_five_days_a_week_is_refused_and_not_stored(
    client: TestClient, seed: Seed
) -> None:
    h = seed.h("coordinator")
    error = _error(client.post("/clients", json={**NEW, "days_per_week": 5}, headers=h))
    assert error["field"] == "body.days_per_week"
    assert error["rule"] == "above_legal_maximum" and error["value"] == "5"
    assert "legal maximum of 4 days" in error["msg"]
    assert client.get("/clients/C10", headers=h).status_code == 404
    error = _error(client.patch("/clients/C2", json={"days_per_week": 5}, headers=h))
    assert error["field"] == "body.days_per_week"
    assert client.get("/clients/C2", headers=h).json()["days_per_week"] == 3


def test_a_client_born_in_2030_or_2020_is_refused(client: TestClient, seed: Seed) -> None:
    h = seed.h("coordinator")
    for born in ("2030-01-01", "2020-01-01"):
        error = _error(client.post("/clients", json={**NEW, "birth_date": born}, headers=h))
        assert error["field"] == "body.birth_date" and error["rule"] == "age_out_of_range"
    assert client.get("/clients/C10", headers=h).status_code == 404


def test_language_case_is_normalised_and_references_checked(client: TestClient, seed: Seed) -> None:
    h = seed.h("coordinator")
    created = client.post("/clients", json={**NEW, "languages": ["FI", "Sv"]}, headers=h)
    assert created.status_code == 201, created.text
    assert created.json()["languages"] == ["fi", "sv"]
    error = _error(client.patch("/clients/C10", json={"avoid_clients": ["NOBODY"]}, headers=h))
    assert error["field"] == "body.avoid_clients" and error["rule"] == "unknown_reference"
    error = _error(
        client.patch("/clients/C10", json={"preferences": [{"placement": "P99"}]}, headers=h)
    )
    assert error["field"] == "body.preferences.0.placement"


def test_a_municipality_cannot_cut_the_seats_of_its_occupied_placement(
    client: TestClient, seed: Seed
) -> None:
    # C2 works at P1 (ongoing since 1.12.2025).
    h = seed.h("muni1")
    for change in ({"seats": 0}, {"support_units": 0}):
        error = _error(client.patch("/placements/P1", json=change, headers=h))
        assert error["rule"] in ("seats", "support_units")
        assert "C2" in error["clients"] and error["placements"] == ["P1"]
    after = client.get("/placements/P1", headers=h).json()
    assert after["seats"] == 2 and after["support_units"] == 4
    assert client.patch("/placements/P1", json={"seats": 1}, headers=h).status_code == 200


def test_imports_read_finnish_and_swedish_yes_no_words_and_refuse_others(
    client: TestClient, seed: Seed
) -> None:
    rows = [
        "P40,O1,Workshop,564,65.0,25.5,wood_workshop,2,mon;tue,4,6,2,2026-01-01,kyllä",
        "P41,O1,Workshop,564,65.0,25.5,wood_workshop,2,mon;tue,4,6,2,2026-01-01,nej",
        "P42,O1,Workshop,564,65.0,25.5,wood_workshop,2,mon;tue,4,6,2,2026-01-01,X",
    ]
    files = {"file": ("p.csv", "\n".join([HEADER, *rows]).encode(), "text/csv")}
    response = client.post("/placements/import", files=files, headers=seed.h("muni1"))
    assert response.status_code == 201, response.text
    got = {
        p["id"]: p["youth_workshop"]
        for p in client.get("/placements", headers=seed.h("admin")).json()
    }
    assert (got["P40"], got["P41"], got["P42"]) == (True, False, True)
    bad = "P43,O1,Workshop,564,65.0,25.5,wood_workshop,2,mon;tue,4,6,2,2026-01-01,ehkä"
    files = {"file": ("p.csv", f"{HEADER}\n{bad}".encode(), "text/csv")}
    response = client.post("/placements/import", files=files, headers=seed.h("muni1"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["column"] == "youth_workshop"
    assert "P43" not in {p["id"] for p in client.get("/placements", headers=seed.h("admin")).json()}


def test_reference_data_cannot_break_a_kept_period(client: TestClient, seed: Seed) -> None:
    h = seed.h("admin")
    company = {"organisations": [{"id": "O1", "name": "Oy", "type": "company"}]}
    error = _error(client.put("/reference", json=company, headers=h))
    assert error["rule"] == "company_producer"
    caseload = {"coaches": [{"id": "K1", "caseload_capacity": 0}]}
    error = _error(client.put("/reference", json=caseload, headers=h))
    assert error["rule"] == "coach_caseload" and "C2" in error["clients"]
    types = {
        o["id"]: o["type"] for o in client.get("/reference", headers=h).json()["organisations"]
    }
    assert types["O1"] == "municipal_department"


def test_a_client_leaving_ends_their_period_and_others_avoiding_them_still_run(
    client: TestClient, seed: Seed
) -> None:
    h = seed.h("coordinator")
    assert client.patch("/clients/C3", json={"avoid_clients": ["C2"]}, headers=h).status_code == 200
    assert client.delete("/clients/C2", headers=h).status_code == 204
    periods = client.get("/assignments?client=C2", headers=h).json()
    items = periods["items"] if isinstance(periods, dict) else periods
    assert [p["status"] for p in items] == ["ended"]
    run = client.post("/runs", json={"planning_date": "2026-01-05"}, headers=h)
    from tests.service.svc_helpers import poll

    body = poll(client, run.headers["Location"], h)
    assert body["status"] == "succeeded", body["error"]
    assert body["set_aside"] == []
