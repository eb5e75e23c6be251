"""Liveness (``/health``: the process answers) and readiness (``/ready``: the database
answers and its schema is at the migrations' head), apart: a load balancer sends traffic
only to ready processes, and restarts only those that stop being live."""

from __future__ import annotations

from functools import lru_cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from matching.version import __version__
from service.db.session import alembic_config

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The service is up, and the engine's version."""

    status: str
    engine_version: str | None


@router.get("/health")
def read_health() -> Health:
    """Report that the service runs."""
    return Health(status="ok", engine_version=__version__)


class Readiness(BaseModel):
    """Whether this process can serve: the database and the schema's revision."""

    status: str
    database: str
    migrations: str
    revision: list[str]
    head: list[str]


@lru_cache(maxsize=4)
def migration_heads(url: str) -> tuple[str, ...]:
    """The head revisions of the migrations shipped with this code."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config(url)).get_heads()))


@router.get(
    "/ready",
    responses={503: {"model": Readiness, "description": "Not ready: the reason is in the body."}},
)
def read_ready(request: Request) -> Readiness:
    """Ready to serve: the database answers and its schema is at the migrations' head."""
    url = request.app.state.settings.database_url
    head = list(migration_heads(url))
    try:
        with request.app.state.db_engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            revision = sorted(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError:
        body = Readiness(
            status="not ready", database="unreachable", migrations="unknown", revision=[], head=head
        )
        return JSONResponse(body.model_dump(), status_code=503)  # type: ignore[return-value]
    if revision != head:
        body = Readiness(
            status="not ready", database="ok", migrations="behind", revision=revision, head=head
        )
        return JSONResponse(body.model_dump(), status_code=503)  # type: ignore[return-value]
    return Readiness(
        status="ready", database="ok", migrations="current", revision=revision, head=head
    )
