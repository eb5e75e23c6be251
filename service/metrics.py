"""Prometheus metrics at ``/metrics`` (prometheus-client's text format).

Two sources: the request figures every web process counts itself (``service.telemetry``;
with several web processes set ``PROMETHEUS_MULTIPROC_DIR`` so they are summed), and the job
figures read from the database at each scrape, so that every web process answers the same
for the runs and scenario jobs of all workers:

- ``paikka_jobs{kind,status}``: jobs by state (``run`` and ``scenario``);
- ``paikka_job_queue_depth{kind}`` and ``paikka_job_oldest_queued_age_seconds{kind}``;
- ``paikka_job_oldest_running_age_seconds{kind}``: how long the oldest running job has run;
- ``paikka_run_duration_seconds{status}``: a histogram of finished runs (start to end);
- ``paikka_run_last_duration_seconds``, ``paikka_run_last_gap`` and
  ``paikka_run_last_placed`` of the latest succeeded run (gap: the engine's relative
  optimality gap, 0 when proven optimal).

Access (``PAIKKA_METRICS_TOKEN``): with a token set, a scrape needs
``Authorization: Bearer <token>``; without one, only scrapes from the machine itself
(127.0.0.1, ::1) are answered, others get 403.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.crud import jobs as lifecycle
from service.db.tables import RunRow

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DURATION_BUCKETS = (1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0)
LOOPBACK = {"127.0.0.1", "::1", "localhost"}

router = APIRouter(include_in_schema=False)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class JobCollector(Collector):
    """The job figures, read from the database at each scrape."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Metric]:
        now = datetime.now(UTC)
        jobs = GaugeMetricFamily(
            "paikka_jobs", "Jobs by kind and state.", labels=["kind", "status"]
        )
        depth = GaugeMetricFamily(
            "paikka_job_queue_depth", "Jobs waiting for a solver worker.", labels=["kind"]
        )
        waited = GaugeMetricFamily(
            "paikka_job_oldest_queued_age_seconds",
            "How long the oldest queued job has waited (0: none queued).",
            labels=["kind"],
        )
        running = GaugeMetricFamily(
            "paikka_job_oldest_running_age_seconds",
            "How long the oldest running job has run (0: none running).",
            labels=["kind"],
        )
        with self.sessions() as session:
            for kind, table in lifecycle.KINDS.items():
                counts = dict(
                    session.execute(select(table.status, func.count()).group_by(table.status)).all()
                )
                for status in (*lifecycle.ACTIVE, *sorted(lifecycle.FINAL)):
                    jobs.add_metric([kind, status], float(counts.get(status, 0)))
                depth.add_metric([kind], float(counts.get(lifecycle.QUEUED, 0)))
                oldest = _aware(
                    session.scalar(
                        select(func.min(table.created_at)).where(table.status == lifecycle.QUEUED)
                    )
                )
                waited.add_metric([kind], (now - oldest).total_seconds() if oldest else 0.0)
                began = _aware(
                    session.scalar(
                        select(func.min(table.started_at)).where(table.status == lifecycle.RUNNING)
                    )
                )
                running.add_metric([kind], (now - began).total_seconds() if began else 0.0)
            yield jobs
            yield depth
            yield waited
            yield running
            yield from self._runs(session)

    def _runs(self, session: Session) -> Iterator[Metric]:
        finished = session.execute(
            select(RunRow.status, RunRow.started_at, RunRow.finished_at).where(
                RunRow.started_at.is_not(None), RunRow.finished_at.is_not(None)
            )
        ).all()
        by_status: dict[str, list[float]] = {}
        for status, started, ended in finished:
            seconds = (_aware(ended) - _aware(started)).total_seconds()  # type: ignore[operator]
            by_status.setdefault(status, []).append(max(seconds, 0.0))
        histogram = HistogramMetricFamily(
            "paikka_run_duration_seconds",
            "Weekly runs from start to end (seconds), by final state.",
            labels=["status"],
        )
        for status, values in sorted(by_status.items()):
            buckets = [(str(b), float(sum(v <= b for v in values))) for b in DURATION_BUCKETS]
            buckets.append(("+Inf", float(len(values))))
            histogram.add_metric([status], buckets, sum_value=sum(values))
        yield histogram
        last = session.execute(
            select(RunRow.id, RunRow.started_at, RunRow.finished_at, RunRow.objective, RunRow.stats)
            .where(RunRow.status == "succeeded")
            .order_by(RunRow.finished_at.desc().nulls_last(), RunRow.id.desc())
            .limit(1)
        ).first()
        if last is None:
            return
        run_id, started, ended, objective, stats = last
        labels = ["run"]
        duration = GaugeMetricFamily(
            "paikka_run_last_duration_seconds",
            "The latest succeeded run: start to end (seconds).",
            labels=labels,
        )
        if started is not None and ended is not None:
            took = (_aware(ended) - _aware(started)).total_seconds()  # type: ignore[operator]
            duration.add_metric([str(run_id)], took)
        yield duration
        gap = GaugeMetricFamily(
            "paikka_run_last_gap",
            "The latest succeeded run: the engine's relative optimality gap (0: optimal).",
            labels=labels,
        )
        value = _number((objective or {}).get("gap"))
        if value is not None:
            gap.add_metric([str(run_id)], value)
        yield gap
        placed = GaugeMetricFamily(
            "paikka_run_last_placed", "The latest succeeded run: clients placed.", labels=labels
        )
        count = _number((stats or {}).get("placed"))
        if count is not None:
            placed.add_metric([str(run_id)], count)
        yield placed


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def job_registry(sessions: sessionmaker[Session]) -> CollectorRegistry:
    """A registry of the job figures of the database behind ``sessions``."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(JobCollector(sessions))
    return registry


def _request_figures() -> bytes:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def allowed(request: Request, token: str) -> bool:
    """May this request read the metrics? (A token, or the machine itself without one.)"""
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    host = request.client.host if request.client is not None else ""
    return host in LOOPBACK


@router.get("/metrics")
def read_metrics(request: Request) -> Response:
    """The metrics in Prometheus' text format."""
    settings = request.app.state.settings
    if not allowed(request, settings.metrics_token):
        return PlainTextResponse(
            "metrics: a bearer token (PAIKKA_METRICS_TOKEN) or a scrape from this machine is "
            "required\n",
            status_code=403 if not settings.metrics_token else 401,
        )
    body = _request_figures() + generate_latest(request.app.state.job_metrics)
    return Response(content=body, media_type=CONTENT_TYPE)
