"""The one place where domain and database errors become HTTP responses.

Bad input is never a 500: request validation and domain validation give 422 with the path of
each offending field, unknown ids 404, conflicts (a closed placement, a superseded run, a
duplicate id, a second concurrent run) 409, missing rights 403. A database that cannot be
reached (an outage, a dropped connection, an exhausted pool) is 503 with ``Retry-After``.
Anything unexpected is a 500 whose body carries only an error id; the traceback and any SQL
go to the log under that id, never to the caller.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """Base of the errors a handler raises on purpose; ``status`` is the HTTP code."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """An unknown id, or one the caller may not know of."""

    status = 404


class Forbidden(ServiceError):
    """The caller's role may not do this."""

    status = 403


class Unauthorized(ServiceError):
    """No valid bearer token."""

    status = 401


class Conflict(ServiceError):
    """The request is valid but clashes with the current state."""

    status = 409


class OutOfOrder(Conflict):
    """A step of the cooperation cycle taken before the one it needs (agreeing before the
    site confirmed, starting a period without an agreed agreement, ending twice…); ``code``
    says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


OUT_OF_ORDER_CODES = frozenset(
    {
        "not_confirmed",
        "agreement_not_agreed",
        "status_final",
        "already_ended",
        "meeting_after_start",
        "record_mismatch",
    }
)
"""Codes of ``matching.cooperation.periods`` that refuse a step out of order: 409, not 422."""


class InvalidInput(ServiceError):
    """Input rejected with one or more located errors (e.g. an import file)."""

    status = 422

    def __init__(
        self, message: str, errors: Sequence[dict[str, Any]] = (), *, more: int = 0
    ) -> None:
        super().__init__(message)
        self.errors = list(errors)
        self.more = more


def field_errors(errors: Sequence[Any], prefix: tuple[str | int, ...] = ()) -> list[dict[str, Any]]:
    """Pydantic error entries as ``{loc, field, msg, type}`` with a dotted field path."""
    out = []
    for err in errors:
        loc = (*prefix, *err.get("loc", ()))
        out.append(
            {
                "loc": list(loc),
                "field": ".".join(str(part) for part in loc),
                "msg": err.get("msg", ""),
                "type": err.get("type", ""),
            }
        )
    return out


RETRY_AFTER_S = 5


def _json(
    status: int, message: str, errors: Sequence[dict[str, Any]] = (), **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"detail": message}
    if errors:
        body["errors"] = jsonable_encoder(list(errors))
    body.update(extra)
    return JSONResponse(status_code=status, content=body)


async def _service_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    errors = exc.errors if isinstance(exc, InvalidInput) else ()
    extra: dict[str, Any] = (
        {"more_errors": exc.more} if isinstance(exc, InvalidInput) and exc.more else {}
    )
    if isinstance(exc, OutOfOrder):
        extra["code"] = exc.code
    response = _json(exc.status, exc.message, errors, **extra)
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _json(422, "invalid request", field_errors(exc.errors()))


async def _domain_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ValidationError)
    errors = field_errors(exc.errors(), ("body",))
    order = [e["type"] for e in errors if e["type"] in OUT_OF_ORDER_CODES]
    if order:
        return _json(409, "a step of the cycle out of order", errors, code=order[0])
    return _json(422, "invalid record", errors)


async def _integrity(_request: Request, exc: Exception) -> JSONResponse:
    log.info("integrity error: %s", exc)
    return _json(409, "conflicts with an existing record (duplicate id or unknown reference)")


async def _data_error(_request: Request, exc: Exception) -> JSONResponse:
    log.info("data error: %s", exc)
    return _json(422, "a value cannot be stored (out of range or invalid characters)")


def unavailable(exc: BaseException) -> bool:
    """Is ``exc`` the database being unreachable (rather than a bad statement)?"""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def _unavailable_response() -> JSONResponse:
    response = _json(503, "the database is temporarily unavailable; try again shortly")
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


async def _database(_request: Request, exc: Exception) -> JSONResponse:
    if unavailable(exc):
        log.warning("database unavailable: %s", exc)
        return _unavailable_response()
    return _unexpected(exc)


def _unexpected(exc: BaseException) -> JSONResponse:
    ident = uuid.uuid4().hex[:12]
    log.error("unexpected error [error id %s]", ident, exc_info=exc)
    return _json(
        500,
        f"an unexpected error (error id {ident}); the operator finds the details in the log",
        error_id=ident,
    )


async def _any(_request: Request, exc: Exception) -> JSONResponse:
    if unavailable(exc):
        log.warning("database unavailable: %s", exc)
        return _unavailable_response()
    return _unexpected(exc)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(ValidationError, _domain_validation)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(PoolTimeout, _database)
    app.add_exception_handler(Exception, _any)
