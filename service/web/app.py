"""Mounting the web app on the service's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from service.web import admin, cooperation, coordinator, municipality, planner, signin
from service.web.core import HERE, NeedSignIn, WebError, anonymous, signed_in, templates
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
    for module in (signin, coordinator, municipality, planner, admin, cooperation):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(NeedSignIn)
    async def _sign_in(request: Request, _exc: NeedSignIn) -> Response:
        return RedirectResponse("/login", status_code=303)

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

    @app.middleware("http")
    async def _headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        content_type = response.headers.get("content-type", "")
        if content_type.startswith("text/html") and request.url.path not in API_PAGES:
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            response.headers.setdefault("Cache-Control", "no-store")
        return response


__all__ = ["mount", "templates"]
