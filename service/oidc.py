"""Staff sign-in through the county's OpenID Connect provider (authorization code with PKCE:
Authlib's S256 challenge, the ID token verified with joserfc, Authlib's JOSE library), and
the mapping of the provider's claims to Paikka's roles and organisations.

The provider authenticates (passwords, MFA and the user's lifecycle stay there); Paikka
maps the ID token's claims to a role by the operator's mapping file
(``PAIKKA_OIDC_ROLE_MAP``, YAML or JSON), first matching rule wins::

    claim: groups                 # the claim listing the user's groups (list or string)
    name_claim: name              # the person's name as staff see it (default: name)
    rules:
      - {group: paikka-koordinaattorit, role: coordinator}
      - {group: paikka-oulu, role: municipality, organisations: [O1, O2]}
      - {group: paikka-valmentajat, role: coach, organisation_claim: coach_id}
      - {group: paikka-suunnittelijat, role: planner}

A user matching no rule is refused ("no role in Paikka"); so is one the provider refused.
Each sign-in creates or updates the user's account (``oidc-`` + a digest of issuer and
subject; no usable password) and opens a web session that ends when the provider's session
would: ``refresh_expires_in`` of the token answer where the provider sends it (its SSO
session), else the ID token's ``exp``. Signing out ends both (RP-initiated logout at the
provider's ``end_session_endpoint`` with the ID token as hint).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import yaml
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import accounts
from service.auth import Role
from service.config import Settings
from service.db.accounts import UserRow, WebSessionRow
from service.db.oidc import OidcSessionRow
from service.db.tables import utcnow

ALGORITHMS = ["RS256", "ES256", "PS256"]
LEEWAY_S = 30
"""Clock skew allowed between Paikka and the provider (seconds)."""


class Rule(BaseModel):
    """One line of the mapping: members of ``group`` get ``role`` (and organisations)."""

    model_config = ConfigDict(extra="forbid")
    group: str = Field(min_length=1)
    role: Role
    organisations: list[str] = Field(default_factory=list)
    organisation_claim: str | None = None


class RoleMap(BaseModel):
    """The operator's mapping of the provider's claims to roles (see the module)."""

    model_config = ConfigDict(extra="forbid")
    claim: str = "groups"
    name_claim: str = "name"
    rules: list[Rule]


def load_role_map(path: str) -> RoleMap:
    """The mapping file (YAML or JSON; JSON is YAML too)."""
    return RoleMap.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Mapped:
    """What the claims map to."""

    role: Role
    organisations: list[str] = field(default_factory=list)


def map_claims(role_map: RoleMap, claims: dict[str, Any]) -> Mapped | None:
    """The first rule the user's groups match, or None (no role in Paikka)."""
    raw = claims.get(role_map.claim)
    groups = {raw} if isinstance(raw, str) else {str(g) for g in raw or []}
    for rule in role_map.rules:
        if rule.group in groups:
            organisations = list(rule.organisations)
            if rule.organisation_claim:
                value = claims.get(rule.organisation_claim)
                if isinstance(value, str) and value:
                    organisations = [value]
                elif isinstance(value, list):
                    organisations = [str(v) for v in value]
            if rule.role in (Role.MUNICIPALITY, Role.COACH) and not organisations:
                return None  # such a role means nothing without its organisation
            return Mapped(rule.role, organisations)
    return None


class SignInRefused(Exception):
    """The sign-in cannot go on; ``key`` is the text shown (``error.oidc_*``)."""

    def __init__(self, key: str, status: int = 403) -> None:
        super().__init__(key)
        self.key = key
        self.status = status


def enabled(settings: Settings) -> bool:
    """Is sign-in through the provider configured?"""
    return bool(settings.oidc_issuer and settings.oidc_client_id)


@lru_cache(maxsize=8)
def _discovery(issuer: str) -> dict[str, Any]:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    answer = httpx.get(url, timeout=10)
    answer.raise_for_status()
    document: dict[str, Any] = answer.json()
    if document.get("issuer") != issuer:
        raise SignInRefused("error.oidc_provider", 502)
    return document


def discovery(issuer: str) -> dict[str, Any]:
    """The provider's metadata (cached per process)."""
    try:
        return _discovery(issuer)
    except httpx.HTTPError as exc:
        raise SignInRefused("error.oidc_provider", 502) from exc


@dataclass(frozen=True)
class Start:
    """Where to send the browser, and what to keep in its short-lived cookie."""

    url: str
    state: str
    nonce: str
    verifier: str


