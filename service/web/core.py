"""What every page shares: templates, the signed-in user, CSRF checks, rendering.

Every page is rendered on the server. A signed-in request carries the session cookie; every
POST form carries the session's CSRF token in the hidden field ``csrf`` (the sign-in form, which
has no session yet, uses a double-submit cookie instead).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from matching.cooperation.texts import organiser_name
from models.regime import SHIPPED_HISTORY
from service import accounts
from service.auth import Principal, Role
from service.config import Settings
from service.crud import people as people_store
from service.crud.regimes import regime_on
from service.db.accounts import UserRow, WebSessionRow
from service.web.i18n import DEFAULT, LANGUAGES, Texts

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "paikka_session"
LANGUAGE_COOKIE = "paikka_lang"
PRELOGIN_COOKIE = "paikka_prelogin"

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def form_date(value: Any) -> str:
    """A stored date (ISO text or ``date``) as a Finn types it, d.m.yyyy; others unchanged."""
    text = "" if value is None else str(value)
    parts = text.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{int(parts[2])}.{int(parts[1])}.{parts[0]}"
    return text


templates.filters["form_date"] = form_date


class WebError(Exception):
    """Answered with the error page (status and catalogue key of the message)."""

    def __init__(self, status: int, key: str, **values: Any) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.values = values


class NeedSignIn(Exception):
    """No valid session: the browser is sent to the sign-in page."""


class NeedPurpose(Exception):
    """A coordinator opened a page of a client outside their caseload without saying why:
    answered with the page that asks for the purpose (as the board asks)."""


def db(request: Request) -> Iterator[Session]:
    """A database session per request (handlers commit)."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


DB = Annotated[Session, Depends(db)]


@dataclass
class Page:
    """The signed-in user of a request and what the templates need of them."""

    request: Request
    session: Session
    user: UserRow | None
    web_session: WebSessionRow | None
    t: Texts
    organisation: str | None = None
    notices: list[str] = field(default_factory=list)
    _full_names: dict[str, str] = field(default_factory=dict)
    purpose: str = ""
    """The purpose given for reading a client outside the caseload (audited with the read)."""

    def who(self, username: str | None) -> str:
        """The full name of the person behind a stored user name ("Kaisa Koordinaattori",
        not "koordinaattori"); the name as stored where no account has it."""
        if not username:
            return ""
        if username not in self._full_names:
            self._full_names.update(people_store.full_names(self.session, [username]))
        return self._full_names.get(username, username)

    @property
    def principal(self) -> Principal:
        """The caller as the service layer knows it."""
        assert self.user is not None
        return accounts.principal(self.user, self.organisation)

    @property
    def role(self) -> Role | None:
        return Role(self.user.role) if self.user is not None else None

    @property
    def settings(self) -> Settings:
        settings: Settings = self.request.app.state.settings
        return settings

    @property
    def organiser(self) -> str:
        """The organiser of the regime in force today (``LegalRegime.organiser``), a code;
        the shipped version's when the database cannot be read (an error page still shows)."""
        try:
            return regime_on(self.session, date.today()).organiser
        except SQLAlchemyError:
            self.session.rollback()
            return SHIPPED_HISTORY.in_force_on(date.today()).regime.organiser

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        """The page ``template`` with the layout's values, the regime's organiser among them
        (every page names it in the footer)."""
        values.setdefault("organiser", organiser_name(self.organiser, self.t.language))
        html = templates.get_template(template).render(
            t=self.t,
            page=self,
            user=self.user,
            csrf=self.web_session.csrf_token if self.web_session else "",
            lang=self.t.language,
            languages=LANGUAGES,
            path=self.request.url.path,
            who=self.who,
            today=date.today(),
            here=self.request.url.path
            + (f"?{self.request.url.query}" if self.request.url.query else ""),
            **values,
        )
        return HTMLResponse(html, status_code=status)


