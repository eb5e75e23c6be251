"""Shared test configuration: hypothesis profiles and a cheap password hash.

Hypothesis profiles: ``ci`` (the default: bounded and fixed) runs in the full suite; the short
loop (``pytest -m "not slow"``) loads ``short``, the same with fewer examples for the
properties that take the default count. ``HYPOTHESIS_PROFILE`` chooses one by name for any run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings

from matching.transit import store_feed
from service import accounts
from tests.transit.small_feed import small_feed

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("short", settings.get_profile("ci"), max_examples=15)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SHORT_LOOP = "not slow"


def pytest_configure(config: pytest.Config) -> None:
    """The short loop takes the ``short`` profile unless one is named."""
    marks = " ".join(str(config.getoption("markexpr", "") or "").split())
    if marks == SHORT_LOOP and "HYPOTHESIS_PROFILE" not in os.environ:
        settings.load_profile("short")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test on the PostgreSQL database carries the ``postgres`` and ``slow`` markers, so that
    the short loop leaves it out and CI, where it must not skip, can select it."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None or callspec.params.get("database_url") != "postgresql":
            continue
        missing = {"postgres", "slow"} - {m.name for m in item.iter_markers()}
        if missing:
            raise pytest.UsageError(f"{item.nodeid} runs on PostgreSQL without {sorted(missing)}")


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hash() -> Iterator[None]:
    """Argon2id at its smallest cost instead of RFC 9106's, which takes a quarter second of CPU
    for every user seeded and every sign-in. The hashes are still Argon2id, made and checked by
    the same code; the cost itself is argon2-cffi's, not this project's, to test."""
    with pytest.MonkeyPatch.context() as patch:
        cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        patch.setattr(accounts, "_hasher", cheap)
        patch.setattr(accounts, "_DUMMY", cheap.hash("not a password of anyone"))
        yield


@pytest.fixture(scope="session", autouse=True)
def transit_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A feed store of the session's own (``PAIKKA_TRANSIT_DIR``), holding the small hand-made
    feed of ``tests.transit.small_feed``: tests never read or fill the user's cache."""
    root = tmp_path_factory.mktemp("transit-store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAIKKA_TRANSIT_DIR", str(root))
        store_feed(small_feed(), root)
        yield