def start(settings: Settings, redirect_uri: str) -> Start:
    """The provider's authorization URL with a fresh state, nonce and PKCE verifier."""
    meta = discovery(settings.oidc_issuer)
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    query = httpx.QueryParams(
        {
            "response_type": "code",
            "client_id": settings.oidc_client_id,
            "redirect_uri": redirect_uri,
            "scope": settings.oidc_scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    return Start(f"{meta['authorization_endpoint']}?{query}", state, nonce, verifier)


@dataclass(frozen=True)
class Identity:
    """A verified sign-in: the claims, the ID token and until when the session may last."""

    claims: dict[str, Any]
    id_token: str
    expires_in_s: float


def finish(settings: Settings, redirect_uri: str, code: str, verifier: str, nonce: str) -> Identity:
    """Exchange the code (with the PKCE verifier) and verify the ID token: signature by the
    provider's keys, issuer, audience, expiry and our nonce."""
    meta = discovery(settings.oidc_issuer)
    try:
        answer = httpx.post(
            meta["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
                "client_id": settings.oidc_client_id,
            },
            auth=(settings.oidc_client_id, settings.oidc_client_secret),
            timeout=10,
        )
        answer.raise_for_status()
        token = answer.json()
        keys = httpx.get(meta["jwks_uri"], timeout=10).json()
    except (httpx.HTTPError, ValueError) as exc:  # the provider refused the code
        raise SignInRefused("error.oidc_token") from exc
    raw = token.get("id_token") if isinstance(token, dict) else None
    if not isinstance(raw, str):
        raise SignInRefused("error.oidc_token")
    try:
        verified = jwt.decode(raw, KeySet.import_key_set(keys), algorithms=ALGORITHMS)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_S,
            iss={"essential": True, "value": settings.oidc_issuer},
            aud={"essential": True, "value": settings.oidc_client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(verified.claims)
    except ExpiredTokenError as exc:
        raise SignInRefused("error.oidc_expired", 401) from exc
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise SignInRefused("error.oidc_token") from exc
    claims = verified.claims
    lifetime = token.get("refresh_expires_in")
    if not isinstance(lifetime, int | float) or lifetime <= 0:
        lifetime = float(claims["exp"]) - time.time()
    return Identity(dict(claims), raw, float(lifetime))


def username_of(issuer: str, subject: str) -> str:
    """The local user name of a provider's user: stable, and telling nothing of them."""
    return "oidc-" + hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:24]


def sign_in(
    session: Session, settings: Settings, role_map: RoleMap, identity: Identity
) -> tuple[str, WebSessionRow, UserRow]:
    """Create or update the user's account from the claims and open a web session bound to
    the provider's session. Refused (``error.oidc_no_role``) when no rule maps the user."""
    mapped = map_claims(role_map, identity.claims)
    if mapped is None:
        raise SignInRefused("error.oidc_no_role")
    subject = str(identity.claims["sub"])
    name = str(identity.claims.get(role_map.name_claim) or "").strip()[:200] or subject[:200]
    username = username_of(settings.oidc_issuer, subject)
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None:
        user = UserRow(
            username=username,
            full_name=name,
            role=mapped.role.value,
            organisations=mapped.organisations,
            caseload=[],
            # no password signs this account in: the provider does
            password_hash=accounts.hash_password(secrets.token_urlsafe(48)),
            totp_secret=None,
            language="fi",
            active=True,
        )
        session.add(user)
    else:
        user.full_name, user.role = name, mapped.role.value
        user.organisations, user.active = mapped.organisations, True
    session.flush()
    secret, web_session = accounts.open_session(session, user)
    web_session.second_factor_pending = False  # MFA is the provider's
    session.add(
        OidcSessionRow(
            web_session_id=web_session.id,
            issuer=settings.oidc_issuer,
            subject=subject,
            expires_at=utcnow() + timedelta(seconds=identity.expires_in_s),
            id_token=identity.id_token,
        )
    )
    session.flush()
    return secret, web_session, user


def logout_url(settings: Settings, session: Session, web_session_id: int, after: str) -> str | None:
    """The provider's logout URL for a web session opened through it (None otherwise)."""
    row = session.scalar(
        select(OidcSessionRow).where(OidcSessionRow.web_session_id == web_session_id)
    )
    if row is None or not enabled(settings):
        return None
    try:
        endpoint = discovery(settings.oidc_issuer).get("end_session_endpoint")
    except SignInRefused:
        return None
    if not endpoint:
        return None
    query = httpx.QueryParams(
        {
            "id_token_hint": row.id_token,
            "client_id": settings.oidc_client_id,
            "post_logout_redirect_uri": after,
        }
    )
    return f"{endpoint}?{query}"


def cookie_value(begun: Start) -> str:
    """The short-lived cookie that ties the provider's answer to this browser."""
    return json.dumps({"s": begun.state, "n": begun.nonce, "v": begun.verifier})


def read_cookie(value: str | None) -> dict[str, str] | None:
    """The pending sign-in of the cookie, or None."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "snv"):
        return None
    return {k: str(data[k]) for k in "snv"}
