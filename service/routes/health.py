"""Liveness and version."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The service is up; the engine's version if the engine can be imported."""

    status: str
    engine_version: str | None


@router.get("/health")
def read_health() -> Health:
    """Report that the service runs."""
    try:
        import matching

        version: str | None = matching.__version__
    except ImportError:
        version = None
    return Health(status="ok", engine_version=version)
