"""The admin's page of regime versions: the shipped versions listed, HE 109/2025 adopted with
its first day through the form (audited), the organiser on every page's footer."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.db.tables import AuditRow
from tests.service.svc_helpers import sessions_of
from tests.web.test_pages_admin import admin_signed_in
from tests.web.test_sign_in import csrf_of
from tests.web.web_helpers import WebSeed


def test_admin_adopts_a_proposed_version_with_its_date_and_the_footer_names_the_organiser(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    admin_signed_in(client, web_seed)
    page = client.get("/admin/regimes")
    assert page.status_code == 200
    assert "he-109-2025" in page.text and "ei vielä vahvistettu" in page.text
    assert "Järjestäjä: hyvinvointialue." in page.text  # the footer, from the regime
    form = {
        "csrf": csrf_of(page.text),
        "id": "he-109-2025",
        "title": "HE 109/2025 (vahvistettu)",
        "status": "adopted",
        "valid_from": "4.1.2027",
        "sources": "HE 109/2025\nStVM 27/2025",
    }
    saved = client.post("/admin/regimes", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    listing = client.get(saved.headers["location"]).text
    assert "4.1.2027" in listing and "3.1.2027" in listing  # today's version ends the day before
    bad = {**form, "csrf": csrf_of(listing), "valid_from": "", "status": "in_force"}
    refused = client.post("/admin/regimes", data=bad)
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    reform = {
        **form,
        "csrf": csrf_of(listing),
        "id": "kunta",
        "title": "Kunta järjestää",
        "base": "ktt-2025",
        "valid_from": "1.1.2000",
        "organiser": "municipality",
    }
    # dated before today's version: it overlaps, refused with the field named
    assert client.post("/admin/regimes", data=reform).status_code == 422
    with sessions_of(app)() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.resource == "regime_version"))
        assert {r.record_id for r in rows} == {"he-109-2025", "ktt-2025"}


def test_the_client_record_takes_the_benefit_with_its_day_and_the_section_6_fields(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    from service.db.tables import ClientRow
    from tests.web.test_fast_pages import post, signed_in

    token = signed_in(client, "kaisa")
    page = client.get("/coordinator/clients/C4")
    assert page.status_code == 200 and "Järjestämisvelvollisuus (6 §)" in page.text
    form = {
        "csrf": token,
        "referral_basis": "activation_plan",
        "days_per_week": "3",
        "hours_per_day": "5",
        "available_weekdays": ["mon", "tue", "wed"],
        "max_travel_minutes": "60",
        "languages": "fi",
        "support_units": "1",
        "coach": "K1",
        "benefit": "labour_market_subsidy",
        "benefit_from": "1.1.2026",
    }
    assert post(client, "/coordinator/clients/C4", form).status_code == 303
    changed = {**form, "benefit": "social_assistance", "benefit_from": "1.6.2026"}
    assert post(client, "/coordinator/clients/C4", changed).status_code == 303
    with sessions_of(app)() as session:
        row = session.get(ClientRow, "C4")
        assert row is not None
        assert row.attributes["benefits"] == [
            {
                "benefit": "labour_market_subsidy",
                "from_date": "2026-01-01",
                "until_date": "2026-05-31",
            },
            {"benefit": "social_assistance", "from_date": "2026-06-01", "until_date": None},
        ]
    student = post(client, "/coordinator/clients/C4", {**form, "full_time_student": "on"})
    assert student.status_code == 422
    assert "päätoiminen opiskelija" in student.text.lower()


def test_the_placement_form_records_seats_other_services_take(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    from service.db.tables import PlacementRow
    from tests.web.test_pages_placements import FORM
    from tests.web.test_sign_in import sign_in

    sign_in(client, "kalle")
    token = csrf_of(client.get("/municipality/placements/new").text)
    shared = {
        "shared_service": ["work_trial", ""],
        "shared_from": ["1.2.2026", ""],
        "shared_until": ["30.4.2026", ""],
        "shared_seats": ["1", ""],
        "shared_support_units": ["1", ""],
    }
    form = {**FORM, "id": "PAJA-1", "csrf": token, **shared}
    saved = client.post("/municipality/placements/new", data=form)
    assert saved.status_code == 200, saved.text[:2000]
    with sessions_of(app)() as session:
        row = session.get(PlacementRow, "PAJA-1")
        assert row is not None
        assert row.attributes["shared_use"] == [
            {
                "service": "work_trial",
                "from_date": "2026-02-01",
                "until_date": "2026-04-30",
                "seats": 1,
                "support_units": 1,
            }
        ]
    edit = client.get("/municipality/placements/PAJA-1").text
    assert 'value="1.2.2026"' in edit and "työkokeilu" in edit
    cleared = {**form, "shared_service": ["", ""]}
    assert client.post("/municipality/placements/PAJA-1", data=cleared).status_code == 200
    with sessions_of(app)() as session:
        row = session.get(PlacementRow, "PAJA-1")
        assert row is not None and row.attributes["shared_use"] == []
    backwards = {**form, "shared_until": ["1.1.2026", ""]}
    refused = client.post("/municipality/placements/PAJA-1", data=backwards)
    assert refused.status_code == 422
