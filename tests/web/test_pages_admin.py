"""The admin's account actions, request by request: unlock after a lock-out, deactivate and
reactivate, each with its CSRF token and an audit row; the same from the shell."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service import accounts
from service.admin import main
from service.db.accounts import UserRow, WebSessionRow
from service.db.session import make_engine, make_session_factory
from service.db.tables import AuditRow
from tests.service.svc_helpers import sessions_of
from tests.web.test_sign_in import csrf_of, sign_in
from tests.web.web_helpers import WebSeed, totp_now


def admin_signed_in(client: TestClient, seed: WebSeed) -> str:
    """Sign in as the admin (password, then code); returns the page's CSRF token."""
    sign_in(client, "pasi")
    token = csrf_of(client.get("/login/code").text)
    client.post("/login/code", data={"csrf": token, "code": totp_now(seed.admin_totp)})
    page = client.get("/admin/users")
    assert page.status_code == 200
    return csrf_of(page.text)


def user_id(app: FastAPI, username: str) -> int:
    with sessions_of(app)() as session:
        found = session.scalar(select(UserRow.id).where(UserRow.username == username))
        assert found is not None
        return found


def lock_out(client: TestClient, username: str) -> None:
    for _ in range(accounts.MAX_FAILURES):
        sign_in(client, username, "wrong password")


def test_admin_unlocks_a_locked_out_user(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    lock_out(client, "kalle")
    assert "lukittu" in sign_in(client, "kalle").text  # type: ignore[attr-defined]
    token = admin_signed_in(client, web_seed)
    listing = client.get("/admin/users").text
    assert 'Avaa lukitus<span class="visually-hidden"> (kalle)' in listing
    kalle = user_id(app, "kalle")
    done = client.post(f"/admin/users/{kalle}/unlock", data={"csrf": token})
    assert done.status_code == 200 and "Käyttäjän kalle lukitus avattu" in done.text
    assert 'Avaa lukitus<span class="visually-hidden"> (kalle)' not in done.text
    with sessions_of(app)() as session:
        row = session.scalar(
            select(AuditRow).where(AuditRow.resource == "users", AuditRow.record_id == "kalle")
        )
        assert row is not None and row.actor == "pasi" and (row.detail or {})["change"] == "unlock"
    response = sign_in(client, "kalle")
    assert response.status_code == 303  # type: ignore[attr-defined]


def test_account_changes_need_the_csrf_token(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    admin_signed_in(client, web_seed)
    kaisa = user_id(app, "kaisa")
    assert client.post(f"/admin/users/{kaisa}/deactivate", data={"csrf": "x"}).status_code == 403
    with sessions_of(app)() as session:
        user = session.get(UserRow, kaisa)
        assert user is not None and user.active


def test_deactivate_ends_sessions_and_reactivate_lets_in_again(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    sign_in(client, "kaisa")
    kaisa = user_id(app, "kaisa")
    token = admin_signed_in(client, web_seed)
    response = client.post(f"/admin/users/{kaisa}/deactivate", data={"csrf": token})
    assert "poistettu käytöstä" in response.text
    assert 'Ota takaisin käyttöön<span class="visually-hidden"> (kaisa)' in response.text
    with sessions_of(app)() as session:
        assert session.scalar(select(WebSessionRow).where(WebSessionRow.user_id == kaisa)) is None
    assert sign_in(client, "kaisa").status_code == 401  # type: ignore[attr-defined]
    token = admin_signed_in(client, web_seed)
    client.post(f"/admin/users/{kaisa}/reactivate", data={"csrf": token})
    assert sign_in(client, "kaisa").status_code == 303  # type: ignore[attr-defined]
    with sessions_of(app)() as session:
        changes = session.scalars(
            select(AuditRow.detail).where(AuditRow.record_id == "kaisa").order_by(AuditRow.id)
        ).all()
        assert [(c or {})["change"] for c in changes] == ["deactivate", "reactivate"]


def test_an_admin_cannot_deactivate_themselves(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    token = admin_signed_in(client, web_seed)
    pasi = user_id(app, "pasi")
    assert (
        'Poista käytöstä<span class="visually-hidden"> (pasi)'
        not in client.get("/admin/users").text
    )
    assert client.post(f"/admin/users/{pasi}/deactivate", data={"csrf": token}).status_code == 409
    assert client.post(f"/admin/users/{pasi}/remove", data={"csrf": token}).status_code == 404


def test_account_changes_from_the_command_line(tmp_path: object, capsys: object) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    args = ["--db", url, "create-user", "--username", "ville", "--name", "V", "--role", "planner"]
    assert main(args) == 0
    password = re.search(r"password: (\S+)", capsys.readouterr().out)  # type: ignore[attr-defined]
    assert password is not None
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        for _ in range(accounts.MAX_FAILURES):
            accounts.check_password(session, "ville", "wrong password")
        session.commit()
        assert accounts.check_password(session, "ville", password.group(1)).locked
    assert main(["--db", url, "unlock-user", "--username", "ville"]) == 0
    with factory() as session:
        assert accounts.check_password(session, "ville", password.group(1)).user is not None
    assert main(["--db", url, "deactivate-user", "--username", "ville"]) == 0
    with factory() as session:
        assert accounts.check_password(session, "ville", password.group(1)).user is None
    assert main(["--db", url, "reactivate-user", "--username", "ville"]) == 0
    assert main(["--db", url, "unlock-user", "--username", "nobody"]) == 2
    with factory() as session:
        assert accounts.check_password(session, "ville", password.group(1)).user is not None
        changes = session.scalars(select(AuditRow.detail).where(AuditRow.resource == "users"))
        assert [(c or {})["change"] for c in changes] == ["unlock", "deactivate", "reactivate"]
    engine.dispose()
