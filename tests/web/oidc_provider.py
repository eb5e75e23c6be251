"""A small but real OpenID Connect provider the sign-in tests start under uvicorn.

(``oidc-provider-mock`` from PyPI needs Python 3.12; the project supports 3.11.) It does
what Paikka relies on, strictly: discovery, an authorization endpoint with a page where the
test picks a user (or refuses), the code flow with PKCE S256 only (a wrong verifier, a reused
code, a wrong redirect URI or client secret are refused), RS256 ID tokens with the nonce, a
JWKS, and RP-initiated logout. ``id_token_ttl_s`` set below zero issues expired tokens.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "paikka-test"
CLIENT_SECRET = "test-secret-not-for-production"

USERS: dict[str, dict[str, Any]] = {
    "aino": {"sub": "u-1001", "name": "Aino Koordinaattori", "groups": ["paikka-koordinaattorit"]},
    "kaisa": {"sub": "u-1002", "name": "Kaisa Kunta", "groups": ["staff", "paikka-kunta-o1"]},
    "pekka": {"sub": "u-1003", "name": "Pekka Muu", "groups": ["staff"]},
    "lukittu": {"sub": "u-1004", "name": "Lukittu Käyttäjä", "groups": ["paikka-koordinaattorit"]},
}
REFUSED = {"lukittu"}
"""Users the provider itself refuses (a locked account, a failed MFA)."""

ROLE_MAP = """
claim: groups
rules:
  - {group: paikka-koordinaattorit, role: coordinator}
  - {group: paikka-kunta-o1, role: municipality, organisations: [O1]}
"""


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Provider:
    """The provider's state; ``app`` serves it. ``issuer`` is set once it listens."""

    issuer: str = ""
    id_token_ttl_s: int = 300
    session_s: int = 1800
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(
            2048, parameters={"kid": "test-1", "use": "sig", "alg": "RS256"}
        )
    )
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    logouts: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/authorize", self.authorize, methods=["GET", "POST"]),
                Route("/token", self.token, methods=["POST"]),
                Route("/jwks", self.jwks),
                Route("/logout", self.logout),
            ]
        )

    async def discovery(self, _request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            params = {k: str(v) for k, v in (await request.form()).items()}
        if (
            params.get("client_id") != CLIENT_ID
            or params.get("response_type") != "code"
            or params.get("code_challenge_method") != "S256"
            or not params.get("code_challenge")
            or not str(params.get("redirect_uri", "")).startswith("http://127.0.0.1:")
        ):
            return HTMLResponse("invalid authorization request", status_code=400)
        back = params["redirect_uri"]
        state = params.get("state", "")
        if request.method == "GET":  # the sign-in page: pick a user
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in params.items()
            )
            buttons = "".join(
                f'<button name="user" value="{name}">Sign in as {name}</button>' for name in USERS
            )
            return HTMLResponse(
                f"<!doctype html><title>Test IdP</title><h1>Test IdP</h1>"
                f'<form method="post" action="/authorize">{hidden}{buttons}'
                '<button name="user" value="">Cancel</button></form>'
            )
        user = params.get("user", "")
        if user not in USERS or user in REFUSED:
            return RedirectResponse(f"{back}?error=access_denied&state={state}", status_code=303)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "user": user,
            "redirect_uri": back,
            "challenge": params["code_challenge"],
            "nonce": params.get("nonce"),
        }
        return RedirectResponse(f"{back}?code={code}&state={state}", status_code=303)

    async def token(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        basic = request.headers.get("authorization", "")
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if basic != f"Basic {expected}":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant["redirect_uri"]
            or _s256(form.get("code_verifier", "")) != grant["challenge"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = {
            **USERS[grant["user"]],
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + self.id_token_ttl_s,
            "nonce": grant["nonce"],
            "sid": secrets.token_hex(8),
        }
        id_token = jwt.encode({"alg": "RS256", "kid": "test-1"}, claims, self.key)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "refresh_expires_in": self.session_s,
                "id_token": id_token,
            }
        )

    async def jwks(self, _request: Request) -> Response:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))

    async def logout(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.logouts.append(params)
        return RedirectResponse(params.get("post_logout_redirect_uri", "/"), status_code=303)
