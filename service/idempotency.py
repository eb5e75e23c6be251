"""Idempotency-Key support for creating requests.

The first request with a key stores its response in the same transaction as the records it
creates; a repeat with the same key and the same body gets that response again and creates
nothing. The same key with a different body is a client error (422), as in the IETF draft
"The Idempotency-Key HTTP Header Field".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from service import audit
from service.auth import Principal
from service.db.tables import IdempotencyRow
from service.errors import InvalidInput


@dataclass
class Outcome:
    """What a creating handler produced: status, JSON body, Location, and work to do once the
    transaction is committed (e.g. start a run's job)."""

    status_code: int
    body: Any
    location: str | None = None
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    client_id: str | None = None
    """The client the answer is about: its stored copy is erased with the client."""


def fingerprint(method: str, path: str, payload: Any) -> str:
    """SHA-256 of the request's method, path and canonical body."""
    if isinstance(payload, bytes):
        body = hashlib.sha256(payload).hexdigest()
    else:
        body = json.dumps(jsonable_encoder(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{method} {path}\n{body}".encode()).hexdigest()


def _response(status: int, body: Any, location: str | None) -> JSONResponse:
    response = JSONResponse(status_code=status, content=body)
    if location:
        response.headers["Location"] = location
    return response


def run_once(
    session: Session,
    user: Principal,
    key: str | None,
    print_: str,
    produce: Callable[[], Outcome],
) -> JSONResponse:
    """Replay the stored response for ``key`` or call ``produce`` and commit its work."""
    if key is not None:
        stored = session.scalar(
            select(IdempotencyRow).where(
                IdempotencyRow.token_id == user.token_id, IdempotencyRow.key == key
            )
        )
        if stored is not None:
            if stored.fingerprint != print_:
                raise InvalidInput(
                    "this Idempotency-Key was used with a different request",
                    [{"loc": ["header", "Idempotency-Key"], "field": "header.Idempotency-Key"}],
                )
            _audit_replay(session, user, stored)
            return _response(stored.status_code, stored.body, stored.location)
    outcome = produce()
    body = jsonable_encoder(outcome.body)
    if key is not None:
        session.add(
            IdempotencyRow(
                token_id=user.token_id,
                key=key,
                fingerprint=print_,
                status_code=outcome.status_code,
                body=body,
                location=outcome.location,
                client_id=outcome.client_id,
            )
        )
    session.commit()
    for action in outcome.after_commit:
        action()
    return _response(outcome.status_code, body, outcome.location)


def _audit_replay(session: Session, user: Principal, stored: IdempotencyRow) -> None:
    """A replayed answer is a read of what it holds (a created client's name and phone, a
    site's answer): audited as one, under the resource of the address it answered, and
    committed before the answer goes out."""
    segments = [s for s in (stored.location or "").split("/") if s]
    audit.record(
        session,
        user,
        audit.Action.READ,
        segments[0][:64] if segments else "idempotent_replay",
        "idempotent replay",
        record_id=stored.client_id or (segments[-1][:200] if len(segments) > 1 else None),
        replay_of=stored.id,
        status=stored.status_code,
    )
    session.commit()


def erase_client(session: Session, client_id: str) -> int:
    """Erasure: drop the stored responses that hold the client's record (the creating
    request's answer carries the name, phone and email) or are about the client (an
    attendance day, a site's answer, a period's step, feedback), so that a replay returns
    nothing of them. The caller commits."""
    done = session.execute(
        delete(IdempotencyRow).where(
            or_(
                IdempotencyRow.location == f"/clients/{client_id}",
                IdempotencyRow.client_id == client_id,
            )
        )
    )
    return int(getattr(done, "rowcount", 0) or 0)
