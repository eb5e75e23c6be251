"""Staff sign in through the county's OpenID Connect provider: a real provider
(``oidc_provider``) runs under uvicorn beside the app. Request by request: each role's
landing page, a user the provider refuses, one without a mapped role, a tampered state, an
expired ID token, the session ending with the provider's, and logout at the provider. In
Chromium: the whole journey from the sign-in page to the board and out again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from service.app import create_app
from service.db.accounts import UserRow
from service.db.oidc import OidcSessionRow
from service.db.tables import utcnow
from service.oidc import RoleMap, map_claims, username_of
from tests.service.svc_helpers import sessions_of, settings_for
from tests.web.oidc_provider import CLIENT_ID, CLIENT_SECRET, ROLE_MAP, Provider
from tests.web.web_helpers import WebSeed, serve

APP_URL = "http://127.0.0.1:8000"  # the request-level client's own address (not served)


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """The provider, listening on a free port."""
    state = Provider()
    served = serve(state.app())  # type: ignore[arg-type]
    state.issuer = next(served)
    yield state
    served.close()


@pytest.fixture(scope="module")
def app(database_url: str, provider: Provider, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The service with sign-in through ``provider`` (overrides the web tests' app)."""
    role_map = Path(tmp_path_factory.mktemp("oidc")) / "roles.yaml"
    role_map.write_text(ROLE_MAP, encoding="utf-8")
    return create_app(
        settings_for(
            database_url,
            run_executor="thread",
            oidc_issuer=provider.issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            oidc_role_map=str(role_map),
        )
    )


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=APP_URL) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def fresh(provider: Provider, client: TestClient) -> Iterator[None]:
    provider.id_token_ttl_s = 300
    client.cookies.clear()
    yield
    client.cookies.clear()


def through_provider(
    client: TestClient, provider: Provider, user: str, state: str | None = None
) -> httpx.Response:
    """Start at /login/oidc, pick ``user`` at the provider, come back (``state`` replaces
    the provider's state: a tampered answer)."""
    start = client.get("/login/oidc", follow_redirects=False)
    assert start.status_code == 303, start.text
    to_provider = httpx.URL(start.headers["location"])
    assert to_provider.host == "127.0.0.1" and to_provider.path == "/authorize"
    params = dict(to_provider.params)
    assert params["code_challenge_method"] == "S256" and params["nonce"]
    picked = httpx.post(
        f"{provider.issuer}/authorize", data={**params, "user": user}, follow_redirects=False
    )
    back = httpx.URL(picked.headers["location"])
    query = dict(back.params)
    if state is not None:
        query["state"] = state
    return client.get(back.path, params=query, follow_redirects=False)


def test_a_coordinator_lands_on_the_board(
    client: TestClient, provider: Provider, web_seed: WebSeed, app: FastAPI
) -> None:
    answer = through_provider(client, provider, "aino")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/coordinator/board"
    board = client.get("/coordinator/board")
    assert board.status_code == 200 and "Aino Koordinaattori" in board.text
    with sessions_of(app)() as session:
        user = session.scalar(
            select(UserRow).where(UserRow.username == username_of(provider.issuer, "u-1001"))
        )
        assert user is not None and user.role == "coordinator" and user.totp_secret is None


def test_a_municipality_contact_gets_the_mapped_organisation(
    client: TestClient, provider: Provider, web_seed: WebSeed, app: FastAPI
) -> None:
    answer = through_provider(client, provider, "kaisa")
    assert answer.headers["location"] == "/municipality/placements"
    assert client.get("/municipality/placements").status_code == 200
    assert client.get("/coordinator/board", follow_redirects=False).status_code in (303, 403)
    with sessions_of(app)() as session:
        user = session.scalar(
            select(UserRow).where(UserRow.username == username_of(provider.issuer, "u-1002"))
        )
        assert user is not None and user.role == "municipality" and user.organisations == ["O1"]


