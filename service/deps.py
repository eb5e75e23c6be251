"""Request dependencies as ``Annotated`` aliases: session, settings, caller, purpose."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from anyio import CancelScope, to_thread
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from service.auth import Principal, Role, TokenCache, authenticate, cached_principal
from service.config import Settings
from service.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="A token from `python -m service.admin`.")


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with (``async``, like every dependency here that
    does no I/O: it runs on the event loop, not handed to a thread per request)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request; handlers commit, anything uncommitted is rolled back.

    ``async``: making a session touches no connection (the first statement, on the
    handler's thread, checks one out), and closing one whose work was committed has none
    left to return, so neither costs a trip to a thread and back (a sync generator
    dependency costs two per request). Only a session still in a transaction (a handler
    that failed or did not commit) is closed on a thread, since its rollback is I/O;
    shielded, so a caller going away does not leave the transaction open."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        if session.in_transaction():
            with CancelScope(shield=True):
                await to_thread.run_sync(session.close)
        else:
            session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


async def get_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from the bearer token; 401 without a valid one. A token verified
    within the cache's time is answered on the event loop; only a look-up in the database
    goes to a thread."""
    if credentials is None or not credentials.credentials:
        raise Unauthorized("a bearer token is required")
    cache: TokenCache | None = getattr(request.app.state, "token_cache", None)
    principal = cached_principal(credentials.credentials, cache)
    if principal is None:
        principal = await to_thread.run_sync(authenticate, session, credentials.credentials, cache)
    if principal is None:
        raise Unauthorized("unknown or revoked token")
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only ``roles`` through (403 for the others)."""

    async def check(user: CurrentUser) -> Principal:
        if user.role not in roles:
            raise Forbidden(f"the {user.role.value} role may not do this")
        return user

    return check


def purpose(default: str) -> Callable[[str | None], Awaitable[str]]:
    """The purpose of a client-data access: header ``X-Purpose``, else ``default``."""

    async def read(
        x_purpose: Annotated[
            str | None,
            Header(
                max_length=1500,
                description=(
                    "Why client data is accessed; written to the audit log. UTF-8 is stored "
                    "as sent (e.g. 'viikon sijoittelu, käsittelijä Åsa')."
                ),
            ),
        ] = None,
    ) -> str:
        return utf8_header(x_purpose or "").strip()[:500] or default

    return read


def utf8_header(value: str) -> str:
    """A header value as the client sent it: HTTP servers hand header bytes over as
    ISO-8859-1, so UTF-8 text arrives mis-decoded; re-decode it as UTF-8 when it is valid
    UTF-8 (ASCII is unchanged), else keep it."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Repeat a creating request safely: same key and body, same response.",
    ),
]
