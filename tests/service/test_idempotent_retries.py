"""Concurrent retries with one Idempotency-Key all get the first request's answer.

The probe that found this: six retries sent at once got 409 instead of the stored answer
(POST /runs 2 of 6 on PostgreSQL, POST /clients 5 of 6). Now the first request reserves the
key before doing any work and the others wait for its answer and replay it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.app import create_app
from service.db.tables import ClientRow, IdempotencyRow, RunRow
from tests.service.svc_helpers import Seed, fake_engine, poll, sessions_of, settings_for
from tests.service.test_api_clients import NEW
from tests.service.test_api_runs import RUN

RETRIES = 6


def at_once(send: Callable[[], httpx.Response], count: int = RETRIES) -> list[httpx.Response]:
    """``send`` from ``count`` threads released together."""
    gate = threading.Barrier(count)
    answers: list[httpx.Response | BaseException] = [RuntimeError("not sent")] * count

    def one(index: int) -> None:
        gate.wait()
        try:
            answers[index] = send()
        except BaseException as exc:  # reported below, with the others
            answers[index] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    failed = [a for a in answers if isinstance(a, BaseException)]
    assert not failed, failed
    return [a for a in answers if isinstance(a, httpx.Response)]


def same_answer(answers: list[httpx.Response], status: int) -> dict[str, Any]:
    codes = [a.status_code for a in answers]
    assert codes == [status] * len(answers), [(a.status_code, a.text[:200]) for a in answers]
    bodies = [a.json() for a in answers]
    assert all(body == bodies[0] for body in bodies)
    assert len({a.headers.get("Location") for a in answers}) == 1
    return bodies[0]


def test_six_concurrent_client_creations_get_one_answer(client: TestClient, seed: Seed) -> None:
    headers = seed.h("coordinator", **{"Idempotency-Key": "new-client-race"})
    body = {**NEW, "id": "C77"}
    answers = at_once(lambda: client.post("/clients", json=body, headers=headers))
    created = same_answer(answers, 201)
    assert created["id"] == "C77"
    with sessions_of(client.app)() as session:  # type: ignore[arg-type]
        assert session.scalar(select(func.count()).where(ClientRow.id == "C77")) == 1
        stored = session.scalars(
            select(IdempotencyRow).where(IdempotencyRow.key == "new-client-race")
        ).all()
        assert [row.status_code for row in stored] == [201]


def test_six_concurrent_run_starts_get_one_run(database_url: str, seed: Seed) -> None:
    app = create_app(settings_for(database_url), solver=fake_engine("first_fit"))
    with TestClient(app) as client:
        headers = seed.h("coordinator", **{"Idempotency-Key": "week-race"})
        answers = at_once(lambda: client.post("/runs", json=RUN, headers=headers))
        started = same_answer(answers, 202)
        poll(client, f"/runs/{started['id']}", seed.h("coordinator"))
        with sessions_of(app)() as session:
            runs = session.scalar(
                select(func.count())
                .select_from(RunRow)
                .where(RunRow.created_by == started["created_by"], RunRow.id >= started["id"])
            )
            assert runs == 1


def test_a_failed_first_request_leaves_the_key_free(client: TestClient, seed: Seed) -> None:
    """The first request is refused (its client id is taken): nothing is stored under its
    key, so a retry is tried again (409 again, not a replay), and the key is free for the
    corrected request."""
    headers = seed.h("coordinator", **{"Idempotency-Key": "refused-first"})
    taken = {**NEW, "id": seed_client_id(client, seed)}
    first = client.post("/clients", json=taken, headers=headers)
    assert first.status_code == 409, first.text
    again = client.post("/clients", json=taken, headers=headers)
    assert again.status_code == 409 and again.json()["detail"] == first.json()["detail"]
    fresh = client.post("/clients", json={**NEW, "id": "C78"}, headers=headers)
    assert fresh.status_code == 201, fresh.text


def seed_client_id(client: TestClient, seed: Seed) -> str:
    page = client.get("/clients", headers=seed.h("coordinator")).json()
    items = page["items"] if isinstance(page, dict) else page
    return str(items[0]["id"])
