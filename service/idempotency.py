"""Idempotency-Key support for creating requests.

The first request with a key stores its response in the same transaction as the records it
creates; a repeat with the same key and the same body gets that response again and creates
nothing. The same key with a different body is a client error (422), as in the IETF draft
"The Idempotency-Key HTTP Header Field".

Concurrent retries: the first request with a key reserves it (a row with status
``PENDING``, committed in its own short transaction before any work) and the unique
``(token_id, key)`` lets only one request win; the others wait until the winner has stored
its answer and then replay it, so six retries sent at once all get the first answer. If the
winner fails, its reservation is dropped and a waiting retry does the work itself. A
reservation left by a process that died is taken over after ``ABANDONED_S``; a retry that
waits longer than ``WAIT_S`` gets 409 (retry later).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.auth import Principal
from service.db.tables import IdempotencyRow, utcnow
from service.errors import Conflict, InvalidInput

PENDING = 0
"""``status_code`` of a reserved key whose request is still being processed."""
WAIT_S = 30.0
"""How long a concurrent retry waits for the first request's answer (seconds)."""
ABANDONED_S = 900.0
"""A reservation older than this (seconds) was left by a process that died: taken over."""
POLL_S = 0.05


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
    if key is None:
        outcome = produce()
        body = jsonable_encoder(outcome.body)
        session.commit()
        for action in outcome.after_commit:
            action()
        return _response(outcome.status_code, body, outcome.location)
    # End the request's read transaction first (SQLite: a snapshot older than the
    # reservation could not be upgraded to write it).
    session.commit()
    stored = _reserve(session, user, key, print_)
    if stored is not None:
        _audit_replay(session, user, stored)
        return _response(stored.status_code, stored.body, stored.location)
    try:
        outcome = produce()
        body = jsonable_encoder(outcome.body)
        done = session.execute(
            update(IdempotencyRow)
            .where(
                IdempotencyRow.token_id == user.token_id,
                IdempotencyRow.key == key,
                IdempotencyRow.status_code == PENDING,
            )
            .values(
                status_code=outcome.status_code,
                body=body,
                location=outcome.location,
                client_id=outcome.client_id,
            ),
            execution_options={"synchronize_session": False},
        )
        if not getattr(done, "rowcount", 1):  # taken over as abandoned meanwhile
            raise Conflict(
                "a request with this Idempotency-Key is already being processed",
                code="api.idempotency_busy",
            )
        session.commit()
    except BaseException:
        session.rollback()
        _release(session, user, key)
        raise
    for action in outcome.after_commit:
        action()
    return _response(outcome.status_code, body, outcome.location)


def _reserve(session: Session, user: Principal, key: str, print_: str) -> IdempotencyRow | None:
    """Reserve ``key`` for this request (None) or the stored answer of the request that
    holds it, waiting up to ``WAIT_S`` for that answer. 422 for a different request."""
    bind = session.get_bind()
    deadline = time.monotonic() + WAIT_S
    while True:
        with Session(bind) as own:
            row = own.scalar(
                select(IdempotencyRow).where(
                    IdempotencyRow.token_id == user.token_id, IdempotencyRow.key == key
                )
            )
            if row is None:
                own.add(
                    IdempotencyRow(
                        token_id=user.token_id,
                        key=key,
                        fingerprint=print_,
                        status_code=PENDING,
                        body=None,
                    )
                )
                try:
                    own.commit()
                    return None
                except IntegrityError:  # another request reserved it first
                    own.rollback()
                    continue
            if row.fingerprint != print_:
                raise InvalidInput(
                    "this Idempotency-Key was used with a different request",
                    [{"loc": ["header", "Idempotency-Key"], "field": "header.Idempotency-Key"}],
                )
            if row.status_code != PENDING:
                return row
            taken_over = own.execute(
                delete(IdempotencyRow).where(
                    IdempotencyRow.id == row.id,
                    IdempotencyRow.status_code == PENDING,
                    IdempotencyRow.created_at < utcnow() - timedelta(seconds=ABANDONED_S),
                ),
                execution_options={"synchronize_session": False},
            )
            own.commit()
            if getattr(taken_over, "rowcount", 0):
                continue
        if time.monotonic() > deadline:
            raise Conflict(
                "a request with this Idempotency-Key is still being processed; retry later",
                code="api.idempotency_busy",
            )
        time.sleep(POLL_S)


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


def _release(session: Session, user: Principal, key: str) -> None:
    """Drop this request's reservation (its work failed): a retry may do it again."""
    with Session(session.get_bind()) as own:
        own.execute(
            delete(IdempotencyRow).where(
                IdempotencyRow.token_id == user.token_id,
                IdempotencyRow.key == key,
                IdempotencyRow.status_code == PENDING,
            )
        )
        own.commit()


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
