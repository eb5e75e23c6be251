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
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
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


def authenticate(session: Session, secret: str) -> Principal | None:
    """The principal of an unrevoked token, or ``None``."""
    row = session.scalar(select(TokenRow).where(TokenRow.token_hash == hash_token(secret)))
    if row is None or row.revoked:
        return None
    return Principal(row.id, row.name, Role(row.role), row.organisation_id)
