"""Sign-in through the county's identity provider: ``/login/oidc`` sends the browser there
(state, nonce and PKCE verifier kept in a short-lived cookie of this browser), and
``/login/oidc/callback`` takes it back: a refused sign-in, a changed state, a token that
does not verify or has expired, or a user no rule maps to a role gets the error page in
words; otherwise the user's role page. See ``service.oidc``."""

from __future__ import annotations

import hmac
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from service import oidc
from service.auth import Role
from service.config import Settings
from service.web.core import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    Anonymous,
    WebError,
    home_of,
    secure_cookies,
)

router = APIRouter(include_in_schema=False)
PENDING_COOKIE = "paikka_oidc"
PENDING_S = 600
"""How long a browser may take at the provider (seconds)."""


@lru_cache(maxsize=4)
def _role_map(path: str) -> oidc.RoleMap:
    return oidc.load_role_map(path)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    if not oidc.enabled(settings) or not settings.oidc_role_map:
        raise WebError(404, "error.not_found")
    return settings


def _callback_url(request: Request) -> str:
    return str(request.url_for("oidc_callback"))


@router.get("/login/oidc")
def oidc_start(request: Request) -> Response:
    """Off to the provider."""
    settings = _settings(request)
    try:
        begun = oidc.start(settings, _callback_url(request))
    except oidc.SignInRefused as refused:
        raise WebError(refused.status, refused.key) from None
    response = RedirectResponse(begun.url, status_code=303)
    response.set_cookie(
        PENDING_COOKIE,
        oidc.cookie_value(begun),
        max_age=PENDING_S,
        httponly=True,
        samesite="lax",  # sent on the provider's redirect back (a top-level GET)
        secure=secure_cookies(request),
        path="/login/oidc",
    )
    return response


@router.get("/login/oidc/callback", name="oidc_callback")
def oidc_callback(request: Request, page: Anonymous) -> Response:
    """Back from the provider: verify, map the role, open the session."""
    settings = _settings(request)
    params = request.query_params
    pending = oidc.read_cookie(request.cookies.get(PENDING_COOKIE))
    if params.get("error"):  # the provider refused the user (or the user cancelled)
        raise WebError(403, "error.oidc_refused")
    state = params.get("state", "")
    if pending is None or not hmac.compare_digest(state.encode(), pending["s"].encode()):
        raise WebError(400, "error.oidc_state")
    try:
        identity = oidc.finish(
            settings, _callback_url(request), params.get("code", ""), pending["v"], pending["n"]
        )
        secret, _web, user = oidc.sign_in(
            page.session, settings, _role_map(settings.oidc_role_map), identity
        )
    except oidc.SignInRefused as refused:
        page.session.rollback()
        raise WebError(refused.status, refused.key) from None
    page.session.commit()
    response = RedirectResponse(home_of(Role(user.role)), status_code=303)
    response.delete_cookie(PENDING_COOKIE, path="/login/oidc")
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )
    response.set_cookie(
        LANGUAGE_COOKIE,
        user.language,
        samesite="lax",
        path="/",
        secure=secure_cookies(request),
        max_age=365 * 86400,
    )
    return response
