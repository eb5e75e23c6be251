"""Fuzz every operation of the OpenAPI schema in-process: no input may give a 5xx.

Every request is sent with a valid token of every role (admin for the reference and placement
writes, planner for the scenario jobs, coordinator elsewhere go first, so that the generated
bodies reach validation and the database instead of stopping at 401/403). The number of
examples per operation is bounded to keep CI fast; a scenario job the fuzzer starts is
cancelled at once.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings

from service.crud import jobs as lifecycle
from service.db.tables import ScenarioJobRow
from tests.service.svc_helpers import Seed, reset, sessions_of, wait_idle

pytestmark = pytest.mark.slow


@pytest.fixture
def api_schema(app: FastAPI, seed: Seed) -> Any:
    """The app's schema, loaded through its ASGI interface."""
    config = schemathesis.Config.from_dict(
        {
            # The coverage and stateful phases multiply the cases several-fold; the fuzzing
            # phase alone keeps the run bounded (max-examples per operation).
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "generation": {"max-examples": MAX_EXAMPLES},
        }
    )
    app.openapi()  # built once here: the loader's 10 s read timeout measures a busy machine
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


@pytest.fixture
def tokens(seed: Seed) -> Seed:
    """The seeded tokens (the database is seeded once per backend; the fuzzer's writes pile
    up, which also exercises operations against unexpected state)."""
    return seed


MAX_EXAMPLES = 15
ROLES = ("coordinator", "muni1", "planner", "admin", "coach")

fuzzed = schemathesis.pytest.from_fixture("api_schema")


def _who(method: str, path: str) -> str:
    if path.startswith("/scenario-jobs"):
        return "planner"
    if path.startswith("/reference") or path.startswith("/audit"):
        return "admin"
    if path.startswith(("/placements", "/regime-versions")) and method != "GET":
        return "admin"
    return "coordinator"


@fuzzed.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_gives_a_server_error(case: Any, tokens: Seed, app: FastAPI) -> None:
    """Every generated request is sent as every role (the one the operation is for first,
    so that its bodies reach the database): none may get a 5xx."""
    first = _who(case.method.upper(), case.path)
    for who in [first, *(w for w in ROLES if w != first)]:
        headers = {**(case.headers or {}), **tokens.h(who)}
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            f"{who}: {case.method} {case.formatted_path} -> {response.status_code}: "
            f"{response.text[:500]}"
        )
        if case.path == "/runs" and response.status_code == 202:
            wait_idle(app)
        if case.path == "/scenario-jobs" and response.status_code == 202:
            # A generated batch may be long (horizons, scaled demand): stop it at once.
            with sessions_of(app)() as session:
                job = session.get(ScenarioJobRow, response.json()["id"])
                if job is not None and job.status in lifecycle.ACTIVE:
                    lifecycle.request_cancel(session, ScenarioJobRow, job, "scenario job")
            wait_idle(app)


def test_stateful_sequences_give_no_server_error(tokens: Seed, app: FastAPI) -> None:
    """Sequences that follow the links schemathesis infers between operations (an id
    created by one, read, changed or decided by the next), sent as every role in turn."""
    from hypothesis import stateful

    config = schemathesis.Config.from_dict(
        {
            "phases": {
                "stateful": {
                    "enabled": True,
                    "inference": {"algorithms": ["dependency-analysis"]},
                }
            },
        }
    )
    app.openapi()  # built once here: the loader's 10 s read timeout measures a busy machine
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    base = schema.as_state_machine()
    calls: list[str] = []
    state: dict[str, Any] = {}

    class Sequences(base):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            # Every sequence starts from the same database and the same turn of roles, so its
            # answers depend on the sequence alone: hypothesis stops on a sequence whose
            # choices come out differently when it meets that sequence's prefix again.
            wait_idle(app)
            state["seed"] = reset(sessions_of(app))
            state["roles"] = itertools.cycle(ROLES)
            state["turn"] = itertools.count()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            turn = next(state["turn"])
            who = _who(case.method.upper(), case.path) if turn % 2 else next(state["roles"])
            return {"headers": {**(case.headers or {}), **state["seed"].h(who)}}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            calls.append(f"{case.method} {case.path} {response.status_code}")
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: "
                f"{response.text[:500]}"
            )
            if case.path == "/scenario-jobs" and response.status_code == 202:
                with sessions_of(app)() as session:
                    job = session.get(ScenarioJobRow, response.json()["id"])
                    if job is not None and job.status in lifecycle.ACTIVE:
                        lifecycle.request_cancel(session, ScenarioJobRow, job, "scenario job")
            if response.status_code == 202:  # the next call meets a finished job, every time
                wait_idle(app)

    stateful.run_state_machine_as_test(
        Sequences,
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            # the database changes under the sequences: replaying one cannot give the same
            # answers, so hypothesis generates only (a failure is reported as found)
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )
    wait_idle(app)
    assert len(calls) >= STATEFUL_EXAMPLES  # the sequences ran
    assert len({c.split()[1] for c in calls}) > 5  # through many operations
    assert any(c.endswith((" 200", " 201", " 202", " 204")) for c in calls)


STATEFUL_EXAMPLES = 20
