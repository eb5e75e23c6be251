"""Liveness and version."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from matching.version import __version__

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The service is up, and the engine's version."""

    status: str
    engine_version: str | None


@router.get("/health")
def read_health() -> Health:
    """Report that the service runs."""
    return Health(status="ok", engine_version=__version__)
