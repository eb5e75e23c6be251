"""The regime as dated versions in the service: admins add and review them (audited), runs
use the version in force on their planning date, writes check the benefit and § 6."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.db.tables import AuditRow, ClientRow
from tests.service.svc_helpers import PLANNING, Seed, poll, sessions_of

LATER = PLANNING + timedelta(days=7)  # the Monday after
SUBSIDY = [{"benefit": "labour_market_subsidy", "from_date": "2025-01-01"}]


def _versions(client: TestClient, seed: Seed, who: str = "coordinator") -> dict[str, Any]:
    response = client.get("/regime-versions", headers=seed.h(who))
    assert response.status_code == 200, response.text
    return {v["id"]: v for v in response.json()}


def _adopt_he_109(client: TestClient, seed: Seed, **changes: Any) -> Any:
    he = _versions(client, seed)["he-109-2025"]
    body = {
        "title": he["title"],
        "status": "adopted",
        "valid_from": LATER.isoformat(),
        "sources": he["sources"],
        "regime": he["regime"],
        **changes,
    }
    return client.put("/regime-versions/he-109-2025", json=body, headers=seed.h("admin"))


def test_the_shipped_versions_are_today_in_force_and_he_109_proposed_without_a_date(
    client: TestClient, seed: Seed
) -> None:
    versions = _versions(client, seed, "planner")
    assert versions["ktt-2025"]["in_force_today"] and versions["ktt-2025"]["status"] == "in_force"
    he = versions["he-109-2025"]
    assert he["status"] == "proposed" and he["valid_from"] is None and not he["in_force_today"]
    assert he["regime"]["referral_bases_by_benefit"]["labour_market_subsidy"] == [
        "multidisciplinary_employment_plan"
    ]


def test_only_an_admin_writes_a_version_and_every_change_is_audited(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    adopted = _adopt_he_109(client, seed)
    assert adopted.status_code == 200, adopted.text
    versions = {v["id"]: v for v in adopted.json()}
    assert versions["he-109-2025"]["valid_from"] == LATER.isoformat()
    assert versions["he-109-2025"]["reviewed_by"]
    # adopting it ended today's version the day before, in the same step
    assert versions["ktt-2025"]["valid_until"] == (LATER - timedelta(days=1)).isoformat()
    forbidden = client.put("/regime-versions/x", json={"title": "x"}, headers=seed.h("coordinator"))
    assert forbidden.status_code == 403
    with sessions_of(app)() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.resource == "regime_version")).all()
    assert sorted(r.record_id for r in rows) == ["he-109-2025", "ktt-2025"]


def test_overlapping_versions_are_refused_naming_the_field(client: TestClient, seed: Seed) -> None:
    body = {
        "title": "Ennen vuotta 2025",
        "status": "adopted",
        "valid_from": "2024-06-01",
        "sources": ["testi"],
    }
    response = client.put("/regime-versions/early", json=body, headers=seed.h("admin"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.valid_from"
    undated = {**body, "valid_from": None}
    response = client.put("/regime-versions/early", json=undated, headers=seed.h("admin"))
    assert response.status_code == 422


@pytest.mark.slow
def test_a_run_before_the_reform_uses_the_old_rules_and_one_after_it_the_new(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    """Same county, two runs: C3 (labour market subsidy, activation plan) may be proposed on
    the planning date before HE 109/2025's first day, and is set aside on the one after."""
    with sessions_of(app)() as session:
        c3 = session.get(ClientRow, "C3")
        assert c3 is not None
        c3.attributes = {**c3.attributes, "benefits": SUBSIDY}
        session.commit()
    assert _adopt_he_109(client, seed).status_code == 200
    h = seed.h("coordinator")
    results = {}
    for day in (PLANNING, LATER):
        body = {"planning_date": day.isoformat(), "options": {"time_limit_s": 5}}
        response = client.post("/runs", json=body, headers=h)
        assert response.status_code == 202, response.text
        run = poll(client, response.headers["Location"], h)
        assert run["status"] == "succeeded", run["error"]  # the service checks every result
        results[day] = run
    before = {n["id"]: n["rule"] for n in results[PLANNING]["set_aside"]}
    after = {n["id"]: n["rule"] for n in results[LATER]["set_aside"]}
    assert "C3" not in before
    assert after["C3"] == "referral_basis_not_for_benefit"
    assert "C3" not in results[LATER]["unassigned"]


