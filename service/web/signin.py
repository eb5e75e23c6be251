"""Sign-in (password, then the TOTP code where the account has one), sign-out and the
choice of language."""

from __future__ import annotations

import hmac
import html
import json
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

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
    Page,
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

KEPT_LIMIT = 60_000
"""Characters of a timed-out form kept through the sign-in (the rest is not kept)."""
FREE_TEXT = frozenset(
    {
        "text",
        "note",
        "notes",
        "comment",
        "description",
        "goals",
        "tasks",
        "support",
        "when_absent",
        "cancel_reason",
        "correction_reason",
        "reason_text",
        "place",
        "purpose",
    }
)
"""Fields a person writes in their own words: shown again, editable, before re-sending."""


def local_path(value: Any) -> str | None:
    """``value`` if it is a path of this site (not another site, not the sign-in pages)."""
    text = str(value or "")
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return None
    if urlsplit(text).path.startswith(("/login", "/logout")):
        return None
    return text


def login_url(request: Request) -> str:
    """The sign-in page, returning to the page asked for."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    back = local_path(here)
    return f"/login?next={quote(back, safe='')}" if back and back != "/" else "/login"


def _referer(request: Request) -> str | None:
    """The page a form was sent from, if it is this site's."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return None
    path = referer.path + (f"?{referer.query}" if referer.query else "")
    return local_path(path)


def kept_form(request: Request, page: Page, form: Mapping[str, Any]) -> Response:
    """The sign-in page for a form sent after the session ended: what was typed rides along
    (hidden), and after signing in it is offered to be sent again."""
    fields = [
        (key, str(value))
        for key, value in getattr(form, "multi_items", lambda: list(form.items()))()
        if key != "csrf" and isinstance(value, str)
    ]
    kept = json.dumps({"action": request.url.path, "fields": fields}, ensure_ascii=False)
    if len(kept) > KEPT_LIMIT:
        kept = ""
    token = _prelogin(request)
    response = page.render(
        "login.html",
        status=401,
        prelogin=token,
        error=None,
        username="",
        next=_referer(request) or "",
        kept=kept,
        timed_out=True,
    )
    _set_prelogin(request, response, token)
    return response


def _kept(form: Mapping[str, str]) -> dict[str, Any] | None:
    """The timed-out form carried through the sign-in, if any (and sound)."""
    try:
        kept = json.loads(form.get("kept") or "null")
    except ValueError:
        return None
    if not isinstance(kept, dict) or local_path(kept.get("action")) is None:
        return None
    fields = kept.get("fields")
    if not isinstance(fields, list) or not all(
        isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in fields
    ):
        return None
    return {"action": kept["action"], "fields": [tuple(f) for f in fields]}


def _after_sign_in(
    page: Page, web_session: WebSessionRow, user: UserRow, form: Mapping[str, str]
) -> Response:
    """Where a completed sign-in goes: the timed-out form offered again, else back to the
    page asked for, else the role's start page."""
    kept = _kept(form)
    if kept is not None:
        page.t = Texts(user.language)
        page.user, page.web_session = user, web_session
        return page.render(
            "resume.html",
            action=kept["action"],
            fields=kept["fields"],
            free_text=FREE_TEXT,
            back=local_path(form.get("next")) or home_of(Role(user.role)),
        )
    return redirect(local_path(form.get("next")) or home_of(Role(user.role)))


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
        next=local_path(request.query_params.get("next")) or "",
        kept="",
        timed_out=False,
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
            next=local_path(form.get("next")) or "",
            kept=form.get("kept", "") if _kept(form) else "",
            timed_out=bool(_kept(form)),
        )
    secret, web_session = accounts.open_session(page.session, result.user)
    page.session.commit()
    back = local_path(form.get("next"))
    if web_session.second_factor_pending and _kept(form):
        # The code form carries the timed-out form on (it is not put in a link).
        page.t = Texts(result.user.language)
        response: Response = page.render(
            "login_code.html",
            pending_csrf=web_session.csrf_token,
            error=None,
            next=back or "",
            kept=form.get("kept", ""),
        )
    elif web_session.second_factor_pending:
        response = redirect("/login/code" + (f"?next={quote(back, safe='')}" if back else ""))
    else:
        response = _after_sign_in(page, web_session, result.user, form)
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
    return page.render(
        "login_code.html",
        pending_csrf=web_session.csrf_token,
        error=None,
        next=local_path(request.query_params.get("next")) or "",
        kept="",
    )


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
            next=local_path(form.get("next")) or "",
            kept=str(form.get("kept", "")),
        )
    web_session.second_factor_pending = False
    user.failed_logins = 0
    page.session.commit()
    return _after_sign_in(page, web_session, user, {k: str(v) for k, v in form.items()})


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
