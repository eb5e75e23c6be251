"""The override preview says why a full placement cannot be chosen in the coordinator's
language, naming the client who holds the seat by name and home municipality, never by id,
and never in the engine's English ("placement 'P1': 2 seats needed with 'C3', 1 available
(in use by C2)")."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from service.db.accounts import UserRow
from service.db.tables import PlacementRow
from tests.service.svc_helpers import sessions_of
from tests.web.test_fast_pages import post, signed_in
from tests.web.web_helpers import WebSeed


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fi",
            "Dept P1, Oulu catering: vapaata paikkaa ei ole (tarvittaisiin 2, paikkoja on 1); "
            "paikalla on Bertta B (40 v., Oulu)",
        ),
        (
            "sv",
            "Dept P1, Oulu catering: ingen ledig plats (2 skulle behövas, det finns 1); "
            "platserna har Bertta B (40 år, Oulu)",
        ),
    ],
)
def test_a_full_placement_in_the_preview_is_said_in_words(
    client: TestClient, app: FastAPI, web_seed: WebSeed, language: str, expected: str
) -> None:
    with sessions_of(app)() as session:
        p1 = session.get(PlacementRow, "P1")
        assert p1 is not None
        p1.attributes = {**p1.attributes, "seats": 1}  # C2's ongoing period holds the seat
        session.execute(
            update(UserRow).where(UserRow.username == "kaisa").values(language=language)
        )
        session.commit()
    token = signed_in(client, "kaisa")
    proposal = web_seed.proposals["C3"]
    preview = post(
        client,
        f"/coordinator/proposals/{proposal}/preview",
        {"csrf": token, "placement": "P1", "reason_code": "client_wish"},
    )
    assert preview.status_code == 422
    assert expected in preview.text
    assert "C2" not in preview.text.split('id="preview"')[1].split("</section>")[0]
    assert "seats needed" not in preview.text and "in use by" not in preview.text
