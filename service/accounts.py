"""Personal user accounts and sign-in sessions of the web app (API tokens stay for
integrations, ``service.auth``).

* Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second
  recommendation); a hash made with older parameters is replaced at the next sign-in.
* A session is a random 32-byte secret in an HttpOnly, SameSite=Lax cookie; the database
  keeps its SHA-256. Each session has its own CSRF token that every form posts back.
* A session idles out after ``IDLE_MINUTES`` without a request; signing out deletes it.
* ``MAX_FAILURES`` wrong passwords in a row lock the account for ``LOCK_MINUTES``.
* A TOTP second factor (RFC 6238, 30-second steps, 6 digits) is optional, and required for
  admins: an admin account always gets a secret when it is created.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.auth import Principal, Role
from service.db.accounts import UserRow, WebSessionRow
from service.db.oidc import OidcSessionRow
from service.db.tables import CoachRow, OrganisationRow, utcnow

IDLE_MINUTES = 30
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 10
LANGUAGES = ("fi", "sv", "en")

_hasher = PasswordHasher()  # argon2id by default


class AccountError(ValueError):
    """A user account that cannot be made as asked; ``field`` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes for what was stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return _hasher.hash(password)


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    role: Role,
    password: str,
    organisations: list[str] | None = None,
    caseload: list[str] | None = None,
    totp: bool = False,
    language: str = "fi",
) -> UserRow:
    """Validate and store a new user (the caller commits).

    A municipality contact needs one or more organisations, all of one municipality; a
    coordinator may have a caseload (client ids); an admin always gets a TOTP secret.
    """
    username = username.strip().lower()
    if (
        not username
        or len(username) > 100
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise AccountError("username", "letters, digits, '.', '-' and '_' only")
    if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise AccountError("username", f"'{username}' is taken")
    if not full_name.strip():
        raise AccountError("full_name", "required")
    if len(password) < MIN_PASSWORD:
        raise AccountError("password", f"at least {MIN_PASSWORD} characters")
    if language not in LANGUAGES:
        raise AccountError("language", f"one of {', '.join(LANGUAGES)}")
    orgs = sorted(set(organisations or []))
    if role is Role.MUNICIPALITY:
        if not orgs:
            raise AccountError("organisations", "a municipality contact needs an organisation")
        rows = [session.get(OrganisationRow, o) for o in orgs]
        missing = [o for o, r in zip(orgs, rows, strict=True) if r is None]
        if missing:
            raise AccountError("organisations", f"unknown organisation {', '.join(missing)}")
        municipalities = {r.municipality_code for r in rows if r is not None}
        if len(municipalities) > 1:
            raise AccountError("organisations", "the units must be of one municipality")
    elif role is Role.COACH:
        if len(orgs) != 1 or session.get(CoachRow, orgs[0]) is None:
            raise AccountError("organisations", "a coach user names the one coach id they are")
    elif orgs:
        raise AccountError("organisations", "only municipality contacts have organisations")
    if caseload and role is not Role.COORDINATOR:
        raise AccountError("caseload", "only coordinators have a caseload")
    user = UserRow(
        username=username,
        full_name=full_name.strip(),
        role=role.value,
        organisations=orgs,
        caseload=sorted(set(caseload or [])),
        password_hash=hash_password(password),
        totp_secret=pyotp.random_base32() if totp or role is Role.ADMIN else None,
        language=language,
        failed_logins=0,
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def user_named(session: Session, username: str) -> UserRow:
    """The user of ``username`` (``AccountError`` on ``username`` when there is none)."""
    user = session.scalar(select(UserRow).where(UserRow.username == username.strip().lower()))
    if user is None:
        raise AccountError("username", f"no user '{username.strip().lower()}'")
    return user


def unlock(user: UserRow) -> bool:
    """Lift a lock-out and clear the failure count (the caller commits and audits).
    Returns whether the account was locked."""
    was_locked = user.locked_until is not None and _aware(user.locked_until) > utcnow()
    user.locked_until = None
    user.failed_logins = 0
    return was_locked


def is_locked(user: UserRow) -> bool:
    """Is the account locked out now?"""
    return user.locked_until is not None and _aware(user.locked_until) > utcnow()


def set_active(session: Session, user: UserRow, active: bool) -> None:
    """Deactivate (no sign-in, every session ended) or reactivate an account; the caller
    commits and audits. Nothing of the user's history is deleted."""
    user.active = active
    if not active:
        session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user.id))
    session.flush()


