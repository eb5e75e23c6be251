"""Fixtures of the web tests: both databases, the app under uvicorn, Chromium.

The browser is Debian's Chromium (``/usr/bin/chromium``; ``.ci/run`` installs it). Without it
the browser tests fail in CI and are skipped elsewhere, like the PostgreSQL tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.app import create_app
from tests.service.svc_helpers import postgres_database, seeded, settings_for, wait_idle
from tests.web.web_helpers import CHROMIUM, WebSeed, seed_web, serve


@pytest.fixture(
    scope="module",
    # As in the service tests: the PostgreSQL half is slow (and postgres); the short loop
    # (-m "not slow") runs the SQLite half, the full suite both.
    params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, pytest.mark.slow])],
)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh database of each kind per test module."""
    if request.param == "sqlite":
        path = Path(tmp_path_factory.mktemp("webdb")) / "paikka.db"
        yield f"sqlite:///{path}"
    else:
        yield from postgres_database()


@pytest.fixture(scope="module")
def app(database_url: str) -> FastAPI:
    """The whole service (API and web app) on this module's database."""
    return create_app(settings_for(database_url, run_executor="thread", scenario_timeout_s=120))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    """An in-process client (no browser) for the request-level tests."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free port, for the browser."""
    yield from serve(app)


@pytest.fixture
def web_seed(app: FastAPI) -> Iterator[WebSeed]:
    """A freshly seeded county with users, per test."""
    wait_idle(app)
    yield seeded(app, seed_web)
    wait_idle(app)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium through Playwright."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI and missing at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page; axe is injected despite the CSP."""
    context = browser.new_context(
        base_url=base_url,
        bypass_csp=True,
        viewport={"width": 1280, "height": 900},
        locale="fi-FI",
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
