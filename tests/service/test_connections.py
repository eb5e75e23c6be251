"""Keep-alive connections are closed after a number of requests (``service.connections``),
so that clients reconnect and connections spread over the web processes."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.connections import KeepAliveLimit


def _app(limit: int) -> FastAPI:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    app.add_middleware(KeepAliveLimit, limit=limit)
    return app


def test_every_limit_th_response_of_a_connection_closes_it() -> None:
    with TestClient(_app(3), client=("10.0.0.1", 40000)) as one:
        closing = [one.get("/ping").headers.get("connection") for _ in range(7)]
    assert closing == [None, None, "close", None, None, "close", None]


def test_connections_are_counted_apart() -> None:
    app = _app(2)
    with (
        TestClient(app, client=("10.0.0.1", 40001)) as first,
        TestClient(app, client=("10.0.0.1", 40002)) as second,
    ):
        assert first.get("/ping").headers.get("connection") is None
        assert second.get("/ping").headers.get("connection") is None
        response = first.get("/ping")
        assert response.headers.get("connection") == "close" and response.json() == {"ok": True}
        assert second.get("/ping").headers.get("connection") == "close"


def test_the_service_has_the_limit(app: FastAPI) -> None:
    assert KeepAliveLimit in [getattr(m, "cls", None) for m in app.user_middleware]
