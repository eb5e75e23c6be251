"""Personal identity codes kept safe (issue #22): validated, sealed with AES-GCM under
rotating keys, shown masked, revealed only to coordinators with every reveal audited, and
never found in a database dump, a log line or an export. Synthetic codes only: made-up
birth dates with the test individual numbers 900-999."""

from __future__ import annotations

import base64
import logging
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from models.identity_code import (
    CENTURY_SIGNS,
    IdentityCodeError,
    masked,
    parse_identity_code,
    synthetic_identity_code,
)
from service import admin
from service.crud.runs import build_problem, county_regime
from service.db.tables import AuditRow, Base, ClientPersonalRow, RunRow
from service.identity import IdentityKeyError, KeyRing, new_key
from tests.service.svc_helpers import TEST_IDENTITY_KEYS, Seed, sessions_of

CODES = {
    "C1": synthetic_identity_code(date(1990, 1, 1), 901),
    "C2": synthetic_identity_code(date(1984, 12, 31), 950, "Y"),
    "C3": synthetic_identity_code(date(2004, 2, 29), 999, "B"),
}
NEW_CODE = synthetic_identity_code(date(1975, 6, 15), 923, "-")


# --- the rule --------------------------------------------------------------------------------


def test_a_known_code_and_every_century_sign() -> None:
    """DVV's example 131052-308T; the signs of 2023 give the same check character as the old
    sign of their century."""
    assert parse_identity_code("131052-308t").birth_date == date(1952, 10, 13)
    for sign, century in CENTURY_SIGNS.items():
        code = f"131052{sign}308T"
        parsed = parse_identity_code(code)
        assert parsed.birth_date == date(century + 52, 10, 13)
        assert parsed.masked == f"131052{sign}***T"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("131052-308U", "identity_code_check"),
        ("131052-309T", "identity_code_check"),
        ("131052G308T", "identity_code_form"),  # no such century sign
        ("131052-30T", "identity_code_form"),
        ("310290-9017", "identity_code_date"),  # 31 February
        ("290201A9013", "identity_code_date"),  # 2001 is no leap year
        ("131052-001T", "identity_code_form"),  # individual numbers start at 002
        ("１31052-308T", "identity_code_form"),  # a full-width digit
    ],
)
def test_refused_codes_say_why(code: str, reason: str) -> None:
    with pytest.raises(IdentityCodeError) as refused:
        parse_identity_code(code)
    assert refused.value.code == reason
    assert code not in str(refused.value)


def test_synthetic_codes_are_valid_test_codes_only() -> None:
    for born in (date(1899, 5, 5), date(1950, 1, 1), date(2010, 12, 24)):
        for individual in (900, 942, 999):
            code = synthetic_identity_code(born, individual)
            parsed = parse_identity_code(code)
            assert parsed.birth_date == born and parsed.individual_number == individual
    with pytest.raises(ValueError, match="900-999"):
        synthetic_identity_code(date(1990, 1, 1), 123)
    assert masked("010190-901R") == "010190-***R"


# --- the key ring ------------------------------------------------------------------------------


def test_sealed_codes_open_only_for_their_client_and_key() -> None:
    old = KeyRing.from_text(f"k1:{new_key()}")
    assert old is not None
    sealed, key_id = old.seal(CODES["C1"], "C1")
    assert key_id == "k1" and CODES["C1"].encode() not in sealed
    assert old.open(sealed, key_id, "C1") == CODES["C1"]
    assert old.seal(CODES["C1"], "C1")[0] != sealed  # a fresh nonce every time
    with pytest.raises(IdentityKeyError, match="does not open"):
        old.open(sealed, key_id, "C2")  # copied to another client's row
    with pytest.raises(IdentityKeyError, match="does not open"):
        old.open(sealed[:-1] + bytes([sealed[-1] ^ 1]), key_id, "C1")
    rotated = KeyRing.from_text(f"k2:{new_key()},k1:{base64.b64encode(old.keys['k1']).decode()}")
    assert rotated is not None and rotated.current == "k2"
    assert rotated.open(sealed, "k1", "C1") == CODES["C1"]
    assert rotated.seal(CODES["C1"], "C1")[1] == "k2"
    for bad in (
        [("k1", "notbase64!")],
        [("k1", new_key()[:20])],
        [("k1", new_key()), ("k1", new_key())],
        [("", new_key())],
        [],
    ):
        with pytest.raises(IdentityKeyError):
            KeyRing.parse(bad)
    assert KeyRing.from_text("", "") is None