@pytest.mark.parametrize(
    ("user", "status", "words"),
    [
        ("lukittu", 403, "Tunnistautumispalvelu ei päästänyt sinua kirjautumaan"),
        ("pekka", 403, "Tunnuksellasi ei ole roolia Paikassa"),
    ],
)
def test_refused_and_unmapped_users_are_told_why(
    client: TestClient, provider: Provider, web_seed: WebSeed, user: str, status: int, words: str
) -> None:
    answer = through_provider(client, provider, user)
    assert answer.status_code == status and words in answer.text
    assert client.get("/coordinator/board", follow_redirects=False).status_code == 303


def test_a_tampered_state_is_refused(
    client: TestClient, provider: Provider, web_seed: WebSeed
) -> None:
    answer = through_provider(client, provider, "aino", state="forged-by-someone-else")
    assert answer.status_code == 400 and "ei ollut tämän selaimen aloittama" in answer.text
    assert client.get("/coordinator/board", follow_redirects=False).status_code == 303


def test_an_expired_id_token_is_refused(
    client: TestClient, provider: Provider, web_seed: WebSeed
) -> None:
    provider.id_token_ttl_s = -300  # past the 30 s leeway
    answer = through_provider(client, provider, "aino")
    assert answer.status_code == 401 and "Tunnistautuminen vanheni" in answer.text
    assert client.get("/coordinator/board", follow_redirects=False).status_code == 303


def test_the_session_ends_with_the_providers(
    client: TestClient, provider: Provider, web_seed: WebSeed, app: FastAPI
) -> None:
    assert through_provider(client, provider, "aino").status_code == 303
    assert client.get("/coordinator/board").status_code == 200
    with sessions_of(app)() as session:
        session.execute(update(OidcSessionRow).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    gone = client.get("/coordinator/board", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].split("?")[0] == "/login"


def test_signing_out_ends_the_providers_session_too(
    client: TestClient, provider: Provider, web_seed: WebSeed
) -> None:
    assert through_provider(client, provider, "aino").status_code == 303
    board = client.get("/coordinator/board")
    csrf = board.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    out = client.post("/logout", data={"csrf": csrf})
    assert out.status_code == 200 and "Kirjaudu ulos myös tunnistautumispalvelusta" in out.text
    leave = out.text.split("url=", 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert leave.startswith(f"{provider.issuer}/logout?id_token_hint=")
    assert client.get("/coordinator/board", follow_redirects=False).status_code == 303


def test_the_role_map_takes_the_first_matching_rule() -> None:
    role_map = RoleMap.model_validate(
        {
            "rules": [
                {"group": "a", "role": "coordinator"},
                {"group": "b", "role": "municipality", "organisation_claim": "org"},
                {"group": "c", "role": "municipality"},
            ]
        }
    )
    assert map_claims(role_map, {"groups": ["x", "a", "b"]}).role.value == "coordinator"  # type: ignore[union-attr]
    mapped = map_claims(role_map, {"groups": "b", "org": "O7"})
    assert mapped is not None and mapped.organisations == ["O7"]
    assert map_claims(role_map, {"groups": ["c"]}) is None  # no organisation: no role
    assert map_claims(role_map, {"groups": []}) is None


@pytest.mark.slow  # Chromium
def test_a_browser_signs_in_through_the_provider_and_out(
    page: Any, base_url: str, provider: Provider, web_seed: WebSeed
) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_role("link", name="Kirjaudu organisaation tunnuksella").click()
    page.wait_for_url(f"{provider.issuer}/authorize*")
    page.get_by_role("button", name="Sign in as aino").click()
    page.wait_for_url(f"{base_url}/coordinator/board")
    assert "Aino Koordinaattori" in page.content()
    page.get_by_role("button", name="Kirjaudu ulos").first.click()
    page.wait_for_url(f"{base_url}/login?signed_out=1")
    assert provider.logouts and provider.logouts[-1]["client_id"] == CLIENT_ID
    page.goto(f"{base_url}/coordinator/board")
    page.wait_for_url(f"{base_url}/login?next=*")  # back to the board after signing in
    page.goto(f"{base_url}/login/oidc")
    page.get_by_role("button", name="Sign in as pekka").click()
    assert "Tunnuksellasi ei ole roolia Paikassa" in page.content()
