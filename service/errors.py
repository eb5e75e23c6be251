"""The one place where domain and database errors become HTTP responses.

Bad input is never a 500: request validation and domain validation give 422 with the path of
each offending field, unknown ids 404, conflicts (a closed placement, a superseded run, a
duplicate id, a second concurrent run) 409, missing rights 403. A database that cannot be
reached (an outage, a dropped connection, an exhausted pool) is 503 with ``Retry-After``.
Anything unexpected is a 500 whose body carries only an error id; the traceback and any SQL
go to the log under that id, never to the caller.

Every error body keeps its stable ``detail`` (and, per located error, ``loc``, ``field``,
``type``) for programs, and gains ``message``: a plain-language text for people in the
language of the request's ``Accept-Language`` (Finnish by default, Swedish, English), from
the engine's catalogues (``api.*``, ``error.*``, ``field.*`` in ``matching/i18n``). A handler
that passes no language or text code still gets the generic text of its status.
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

from matching.cooperation.texts import CATALOGUE as COOPERATION_TEXTS
from matching.cooperation.texts import refusal_text
from matching.explain.messages import catalogue, fill
from matching.explain.notices import accepted_language, located_text

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """Base of the errors a handler raises on purpose; ``status`` is the HTTP code.

    ``message`` is the stable English ``detail``; ``code`` (a catalogue key, ``api.*``) and
    ``params`` give the text for people, which is otherwise the status's general text.
    """

    status = 400

    def __init__(
        self, message: str, *, code: str | None = None, params: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.params = dict(params or {})


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
    site confirmed, starting a period without an agreed agreement, ending twice…); ``step`` is the
    refusal's code, which the body carries as ``code`` and the text for people words (the
    cooperation catalogue's ``refusal.<step>``; a step without one passes its own ``api.*``
    ``code`` and ``params``)."""

    def __init__(
        self,
        step: str,
        message: str,
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, params=params)
        self.step = step


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
        self,
        message: str,
        errors: Sequence[dict[str, Any]] = (),
        *,
        more: int = 0,
        code: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, params=params)
        self.errors = list(errors)
        self.more = more


