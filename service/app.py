"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI

from matching.version import __version__
from service import errors, limits, metrics, tracing
from service.auth import TokenCache
from service.config import Settings
from service.connections import KeepAliveLimit
from service.db.session import REQUEST_THREADS, make_engine, make_session_factory, upgrade
from service.jobs import Solver
from service.routes import api_router
from service.scenario_jobs import ScenarioEngine
from service.telemetry import RequestTelemetry, configure_logging
from service.web.app import mount as mount_web
from service.worker import Workers

log = logging.getLogger(__name__)

DESCRIPTION = """
Placement matching for rehabilitative work activity (kuntouttava työtoiminta).

The service proposes; a coordinator decides. Authenticate with a bearer token issued by
`python -m service.admin create-token`. Every access to client data is audited with its
purpose, taken from the `X-Purpose` header (each endpoint has a default).
"""


def create_app(
    settings: Settings | None = None,
    solver: Solver | None = None,
    scenario_engine: ScenarioEngine | None = None,
) -> FastAPI:
    """Build the app for ``settings`` (default: from the environment).

    The schema is created or upgraded through the Alembic migrations, never ``create_all``,
    so that the migrations are what every test exercises (under a lock on PostgreSQL: several
    web workers starting at once migrate once). Runs and scenario jobs are queued in the
    database for solver workers (``service.worker``); with ``embedded_worker`` other than
    ``off`` this process runs worker loops too. ``solver`` replaces
    ``matching.allocate``/``check_allocation`` and ``scenario_engine`` the scenario batch in
    the embedded loops (tests use them to run fakes).
    """
    settings = settings or Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    if settings.migrate_on_start:
        upgrade(settings.owner_url, service_url=settings.database_url)
    db_engine = make_engine(settings.database_url)
    sessions = make_session_factory(db_engine)
    workers = (
        Workers(
            settings,
            sessions,
            poll=settings.embedded_worker == "all",
            solver=solver,
            scenario_engine=scenario_engine,
        )
        if settings.embedded_worker != "off"
        else None
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # sync handlers run on AnyIO's thread pool: no more threads than pooled connections
        to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        if workers is not None:
            workers.start()
        yield
        if workers is not None:
            workers.stop()
        db_engine.dispose()

    app = FastAPI(
        title="Paikka",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.session_factory = sessions
    app.state.db_engine = db_engine
    app.state.workers = workers
    app.state.token_cache = TokenCache(settings.token_cache_s)
    app.state.job_metrics = metrics.job_registry(sessions)
    errors.install(app)
    limits.install(app, settings)
    app.add_middleware(KeepAliveLimit)  # keep-alive connections spread over web processes
    app.add_middleware(RequestTelemetry)  # outermost: ids, logs and figures of every answer
    app.include_router(api_router)
    app.include_router(metrics.router)
    tracing.install(app)  # only when OTEL_EXPORTER_OTLP_ENDPOINT is set
    mount_web(app)  # the web app for people at /; the JSON API keeps its paths
    return app
