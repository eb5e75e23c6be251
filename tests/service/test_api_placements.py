"""Placements: municipality scoping, validation with field paths, closed placements, the
all-or-nothing CSV/XLSX import and idempotent creation."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook

from tests.service.svc_helpers import Seed

NEW = {
    "id": "P10",
    "organisation": "O1",
    "department": "Parks",
    "municipality": "564",
    "location": {"lat": 65.0, "lon": 25.5},
    "task_category": "parks",
    "seats": 2,
    "weekdays": ["mon", "wed"],
    "min_hours_per_day": 4,
    "max_hours_per_day": 6,
    "support_units": 2,
    "available_from": "2026-01-01",
}
HEADER = (
    "id,organisation,department,municipality,lat,lon,task_category,seats,weekdays,"
    "min_hours_per_day,max_hours_per_day,support_units,available_from"
)


def test_municipality_sees_and_edits_only_its_own(client: TestClient, seed: Seed) -> None:
    ids = [p["id"] for p in client.get("/placements", headers=seed.h("muni1")).json()]
    assert ids == ["P1", "P2"]
    assert client.get("/placements/P3", headers=seed.h("muni1")).status_code == 404
    assert client.post("/placements/P3/close", headers=seed.h("muni1")).status_code == 404
    other = {**NEW, "organisation": "O2"}
    assert client.post("/placements", json=other, headers=seed.h("muni1")).status_code == 403
    created = client.post("/placements", json=NEW, headers=seed.h("muni1"))
    assert created.status_code == 201
    assert created.headers["Location"] == "/placements/P10"
    assert client.get("/placements/P10", headers=seed.h("muni2")).status_code == 404


def test_validation_errors_have_field_paths(client: TestClient, seed: Seed) -> None:
    h = seed.h("muni1")
    bad = client.post("/placements", json={**NEW, "seats": -1, "colour": "red"}, headers=h)
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"body.seats", "body.colour"} <= fields
    crossed = client.post(
        "/placements", json={**NEW, "min_hours_per_day": 7, "max_hours_per_day": 5}, headers=h
    )
    assert crossed.status_code == 422
    assert "min_hours_per_day" in crossed.text
    unknown = client.post("/placements", json={**NEW, "municipality": "999"}, headers=h)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.municipality"
    dup = client.post("/placements", json={**NEW, "id": "P1"}, headers=h)
    assert dup.status_code == 409
    patch = client.patch("/placements/P1", json={"seats": "many"}, headers=h)
    assert patch.status_code == 422 and patch.json()["errors"][0]["field"] == "body.seats"


def test_closed_placement_cannot_be_edited(client: TestClient, seed: Seed) -> None:
    h = seed.h("muni1")
    closed = client.post("/placements/P2/close", headers=h)
    assert closed.status_code == 200 and closed.json()["closed"] is True
    assert client.patch("/placements/P2", json={"seats": 5}, headers=h).status_code == 409
    assert client.post("/placements/P2/close", headers=h).status_code == 409
    listed = [p["id"] for p in client.get("/placements", headers=h).json()]
    assert "P2" not in listed
    everything = client.get("/placements?include_closed=true", headers=h).json()
    assert "P2" in [p["id"] for p in everything]
    assert client.patch("/placements/NOPE", json={"seats": 5}, headers=h).status_code == 404


def test_update_changes_only_given_fields(client: TestClient, seed: Seed) -> None:
    before = client.get("/placements/P1", headers=seed.h("muni1")).json()
    after = client.patch("/placements/P1", json={"seats": 5}, headers=seed.h("muni1")).json()
    assert after["seats"] == 5
    assert {k: v for k, v in after.items() if k not in ("seats", "updated_at")} == {
        k: v for k, v in before.items() if k not in ("seats", "updated_at")
    }


def _upload(client: TestClient, seed: Seed, text: str, who: str = "muni1") -> Any:
    return client.post(
        "/placements/import",
        files={"file": ("placements.csv", text.encode(), "text/csv")},
        headers=seed.h(who),
    )


def test_import_error_names_row_column_and_rule(client: TestClient, seed: Seed) -> None:
    rows = [
        "P20,O1,Parks,564,65.0,25.5,parks,2,mon;tue,4,6,2,2026-01-01",
        "P21,O1,Parks,564,65.0,25.5,parks,-1,mon;tue,4,6,2,2026-01-01",
        "P22,O2,Parks,564,65.0,25.5,parks,1,mon,4,6,2,2026-01-01",
        "P20,O1,Parks,564,99.0,25.5,gardening,1,mon,4,6,2,2026-01-01",
    ]
    response = _upload(client, seed, "\n".join([HEADER, *rows]))
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"]]
    assert "row 3, column seats: -1 is below 0" in messages
    assert "row 4, column organisation: 'O2' is not your organisation" in messages
    assert "row 5, column id: 'P20' repeats row 2" in messages
    assert "row 5, column lat: 99.0 is above 70.5" in messages
    assert any(m.startswith("row 5, column task_category:") for m in messages)
    ids = [p["id"] for p in client.get("/placements", headers=seed.h("admin")).json()]
    assert "P20" not in ids  # nothing of a failed file is imported


def test_import_csv_with_semicolons_and_xlsx(client: TestClient, seed: Seed) -> None:
    text = (
        HEADER.replace(",", ";")
        + "\nP30;O1;Kitchen;564;65,0;25,5;kitchen;1;mon tue;4;6;1;2026-01-01"
    )
    # A semicolon CSV (Finnish Excel) may use decimal commas; those are refused by column.
    response = _upload(client, seed, text)
    assert response.status_code == 422
    assert response.json()["errors"][0]["column"] == "lat"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(
        ["P31", "O1", "Kitchen", "564", 65.0, 25.5, "kitchen", 2, "mon;tue", 4, 6, 1, "2026-01-01"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = client.post(
        "/placements/import",
        files={"file": ("p.xlsx", buffer.getvalue(), "application/octet-stream")},
        headers=seed.h("muni1"),
    )
    assert xlsx.status_code == 201, xlsx.text
    assert xlsx.json() == {"imported": 1, "ids": ["P31"]}
    stored = client.get("/placements/P31", headers=seed.h("muni1")).json()
    assert stored["weekdays"] == ["mon", "tue"] and stored["seats"] == 2


def test_import_rejects_other_files(client: TestClient, seed: Seed) -> None:
    pdf = client.post(
        "/placements/import",
        files={"file": ("x.pdf", b"%PDF", "application/pdf")},
        headers=seed.h("muni1"),
    )
    assert pdf.status_code == 422
    broken = client.post(
        "/placements/import",
        files={"file": ("x.xlsx", b"not a zip", "application/octet-stream")},
        headers=seed.h("muni1"),
    )
    assert broken.status_code == 422
    binary = _upload(client, seed, "\xff\xfe")
    assert binary.status_code in (201, 422)


def test_idempotent_creation(client: TestClient, seed: Seed) -> None:
    h = seed.h("muni1", **{"Idempotency-Key": "abc"})
    first = client.post("/placements", json=NEW, headers=h)
    again = client.post("/placements", json=NEW, headers=h)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    changed = client.post("/placements", json={**NEW, "seats": 3}, headers=h)
    assert changed.status_code == 422
    upload = seed.h("muni1", **{"Idempotency-Key": "file-1"})
    body = HEADER + "\nP40,O1,Parks,564,65.0,25.5,parks,2,mon,4,6,2,2026-01-01"
    files = {"file": ("p.csv", body.encode(), "text/csv")}
    one = client.post("/placements/import", files=files, headers=upload)
    two = client.post("/placements/import", files=files, headers=upload)
    assert one.status_code == two.status_code == 201 and one.json() == two.json()


def test_the_no_replacement_attestation_round_trips(client: TestClient, seed: Seed) -> None:
    """A municipality user records, changes and withdraws the date of the producer's written
    attestation that the tasks replace no paid work; it is stored and read back as given."""
    h = seed.h("muni1")
    assert client.get("/placements/P1", headers=h).json()["no_replacement_attested_on"] is None
    attested = {**NEW, "no_replacement_attested_on": "2025-12-15"}
    created = client.post("/placements", json=attested, headers=h)
    assert created.status_code == 201, created.text
    assert created.json()["no_replacement_attested_on"] == "2025-12-15"
    assert client.get("/placements/P10", headers=h).json()["no_replacement_attested_on"] == (
        "2025-12-15"
    )
    renewed = client.patch(
        "/placements/P10", json={"no_replacement_attested_on": "2026-06-01"}, headers=h
    )
    assert (
        renewed.status_code == 200 and renewed.json()["no_replacement_attested_on"] == "2026-06-01"
    )
    seats = client.patch("/placements/P10", json={"seats": 3}, headers=h).json()
    assert seats["no_replacement_attested_on"] == "2026-06-01"  # kept by other updates
    withdrawn = client.patch(
        "/placements/P10", json={"no_replacement_attested_on": None}, headers=h
    )
    assert withdrawn.json()["no_replacement_attested_on"] is None


def test_an_attestation_cannot_be_dated_in_the_future(client: TestClient, seed: Seed) -> None:
    h = seed.h("muni1")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    bad = client.post(
        "/placements", json={**NEW, "no_replacement_attested_on": tomorrow}, headers=h
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.no_replacement_attested_on"
    patch = client.patch("/placements/P1", json={"no_replacement_attested_on": tomorrow}, headers=h)
    assert patch.status_code == 422
    today = date.today().isoformat()
    ok = client.patch("/placements/P1", json={"no_replacement_attested_on": today}, headers=h)
    assert ok.status_code == 200 and ok.json()["no_replacement_attested_on"] == today


def test_import_takes_an_optional_attestation_column(client: TestClient, seed: Seed) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    header = HEADER + ",no_replacement_attested_on"
    rows = [
        "P50,O1,Parks,564,65.0,25.5,parks,2,mon;tue,4,6,2,2026-01-01,2025-12-15",
        "P51,O1,Parks,564,65.0,25.5,parks,2,mon;tue,4,6,2,2026-01-01,",
        f"P52,O1,Parks,564,65.0,25.5,parks,2,mon;tue,4,6,2,2026-01-01,{tomorrow}",
        "P53,O1,Parks,564,65.0,25.5,parks,2,mon;tue,4,6,2,2026-01-01,15.12.2025",
    ]
    refused = _upload(client, seed, "\n".join([header, *rows]))
    assert refused.status_code == 422
    errors = {e["row"]: e["message"] for e in refused.json()["errors"]}
    assert set(errors) == {4, 5}
    assert {e["column"] for e in refused.json()["errors"]} == {"no_replacement_attested_on"}
    assert errors[4] == (
        f"row 4, column no_replacement_attested_on: '{tomorrow}': "
        "an attestation cannot be dated after today"
    )
    assert "'15.12.2025'" in errors[5]
    imported = _upload(client, seed, "\n".join([header, *rows[:2]]))
    assert imported.status_code == 201, imported.text
    h = seed.h("muni1")
    assert client.get("/placements/P50", headers=h).json()["no_replacement_attested_on"] == (
        "2025-12-15"
    )
    assert client.get("/placements/P51", headers=h).json()["no_replacement_attested_on"] is None
