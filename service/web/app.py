"""Mounting the web app on the service's FastAPI application."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders

from service.web import (
    admin,
    cooperation,
    coordinator,
    municipality,
    oidc,
    planner,
    regimes,
    signin,
)
from service.web.core import (
    HERE,
    NeedPurpose,
    NeedSignIn,
    WebError,
    anonymous,
    signed_in,
    templates,
)
from service.web.i18n import Texts

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
}


API_PAGES = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})


def mount(app: FastAPI) -> None:
    """Add the pages at ``/`` (the JSON API keeps its paths) and the static files."""
    for module in (signin, oidc, coordinator, municipality, planner, admin, regimes, cooperation):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(NeedSignIn)
    async def _sign_in(request: Request, _exc: NeedSignIn) -> Response:
        # A page asked for: back to it after signing in. A form sent after the session
        # ended: the sign-in page keeps what was typed and offers to send it again.
        if request.method != "POST" or request.url.path.startswith("/login"):
            return RedirectResponse(signin.login_url(request), status_code=303)
        form = await request.form()
        session = request.app.state.session_factory()
        try:
            return signin.kept_form(request, anonymous(request, session), form)
        finally:
            session.close()

    @app.exception_handler(NeedPurpose)
    async def _purpose(request: Request, _exc: NeedPurpose) -> Response:
        session = request.app.state.session_factory()
        try:
            page = signed_in(request, session)
            keep = [(k, v) for k, v in request.query_params.multi_items() if k != "purpose"]
            return page.render(
                "coordinator/purpose.html", status=403, action=request.url.path, keep=keep
            )
        finally:
            session.close()

    @app.exception_handler(WebError)
    async def _error(request: Request, exc: WebError) -> Response:
        session = request.app.state.session_factory()
        try:
            try:
                page = signed_in(request, session)
            except NeedSignIn:
                page = anonymous(request, session)
            page.t = Texts(page.t.language)
            return page.render("error.html", status=exc.status, key=exc.key, values=exc.values)
        finally:
            session.close()

    app.add_middleware(PageHeaders)


class PageHeaders:
    """Security headers and ``Cache-Control: no-store`` on the HTML pages (not the API's
    interactive docs). A plain ASGI middleware that only looks at the start of each
    response: the JSON API's answers pass through untouched, at no cost to its readers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in API_PAGES:
            await self.app(scope, receive, send)
            return

        async def add_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in SECURITY_HEADERS.items():
                        headers.setdefault(name, value)
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, add_headers)


__all__ = ["mount", "templates"]
