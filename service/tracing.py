"""OpenTelemetry traces, on only when an OTLP endpoint is configured.

With ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) set, every
request becomes a span (opentelemetry-instrumentation-fastapi) exported over OTLP/HTTP in
batches, named by method and route template; solver workers add a span per job. The other
``OTEL_*`` variables of the SDK apply (``OTEL_SERVICE_NAME``, default ``paikka``; headers,
sampling). Spans carry no query strings (a search may name a person). Without the variable
nothing is installed and nothing is sent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)

QUIET_URLS = "health,ready,metrics,static"
"""Requests not traced: probes and scrapes (they would drown the rest)."""
_global_set = False


def configured(environ: dict[str, str] | None = None) -> bool:
    """Is an OTLP endpoint configured?"""
    env = os.environ if environ is None else environ
    return bool(
        env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def provider_for(exporter: SpanExporter | None = None) -> TracerProvider | None:
    """A tracer provider exporting to ``exporter`` (given: each span at once, for tests) or,
    when configured, to the OTLP endpoint in batches; None when neither."""
    if exporter is None:
        if not configured():
            return None
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processor: Any = BatchSpanProcessor(OTLPSpanExporter())
    else:
        processor = SimpleSpanProcessor(exporter)
    name = os.environ.get("OTEL_SERVICE_NAME") or "paikka"
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(processor)
    return provider


def _scrub(span: Any, _scope: dict[str, Any]) -> None:
    """Drop the query string from a request span's URL attributes."""
    if not span.is_recording():
        return
    attributes = getattr(span, "attributes", None) or {}
    for key in ("http.url", "url.full", "http.target"):
        value = attributes.get(key)
        if isinstance(value, str) and "?" in value:
            span.set_attribute(key, value.split("?", 1)[0])
    if "url.query" in attributes:
        span.set_attribute("url.query", "")


def install(app: FastAPI, exporter: SpanExporter | None = None) -> TracerProvider | None:
    """Trace ``app``'s requests (see the module); returns the provider, None when off."""
    global _global_set
    provider = provider_for(exporter)
    if provider is None:
        return None
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, server_request_hook=_scrub, excluded_urls=QUIET_URLS
    )
    app.state.tracer_provider = provider
    if exporter is None and not _global_set:  # the embedded workers' job spans go there too
        trace.set_tracer_provider(provider)
        _global_set = True
    return provider


def install_worker() -> TracerProvider | None:
    """In a solver worker process: job spans to the OTLP endpoint, when configured."""
    global _global_set
    provider = provider_for()
    if provider is not None and not _global_set:
        trace.set_tracer_provider(provider)
        _global_set = True
    return provider


@contextmanager
def job_span(kind: str, job_id: int) -> Iterator[None]:
    """A span around one job's execution (a no-op when tracing is off)."""
    tracer = trace.get_tracer("paikka.worker")
    with tracer.start_as_current_span(
        f"{kind} job", attributes={"paikka.job.kind": kind, "paikka.job.id": job_id}
    ):
        yield