def field_errors(
    errors: Sequence[Any], prefix: tuple[str | int, ...] = (), lang: str | None = None
) -> list[dict[str, Any]]:
    """Pydantic error entries as ``{loc, field, msg, type}`` with a dotted field path; with
    ``lang``, also ``message`` in words (worded from the refused value and its limits, which
    the body does not echo)."""
    out = []
    for err in errors:
        loc = (*prefix, *err.get("loc", ()))
        entry = {
            "loc": list(loc),
            "field": ".".join(str(part) for part in loc),
            "msg": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        if lang is not None:
            entry["message"] = error_message({**err, "loc": list(loc)}, lang)
        out.append(entry)
    return out


RETRY_AFTER_S = 5
DEFAULT_LANGUAGE = "fi"


def language_of(request: Request | None) -> str:
    """The language the caller reads (``Accept-Language``; Finnish if none of fi/sv/en)."""
    if request is None:
        return DEFAULT_LANGUAGE
    return accepted_language(request.headers.get("accept-language"))


def error_message(error: dict[str, Any], lang: str) -> str:
    """One located error in plain words (``matching.explain.notices.located_text``)."""
    return located_text(error, lang)


def _say(lang: str, code: str, params: dict[str, Any]) -> str:
    entry = catalogue(lang).get(code) or catalogue(lang)["api.status.400"]
    return fill(entry["coordinator"], lang, "coordinator", params)


def people_text(
    status: int,
    lang: str,
    errors: Sequence[dict[str, Any]] = (),
    code: str | None = None,
    params: dict[str, Any] | None = None,
) -> str:
    """The ``message`` of an error body: the code's text, or the status's general text (for
    422 with the number of problems and the first in words)."""
    values = dict(params or {})
    if code is None and errors:
        status = 422  # refused with located reasons: the number and the first in words
    if code is None and status == 422:
        values["count"] = len(errors)
        first = dict(errors[0]) if errors else {}
        said = (first.get("message") or error_message(first, lang)) if errors else ""
        values["first"] = said.rstrip(".")
    return _say(lang, code or f"api.status.{status}", values)


def service_message(exc: ServiceError, lang: str) -> str:
    """The text for people of an error a handler raised (the web pages show it too)."""
    if (
        isinstance(exc, OutOfOrder)
        and exc.code is None
        and f"refusal.{exc.step}" in COOPERATION_TEXTS
    ):
        return refusal_text(exc.step, lang)
    errors = exc.errors if isinstance(exc, InvalidInput) else ()
    return people_text(exc.status, lang, errors, exc.code, exc.params)


def _json(
    status: int,
    message: str,
    errors: Sequence[dict[str, Any]] = (),
    *,
    lang: str = DEFAULT_LANGUAGE,
    text: str | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"detail": message}
    body["message"] = text if text is not None else people_text(status, lang, errors, None, extra)
    if errors:
        located = [
            {**e, "message": e.get("message") or error_message(dict(e), lang)} for e in errors
        ]
        body["errors"] = jsonable_encoder(located)
    body.update(extra)
    return JSONResponse(status_code=status, content=body)


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    lang = language_of(request)
    errors = exc.errors if isinstance(exc, InvalidInput) else ()
    extra: dict[str, Any] = (
        {"more_errors": exc.more} if isinstance(exc, InvalidInput) and exc.more else {}
    )
    if isinstance(exc, OutOfOrder):
        extra["code"] = exc.step
    text = service_message(exc, lang)
    response = _json(exc.status, exc.message, errors, lang=lang, text=text, **extra)
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lang = language_of(request)
    return _json(422, "invalid request", field_errors(exc.errors(), lang=lang), lang=lang)


async def _domain_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ValidationError)
    lang = language_of(request)
    errors = field_errors(exc.errors(), ("body",), lang)
    order = [e["type"] for e in errors if e["type"] in OUT_OF_ORDER_CODES]
    if order:
        return _json(
            409,
            "a step of the cycle out of order",
            errors,
            lang=lang,
            text=refusal_text(order[0], lang),
            code=order[0],
        )
    return _json(422, "invalid record", errors, lang=lang)


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    log.info("integrity error: %s", exc)
    lang = language_of(request)
    return _json(
        409,
        "conflicts with an existing record (duplicate id or unknown reference)",
        lang=lang,
        text=_say(lang, "api.integrity", {}),
    )


async def _data_error(request: Request, exc: Exception) -> JSONResponse:
    log.info("data error: %s", exc)
    lang = language_of(request)
    return _json(
        422,
        "a value cannot be stored (out of range or invalid characters)",
        lang=lang,
        text=_say(lang, "api.data_error", {}),
    )


def unavailable(exc: BaseException) -> bool:
    """Is ``exc`` the database being unreachable (rather than a bad statement)?"""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def _unavailable_response(lang: str = DEFAULT_LANGUAGE) -> JSONResponse:
    response = _json(503, "the database is temporarily unavailable; try again shortly", lang=lang)
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


async def _database(request: Request, exc: Exception) -> JSONResponse:
    if unavailable(exc):
        log.warning("database unavailable: %s", exc)
        return _unavailable_response(language_of(request))
    return _unexpected(exc, language_of(request))


def _unexpected(exc: BaseException, lang: str = DEFAULT_LANGUAGE) -> JSONResponse:
    ident = uuid.uuid4().hex[:12]
    log.error("unexpected error [error id %s]", ident, exc_info=exc, extra={"error_id": ident})
    return _json(
        500,
        f"an unexpected error (error id {ident}); the operator finds the details in the log",
        lang=lang,
        error_id=ident,
    )


async def _any(request: Request, exc: Exception) -> JSONResponse:
    if unavailable(exc):
        log.warning("database unavailable: %s", exc)
        return _unavailable_response(language_of(request))
    return _unexpected(exc, language_of(request))


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
