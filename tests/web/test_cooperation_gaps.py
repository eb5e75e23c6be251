"""The cooperation cycle's smaller pieces on the pages, request by request: the admin gives a
coach user their coach id; a certificate for own illness clears the period's flag; the
municipality's own follow-up figures; the planner's feedback by group; the coordinator's
"others on request" with its purpose in the audit log."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.db.accounts import UserRow
from tests.service.svc_helpers import sessions_of
from tests.web.test_pages_admin import admin_signed_in
from tests.web.web_helpers import WebSeed


def test_admin_creates_a_coach_user_with_their_coach_id(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    token = admin_signed_in(client, web_seed)
    form = client.get("/admin/users").text
    assert '<select id="coach" name="coach"' in form and '<option value="K1"' in form
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
