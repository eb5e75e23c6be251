"""The county's reference geography taken in through the API, and runs built with it."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.crud.runs import build_problem, county_regime
from service.db.tables import AuditRow, RunRow
from tests.service.svc_helpers import PLANNING, Seed, poll, sessions_of

TABLE = (
    "code;name_fi;name_sv;commuting_area;commuting_area_name;employment_area;"
    "employment_area_name;lat;lon\n"
    "564;Oulu;Uleåborg;A1;Oulu;E1;Oulun seutu;;\n"
    "139;Ii;Ijo;A2;Koillismaa;E1;Oulun seutu;;\n"
    "305;Kuusamo;;A2;Koillismaa;E2;Koillismaan seutu;65.96;29.19\n"
).encode()


def _post(client: TestClient, content: bytes, headers: dict[str, str]) -> object:
    return client.post(
        "/reference/geography",
        files={"file": ("aluejako.csv", content, "text/csv")},
        data={"source": "Tilastokeskus, kuntaluokitus 2026", "date": "2026-01-01"},
        headers=headers,
    )


def test_a_classification_taken_in_regroups_the_next_run(
    app: FastAPI, client: TestClient, seed: Seed
) -> None:
    h = seed.h("coordinator")
    refused = client.post(
        "/reference/geography",
        files={"file": ("aluejako.csv", TABLE, "text/csv")},
        data={"source": "x"},
        headers=seed.h("muni1"),
    )
    assert refused.status_code == 403
    response = client.post(
        "/reference/geography",
        files={"file": ("aluejako.csv", TABLE, "text/csv")},
        data={"source": "Tilastokeskus, kuntaluokitus 2026", "date": "2026-01-01"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == "Tilastokeskus, kuntaluokitus 2026"
    assert body["source_date"] == "2026-01-01"
    assert (body["municipalities"], body["commuting_areas"], body["employment_areas"]) == (
        3,
        2,
        2,
    )
    reference = client.get("/reference", headers=h).json()
    areas = {m["code"]: m["commuting_area"] for m in reference["municipalities"]}
    assert areas == {"564": "A1", "139": "A2", "305": "A2"}  # Ii moved from A1
    run = client.post(
        "/runs",
        json={"planning_date": PLANNING.isoformat(), "options": {"time_limit_s": 5}},
        headers=h,
    )
    assert run.status_code == 202, run.text
    done = poll(client, run.headers["Location"], h)
    assert done["status"] == "succeeded", done["error"]
    with sessions_of(app)() as session:
        row = session.get(RunRow, done["id"])
        assert row is not None
        problem, _ = build_problem(session, row, county_regime(app.state.settings))
        audited = session.scalars(select(AuditRow).where(AuditRow.resource == "geography")).all()
    assert problem.geography_source is not None
    assert problem.geography_source.source == "Tilastokeskus, kuntaluokitus 2026"
    assert problem.geography_source.as_of == date(2026, 1, 1)
    by_code = {m.code: m for m in problem.municipalities}
    assert by_code["139"].commuting_area == "A2"
    assert by_code["139"].employment_area == "E1"
    assert by_code["305"].centre is not None and by_code["305"].centre.lat == 65.96
    assert {e.id: e.name for e in problem.employment_areas} == {
        "E1": "Oulun seutu",
        "E2": "Koillismaan seutu",
    }
    assert len(audited) == 1 and audited[0].action == "import"


def test_a_bad_table_is_refused_naming_the_row_in_the_users_language(
    client: TestClient, seed: Seed
) -> None:
    bad = TABLE.replace(b"139;Ii;Ijo", b"13x;Ii;Ijo")
    headers = {**seed.h("coordinator"), "Accept-Language": "fi"}
    response = _post(client, bad, headers)
    assert response.status_code == 422, response.text
    assert response.json()["message"].startswith("Tiedosto ei kelpaa aluejakotaulukoksi: row 3")
    assert response.json()["errors"][0]["field"] == "body.file"
    missing = _post(client, b"code;name_fi\n564;Oulu\n", headers)
    assert missing.status_code == 422
    assert "commuting_area" in missing.json()["message"]
    reference = client.get("/reference", headers=headers).json()
    areas = {m["code"]: m["commuting_area"] for m in reference["municipalities"]}
    assert areas["139"] == "A1"  # nothing taken in
