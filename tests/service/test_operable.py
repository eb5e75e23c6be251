"""What an operator sees: /metrics (protected, with a run's figures while it runs),
readiness apart from liveness, JSON logs with ids and no personal data, and traces when an
OTLP endpoint is configured."""

from __future__ import annotations

import json
import logging
import re
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text

from service import tracing
from service.app import create_app
from service.telemetry import JsonFormatter
from tests.service.svc_helpers import Seed, fake_engine, poll, sessions_of, settings_for
from tests.service.test_api_clients import NEW
from tests.service.test_api_runs import RUN

TOKEN = "scrape-secret-for-tests"
SEEDED_NAMES = ("Aino A", "Bertta B", "Cecilia C")


def metric(text_: str, name: str, **labels: str) -> float | None:
    """The value of one sample of the exposition, or None."""
    for line in text_.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, value = line.rsplit(" ", 1)
        found = dict(re.findall(r'(\w+)="([^"]*)"', head))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return None


def test_metrics_need_the_token_or_this_machine(database_url: str, seed: Seed) -> None:
    with TestClient(create_app(settings_for(database_url, metrics_token=TOKEN))) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert (
            client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        )
    with TestClient(create_app(settings_for(database_url))) as client:
        assert client.get("/metrics").status_code == 403  # "testclient" is not this machine
    with TestClient(create_app(settings_for(database_url)), client=("127.0.0.1", 5000)) as client:
        assert client.get("/metrics").status_code == 200


def test_a_scrape_during_a_run_finds_its_figures(database_url: str, seed: Seed) -> None:
    app = create_app(settings_for(database_url, metrics_token=TOKEN), solver=fake_engine("slow"))
    scrape = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as client:
        h = seed.h("coordinator")
        run = client.post("/runs", json=RUN, headers=h).json()
        deadline = time.monotonic() + 30
        while client.get(f"/runs/{run['id']}", headers=h).json()["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(1.1)
        during = client.get("/metrics", headers=scrape)
        assert during.status_code == 200
        body = during.text
        assert metric(body, "paikka_jobs", kind="run", status="running") == 1
        assert metric(body, "paikka_job_queue_depth", kind="run") == 0
        assert (metric(body, "paikka_job_oldest_running_age_seconds", kind="run") or 0) >= 1
        assert (
            metric(body, "paikka_http_requests_total", method="POST", route="/runs", status="202")
            is not None
        )
        assert (
            metric(
                body,
                "paikka_http_request_duration_seconds_count",
                method="GET",
                route="/runs/{run_id}",
            )
            is not None
        )
        client.post(f"/runs/{run['id']}/cancel", headers=h)
        after = client.get("/metrics", headers=scrape).text
        assert metric(after, "paikka_jobs", kind="run", status="running") == 0
        assert (metric(after, "paikka_run_duration_seconds_count", status="cancelled") or 0) >= 1
    # a run that succeeds: its duration, gap and clients placed
    app = create_app(
        settings_for(database_url, metrics_token=TOKEN), solver=fake_engine("first_fit")
    )
    with TestClient(app) as client:
        done = poll(client, client.post("/runs", json=RUN, headers=h).headers["Location"], h)
        assert done["status"] == "succeeded"
        body = client.get("/metrics", headers=scrape).text
        ident = str(done["id"])
        assert metric(body, "paikka_run_last_gap", run=ident) == 0.0
        assert metric(body, "paikka_run_last_placed", run=ident) == done["stats"]["placed"]  # type: ignore[index]
        assert (metric(body, "paikka_run_last_duration_seconds", run=ident) or -1) >= 0


def test_ready_is_apart_from_live(
    database_url: str, seed: Seed, app: FastAPI, client: TestClient
) -> None:
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["migrations"] == "current"
    assert ready.json()["revision"] == ready.json()["head"]
    with sessions_of(app)() as session:  # the schema one migration behind the code
        current = session.scalar(text("SELECT version_num FROM alembic_version"))
        session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        session.commit()
    try:
        behind = client.get("/ready")
        assert behind.status_code == 503 and behind.json()["migrations"] == "behind"
        assert client.get("/health").status_code == 200
    finally:
        with sessions_of(app)() as session:
            session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
            session.commit()
    gone = create_app(settings_for("sqlite:////nonexistent-dir/x.db", migrate_on_start=False))
    with TestClient(gone) as lost:
        answer = lost.get("/ready")
        assert answer.status_code == 503 and answer.json()["database"] == "unreachable"
        assert lost.get("/health").status_code == 200


def test_log_lines_are_json_with_ids_and_no_names(
    client: TestClient, seed: Seed, caplog: pytest.LogCaptureFixture
) -> None:
    """Representative calls that read and write named clients, an error, an import and a
    run: every log line formatted as the service writes it, none naming a client."""
    caplog.set_level(logging.DEBUG)
    h = seed.h("coordinator", **{"X-Request-ID": "req-42"})
    assert client.get("/clients", headers=h).status_code == 200
    assert client.get("/clients/C1", headers=h).json()["display_name"] == "Aino A"
    assert (
        client.post(
            "/clients", json={**NEW, "id": "C90", "display_name": "Aino A"}, headers=h
        ).status_code
        == 201
    )
    assert client.post("/clients", json={**NEW, "id": "C90"}, headers=h).status_code == 409
    bad = client.post("/clients", json={**NEW, "id": "C91", "phone": "Bertta B" * 40}, headers=h)
    assert bad.status_code == 422
    header = (
        "id,display_name,age,home_municipality,lat,lon,days_per_week,hours_per_day,waiting_since"
    )
    rows = (
        "C92,Cecilia C,40,564,65.0,25.4,2,4,2025-01-01\n"
        "C93,Cecilia C,x,564,65.0,25.4,2,4,2025-01-01\n"
    )
    client.post(
        "/clients/import", files={"file": ("c.csv", f"{header}\n{rows}", "text/csv")}, headers=h
    )
    assert client.post("/runs", json=RUN, headers=h).status_code == 202
    from tests.service.svc_helpers import wait_idle

    wait_idle(client.app)  # type: ignore[arg-type]
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert lines, "nothing was logged"
    for line in lines:
        for name in SEEDED_NAMES:
            assert name not in line, line
    parsed = [json.loads(line) for line in lines]
    requests = [p for p in parsed if p["logger"] == "paikka.request"]
    assert any(
        p.get("request_id") == "req-42" and p["route"] == "/clients/{client_id}" for p in requests
    )
    assert any(p.get("job", "").startswith("run:") for p in parsed)


def test_traces_only_with_an_endpoint(
    database_url: str, seed: Seed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert not hasattr(create_app(settings_for(database_url)).state, "tracer_provider")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")  # nothing listens
    configured = create_app(settings_for(database_url))
    provider = configured.state.tracer_provider
    exporters = [p.span_exporter for p in provider._active_span_processor._span_processors]
    assert [type(e).__name__ for e in exporters] == ["OTLPSpanExporter"]
    provider.shutdown()
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT")
    memory = InMemorySpanExporter()
    app = create_app(settings_for(database_url))
    tracing.install(app, memory)
    with TestClient(app) as client:
        h = seed.h("coordinator")
        assert client.get("/clients/C1?purpose_note=Aino", headers=h).status_code in (200, 422)
        assert client.get("/health").status_code == 200
    spans = memory.get_finished_spans()
    servers = [s for s in spans if s.kind.name == "SERVER"]
    assert [s.name for s in servers] == ["GET /clients/{client_id}"]
    attributes = json.dumps({k: str(v) for s in spans for k, v in (s.attributes or {}).items()})
    assert "Aino" not in attributes
