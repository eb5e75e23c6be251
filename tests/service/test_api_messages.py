"""API error bodies: stable codes for programs, and a plain-language ``message`` for people
in the language of ``Accept-Language`` (Finnish by default), from the catalogues."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from matching.explain.messages import LANGUAGES, catalogue, fill
from matching.explain.notices import located_text, scenario_error_text
from service.app import create_app
from service.db.tables import ClientRow, PlacementRow, RunRow, ScenarioJobRow
from service.errors import Conflict, NotFound, people_text, service_message
from tests.explain.test_plain_language import identifiers, wrong_plurals
from tests.service.svc_helpers import (
    PLANNING,
    Seed,
    fake_scenario_engine,
    poll,
    sessions_of,
    settings_for,
    wait_idle,
)
from tests.service.test_api_clients import NEW as NEW_CLIENT
from tests.service.test_api_cooperation import accept, agreement, confirm, started
from tests.service.test_api_placements import NEW as NEW_PLACEMENT
from tests.service.test_api_scenarios import start as start_scenarios

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
        said(missing, 404, "api.not_found.client", id="NOPE")
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
        # the placement is named; the clients are never shown by their ids (issue #20)
        assert "P1" in text and "C1" not in text and "C2" not in text


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


# --- each refusal people can meet has its own text ------------------------------------------

SERVICE = Path(__file__).resolve().parents[2] / "service"
RAISED = {"InvalidInput", "Conflict", "NotFound", "Forbidden", "OutOfOrder", "Unauthorized"}
GENERAL = {
    ("deps.py", "Unauthorized"): 2,  # no token / an unknown token: the status's text says it
    ("deps.py", "Forbidden"): 1,  # a role the route does not admit: the status's text says it
    ("crud/integrity.py", "InvalidInput"): 1,  # worded by its located errors (record, rule)
    ("crud/scenario_base.py", "InvalidInput"): 1,  # worded by its scenario.error.* entries
    ("crud/decisions.py", "InvalidInput"): 1,  # the period's length: worded by its rule
    ("idempotency.py", "InvalidInput"): 1,  # a program reusing its own key; people never do
    ("uploads.py", "InvalidInput"): 1,  # an import's rows: worded by its located errors
}
"""Raise sites that keep the status's text or a located error's words, and why."""


def said(response: Any, status: int, code: str, lang: str = "fi", **params: Any) -> None:
    """The error body's ``message`` is the catalogue entry ``code`` with ``params``, not the
    general text of its status (so the raise site passes its code)."""
    assert response.status_code == status, response.text
    assert code in catalogue(lang), code
    text = fill(catalogue(lang)[code]["coordinator"], lang, "coordinator", params)
    body = response.json()
    assert body["message"] == text, (code, body["message"])
    assert body["message"] != people_text(status, lang)
    _readable(body["message"], lang)


def _raise_sites() -> list[tuple[str, str, str | None]]:
    """(file, error class, literal code or "" for a computed one / None for none)."""
    out: list[tuple[str, str, str | None]] = []
    for path in sorted(SERVICE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Raise | ast.Assign | ast.Return):
                continue
            call = node.exc if isinstance(node, ast.Raise) else node.value
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", getattr(call.func, "attr", ""))
            if name not in RAISED:
                continue
            codes = [k.value for k in call.keywords if k.arg == "code"]
            code = None
            if codes:
                literal = isinstance(codes[0], ast.Constant) and isinstance(codes[0].value, str)
                code = codes[0].value if literal else ""  # type: ignore[union-attr]
            if name == "OutOfOrder" and code is None:
                code = f"refusal.{call.args[0].value}"  # type: ignore[attr-defined]
            out.append((str(path.relative_to(SERVICE)), name, code))
    return out


def test_every_raise_site_people_meet_passes_a_code_of_the_catalogues() -> None:
    from matching.cooperation.texts import CATALOGUE as COOPERATION

    sites = _raise_sites()
    assert len(sites) > 60
    without: dict[tuple[str, str], int] = {}
    for where, name, code in sites:
        if code is None:
            without[(where, name)] = without.get((where, name), 0) + 1
        elif code.startswith("refusal."):
            assert code in COOPERATION, (where, code)
        elif code:
            for lang in LANGUAGES:
                assert code in catalogue(lang), (where, code, lang)
    assert without == GENERAL


def test_the_catalogues_have_the_same_api_keys() -> None:
    keys = {lang: {k for k in catalogue(lang) if k.startswith("api.")} for lang in LANGUAGES}
    assert keys["fi"] == keys["sv"] == keys["en"]
    assert len(keys["fi"]) > 60


@pytest.mark.parametrize("lang", list(LANGS))
def test_unknown_ids_are_named_with_what_was_looked_for(
    client: TestClient, seed: Seed, lang: str
) -> None:
    h = {**seed.h("coordinator"), "Accept-Language": LANGS[lang]}
    for path, code, ident in [
        ("/clients/NOPE", "api.not_found.client", "NOPE"),
        ("/placements/NOPE", "api.not_found.placement", "NOPE"),
        ("/runs/99999", "api.not_found.run", "99999"),
        ("/proposals/99999", "api.not_found.proposal", "99999"),
        ("/assignments/99999", "api.not_found.assignment", "99999"),
        ("/agreements/99999", "api.not_found.agreement", "99999"),
        ("/periods/99999", "api.not_found.period", "99999"),
        ("/start-meetings/99999", "api.not_found.meeting", "99999"),
        (f"/proposals/{seed.proposal_id}/confirmation", "api.not_found.site_answer", None),
    ]:
        said(client.get(path, headers=h), 404, code, lang, id=ident or str(seed.proposal_id))
    planner = {**seed.h("planner"), "Accept-Language": LANGS[lang]}
    said(
        client.get("/scenario-jobs/99999", headers=planner),
        404,
        "api.not_found.scenario",
        lang,
        id="99999",
    )
    job = seed.scenario_job_id
    missing = client.get(f"/scenario-jobs/{job}/files/nope.csv", headers=planner)
    said(missing, 404, "api.not_found.scenario_file", lang, id=str(job), name="nope.csv")


def test_conflicts_with_records_say_which_record(client: TestClient, seed: Seed) -> None:
    h = seed.h("coordinator")
    dup = client.post("/clients", json={**NEW_CLIENT, "id": "C1"}, headers=h)
    said(dup, 409, "api.exists.client", id="C1")
    coach = client.patch("/clients/C1", json={"coach": "K9"}, headers=h)
    said(coach, 422, "api.unknown.coach", value="K9")
    area = client.patch("/clients/C1", json={"commuting_area": "X9"}, headers=h)
    said(area, 422, "api.unknown.commuting_area", value="X9")
    said(
        client.post(f"/runs/{seed.run_id}/cancel", headers=h),
        409,
        "api.job_final.run",
        id=str(seed.run_id),
    )
    job = seed.scenario_job_id
    cancel = client.post(f"/scenario-jobs/{job}/cancel", headers=seed.h("planner"))
    said(cancel, 409, "api.job_final.scenario", id=str(job))
    unknown = client.patch("/clients/C1", json={"home_municipality": "999"}, headers=h)
    said(unknown, 422, "api.unknown.municipality", value="999")
    site = seed.h("muni1")
    other = {**NEW_PLACEMENT, "organisation": "O2"}
    foreign = client.post("/placements", json=other, headers=site)
    said(foreign, 403, "api.forbidden.own_organisation")
    unknown_place = client.post(
        "/placements", json={**NEW_PLACEMENT, "organisation": "O9"}, headers=seed.h("admin")
    )
    said(unknown_place, 422, "api.unknown.organisation", value="O9")
    dup = client.post("/placements", json={**NEW_PLACEMENT, "id": "P1"}, headers=site)
    said(dup, 409, "api.exists.placement", id="P1")
    assert client.post("/placements/P2/close", headers=site).status_code == 200
    said(
        client.post("/placements/P2/close", headers=site),
        409,
        "api.placement_already_closed",
        id="P2",
    )
    edit = client.patch("/placements/P2", json={"seats": 3}, headers=site)
    said(edit, 409, "api.placement_closed_edit", id="P2")
    move = {"decision": "override", "reason_code": "client_wish", "placement": "P2"}
    closed = client.post(f"/proposals/{seed.proposal_id}/decision", json=move, headers=h)
    said(closed, 409, "api.placement_closed", id="P2")
    accept(client, seed)
    again = {"decision": "accept", "reason_code": "client_agreed"}
    twice = client.post(f"/proposals/{seed.proposal_id}/decision", json=again, headers=h)
    said(twice, 409, "api.proposal_decided", id=str(seed.proposal_id))


def test_days_of_an_assignment_are_named_by_date(client: TestClient, seed: Seed) -> None:
    h, a = seed.h("coordinator"), seed.assignment_id
    url = f"/assignments/{a}/attendance"
    outside = client.post(url, json={"day": "2025-11-03", "status": "present"}, headers=h)
    said(outside, 422, "api.day_outside_assignment", date="2025-11-03")
    ok = {"day": "2026-01-05", "status": "present"}
    assert client.post(url, json=ok, headers=h).status_code == 201
    said(
        client.post(url, json=ok, headers=h), 409, "api.day_recorded", date="2026-01-05", id=str(a)
    )
    fix = {"day": "2026-01-06", "status": "present", "correction_reason": "typo"}
    said(
        client.put(url, json=fix, headers=h), 404, "api.not_found.day", date="2026-01-06", id=str(a)
    )
    early = client.post(f"/assignments/{a}/end", json={"end_date": "2025-11-03"}, headers=h)
    said(early, 422, "api.end_before_start", date="2025-11-03", since="2025-12-01")
    running = client.post(f"/assignments/{a}/end", json={"end_date": "2026-01-31"}, headers=h)
    period = client.get("/periods?client=C2", headers=h).json()[0]["id"]
    said(running, 409, "api.period_on_assignment", id=str(period))
    end = {"end_date": "2026-01-31", "reason": "agreed_end", "onward_path": "job"}
    assert client.post(f"/periods/{period}/end", json=end, headers=h).status_code == 200
    ended = client.post(f"/assignments/{a}/end", json={"end_date": "2026-01-31"}, headers=h)
    said(ended, 409, "api.assignment_ended", id=str(a))


def test_steps_of_the_cycle_out_of_order_say_what_comes_first(
    client: TestClient, seed: Seed
) -> None:
    h, proposal = seed.h("coordinator"), seed.proposal_id
    said(confirm(client, seed), 409, "api.proposal_not_accepted", id=str(proposal))
    accept(client, seed)
    assert confirm(client, seed).status_code == 201
    said(confirm(client, seed), 409, "api.already_answered", id=str(proposal))
    unknown = client.post("/agreements", json=agreement(seed, proposal_id=99999), headers=h)
    said(unknown, 422, "api.not_found.proposal", id="99999")
    drafted = client.post("/agreements", json=agreement(seed), headers=h)
    assert drafted.status_code == 201, drafted.text
    aid = drafted.json()["id"]
    second = client.post("/agreements", json=agreement(seed), headers=h)
    said(second, 409, "api.agreement_exists", id=str(aid))
    other = client.put(f"/agreements/{aid}", json=agreement(seed, proposal_id=99999), headers=h)
    said(other, 422, "api.agreement_other_proposal", id=str(aid), proposal=str(proposal))
    agreed = client.post(f"/agreements/{aid}/agree", json={"agreed_on": "2026-01-02"}, headers=h)
    assert agreed.status_code == 200, agreed.text
    no_meeting = client.post("/periods", json={"agreement_id": aid, "payer": "kela"}, headers=h)
    said(no_meeting, 409, "api.no_meeting")
    assert no_meeting.json()["code"] == "no_meeting"


def test_steps_of_a_period_done_twice_say_so(client: TestClient, seed: Seed) -> None:
    period = started(client, seed)
    h, pid, aid = seed.h("coordinator"), period["id"], period["agreement_id"]
    again = client.post("/periods", json={"agreement_id": aid, "payer": "kela"}, headers=h)
    said(again, 409, "api.period_exists", id=str(aid))
    said(
        client.post(f"/agreements/{aid}/cancel", json={"reason": "x"}, headers=h),
        409,
        "api.period_started",
        id=str(aid),
    )
    notice = {"authority": "Pohjois-Pohjanmaan työllisyysalue", "sent_on": "2026-01-05"}
    assert client.post(f"/periods/{pid}/start-notice", json=notice, headers=h).status_code == 201
    twice = client.post(f"/periods/{pid}/start-notice", json=notice, headers=h)
    said(twice, 409, "api.notice_recorded", id=str(pid))
    assert twice.json()["code"] == "notice_recorded"
    url = f"/assignments/{period['assignment_id']}/attendance"
    assert (
        client.post(url, json={"day": "2026-01-05", "status": "present"}, headers=h).status_code
        == 201
    )
    ill = {"day": "2026-01-12", "status": "absent", "absence_reason": "own_illness"}
    assert client.post(url, json=ill, headers=h).status_code == 201
    certificate = {"day": "2026-01-12"}
    assert (
        client.post(f"/periods/{pid}/certificates", json=certificate, headers=h).status_code == 201
    )
    again = client.post(f"/periods/{pid}/certificates", json=certificate, headers=h)
    said(again, 409, "api.certificate_recorded", date="2026-01-12")
    present = client.post(f"/periods/{pid}/certificates", json={"day": "2026-01-05"}, headers=h)
    said(present, 422, "api.not_an_absence", date="2026-01-05")
    feedback = {"given_on": "2026-06-30", "answers": {"tasks_suited_me": 5}}
    early = client.post(f"/periods/{pid}/feedback/client", json=feedback, headers=h)
    said(early, 409, "api.not_ended", id=str(pid))
    end = {"end_date": "2026-06-30", "reason": "moved_on_early", "onward_path": "work_trial"}
    assert client.post(f"/periods/{pid}/end", json=end, headers=h).status_code == 200
    by_site = client.post(f"/periods/{pid}/feedback/client", json=feedback, headers=seed.h("muni1"))
    said(by_site, 403, "api.forbidden.feedback.client")
    assert (
        client.post(f"/periods/{pid}/feedback/client", json=feedback, headers=h).status_code == 201
    )
    given = client.post(f"/periods/{pid}/feedback/client", json=feedback, headers=h)
    said(given, 409, "api.feedback_given.client", id=str(pid))
    forms = client.get(f"/periods/{pid}/feedback", headers=seed.h("muni1"))
    said(forms, 403, "api.forbidden.feedback_read")
    unstated = client.get("/periods", params={"scope": "all"}, headers=h)
    said(unstated, 422, "api.purpose_needed")


def test_a_file_that_cannot_be_imported_says_why(client: TestClient, seed: Seed) -> None:
    h = seed.h("coordinator")

    def upload(name: str, content: bytes) -> Any:
        return client.post("/clients/import", files={"file": (name, content)}, headers=h)

    said(upload("clients.pdf", b"id\nC9\n"), 422, "api.file_type", name="clients.pdf")
    said(upload("c.csv", b""), 422, "api.file_no_header")
    said(upload("c.csv", "id\nÄ\n".encode("utf-16")), 422, "api.csv_not_utf8")
    said(upload("c.csv", b"id\nC\x009\n"), 422, "api.csv_nul")
    said(upload("c.xlsx", b"not a workbook"), 422, "api.xlsx_unreadable")


def test_a_decision_on_a_replaced_allocation_names_it(
    client: TestClient, seed: Seed, app: FastAPI
) -> None:
    with sessions_of(app)() as session:
        run = session.get(RunRow, seed.run_id)
        assert run is not None
        run.superseded = True
        session.commit()
    body = {"decision": "accept", "reason_code": "good_fit"}
    late = client.post(
        f"/proposals/{seed.proposal_id}/decision", json=body, headers=seed.h("coordinator")
    )
    said(late, 409, "api.run_superseded", id=str(seed.run_id))
    with sessions_of(app)() as session:
        job = session.get(ScenarioJobRow, seed.scenario_job_id)
        assert job is not None
        job.status = "failed"
        session.commit()
    path = f"/scenario-jobs/{seed.scenario_job_id}/comparison"
    none = client.get(path, headers=seed.h("planner"))
    said(none, 409, "api.scenario_not_succeeded", id=str(seed.scenario_job_id))


@pytest.mark.parametrize("executor", ["process", "thread"])
def test_a_scenario_the_worker_cannot_run_is_worded_for_the_planner(
    database_url: str, seed: Seed, executor: str
) -> None:
    engine = fake_scenario_engine("failing_batch")
    settings = settings_for(database_url, run_executor=executor)
    app = create_app(settings, scenario_engine=engine)
    with TestClient(app) as client:
        job = start_scenarios(client, seed)
        assert job["status"] == "failed" and "changes[0].select" in str(job["error"])
        assert job["error_code"] == "scenario.error.no_match"
        params = {"change": 1, "scenario": "later"}
        assert job["error_params"] == {"params": params, "error": None}
        for lang, header in LANGS.items():
            h = {**seed.h("planner"), "Accept-Language": header}
            read = client.get(f"/scenario-jobs/{job['id']}", headers=h).json()
            text = scenario_error_text("scenario.error.no_match", params, lang)
            assert read["error_message"] == text and "later" in text, (lang, text)
            _readable(text, lang)
            listed = client.get("/scenario-jobs", headers=h).json()["items"]
            assert [j["error_message"] for j in listed if j["id"] == job["id"]] == [text]
        wait_idle(app)
