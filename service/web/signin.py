"""Sign-in (password, then the TOTP code where the account has one), sign-out and the
choice of language."""

from __future__ import annotations

import hmac
import html
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service import accounts, oidc
from service.auth import Role
from service.db.accounts import UserRow, WebSessionRow
from service.db.tables import utcnow
from service.web.core import (
    LANGUAGE_COOKIE,
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    Anonymous,
    NeedSignIn,
    WebError,
    home_of,
    redirect,
    secure_cookies,
    signed_in,
)
from service.web.i18n import LANGUAGES, Texts

router = APIRouter(include_in_schema=False)
_LEAVING = (
    '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
    '<meta http-equiv="refresh" content="0;url={url}"><title>Paikka</title></head>'
    '<body><p><a href="{url}">{text}</a></p></body></html>'
)


def _prelogin(request: Request) -> str:
    return request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(32)


def _set_prelogin(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        PRELOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/",
    )


async def _check_prelogin(request: Request) -> dict[str, str]:
    form = await request.form()
    cookie = request.cookies.get(PRELOGIN_COOKIE, "")
    token = str(form.get("csrf", ""))
    if not cookie or not hmac.compare_digest(cookie, token):
        raise WebError(403, "error.csrf")
    return {k: str(v) for k, v in form.items()}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, page: Anonymous) -> Response:
    """Each role's start page, or the sign-in page."""
    try:
        user_page = signed_in(request, page.session)
    except NeedSignIn:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(home_of(user_page.role), status_code=303)


@router.get("/login", response_class=HTMLResponse, name="login_form")
def login_form(request: Request, page: Anonymous) -> Response:
    """The sign-in form."""
    token = _prelogin(request)
    response = page.render(
        "login.html",
        prelogin=token,
        error=None,
        username="",
        oidc_enabled=oidc.enabled(request.app.state.settings),
    )
    _set_prelogin(request, response, token)
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, page: Anonymous) -> Response:
    """Check the password; then the code form (TOTP accounts) or the role's start page."""
    form = await _check_prelogin(request)
    username = form.get("username", "")
    result = accounts.check_password(page.session, username, form.get("password", ""))
    if result.user is None:
        page.session.commit()
        key = "login.locked" if result.locked else "login.wrong"
        token = _prelogin(request)
        return page.render(
            "login.html",
            status=401,
            prelogin=token,
            error=page.t(key, minutes=accounts.LOCK_MINUTES),
            username=username,
        )
    secret, web_session = accounts.open_session(page.session, result.user)
    page.session.commit()
    target = "/login/code" if web_session.second_factor_pending else home_of(Role(result.user.role))
    response = redirect(target)
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
        result.user.language,
        samesite="lax",
        path="/",
        secure=secure_cookies(request),
        max_age=365 * 86400,
    )
    return response


def _pending(request: Request, page: Anonymous) -> tuple[WebSessionRow, UserRow]:
    secret = request.cookies.get(SESSION_COOKIE)
    found = accounts.find_session(page.session, secret) if secret else None
    if found is None:
        raise NeedSignIn()
    return found


@router.get("/login/code", response_class=HTMLResponse)
def code_form(request: Request, page: Anonymous) -> Response:
    """The second step: the six-digit code of the authenticator app."""
    web_session, user = _pending(request, page)
    page.t = Texts(user.language)
    return page.render("login_code.html", pending_csrf=web_session.csrf_token, error=None)


@router.post("/login/code", response_class=HTMLResponse)
async def code(request: Request, page: Anonymous) -> Response:
    """Check the code; a wrong code counts as a failed sign-in."""
    web_session, user = _pending(request, page)
    form = await request.form()
    if not hmac.compare_digest(str(form.get("csrf", "")), web_session.csrf_token):
        raise WebError(403, "error.csrf")
    page.t = Texts(user.language)
    if not accounts.check_totp(user, str(form.get("code", ""))):
        user.failed_logins += 1
        if user.failed_logins >= accounts.MAX_FAILURES:
            accounts.close_session(page.session, request.cookies.get(SESSION_COOKIE, ""))
            user.failed_logins = 0
            from datetime import timedelta

            user.locked_until = utcnow() + timedelta(minutes=accounts.LOCK_MINUTES)
            page.session.commit()
            return redirect("/login")
        page.session.commit()
        return page.render(
            "login_code.html",
            status=401,
            pending_csrf=web_session.csrf_token,
            error=page.t("login.code_wrong"),
        )
    web_session.second_factor_pending = False
    user.failed_logins = 0
    page.session.commit()
    return redirect(home_of(Role(user.role)))


@router.post("/logout")
async def logout(request: Request, page: Anonymous) -> Response:
    """Sign out: the session is deleted and the cookie cleared."""
    secret = request.cookies.get(SESSION_COOKIE, "")
    found = accounts.find_session(page.session, secret) if secret else None
    provider_logout = None
    if found is not None:
        form = await request.form()
        if not hmac.compare_digest(str(form.get("csrf", "")), found[0].csrf_token):
            raise WebError(403, "error.csrf")
        after = str(request.url_for("login_form")) + "?signed_out=1"
        provider_logout = oidc.logout_url(
            request.app.state.settings, page.session, found[0].id, after
        )
        accounts.close_session(page.session, secret)
    page.session.commit()
    if provider_logout is not None:
        # Signed in through the provider: end its session too. A page that moves on by
        # itself, not a redirect: the pages' CSP (form-action 'self') stops a form's
        # redirect to another site.
        texts = Texts(found[1].language) if found is not None else page.t
        response: Response = HTMLResponse(
            _LEAVING.format(
                lang=texts.language,
                url=html.escape(provider_logout),
                text=html.escape(texts("login.oidc_leaving")),
            )
        )
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    response = redirect("/login?signed_out=1")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
async def language(request: Request, page: Anonymous) -> Response:
    """Choose the language; it sticks (the account's setting, and a cookie before sign-in)."""
    form = await request.form()
    chosen = str(form.get("language", ""))
    if chosen not in LANGUAGES:
        raise WebError(422, "error.language")
    back = str(form.get("next", "/"))
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    secret = request.cookies.get(SESSION_COOKIE, "")
    found = accounts.find_session(page.session, secret) if secret else None
    token = str(form.get("csrf", ""))
    if found is not None and not found[0].second_factor_pending:
        if not hmac.compare_digest(token, found[0].csrf_token):
            raise WebError(403, "error.csrf")
        found[1].language = chosen
        page.session.commit()
    else:
        cookie = request.cookies.get(PRELOGIN_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie, token):
            raise WebError(403, "error.csrf")
    response = redirect(back)
    response.set_cookie(
        LANGUAGE_COOKIE,
        chosen,
        samesite="lax",
        path="/",
        secure=secure_cookies(request),
        max_age=365 * 86400,
    )
    return response