def language_of(request: Request, user: UserRow | None) -> str:
    """The user's chosen language; before sign-in the cookie's, else Finnish."""
    if user is not None and user.language in LANGUAGES:
        return user.language
    chosen = request.cookies.get(LANGUAGE_COOKIE, DEFAULT)
    return chosen if chosen in LANGUAGES else DEFAULT


def anonymous(request: Request, session: DB) -> Page:
    """A page that needs no sign-in (the sign-in page itself)."""
    return Page(request, session, None, None, Texts(language_of(request, None)))


def signed_in(request: Request, session: DB) -> Page:
    """The signed-in user, or a redirect to the sign-in page (second factor included)."""
    secret = request.cookies.get(SESSION_COOKIE)
    found = accounts.find_session(session, secret) if secret else None
    if found is None:
        session.commit()
        raise NeedSignIn()
    web_session, user = found
    session.commit()
    if web_session.second_factor_pending:
        raise NeedSignIn()
    organisation = request.cookies.get("paikka_org")
    return Page(
        request, session, user, web_session, Texts(language_of(request, user)), organisation
    )


def require_purpose(page: Page, client_id: str) -> str:
    """Why the coordinator reads this client's page: "" for their own caseload; for a client
    outside it, the purpose given (``?purpose=``) or given for the same client in the last
    half hour, which is remembered in the audit log and set on ``page.purpose`` for the read's
    own audit row. Without one, :class:`NeedPurpose` shows the page that asks for it."""
    user = page.user
    if user is None or Role(user.role) is not Role.COORDINATOR or client_id in set(user.caseload):
        return ""
    given = str(page.request.query_params.get("purpose", "")).strip()[:500]
    if given:
        people_store.remember_purpose(page.session, page.principal, client_id, given)
    else:
        given = people_store.recent_purpose(page.session, page.principal, client_id) or ""
    if not given:
        page.session.commit()
        raise NeedPurpose()
    page.purpose = given
    return given


def role_page(*roles: Role) -> Any:
    """A dependency: a signed-in user of one of ``roles`` (others get 403)."""

    def check(page: Annotated[Page, Depends(signed_in)]) -> Page:
        if page.role not in roles:
            raise WebError(403, "error.forbidden")
        return page

    return check


Anonymous = Annotated[Page, Depends(anonymous)]
SignedIn = Annotated[Page, Depends(signed_in)]
CoordinatorPage = Annotated[Page, Depends(role_page(Role.COORDINATOR))]
MunicipalityPage = Annotated[Page, Depends(role_page(Role.MUNICIPALITY))]
PlannerPage = Annotated[Page, Depends(role_page(Role.PLANNER))]
AdminPage = Annotated[Page, Depends(role_page(Role.ADMIN))]


async def form_of(request: Request, page: Page) -> dict[str, Any]:
    """The posted form, after checking its CSRF token against the session's (403 if not)."""
    form = await request.form()
    token = str(form.get("csrf", ""))
    expected = page.web_session.csrf_token if page.web_session else ""
    if not expected or not hmac.compare_digest(token, expected):
        raise WebError(403, "error.csrf")
    values: dict[str, Any] = {}
    for key in form:
        items = form.getlist(key)
        values[key] = items if len(items) > 1 or key.endswith("[]") else items[0]
    return values


def redirect(url: str) -> RedirectResponse:
    """See-other after a POST (the browser then GETs ``url``)."""
    return RedirectResponse(url, status_code=303)


def secure_cookies(request: Request) -> bool:
    """Mark cookies Secure when the app is reached over TLS (directly or via a proxy)."""
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def home_of(role: Role | None) -> str:
    """Where each role starts."""
    return (
        {
            Role.COORDINATOR: "/coordinator/board",
            Role.MUNICIPALITY: "/municipality/placements",
            Role.PLANNER: "/planner/scenarios",
            Role.ADMIN: "/admin/users",
            Role.COACH: "/coach/periods",
        }.get(role, "/login")
        if role is not None
        else "/login"
    )
