"""API error bodies: stable codes for programs, and a plain-language ``message`` for people
in the language of ``Accept-Language`` (Finnish by default), from the catalogues."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from matching.explain.notices import located_text
from service.db.tables import ClientRow, PlacementRow
from service.errors import Conflict, NotFound, people_text, service_message
from tests.explain.test_plain_language import identifiers, wrong_plurals
from tests.service.svc_helpers import PLANNING, Seed, poll, sessions_of

LANGS = {"fi": "fi-FI,fi;q=0.9", "sv": "sv-FI, en;q=0.5", "en": "en-GB,en;q=0.8,fi;q=0.2"}


def text_of(note: dict[str, object]) -> str:
    return str(note["text"])


def _readable(text: str, lang: str) -> None:
    assert text and not identifiers(text) and not wrong_plurals(text, lang), (lang, text)


@pytest.mark.parametrize("lang", list(LANGS))
def test_a_refused_value_is_named_in_words_with_its_code_kept(
    client: TestClient, seed: Seed, lang: str
) -> None:
    h = {**seed.h("coordinator"), "Accept-Language": LANGS[lang]}
    bad = client.patch("/clients/C1", json={"days_per_week": 9}, headers=h)
    body = bad.json()
    assert bad.status_code == 422
    first = body["errors"][0]
    assert first["field"] == "body.days_per_week" and first["type"] == "less_than_equal"
    assert body["detail"] == "invalid request"
    words = {"fi": "päiviä viikossa", "sv": "dagar i veckan", "en": "days a week"}[lang]
    assert words in first["message"] and "9" in first["message"] and "7" in first["message"]
    assert first["message"] in body["message"]
    _readable(body["message"], lang)


@pytest.mark.parametrize("lang", list(LANGS))
def test_a_write_that_breaks_a_rule_of_the_next_run_says_which_in_words(
    client: TestClient, seed: Seed, lang: str
) -> None:
    h = {**seed.h("coordinator"), "Accept-Language": LANGS[lang]}
    refused = client.patch("/clients/C1", json={"days_per_week": 5}, headers=h)
    assert refused.status_code == 422
    body = refused.json()
    first = body["errors"][0]
    assert first["rule"] == "above_legal_maximum"
    assert first["record"] == {"kind": "client", "id": "C1"}
    client_word = {"fi": "asiakas C1", "sv": "klient C1", "en": "client C1"}[lang]
    assert first["message"].startswith(client_word), first["message"]
    assert "5" in first["message"] and "4" in first["message"]
    _readable(body["message"], lang)


def test_finnish_is_the_default_and_unknown_languages_fall_back_to_it(
    client: TestClient, seed: Seed
) -> None:
    for header in (None, "de-DE", "*"):
        h = seed.h("coordinator") | ({"Accept-Language": header} if header else {})
        missing = client.get("/clients/NOPE", headers=h)
        assert missing.status_code == 404
        assert missing.json()["message"] == people_text(404, "fi")
        assert "not found" in missing.json()["detail"]


@pytest.mark.parametrize("lang", list(LANGS))
def test_every_status_has_a_plain_text(lang: str) -> None:
    for status in (400, 401, 403, 404, 409, 422, 500, 503):
        text = people_text(status, lang, [], None, {"error_id": "3f9a12"})
        _readable(text, lang)
    errors = [{"loc": ["body", "seats"], "type": "missing"}] * 2
    _readable(people_text(422, lang, errors), lang)
    _readable(service_message(Conflict("run 3 of this county is still running"), lang), lang)
    _readable(service_message(NotFound("client 'X' not found"), lang), lang)


def test_a_decision_breach_reads_as_words() -> None:
    breach = {
        "loc": ["body", "placement"],
        "type": "seats",
        "rule": "seats",
        "value": "P1",
        "clients": ["C1", "C2"],
        "placements": ["P1"],
    }
    for lang in LANGS:
        text = located_text(breach, lang)
        _readable(text, lang)
        assert "C1" in text and "P1" in text


@pytest.mark.slow
def test_set_aside_notes_are_stored_as_codes_and_read_in_the_callers_language(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    with sessions_of(app)() as session:  # as if stored before a rule change
        c3 = session.get(ClientRow, "C3")
        p1 = session.get(PlacementRow, "P1")
        assert c3 is not None and p1 is not None
        c3.attributes = {**c3.attributes, "days_per_week": 5}
        p1.attributes = {**p1.attributes, "seats": 0}  # C2's ongoing period is at P1
        session.commit()
    run = {"planning_date": PLANNING.isoformat(), "options": {"time_limit_s": 5}}
    response = client.post("/runs", json=run, headers=seed.h("coordinator"))
    poll(client, response.headers["Location"], seed.h("coordinator"))
    expected = {
        "fi": ("Asiakas C3, päiviä viikossa: 5 on yli", "Jätetty pois tästä jaosta"),
        "sv": ("Klient C3, dagar i veckan: 5 är över", "Lämnad utanför den här fördelningen"),
        "en": ("Client C3, days a week: 5 is above", "Left out of this allocation"),
    }
    for lang, header in LANGS.items():
        h = {**seed.h("coordinator"), "Accept-Language": header}
        notes = client.get(response.headers["Location"], headers=h).json()["set_aside"]
        by_rule = {n["rule"]: n for n in notes}
        assert by_rule["above_legal_maximum"]["code"] == "error.above_legal_maximum"
        assert by_rule["above_legal_maximum"]["params"] == {"limit": 4}
        assert by_rule["seats"]["code"] == "note.kept_no_fit"
        start, then = expected[lang]
        text = by_rule["above_legal_maximum"]["text"]
        assert text.startswith(start) and then in text, text
        assert by_rule["seats"]["text"].startswith(start.split()[0] + " C2") and "P1" in text_of(
            by_rule["seats"]
        )
        for note in notes:
            _readable(note["text"], lang)