def test_keys_from_a_file(tmp_path: Any) -> None:
    key = new_key()
    path = tmp_path / "keys"
    path.write_text(f"# rotated 2026-12\nk9 {key}\n", encoding="utf-8")
    ring = KeyRing.from_text("", str(path))
    assert ring is not None and ring.current == "k9"


# --- through the API ---------------------------------------------------------------------------


def give_codes(client: TestClient, seed: Seed) -> None:
    """The coordinator records the seeded clients' codes and creates one more client with a
    code (with an Idempotency-Key, so that its answer is stored)."""
    h = seed.h("coordinator")
    for cid, code in CODES.items():
        done = client.patch(f"/clients/{cid}", json={"identity_code": code}, headers=h)
        assert done.status_code == 200, done.text
        assert done.json()["identity_code"] == masked(code)
    new = {
        "id": "C77",
        "age": 30,
        "home_municipality": "564",
        "location": {"lat": 65.0, "lon": 25.5},
        "days_per_week": 3,
        "hours_per_day": 4,
        "available_weekdays": ["mon", "tue", "wed"],
        "waiting_since": "2025-09-01",
        "display_name": "Toivo Testinen",
        "identity_code": NEW_CODE,
    }
    made = client.post(
        "/clients", json=new, headers=seed.h("coordinator", **{"Idempotency-Key": "i"})
    )
    assert made.status_code == 201, made.text
    assert made.json()["identity_code"] == masked(NEW_CODE)


def test_shown_masked_revealed_to_coordinators_and_audited(
    client: TestClient, app: FastAPI, seed: Seed
) -> None:
    give_codes(client, seed)
    code = CODES["C1"]
    full = client.get("/clients/C1", headers=seed.h("coordinator")).json()
    assert full["identity_code"] == masked(code)
    for who in ("muni1", "planner"):
        seen = client.get("/clients/C1", headers=seed.h(who))
        assert "identity_code" not in seen.json() and code not in seen.text
    for who in ("muni1", "planner", "admin", "coach"):
        refused = client.get("/clients/C1/identity-code", headers=seed.h(who))
        assert refused.status_code in (403, 404) and code not in refused.text
    shown = client.get(
        "/clients/C1/identity-code",
        headers=seed.h("coordinator", **{"X-Purpose": "Kelan poissaoloilmoitus"}),
    )
    assert shown.status_code == 200
    assert shown.json() == {"client_id": "C1", "identity_code": code}
    absent = client.get("/clients/C4/identity-code", headers=seed.h("coordinator"))
    assert absent.status_code == 404
    with sessions_of(app)() as session:
        reveals = session.scalars(
            select(AuditRow).where(AuditRow.resource == "identity_codes").order_by(AuditRow.id)
        ).all()
        assert [(r.actor, r.record_id, r.purpose) for r in reveals] == [
            ("coordinator", "C1", "Kelan poissaoloilmoitus"),
            ("coordinator", "C4", "identity code for a document"),
        ]
        row = session.get(ClientPersonalRow, "C1")
        assert row is not None and row.identity_code_key == TEST_IDENTITY_KEYS.split(":")[0]
    removed = client.patch(
        "/clients/C1", json={"identity_code": None}, headers=seed.h("coordinator")
    )
    assert removed.status_code == 200 and removed.json()["identity_code"] is None
    assert client.get("/clients/C1/identity-code", headers=seed.h("coordinator")).status_code == 404


def test_a_wrong_code_is_refused_in_words_without_echoing_it(
    client: TestClient, seed: Seed
) -> None:
    wrong = CODES["C2"][:-1] + ("A" if CODES["C2"][-1] != "A" else "B")
    refused = client.patch(
        "/clients/C2", json={"identity_code": wrong}, headers=seed.h("coordinator")
    )
    assert refused.status_code == 422
    body = refused.json()
    assert body["errors"][0]["field"] == "body.identity_code"
    assert "henkilötunnuksen tarkistusmerkki ei täsmää" in body["message"]
    assert wrong not in refused.text
    sv = client.patch(
        "/clients/C2",
        json={"identity_code": "131052G308T"},
        headers=seed.h("coordinator", **{"Accept-Language": "sv"}),
    )
    assert "personbeteckning" in sv.json()["message"]


def test_erasure_removes_the_code(client: TestClient, app: FastAPI, seed: Seed) -> None:
    give_codes(client, seed)
    assert client.delete("/clients/C2", headers=seed.h("coordinator")).status_code == 204
    with sessions_of(app)() as session:
        row = session.get(ClientPersonalRow, "C2")
        assert row is not None
        assert (row.identity_code_sealed, row.identity_code_key, row.identity_code_masked) == (
            None,
            None,
            None,
        )


