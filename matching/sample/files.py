"""The synthetic county as JSON: the committed demo file and headline statistics."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from matching.sample.generate import generate_county
from matching.sample.reference import PACKAGE
from models import (
    AllocationProblem,
)

SAMPLE_CLIENTS = 120
"""Size of the committed demo county ``matching/data/sample-county.json``."""
SAMPLE_SEED = 1
"""Seed of the committed demo county."""

_SAMPLE_FILE = "data/sample-county.json"


# ---------------------------------------------------------------------------------------------


def sample_county_json(problem: AllocationProblem) -> str:
    """The problem as pretty JSON, ending in a newline. The models write every set sorted, so
    equal problems give identical text whatever the interpreter's hash seed."""
    return problem.model_dump_json(indent=2, exclude_defaults=False) + "\n"


def write_sample_file(
    path: str | Path, n_clients: int = SAMPLE_CLIENTS, seed: int = SAMPLE_SEED
) -> Path:
    """Write ``generate_county(n_clients, seed=seed)`` to ``path`` as pretty JSON."""
    target = Path(path)
    target.write_text(sample_county_json(generate_county(n_clients, seed=seed)), encoding="utf-8")
    return target


def load_sample_county() -> AllocationProblem:
    """The committed demo county (``generate_county(120, seed=1)``)."""
    text = resources.files(PACKAGE).joinpath(_SAMPLE_FILE).read_text(encoding="utf-8")
    return AllocationProblem.model_validate_json(text)


def describe_county(problem: AllocationProblem) -> dict[str, Any]:
    """Headline statistics of a problem: sizes, seats per client by commuting area, ages,
    the ongoing share and the coaches' caseload (for checking that an instance is realistic)."""
    planning = problem.planning_date
    area_of = {m.code: m.commuting_area for m in problem.municipalities}
    open_seats: dict[str, int] = {a.id: 0 for a in problem.commuting_areas}
    clients_in: dict[str, int] = {a.id: 0 for a in problem.commuting_areas}
    for p in problem.placements:
        if not p.closed and p.available_from <= planning:
            open_seats[area_of[p.municipality]] += p.seats
    for c in problem.clients:
        clients_in[area_of[c.home_municipality]] += 1
    ages = [c.age for c in problem.clients if c.age is not None]
    recent = sum(1 for a in problem.ongoing if (planning - a.start_date).days < 91)
    return {
        "clients": len(problem.clients),
        "placements": len(problem.placements),
        "organisations": len(problem.organisations),
        "coaches": len(problem.coaches),
        "seats": sum(p.seats for p in problem.placements),
        "open_seats": sum(open_seats.values()),
        "open_seats_per_client": sum(open_seats.values()) / max(1, len(problem.clients)),
        "seats_per_client_by_area": {
            a: (open_seats[a] / clients_in[a] if clients_in[a] else None) for a in open_seats
        },
        "clients_by_area": clients_in,
        "share_under_29": sum(1 for a in ages if a < 29) / max(1, len(ages)),
        "ongoing": len(problem.ongoing),
        "ongoing_share": len(problem.ongoing) / max(1, len(problem.clients)),
        "ongoing_within_3_months": recent,
        "youth_workshops": sum(1 for p in problem.placements if p.youth_workshop),
        "caseload_capacity": sum(c.caseload_capacity for c in problem.coaches),
    }
