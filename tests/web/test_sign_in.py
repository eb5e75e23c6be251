"""Sign-in, sessions and form protection, request by request (no browser)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service import accounts
from service.db.accounts import UserRow, WebSessionRow
from service.db.tables import AuditRow, ProposalRow, utcnow
from service.web.core import SESSION_COOKIE
from tests.service.svc_helpers import PLANNING, sessions_of
from tests.web.web_helpers import PASSWORD, WebSeed

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, html[:500]
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> object:
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"csrf": token, "username": username, "password": password},
        follow_redirects=False,
    )


def test_passwords_are_argon2id_and_never_stored_plain(app: FastAPI, web_seed: WebSeed) -> None:
    with sessions_of(app)() as session:
        user = session.scalar(select(UserRow).where(UserRow.username == "kaisa"))
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_session_cookie_is_httponly_and_samesite(client: TestClient, web_seed: WebSeed) -> None:
    response = sign_in(client, "kaisa")
    assert response.status_code == 303
    assert response.headers["location"] == "/coordinator/board"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie


def test_cookie_is_secure_behind_tls(client: TestClient, web_seed: WebSeed) -> None:
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"csrf": token, "username": "kaisa", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
        follow_redirects=False,
    )
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert "Secure" in cookie


def test_a_form_without_its_csrf_token_changes_nothing(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    sign_in(client, "kaisa")
    proposal = web_seed.proposals["C1"]
    for token in ("", "forged"):
        response = client.post(
            f"/coordinator/proposals/{proposal}/accept",
            data={"csrf": token, "reason_code": "client_agreed"},
        )
        assert response.status_code == 403
    with sessions_of(app)() as session:
        row = session.get(ProposalRow, proposal)
        assert row is not None and row.status == "proposed"
    token = csrf_of(client.get(f"/coordinator/proposals/{proposal}").text)
    response = client.post(
        f"/coordinator/proposals/{proposal}/accept",
        data={"csrf": token, "reason_code": "client_agreed"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with sessions_of(app)() as session:
        row = session.get(ProposalRow, proposal)
        assert row is not None and row.status == "accepted" and row.decided_by == "kaisa"


def test_sign_in_form_needs_its_token_too(client: TestClient, web_seed: WebSeed) -> None:
    client.cookies.clear()
    client.get("/login")
    response = client.post("/login", data={"csrf": "x", "username": "kaisa", "password": PASSWORD})
    assert response.status_code == 403


def test_lock_out_after_repeated_failures(client: TestClient, web_seed: WebSeed) -> None:
    for _ in range(accounts.MAX_FAILURES - 1):
        response = sign_in(client, "kalle", "wrong password")
        assert response.status_code == 401
        assert "väärin" in response.text  # type: ignore[attr-defined]
    response = sign_in(client, "kalle", "wrong password")
    assert "lukittu" in response.text  # type: ignore[attr-defined]
    response = sign_in(client, "kalle")  # even the right password, while locked
    assert response.status_code == 401
    assert "lukittu" in response.text  # type: ignore[attr-defined]


def test_idle_session_ends(client: TestClient, app: FastAPI, web_seed: WebSeed) -> None:
    sign_in(client, "kaisa")
    assert client.get("/coordinator/board", follow_redirects=False).status_code == 200
    with sessions_of(app)() as session:
        for row in session.scalars(select(WebSessionRow)):
            row.last_seen = utcnow() - timedelta(minutes=accounts.IDLE_MINUTES + 1)
        session.commit()
    response = client.get("/coordinator/board", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fcoordinator%2Fboard"
    with sessions_of(app)() as session:
        assert session.scalar(select(WebSessionRow.id)) is None


def test_sign_out_ends_the_session(client: TestClient, web_seed: WebSeed) -> None:
    sign_in(client, "kaisa")
    cookie = client.cookies.get(SESSION_COOKIE)
    token = csrf_of(client.get("/coordinator/board").text)
    client.post("/logout", data={"csrf": token})
    client.cookies.set(SESSION_COOKIE, cookie or "")
    response = client.get("/coordinator/board", follow_redirects=False)
    assert response.status_code == 303


def test_roles_see_only_their_pages(client: TestClient, web_seed: WebSeed) -> None:
    sign_in(client, "kalle")
    assert client.get("/coordinator/board").status_code == 403
    assert client.get("/planner/scenarios").status_code == 403
    assert client.get("/admin/users").status_code == 403
    # Another organisation's placement is not found, not shown.
    assert client.get("/municipality/placements/P3").status_code == 404
    sign_in(client, "sirpa")
    assert client.get("/coordinator/clients/C1").status_code == 403
    assert client.get("/municipality/placements").status_code == 403


def test_admin_needs_the_second_factor(client: TestClient, web_seed: WebSeed) -> None:
    response = sign_in(client, "pasi")
    assert response.headers["location"] == "/login/code"  # type: ignore[attr-defined]
    assert client.get("/admin/users", follow_redirects=False).status_code == 303


def test_others_clients_need_a_purpose_that_is_logged(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    with sessions_of(app)() as session:
        user = session.scalar(select(UserRow).where(UserRow.username == "kaisa"))
        assert user is not None
        user.caseload = ["C2"]
        session.commit()
    sign_in(client, "kaisa")
    own = client.get("/coordinator/board").text
    assert "Aino A" not in own
    without = client.get("/coordinator/board?scope=all&purpose=").text
    assert "Aino A" not in without
    purpose = "Sijaisena kollegan asiakkaille"
    others = client.get("/coordinator/board", params={"scope": "all", "purpose": purpose}).text
    assert "Aino A" in others
    with sessions_of(app)() as session:
        logged = session.scalars(select(AuditRow).where(AuditRow.purpose == purpose)).all()
        assert logged and "C1" in (logged[-1].detail or {}).get("client_ids", [])


def test_api_tokens_still_work_beside_sessions(client: TestClient, web_seed: WebSeed) -> None:
    client.cookies.clear()
    headers = web_seed.base.h("coordinator")
    assert client.get("/placements", headers=headers).status_code == 200
    assert client.get("/placements").status_code == 401


def test_a_contact_of_two_units_acts_for_one_at_a_time(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    from models import OrganisationType
    from service.db.tables import OrganisationRow

    with sessions_of(app)() as session:
        session.add(
            OrganisationRow(
                id="O3",
                name="Oulu parks",
                type=OrganisationType.MUNICIPAL_DEPARTMENT.value,
                municipality_code="564",
            )
        )
        session.flush()
        try:
            accounts.create_user(
                session,
                username="mixed",
                full_name="M",
                role=accounts.Role.MUNICIPALITY,
                password=PASSWORD,
                organisations=["O1", "O2"],  # Oulu and Ii: refused
            )
        except accounts.AccountError as exc:
            assert exc.field == "organisations"
        else:
            raise AssertionError("units of two municipalities were accepted")
        accounts.create_user(
            session,
            username="two",
            full_name="Two Units",
            role=accounts.Role.MUNICIPALITY,
            password=PASSWORD,
            organisations=["O1", "O3"],
        )
        session.commit()
    sign_in(client, "two")
    page = client.get("/municipality/placements").text
    assert "Dept P1" in page
    token = csrf_of(page)
    client.post("/municipality/unit", data={"csrf": token, "organisation": "O3"})
    assert "Dept P1" not in client.get("/municipality/placements").text
    response = client.post("/municipality/unit", data={"csrf": token, "organisation": "O2"})
    assert response.status_code == 403


def test_create_user_from_the_command_line(tmp_path: object, capsys: object) -> None:
    from service.admin import main

    url = f"sqlite:///{tmp_path}/cli.db"
    assert (
        main(
            [
                "--db",
                url,
                "create-user",
                "--username",
                "Aila",
                "--name",
                "Aila A",
                "--role",
                "coordinator",
                "--caseload",
                "C1, C2",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    password = re.search(r"password: (\S+)", out)
    assert password is not None and "authenticator" not in out
    assert (
        main(["--db", url, "create-user", "--username", "root", "--name", "R", "--role", "admin"])
        == 0
    )
    assert "otpauth://totp/" in capsys.readouterr().out  # type: ignore[attr-defined]
    assert (
        main(
            [
                "--db",
                url,
                "create-user",
                "--username",
                "aila",
                "--name",
                "again",
                "--role",
                "planner",
            ]
        )
        == 2
    )
    from service.db.session import make_engine, make_session_factory

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        found = accounts.check_password(session, "aila", password.group(1))
        assert found.user is not None and found.user.caseload == ["C1", "C2"]
    engine.dispose()


@pytest.mark.slow  # the queued job runs the real scenario engine
def test_planner_form_builds_the_api_scenario(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    from service.db.tables import ScenarioJobRow

    sign_in(client, "sirpa")
    token = csrf_of(client.get("/planner/scenarios").text)
    refused = client.post(
        "/planner/scenarios",
        data={"csrf": token, "name": "Ei valintaa", "kind": "resize", "amount": "2"},
    )
    assert refused.status_code == 422  # a resize needs a unit, municipality or kind of work
    response = client.post(
        "/planner/scenarios",
        data={
            "csrf": token,
            "name": "Ikäraja 25",
            "kind": "regime",
            "rule": "youth_age_limit",
            "amount": "25",
            "time_limit_s": "1",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with sessions_of(app)() as session:
        job = session.scalars(select(ScenarioJobRow).order_by(ScenarioJobRow.id.desc())).first()
        assert job is not None and job.name == "Ikäraja 25"
        changes = [c for s in job.scenarios for c in s.get("changes", [])]
        assert changes == [{"kind": "regime", "set": {"youth_age_limit": 25}}]


def test_board_starts_a_run_and_keeps_the_open_proposals_meanwhile(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    from service.db.tables import RunRow

    sign_in(client, "kaisa")
    token = csrf_of(client.get("/coordinator/board").text)
    with sessions_of(app)() as session:
        session.add(
            RunRow(
                county="testcounty",
                status="failed",
                planning_date=PLANNING,
                options={},
                created_by="x",
            )
        )
        session.commit()
    board = client.get("/coordinator/board").text
    assert "Viimeisin laskenta ei onnistunut" in board and "Aino A" in board
    asked = client.post(
        "/coordinator/board/run",
        data={"csrf": token, "planning_date": "12.1.2026"},
        follow_redirects=False,
    )
    # the week's open proposal would be replaced: the board says so and asks first
    assert asked.status_code == 303 and "confirm_run=1" in asked.headers["location"]
    confirm = client.get(asked.headers["location"]).text
    assert "Uusi laskenta korvaa viikon" in confirm and "avointa ehdotusta" in confirm
    with sessions_of(app)() as session:
        assert session.scalars(select(RunRow)).all()[-1].status == "failed"  # nothing yet
    response = client.post(
        "/coordinator/board/run",
        data={"csrf": token, "planning_date": "12.1.2026", "confirmed": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with sessions_of(app)() as session:
        newest = session.scalars(select(RunRow).order_by(RunRow.id.desc())).first()
        assert newest is not None and str(newest.planning_date) == "2026-01-12"


@pytest.mark.slow  # loads and solves the 120-client sample county
def test_demo_names_a_user_per_role_who_can_sign_in(tmp_path: object, capsys: object) -> None:
    from service.__main__ import _load_demo
    from service.app import create_app
    from service.config import Settings

    demo = create_app(Settings(database_url=f"sqlite:///{tmp_path}/demo.db"))
    assert _load_demo(demo.state.session_factory)
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    found = dict(re.findall(r"^\s+\w+\s+(\S+)\s+password: (\S+)$", out, re.MULTILINE))
    assert set(found) == {"koordinaattori", "kunta", "suunnittelija", "paakayttaja", "valmentaja"}
    assert "otpauth://totp/" in out
    with TestClient(demo) as browser:
        response = sign_in(browser, "koordinaattori", found["koordinaattori"])
        assert response.headers["location"] == "/coordinator/board"  # type: ignore[attr-defined]
        assert "Viikon ehdotukset" in browser.get("/coordinator/board").text
        response = sign_in(browser, "kunta", found["kunta"])
        assert response.headers["location"] == "/municipality/placements"  # type: ignore[attr-defined]
        response = sign_in(browser, "valmentaja", found["valmentaja"])
        assert response.headers["location"] == "/coach/periods"  # type: ignore[attr-defined]
        assert browser.get("/coach/periods").status_code == 200