def test_key_rotation_reencrypts_every_code(
    client: TestClient, app: FastAPI, seed: Seed, monkeypatch: pytest.MonkeyPatch
) -> None:
    give_codes(client, seed)
    url = app.state.db_engine.url.render_as_string(hide_password=False)
    fresh = new_key()
    monkeypatch.setenv("PAIKKA_IDENTITY_KEYS", f"k2:{fresh},{TEST_IDENTITY_KEYS}")
    assert admin.main(["--db", url, "reencrypt-identity-codes"]) == 0
    only_new = KeyRing.from_text(f"k2:{fresh}")
    assert only_new is not None
    with sessions_of(app)() as session:
        rows = session.scalars(
            select(ClientPersonalRow).where(ClientPersonalRow.identity_code_sealed.is_not(None))
        ).all()
        assert {r.client_id for r in rows} == {"C1", "C2", "C3", "C77"}
        for row in rows:
            assert row.identity_code_key == "k2"
            assert row.identity_code_sealed is not None
            expected = NEW_CODE if row.client_id == "C77" else CODES[row.client_id]
            assert only_new.open(row.identity_code_sealed, "k2", row.client_id) == expected
        rotation = session.scalars(select(AuditRow).where(AuditRow.purpose == "key rotation")).one()
        assert rotation.detail == {"key": "k2", "count": 4}
    assert admin.main(["--db", url, "reencrypt-identity-codes"]) == 0  # nothing left: 0 rows


def _forms(code: str) -> set[str]:
    """The code as written, in lower case and without its century sign."""
    return {code, code.lower(), code[:6] + code[7:]}


def test_no_code_in_a_dump_a_log_line_or_an_export(
    client: TestClient, app: FastAPI, seed: Seed, caplog: pytest.LogCaptureFixture
) -> None:
    """After the codes are recorded, revealed and refused, the clients read by every role,
    the month's reports exported and a run's engine input built: a dump of every column of
    every table, every log line and every export is searched for every seeded code."""
    caplog.set_level(logging.DEBUG)
    give_codes(client, seed)
    client.get("/clients/C1/identity-code", headers=seed.h("coordinator"))
    client.patch(
        "/clients/C3", json={"identity_code": CODES["C3"][:-1] + "0"}, headers=seed.h("coordinator")
    )
    exports: list[str] = []
    for who in ("coordinator", "muni1", "planner", "coach"):
        exports.append(client.get("/clients", headers=seed.h(who)).text)
    exports.append(client.get(f"/runs/{seed.run_id}/proposals", headers=seed.h("coordinator")).text)
    exports.append(client.get("/audit?page_size=500", headers=seed.h("admin")).text)
    for query, kind in (
        ("", "application/json"),
        ("?format=csv&sheet=summary", "text/csv"),
        ("?format=csv&sheet=absences", "text/csv"),
    ):
        report = client.get(f"/attendance-reports/2026/1{query}", headers=seed.h("coordinator"))
        assert report.status_code == 200 and kind in report.headers["content-type"]
        exports.append(report.text)
    with sessions_of(app)() as session:
        run = session.get(RunRow, seed.run_id)
        assert run is not None
        problem, _hint = build_problem(session, run, county_regime(app.state.settings))
        exports.append(problem.model_dump_json())
        dump: list[str] = []
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                for value in row:
                    if isinstance(value, bytes):
                        dump.append(value.decode("latin-1"))
                    else:
                        dump.append(str(value))
        # and what the database itself holds as text (JSON documents as stored)
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                cast = f"CAST({column.name} AS TEXT)"
                if column.type.python_type is bytes:
                    continue
                dump.extend(
                    str(v)
                    for v in session.execute(text(f"SELECT {cast} FROM {table.name}")).scalars()
                )
        sealed = session.scalar(
            select(ClientPersonalRow.identity_code_sealed).where(
                ClientPersonalRow.client_id == "C1"
            )
        )
    assert sealed, "the codes were stored (sealed)"
    logged = [record.getMessage() for record in caplog.records]
    assert logged, "the requests were logged"
    haystacks = {
        "database dump": "\n".join(dump),
        "log": "\n".join(logged),
        "exports": "\n".join(exports),
    }
    for cid, code in {**CODES, "C77": NEW_CODE}.items():
        for form in _forms(code):
            for where, haystack in haystacks.items():
                assert form not in haystack, (cid, where)
        assert masked(code) in haystacks["database dump"]  # what lists show is there
