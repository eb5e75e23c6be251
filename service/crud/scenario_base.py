"""What a scenario job works on: its base problem and its scenarios, checked before queueing.

The base is an uploaded problem file or the stored county, built as the weekly run builds it
and pseudonymised (``service.crud.pseudonyms``) before anything else sees it. Every scenario is
applied to the base once here, which is cheap next to solving: a change that cannot apply (a
selector that matches nothing, an unknown field) is a 422 naming its field, not a failed job.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from matching.scenario import RunSettings, Scenario, ScenarioError, apply_changes, parse_scenarios
from matching.scenario.definition import ChangeRegimeVersion
from models import AllocationProblem, SolveOptions
from service.config import Settings
from service.crud.pseudonyms import pseudonymise
from service.crud.regimes import named, regime_on
from service.crud.runs import county_problem, county_regime, next_monday
from service.errors import InvalidInput
from service.schemas.scenarios import ScenarioJobCreate

_STEP = re.compile(r"([A-Za-z_]\w*)|\[(\d+)\]")
_WHERE = re.compile(r"^(changes\[\d+\][\w.\[\]]*): (.*)$", re.DOTALL)


@dataclass(frozen=True)
class ScenarioWork:
    """Everything a job's engine process needs; it holds no real client id of the county."""

    base: AllocationProblem
    scenarios: tuple[Scenario, ...]
    settings: RunSettings
    workers: int
    scheduler: str | None

    def to_json(self) -> dict[str, Any]:
        """The work as stored with the queued job (a worker rebuilds it with ``from_json``);
        the scheduler's address is the worker's own setting, never stored."""
        return {
            "base": self.base.model_dump(mode="json"),
            "scenarios": [s.model_dump(mode="json") for s in self.scenarios],
            "settings": asdict(self.settings),
            "workers": self.workers,
        }

    @classmethod
    def from_json(cls, stored: dict[str, Any], scheduler: str | None) -> ScenarioWork:
        """The work a job was queued with, to run with ``scheduler`` (None: locally)."""
        return cls(
            base=AllocationProblem.model_validate(stored["base"]),
            scenarios=tuple(Scenario.model_validate(s) for s in stored["scenarios"]),
            settings=RunSettings(**stored["settings"]),
            workers=int(stored["workers"]),
            scheduler=scheduler,
        )

    def options(self) -> dict[str, Any]:
        """The job's run options as stored with it (no scheduler address)."""
        return {
            "time_limit_s": self.settings.time_limit_s,
            "seat_values": self.settings.seat_values,
            "seat_resolves": self.settings.seat_resolves,
            "workers": self.workers,
            "distributed": self.scheduler is not None,
        }


@dataclass(frozen=True)
class PreparedJob:
    """A checked job: the work, where its base came from, and the clients read for it."""

    work: ScenarioWork
    base: str
    client_ids: tuple[str, ...]


def county_base(session: Session, settings: Settings, planning_date: date) -> AllocationProblem:
    """The stored county on ``planning_date`` as the weekly run would see it (with default
    solve options; the scenarios may change them)."""
    regime = regime_on(session, planning_date, county_regime(settings))  # the version that day
    problem, _hint = county_problem(session, settings.county, planning_date, SolveOptions(), regime)
    return problem


def with_county_versions(session: Session, scenario: Scenario, settings: Settings) -> Scenario:
    """The scenario with each ``regime_version`` change carrying the rules of the county's own
    version of that id (stored or shipped; 404 naming it if there is none)."""
    changes = tuple(
        change.model_copy(
            update={"regime": named(session, change.version, county_regime(settings))}
        )
        if isinstance(change, ChangeRegimeVersion) and change.regime is None
        else change
        for change in scenario.changes
    )
    return scenario.model_copy(update={"changes": changes})


def prepare(session: Session, body: ScenarioJobCreate, settings: Settings) -> PreparedJob:
    """The job's base and scenarios, every scenario applied once (422 if one cannot be)."""
    read: tuple[str, ...] = ()
    if body.base_problem is not None:
        base, source = body.base_problem, "upload"
    else:
        county = county_base(session, settings, body.planning_date or next_monday(date.today()))
        base, source = pseudonymise(county), "county"
        read = tuple(c.id for c in county.clients)
    scenarios = [
        with_county_versions(session, s, settings) for s in parse_scenarios(list(body.scenarios))
    ]
    for scenario in scenarios:
        if scenario.changes:
            _check_applies(base, scenario, body)
    limit = min(body.time_limit_s or base.options.time_limit_s, settings.max_time_limit_s)
    work = ScenarioWork(
        base=base,
        scenarios=tuple(scenarios),
        # A scenario's options may not ask for more solver threads than the machine has.
        settings=RunSettings(
            seat_values=body.seat_values,
            seat_resolves=body.seat_resolves,
            time_limit_s=limit,
            num_workers=min(base.options.num_workers, os.cpu_count() or 1),
        ),
        workers=settings.scenario_workers,
        scheduler=settings.dask_scheduler.strip() or None,
    )
    return PreparedJob(work, source, read)


def _check_applies(base: AllocationProblem, scenario: Scenario, body: ScenarioJobCreate) -> None:
    try:
        apply_changes(base, scenario)
    except ScenarioError as error:
        index = [s.name for s in body.scenarios].index(scenario.name)
        loc, message = _located(str(error))
        full = ("body", "scenarios", index, *loc)
        raise InvalidInput(
            f"scenario '{scenario.name}' cannot be applied to the base: {error}",
            [
                {
                    "loc": list(full),
                    "field": ".".join(str(p) for p in full),
                    "msg": message,
                    "type": "scenario",
                    "code": error.code,
                    "params": error.params,
                    **({"refused": error.error} if error.error else {}),
                }
            ],
        ) from error


def _located(message: str) -> tuple[tuple[str | int, ...], str]:
    """``changes[1].select.department: no placement…`` → (("changes", 1, "select",
    "department"), "no placement…"); a message without a location has none."""
    match = _WHERE.match(message)
    if match is None:
        return (), message
    steps = tuple(int(index) if index else name for name, index in _STEP.findall(match.group(1)))
    return steps, match.group(2)
