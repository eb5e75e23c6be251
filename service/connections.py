"""Keep-alive connections are closed after a number of requests, so that they spread over
the web processes again.

With several web processes (``uvicorn --workers N``) sharing one listening socket, the
process whose event loop wakes first accepts whatever connections are waiting: a burst of
clients connecting at once (a proxy's pool, a load of readers) can all land on one
process, and a keep-alive connection stays where it landed. That process then serves most
requests on one core while the others idle. Closing a connection after
``MAX_KEEPALIVE_REQUESTS`` responses (Apache's ``MaxKeepAliveRequests`` and nginx's
``keepalive_requests`` are the same knob) makes its client reconnect, and a busy process,
slower to wake, tends to leave the new connection to an idle one. The cost is one TCP
connection per that many requests. In the reader benchmark, 50 readers connecting at once
split as unevenly as 48 to 2 over two web processes; with the limit they stay near 25 each.
"""

from __future__ import annotations

from typing import Any

MAX_KEEPALIVE_REQUESTS = 50

Scope = dict[str, Any]
Message = dict[str, Any]


class KeepAliveLimit:
    """ASGI middleware: ``Connection: close`` on a connection's ``limit``-th response.

    A connection is known by its client address and port (unique while it is open); the
    count of a connection the client closed first stays until the table is full, then
    the table starts over (a count restarting only closes a connection later)."""

    MAX_ENTRIES = 10_000

    def __init__(self, app: Any, limit: int = MAX_KEEPALIVE_REQUESTS) -> None:
        self.app = app
        self.limit = limit
        self._served: dict[tuple[str, int], int] = {}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        client = scope.get("client") if scope["type"] == "http" else None
        if not client:
            await self.app(scope, receive, send)
            return
        key = (client[0], client[1])
        served = self._served.get(key, 0) + 1
        if served < self.limit:
            if len(self._served) >= self.MAX_ENTRIES:
                self._served.clear()
            self._served[key] = served
            await self.app(scope, receive, send)
            return
        self._served.pop(key, None)

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing)
