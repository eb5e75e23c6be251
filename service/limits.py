"""Request body limits, enforced while the body streams in.

A body larger than its limit is refused with 413 as soon as the declared ``Content-Length``
or the bytes received so far exceed it, before anything is parsed or spooled to disk:
uploads (multipart forms, CSV/XLSX) get ``max_upload_bytes``, every other body (JSON)
``max_json_bytes``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

from service.config import Settings

Scope = dict[str, Any]
Message = dict[str, Any]


class BodyTooLarge(Exception):
    """The body went over its limit while streaming."""


class BodyLimit:
    """ASGI middleware: 413 for request bodies over their limit."""

    def __init__(self, app: Any, upload_bytes: int, json_bytes: int) -> None:
        self.app = app
        self.upload_bytes = upload_bytes
        self.json_bytes = json_bytes

    def limit_for(self, scope: Scope) -> int:
        """The limit of a request by its content type."""
        headers = dict(scope.get("headers") or [])
        kind = headers.get(b"content-type", b"").decode("latin-1").lower()
        if kind.startswith(("multipart/", "text/csv", "application/vnd.openxmlformats")):
            return self.upload_bytes
        return self.json_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = False
            if too_large:
                await _refuse(send, limit)
                return
        received = 0
        exceeded = False
        replaced = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message: Message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # A parser may turn the exception into its own error (FastAPI: 400): whatever
            # the app answers once the limit was exceeded, the caller gets the 413.
            nonlocal replaced
            if exceeded:
                if message.get("type") == "http.response.start" and not replaced:
                    replaced = True
                    await _refuse(send, limit)
                return
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if not replaced:
                await _refuse(send, limit)


async def _refuse(send: Any, limit: int) -> None:
    body = json.dumps(
        {"detail": f"the request body is larger than the limit of {limit} bytes"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install(app: FastAPI, settings: Settings) -> None:
    """Add the body limits to ``app``."""
    app.add_middleware(
        BodyLimit,
        # a multipart form carries its file with a few headers around it
        upload_bytes=settings.max_upload_bytes + 65_536,
        json_bytes=settings.max_json_bytes,
    )