def totp_uri(user: UserRow, issuer: str = "Paikka") -> str | None:
    """The otpauth:// URI an authenticator app reads (``None`` without a second factor)."""
    if user.totp_secret is None:
        return None
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=issuer)


@dataclass(frozen=True)
class SignIn:
    """Outcome of a password check: ``user`` when right; ``locked`` when the account is
    locked (right or wrong password alike, so a lock does not reveal the password)."""

    user: UserRow | None
    locked: bool = False


def check_password(session: Session, username: str, password: str) -> SignIn:
    """Check a password, counting failures and locking the account after too many."""
    user = session.scalar(select(UserRow).where(UserRow.username == username.strip().lower()))
    now = utcnow()
    if user is None or not user.active:
        _hasher_dummy(password)  # the same work as for a real user: no timing oracle
        return SignIn(None)
    if user.locked_until is not None and _aware(user.locked_until) > now:
        return SignIn(None, locked=True)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            session.flush()
            return SignIn(None, locked=True)
        session.flush()
        return SignIn(None)
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    return SignIn(user)


_DUMMY = _hasher.hash("not a password of anyone")


def _hasher_dummy(password: str) -> None:
    with contextlib.suppress(VerificationError):
        _hasher.verify(_DUMMY, password)


def check_totp(user: UserRow, code: str) -> bool:
    """Is ``code`` the user's current TOTP code (one step of clock drift allowed)?"""
    if user.totp_secret is None:
        return True
    return pyotp.TOTP(user.totp_secret).verify(code.strip().replace(" ", ""), valid_window=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(session: Session, user: UserRow) -> tuple[str, WebSessionRow]:
    """A new sign-in session; returns the cookie's secret (shown to the browser only)."""
    secret = secrets.token_urlsafe(32)
    row = WebSessionRow(
        token_hash=_digest(secret),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        second_factor_pending=user.totp_secret is not None,
        created_at=utcnow(),
        last_seen=utcnow(),
    )
    session.add(row)
    session.flush()
    return secret, row


def find_session(
    session: Session, secret: str, idle: timedelta = timedelta(minutes=IDLE_MINUTES)
) -> tuple[WebSessionRow, UserRow] | None:
    """The live session of a cookie and its user, touching its idle clock; an idled-out
    session is deleted."""
    row = session.scalar(select(WebSessionRow).where(WebSessionRow.token_hash == _digest(secret)))
    if row is None:
        return None
    now = utcnow()
    user = session.get(UserRow, row.user_id)
    provider = session.scalar(
        select(OidcSessionRow.expires_at).where(OidcSessionRow.web_session_id == row.id)
    )
    if provider is not None and _aware(provider) <= now:  # the provider's session ended
        session.delete(row)
        session.flush()
        return None
    if user is None or not user.active or _aware(row.last_seen) + idle < now:
        session.delete(row)
        session.flush()
        return None
    if now - _aware(row.last_seen) > timedelta(seconds=30):  # fewer writes per page
        row.last_seen = now
        session.flush()
    return row, user


def close_session(session: Session, secret: str) -> None:
    """Sign out: delete the session."""
    session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == _digest(secret)))
    session.flush()


def principal(user: UserRow, organisation: str | None = None) -> Principal:
    """The service-layer caller for a signed-in user. A municipality contact of several
    units acts for one at a time (``organisation``, default the first)."""
    role = Role(user.role)
    org = None
    if role is Role.MUNICIPALITY:
        org = organisation if organisation in user.organisations else user.organisations[0]
    elif role is Role.COACH:
        org = user.organisations[0] if user.organisations else None  # the coach id, as a token
    return Principal(token_id=0, name=user.username, role=role, organisation=org)
