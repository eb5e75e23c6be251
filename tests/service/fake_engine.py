"""Stand-in engines for the run and scenario job lifecycle tests: slow, crashing, or failing.

They are module-level functions so that the job manager can send them to its child process
by reference (the child imports this module by name).
"""

from __future__ import annotations

import time
from typing import Any

from models import (
    AllocationProblem,
    AllocationResult,
    Assignment,
    Criterion,
    Objective,
    RunStats,
    SolveStatus,
)


def first_fit(problem: AllocationProblem, hint: Any = None) -> AllocationResult:
    """Place clients in id order at the first open placement with a seat (no rules)."""
    seats = {p.id: p.seats for p in problem.placements if not p.closed}
    assignments = []
    unassigned = []
    for client in sorted(problem.clients, key=lambda c: c.id):
        target = next((pid for pid, free in sorted(seats.items()) if free > 0), None)
        if target is None:
            unassigned.append(client.id)
            continue
        seats[target] -= 1
        assignments.append(
            Assignment(
                client=client.id,
                placement=target,
                score=100,
                breakdown={Criterion.PREFERENCE: 60, Criterion.TRAVEL: 40},
                travel_minutes=10,
            )
        )
    return AllocationResult(
        problem_name=problem.name,
        input_hash=f"fake-{len(problem.clients)}-{len(problem.placements)}",
        engine_version="fake-1",
        status=SolveStatus.OPTIMAL,
        method="fake",
        objective=Objective(placed_value=len(assignments), quality=100 * len(assignments)),
        bound=Objective(placed_value=len(assignments), quality=100 * len(assignments)),
        gap=0.0,
        assignments=tuple(assignments),
        unassigned=tuple(unassigned),
        stats=RunStats(
            clients=len(problem.clients),
            placements=len(problem.placements),
            arcs=0,
            components=1,
            placed=len(assignments),
            kept_ongoing=0,
        ),
    )


def slow(problem: AllocationProblem, hint: Any = None) -> AllocationResult:
    """Take a minute: long enough to be cancelled or to time out."""
    time.sleep(60)
    return first_fit(problem, hint)


def crash(problem: AllocationProblem, hint: Any = None) -> AllocationResult:
    """Fail the way a bug in the engine would."""
    raise RuntimeError("engine bug for the test")


def slow_batch(*args: Any, **kwargs: Any) -> list[Any]:
    """A scenario batch that takes a minute: long enough to be cancelled or to time out."""
    time.sleep(60)
    return []


def failing_batch(*args: Any, **kwargs: Any) -> list[Any]:
    """A scenario batch with a scenario that cannot be run."""
    from matching.scenario import ScenarioError

    raise ScenarioError(
        "scenario 'later': changes[0].select: no placement matches (test)",
        "scenario.error.no_match",
        {"change": 1, "scenario": "later"},
    )


def check_ok(problem: AllocationProblem, result: AllocationResult) -> list[Any]:
    """Accept every result."""
    return []


def check_fails(problem: AllocationProblem, result: AllocationResult) -> list[Any]:
    """Reject every result."""
    return ["capacity: placement over its seats (test)"]


PID_DIR = "PAIKKA_TEST_PID_DIR"


def slow_recorded(problem: AllocationProblem, hint: Any = None) -> AllocationResult:
    """Like ``slow``, first writing this engine process's pid to ``$PAIKKA_TEST_PID_DIR`` so
    that a test can tell whether the process was stopped."""
    import os
    from pathlib import Path

    folder = os.environ.get(PID_DIR)
    if folder:
        Path(folder, f"{os.getpid()}.pid").write_text(str(os.getpid()))
    time.sleep(60)
    return first_fit(problem, hint)


def slow_solver() -> Any:
    """A solver whose engine takes a minute (``python -m service.worker --solver``)."""
    from service.jobs import Solver

    return Solver(allocate=slow_recorded, check=check_ok, version="fake-slow")


def first_fit_solver() -> Any:
    """A solver placing by first fit (``python -m service.worker --solver``)."""
    from service.jobs import Solver

    return Solver(allocate=first_fit, check=check_ok, version="fake-1")


def pause(problem: AllocationProblem, hint: Any = None) -> AllocationResult:
    """First fit after three seconds: time for a fault to happen during the solve."""
    time.sleep(3)
    return first_fit(problem, hint)


def slow_explain(problem: AllocationProblem, result: AllocationResult) -> dict[str, Any]:
    """Explanations that take three seconds (one empty one per placed client)."""
    time.sleep(3)
    return {a.client: {"client": a.client} for a in result.assignments}


def slow_12s(problem: AllocationProblem, hint: Any = None) -> AllocationResult:
    """Take 12 seconds: longer than a cancel's answer waits (5 s), shorter than a test's
    patience (a thread cannot be stopped: the test waits it out)."""
    time.sleep(12)
    return first_fit(problem, hint)
