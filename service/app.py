"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from matching.version import __version__
from service import errors
from service.config import Settings
from service.crud import runs as run_store
from service.crud import scenarios as scenario_store
from service.db.session import make_engine, make_session_factory, upgrade
from service.jobs import Engine, JobManager
from service.routes import api_router
from service.scenario_jobs import ScenarioEngine, ScenarioJobManager
from service.web.app import mount as mount_web

log = logging.getLogger(__name__)

DESCRIPTION = """
Placement matching for rehabilitative work activity (kuntouttava työtoiminta).

The service proposes; a coordinator decides. Authenticate with a bearer token issued by
`python -m service.admin create-token`. Every access to client data is audited with its
purpose, taken from the `X-Purpose` header (each endpoint has a default).
"""


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    scenario_engine: ScenarioEngine | None = None,
) -> FastAPI:
    """Build the app for ``settings`` (default: from the environment).

    The schema is created or upgraded through the Alembic migrations, never ``create_all``,
    so that the migrations are what every test exercises. ``engine`` replaces
    ``matching.allocate``/``check_allocation`` and ``scenario_engine`` the scenario batch
    (tests use them to run fakes).
    """
    settings = settings or Settings.from_env()
    if settings.migrate_on_start:
        upgrade(settings.database_url)
    db_engine = make_engine(settings.database_url)
    sessions = make_session_factory(db_engine)
    jobs = JobManager(settings, sessions, engine)
    scenario_jobs = ScenarioJobManager(settings, sessions, scenario_engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        with sessions() as session:
            stale = run_store.recover_orphans(session, settings.county)
            stale_jobs = scenario_store.recover_orphans(session, settings.county)
        if stale:
            log.warning("%d run(s) left active by a stopped service were marked failed", stale)
        if stale_jobs:
            log.warning("%d scenario job(s) left active were marked failed", stale_jobs)
        jobs.warm_up()
        yield
        jobs.shutdown()
        scenario_jobs.shutdown()
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
    app.state.jobs = jobs
    app.state.scenario_jobs = scenario_jobs
    errors.install(app)
    app.include_router(api_router)
    mount_web(app)  # the web app for people at /; the JSON API keeps its paths
    return app
