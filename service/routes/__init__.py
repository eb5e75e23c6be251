"""One router per resource; ``api_router`` includes them all."""

from __future__ import annotations

from fastapi import APIRouter

from service.routes import (
    assignments,
    audit,
    clients,
    cooperation,
    documents,
    health,
    placements,
    proposals,
    reference,
    regimes,
    runs,
    scenarios,
)

api_router = APIRouter()
# Routes are matched in order: the proposals' pages, the most read of all, come first.
for module in (
    health,
    proposals,
    reference,
    placements,
    clients,
    runs,
    assignments,
    cooperation,
    documents,
    scenarios,
    regimes,
    audit,
):
    api_router.include_router(module.router)
