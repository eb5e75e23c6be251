"""What an operator sees: structured JSON logs with request, job and error ids, and the
per-request Prometheus figures, from one ASGI middleware.

Log lines carry ids and codes, never personal data: the request line names the route's
template (``/clients/{client_id}``), not its path, and no query string; SQL errors are
logged without their parameters (``hide_parameters`` on the engine). A request id comes from
a well-formed ``X-Request-ID`` header or is made here, and is sent back in that header.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Histogram

REQUEST_ID: ContextVar[str | None] = ContextVar("paikka_request_id", default=None)
JOB: ContextVar[str | None] = ContextVar("paikka_job", default=None)
"""The job a worker executes, as ``kind:id`` (e.g. ``run:7``)."""

WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

REQUESTS = Counter(
    "paikka_http_requests_total",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "paikka_http_request_duration_seconds",
    "Time to answer an HTTP request (seconds), by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

log = logging.getLogger("paikka.request")

STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and the
    record's extra fields: ``request_id`` and ``job`` of the context it was made in,
    ``error_id``, a request's ``route``, ``status`` and ``duration_ms``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in STANDARD and not key.startswith("_"):
                line[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


_base_factory = logging.getLogRecordFactory()


def _record_with_ids(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """A log record carrying the request and job ids of the context it was made in (a
    handler may format it later, elsewhere)."""
    record = _base_factory(*args, **kwargs)
    request_id = REQUEST_ID.get()
    if request_id:
        record.request_id = request_id
    job = JOB.get()
    if job:
        record.job = job
    return record


logging.setLogRecordFactory(_record_with_ids)


class _JsonHandler(logging.StreamHandler):
    """The root handler ``configure_logging`` installs (recognised so it is added once)."""


def configure_logging(log_format: str, level: str = "INFO") -> None:
    """Log to stderr as JSON lines (``json``) or plain text (``text``); once per process."""
    # SQLAlchemy logs statements at INFO and result rows at DEBUG (rows hold personal data)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    root = logging.getLogger()
    if any(isinstance(h, _JsonHandler) for h in root.handlers):
        return
    handler = _JsonHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's own access line names the raw path (ids, query strings): ours replaces it
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True


def route_of(scope: dict[str, Any]) -> str:
    """The template of the route that answered (``unmatched`` when none did)."""
    route = scope.get("route")
    if route is None:
        return "unmatched"
    return str(getattr(route, "path_format", None) or getattr(route, "path", "unmatched"))


class RequestTelemetry:
    """ASGI middleware: the request id, one JSON log line per request, and its figures."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if WELL_FORMED_ID.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"x-request-id", request_id.encode()),
                    ],
                }
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            took = time.perf_counter() - started
            route = route_of(scope)
            method = str(scope.get("method", ""))
            if route != "/metrics":
                REQUESTS.labels(method, route, str(status)).inc()
                LATENCY.labels(method, route).observe(took)
            log.info(
                "%s %s %d",
                method,
                route,
                status,
                extra={"route": route, "status": status, "duration_ms": round(took * 1000, 1)},
            )
            REQUEST_ID.reset(token)
