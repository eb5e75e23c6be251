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