def test_a_client_write_checks_section_6_and_the_benefit_by_the_version_in_force(
    client: TestClient, seed: Seed
) -> None:
    h = seed.h("coordinator")
    response = client.patch("/clients/C3", json={"full_time_student": True}, headers=h)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "body.full_time_student" and error["rule"] == "section_6_student"
    fund = [{"benefit": "earnings_related_allowance", "from_date": "2025-01-01"}]
    response = client.patch("/clients/C3", json={"benefits": fund}, headers=h)
    assert response.status_code == 422
    assert response.json()["errors"][0]["rule"] == "referral_basis_not_for_benefit"
    both = {"benefits": fund, "referral_basis": "multidisciplinary_employment_plan"}
    response = client.patch("/clients/C3", json=both, headers=h)
    assert response.status_code == 200, response.text
    assert response.json()["benefits"][0]["benefit"] == "earnings_related_allowance"
    assert (
        client.patch("/clients/C3", json={"work_hours_per_week": 8}, headers=h).status_code == 200
    )


def test_the_printed_agreement_names_the_organiser_of_the_version_on_its_start(
    client: TestClient, seed: Seed
) -> None:
    from tests.service.test_api_cooperation import started

    period = started(client, seed)
    url = f"/agreements/{period['agreement_id']}/print"
    assert "Järjestäjä: hyvinvointialue" in client.get(url, headers=seed.h("coordinator")).text
    reform = {
        "title": "Kunta järjestää",
        "status": "adopted",
        "valid_from": period["start_date"],
        "sources": ["TEM:n arvio 19.12.2025"],
        "regime": {"organiser": "municipality"},
    }
    response = client.put("/regime-versions/kunta", json=reform, headers=seed.h("admin"))
    assert response.status_code == 200, response.text
    printed = client.get(url, headers=seed.h("coordinator")).text
    assert "Järjestäjä: kunta" in printed and "hyvinvointialue" not in printed
    sv = client.get(url, params={"lang": "sv"}, headers=seed.h("coordinator")).text
    assert "Anordnare: kommunen" in sv


@pytest.mark.slow
def test_a_planners_scenario_on_the_proposed_version_lists_who_changes_referral_basis(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    with sessions_of(app)() as session:
        for cid in ("C1", "C3"):
            row = session.get(ClientRow, cid)
            assert row is not None
            row.attributes = {**row.attributes, "benefits": SUBSIDY}
        session.commit()
    body = {
        "name": "HE 109",
        "planning_date": PLANNING.isoformat(),
        "time_limit_s": 2,
        "seat_values": 0,
        "scenarios": [
            {
                "name": "HE 109 (2025)",
                "changes": [{"kind": "regime_version", "version": "he-109-2025"}],
            }
        ],
    }
    h = seed.h("planner", **{"X-Purpose": "uudistus"})
    response = client.post("/scenario-jobs", json=body, headers=h)
    assert response.status_code == 202, response.text
    job = poll(client, response.headers["Location"], seed.h("planner"))
    assert job["status"] == "succeeded", job["error"]
    document = client.get(f"/scenario-jobs/{job['id']}/comparison", headers=h).json()
    by_name = {s["scenario"]: s for s in document["scenarios"]}
    assert by_name["base"]["referral_changes"] == []
    changed = by_name["HE 109 (2025)"]["referral_changes"]
    assert len(changed) == 2  # C1 and C3, under their pseudonyms
    assert all(c["client"].startswith("S") and c["client"] not in ("C1", "C3") for c in changed)
    assert {(c["before"], c["after"]) for c in changed} == {
        ("activation_plan", "multidisciplinary_employment_plan")
    }
    unknown = {
        **body,
        "scenarios": [{"name": "x", "changes": [{"kind": "regime_version", "version": "nope"}]}],
    }
    assert client.post("/scenario-jobs", json=unknown, headers=h).status_code == 404


def test_the_scenario_base_keeps_only_the_benefit_on_the_planning_date() -> None:
    from models import AllocationProblem
    from service.crud.pseudonyms import pseudonymise
    from tests.factories import client as client_record
    from tests.factories import problem_dict

    spells = [
        {
            "benefit": "earnings_related_allowance",
            "from_date": "2025-01-01",
            "until_date": "2025-12-31",
        },
        {"benefit": "labour_market_subsidy", "from_date": "2026-01-01"},
    ]
    data = problem_dict(
        clients=[client_record("C1", benefits=spells, referral_basis="activation_plan")]
    )
    base = pseudonymise(AllocationProblem.model_validate(data))
    (only,) = base.clients[0].benefits
    assert only.benefit.value == "labour_market_subsidy"
    assert only.from_date == base.planning_date and only.until_date is None
