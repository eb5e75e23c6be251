"""One router per resource; ``api_router`` includes them all."""

from __future__ import annotations

from fastapi import APIRouter

from service.routes import (
    assignments,
    audit,
    clients,
    cooperation,
    health,
    placements,
    proposals,
    reference,
    runs,
    scenarios,
)

api_router = APIRouter()
for module in (
    health,
    reference,
    placements,
    clients,
    runs,
    proposals,
    assignments,
    cooperation,
    scenarios,
    audit,
):
    api_router.include_router(module.router)
