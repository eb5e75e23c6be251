"""Bearer tokens and roles.

A token is 32 random bytes, shown once when issued; the database keeps only its SHA-256, so a
leaked database does not leak usable tokens. Roles (domain.md § 7):

* ``coordinator`` – the county's coordinator: clients, runs, decisions, attendance, audit;
* ``municipality`` – a contact of one producer organisation: its own placements, and of the
  clients placed or proposed there only what each client agreed to share;
* ``planner`` – pseudonymous views only;
* ``admin`` – reference data and the audit log; no client data;
* ``coach`` – an individual coach (valmentaja, omaohjaaja): the periods, attendance and
  support notes of their own clients (those whose record names them as coach). A coach's
  token carries the coach id where a municipality token carries the organisation.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from service.db.tables import TokenRow


class Role(StrEnum):
    """The five kinds of user."""

    COORDINATOR = "coordinator"
    MUNICIPALITY = "municipality"
    PLANNER = "planner"
    ADMIN = "admin"
    COACH = "coach"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    token_id: int
    name: str
    role: Role
    organisation: str | None
    caseload: frozenset[str] | None = None
    """A coordinator's own clients (web users); ``None`` for an integration token, which
    is not personal and whose default view is therefore the whole county."""

    @property
    def coach_id(self) -> str | None:
        """The coach a ``coach`` caller is (their token's ``organisation`` field)."""
        return self.organisation if self.role is Role.COACH else None


def hash_token(secret: str) -> str:
    """SHA-256 hex digest of a token secret (the only form stored)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, role: Role, name: str, organisation: str | None = None) -> str:
    """Store a new token and return its secret; the caller shows it once and forgets it."""
    if role is Role.MUNICIPALITY and not organisation:
        raise ValueError("a municipality token needs an organisation")
    if role is Role.COACH and not organisation:
        raise ValueError("a coach token needs the coach id")
    secret = secrets.token_urlsafe(32)
    session.add(
        TokenRow(
            token_hash=hash_token(secret),
            role=role.value,
            name=name,
            organisation_id=organisation if role in (Role.MUNICIPALITY, Role.COACH) else None,
        )
    )
    session.flush()
    return secret


TOKEN_QUERY = select(
    TokenRow.id, TokenRow.name, TokenRow.role, TokenRow.organisation_id, TokenRow.revoked
).where(TokenRow.token_hash == bindparam("digest"))


def cached_principal(secret: str, cache: TokenCache | None) -> Principal | None:
    """The principal of a token ``cache`` holds as verified, else ``None`` (no I/O)."""
    return cache.get(hash_token(secret)) if cache is not None else None


def authenticate(
    session: Session, secret: str, cache: TokenCache | None = None
) -> Principal | None:
    """The principal of an unrevoked token, or ``None``; from ``cache`` while it holds it."""
    digest = hash_token(secret)
    if cache is not None:
        known = cache.get(digest)
        if known is not None:
            return known
    row = session.execute(TOKEN_QUERY, {"digest": digest}).first()
    if row is None or row.revoked:
        return None
    principal = Principal(row.id, row.name, Role(row.role), row.organisation_id)
    if cache is not None:
        cache.put(digest, principal)
    return principal


class TokenCache:
    """Tokens verified in the last ``ttl_s`` seconds, by digest, in one web process.

    Every request carries its token, and looking it up costs a database round trip; a
    cached principal saves it. Only verified tokens are kept (an unknown one is looked up
    each time, so a token issued a moment ago works at once), and each for ``ttl_s`` from
    its look-up: a token revoked in the database (``python -m service.admin revoke-token``,
    from any process) is refused by every web process within ``ttl_s``. ``ttl_s`` 0 keeps
    nothing. The size is bounded: when full, the entries are dropped all at once.
    """

    MAX_ENTRIES = 10_000

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Principal | None:
        """The principal of ``digest`` if verified less than ``ttl_s`` ago."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if self.clock() >= entry[0]:
            with self._lock:
                self._entries.pop(digest, None)
            return None
        return entry[1]

    def put(self, digest: str, principal: Principal) -> None:
        """Remember a token just verified in the database."""
        if self.ttl_s <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = (self.clock() + self.ttl_s, principal)

    def clear(self) -> None:
        """Forget every token (after a revocation made by this process)."""
        with self._lock:
            self._entries.clear()
