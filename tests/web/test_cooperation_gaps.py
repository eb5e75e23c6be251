"""The cooperation cycle's smaller pieces on the pages, request by request: the admin gives a
coach user their coach id; a certificate for own illness clears the period's flag; the
municipality's own follow-up figures; the planner's feedback by group; the coordinator's
"others on request" with its purpose in the audit log."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from matching.cooperation.texts import refusal_text, text
from service.accounts import create_user
from service.auth import Role
from service.db.accounts import UserRow
from service.db.cooperation import CertificateRow
from service.db.tables import AuditRow
from service.web.cooperation import reports
from tests.service.svc_helpers import sessions_of
from tests.web.test_cooperation_pages import (
    MONDAY,
    accept,
    d,
    error_at,
    people,
    post,
    started,
    visible,
)
from tests.web.test_pages_admin import admin_signed_in
from tests.web.test_sign_in import sign_in
from tests.web.web_helpers import PASSWORD, WebSeed

__all__ = ["people"]  # the fixture, shared with the cycle's page tests


def test_admin_creates_a_coach_user_with_their_coach_id(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    token = admin_signed_in(client, web_seed)
    form = client.get("/admin/users").text
    assert '<select id="coach" name="coach"' in form and '<option value="K1"' in form
    assert 'id="coach-field"' in form  # app.js shows it for the coach role only
    base = {"csrf": token, "username": "vilma", "full_name": "Vilma Valmentaja", "role": "coach"}
    refused = client.post("/admin/users", data={**base, "coach": ""})
    assert refused.status_code == 422
    found = re.search(r'<p class="field-error" id="err-coach">(.*?)</p>', refused.text)
    assert found is not None and "yksi valmentaja" in found.group(1)
    assert 'aria-invalid="true"' in refused.text
    made = client.post("/admin/users", data={**base, "coach": "K1"})
    assert made.status_code == 200 and "Käyttäjä vilma luotu" in made.text
    with sessions_of(app)() as session:
        user = session.scalar(select(UserRow).where(UserRow.username == "vilma"))
        assert user is not None and user.role == "coach" and user.organisations == ["K1"]


def test_a_certificate_for_own_illness_clears_the_flag(
    client: TestClient, app: FastAPI, people: WebSeed
) -> None:
    period = started(client, people)
    url = f"/coordinator/cooperation/periods/{period}"
    sick = {"status": "absent", "absence_reason": "own_illness"}
    for day in (MONDAY, MONDAY + timedelta(days=7)):  # one run of own illness over 8 days
        assert post(client, f"{url}/days", url, {**sick, "day": d(day)}).status_code == 303
    flag = refusal_text("certificate_needed")
    html = client.get(url).text
    assert visible(html).count(flag) == 2 and html.count(f"{url}/certificates") == 2
    # only a recorded absence takes a certificate
    response = post(client, f"{url}/certificates", url, {"day": d(MONDAY + timedelta(days=1))})
    assert response.status_code == 422 and error_at(response.text, "day")
    response = post(client, f"{url}/certificates", url, {"day": MONDAY.isoformat()})
    assert response.status_code == 303 and response.headers["location"].endswith("done=certificate")
    html = client.get(url).text
    assert flag not in visible(html) and f"{url}/certificates" not in html
    assert "Todistus saatu." in visible(html)
    with sessions_of(app)() as session:
        assert session.scalar(select(func.count()).select_from(CertificateRow)) == 1
    response = post(client, f"{url}/certificates", url, {"day": MONDAY.isoformat()})
    assert response.status_code == 409


def test_planner_sees_feedback_by_group_beside_the_outcomes(
    client: TestClient, people: WebSeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = started(client, people)
    url = f"/coordinator/cooperation/periods/{period}"
    end = {"end_date": d(date.today()), "reason": "agreed_end", "onward_path": "job"}
    assert post(client, f"{url}/end", url, end).status_code == 303
    form = client.get(f"{url}/feedback?lang=fi").text
    answers = {q: "4" for q in re.findall(r'name="([a-z_]+)" value="1"', form)}
    response = post(client, f"{url}/feedback", f"{url}/feedback?lang=fi", {**answers, "lang": "fi"})
    assert response.status_code == 303
    sign_in(client, "sirpa")
    html = client.get("/planner/outcomes").text
    shown = visible(html)
    assert shown.count("Asiakkaiden palaute jakson lopussa") == 4  # one per grouping
    assert text("feedback.tasks_suited_me") in shown and "Aino" not in shown
    assert "<td>1</td>" not in html and "<td>4</td>" not in html  # one form: hidden
    monkeypatch.setattr(reports, "MIN_COUNT", 1)
    html = client.get("/planner/outcomes").text
    assert "<td>1</td><td>4</td><td>4</td>" in html  # one form of four in every answer


def test_a_municipality_sees_its_own_follow_up_figures_and_files(
    client: TestClient, people: WebSeed
) -> None:
    period = started(client, people)
    url = f"/coordinator/cooperation/periods/{period}"
    week = MONDAY + timedelta(days=7)
    for day, status, reason in (
        (week, "present", ""),
        (week + timedelta(days=1), "absent", "own_illness"),
    ):
        data = {"day": d(day), "status": status, "absence_reason": reason}
        assert post(client, f"{url}/days", url, data).status_code == 303
    month = f"{week.month}.{week.year}"
    sign_in(client, "kalle")
    html = client.get(f"/municipality/follow-up?month={month}").text
    shown = visible(html)
    assert "Kuntamme rahoituksen seuranta" in shown and "9,00 €" in shown
    # clients, periods (C2's imported period counts too), present, absent, not arranged
    assert "<td>2</td><td>2</td><td>1</td><td>1</td><td>0</td>" in html
    assert text("absence.own_illness") not in shown and "Aino" not in shown
    rows = client.get(f"/municipality/follow-up.csv?month={month}")
    assert rows.status_code == 200 and rows.content.startswith(b"\xef\xbb\xbf")
    lines = rows.content.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(";")[0] == text("col.municipality") and len(lines[1].split(";")) > 5
    assert ";9,00" in lines[1] and "own_illness" not in lines[1]
    book = load_workbook(
        io.BytesIO(client.get(f"/municipality/follow-up.xlsx?month={month}").content)
    )
    assert book.active["B2"].value == 2  # Aino and C2 (imported period)
    assert client.get("/municipality/follow-up?month=13.2026").status_code == 422
    assert client.get("/coordinator/cooperation/report").status_code == 403
    sign_in(client, "iida")  # a contact in another municipality sees none of it
    other = client.get(f"/municipality/follow-up?month={month}").text
    assert "9,00 €" not in visible(other) and "<td>1</td>" not in other


def test_coordinator_sees_others_cycle_on_request_with_the_purpose_audited(
    client: TestClient, app: FastAPI, people: WebSeed
) -> None:
    started(client, people)  # Aino A (C1), of kaisa's caseload
    accept(client, people.proposals["C3"])  # waiting for the site's answer
    with sessions_of(app)() as session:
        create_user(
            session,
            username="kerttu",
            full_name="Kerttu Kollega",
            role=Role.COORDINATOR,
            password=PASSWORD,
            caseload=["C9"],
        )
        session.commit()
    sign_in(client, "kerttu")
    own = client.get("/coordinator/cooperation")
    assert own.status_code == 200 and "Aino A" not in visible(own.text)
    assert 'name="purpose"' in own.text
    unexplained = client.get("/coordinator/cooperation?scope=all&purpose=+")
    assert "Aino A" not in visible(unexplained.text)
    assert "Kirjoita syy" in error_at(unexplained.text, "purpose")
    why = "Sijaisena kollegan lomalla"
    others = client.get("/coordinator/cooperation", params={"scope": "all", "purpose": why})
    assert "Aino A" in visible(others.text) and f'value="{why}"' in others.text
    none_waiting = "Mikään hyväksytty ehdotus ei odota paikan vastausta."
    assert none_waiting in visible(own.text) and none_waiting not in visible(others.text)
    with sessions_of(app)() as session:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.actor == "kerttu", AuditRow.resource == "periods")
        ).all()
        assert [r.purpose for r in rows] == ["own caseload's cycle"] * 2 + [why]
        # C2's imported period is in the cycle too
        assert (rows[-1].detail or {})["client_ids"] == ["C1", "C2", "C3"]
