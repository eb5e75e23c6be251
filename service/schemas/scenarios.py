"""Scenario jobs on the wire: a planner's batch of what-if scenarios and its outcome.

The scenarios are the engine's own records (``matching.scenario.Scenario``), the same list a
changes file of ``python -m matching scenario`` holds, so the API and the command line can
never disagree on what a scenario is. A bad scenario is a 422 naming its field, e.g.
``body.scenarios.1.changes.0.select``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args

from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from matching.scenario.definition import BASE_NAME, Change, Scenario
from models import AllocationProblem
from service.schemas.common import Name, Text, WireIn, WireOut
from service.schemas.runs import RunStatus

MAX_SCENARIOS = 20

JobStatus = RunStatus
"""A scenario job has the life cycle of a run: queued, running, then one of four final states."""

CHANGE_KINDS = frozenset(
    member.model_fields["kind"].default for member in get_args(get_args(Change)[0])
)


def _without_change_kind(error: ValidationError) -> ValidationError:
    """The errors with the change's ``kind`` dropped from each location: pydantic puts the
    tag of the matched union member there (``changes.0.resize_placements.select``), the
    request has no such field (``changes.0.select``)."""
    details: list[InitErrorDetails] = []
    for item in error.errors(include_url=False):
        loc = list(item["loc"])
        if len(loc) >= 4 and loc[1] == "changes" and loc[3] in CHANGE_KINDS:
            del loc[3]
        details.append(
            InitErrorDetails(
                type=PydanticCustomError(item["type"], item["msg"]),
                loc=tuple(loc),
                input=item["input"],
            )
        )
    return ValidationError.from_exception_data(error.title, details)


class ScenarioJobCreate(WireIn):
    """Start a scenario job: the scenarios, and the base they change.

    Without ``base_problem`` the base is the stored county as the weekly run would see it on
    ``planning_date`` (default: next Monday), with every client under a job-scoped pseudonym.
    ``base_problem`` is a problem file (an ``AllocationProblem`` document) instead.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Kitchen seats",
                    "scenarios": [
                        {
                            "name": "two-more-kitchen-seats",
                            "changes": [
                                {
                                    "kind": "resize_placements",
                                    "select": {"task_category": ["kitchen"]},
                                    "add_seats": 2,
                                }
                            ],
                        }
                    ],
                    "time_limit_s": 10,
                    "seat_values": 5,
                }
            ]
        }
    )

    name: Name | None = None
    description: Text | None = None
    scenarios: list[Scenario] = Field(
        max_length=MAX_SCENARIOS,
        description=(
            "What-if scenarios (see matching/scenario/README.md); the unchanged base is run "
            f"first as '{BASE_NAME}'."
        ),
    )
    base_problem: AllocationProblem | None = Field(
        default=None, description="A problem file; without it, the stored county."
    )
    planning_date: date | None = Field(
        default=None,
        ge=date(2020, 1, 1),
        le=date(2100, 12, 31),
        description="Planning date of the stored county (not with base_problem).",
    )
    time_limit_s: float | None = Field(
        default=None,
        gt=0,
        le=3600,
        description="Solver seconds per scenario; capped by the server's max_time_limit_s.",
    )
    seat_values: int = Field(
        default=10,
        ge=0,
        le=100,
        description="Placements shown per ranking (one more seat, one more support unit).",
    )
    seat_resolves: int = Field(
        default=0,
        ge=0,
        le=100,
        description=(
            "Placements re-solved exactly per ranking, best bound first (0: relaxation and "
            "proven bounds only; on 1,000 clients each re-solve takes about 1.5 s)."
        ),
    )

    @field_validator("scenarios", mode="wrap")
    @classmethod
    def _located(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> list[Scenario]:
        try:
            scenarios: list[Scenario] = handler(value)
        except ValidationError as error:
            raise _without_change_kind(error) from None
        return scenarios

    @field_validator("scenarios")
    @classmethod
    def _names(cls, scenarios: list[Scenario]) -> list[Scenario]:
        names = [s.name for s in scenarios]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"scenario names must be unique: {', '.join(twice)}")
        if any(s.name == BASE_NAME and s.changes for s in scenarios):
            raise ValueError(f"the scenario named '{BASE_NAME}' must have no changes")
        return scenarios

    @model_validator(mode="after")
    def _date_of_county_only(self) -> ScenarioJobCreate:
        if self.base_problem is not None and self.planning_date is not None:
            raise ValueError("planning_date is given only without base_problem (it has its own)")
        return self


class ScenarioSummary(WireOut):
    """The headline figures of one scenario (all of them: ``/comparison``)."""

    scenario: str
    status: str
    clients: int
    placed: int
    placement_rate: float
    top3_share: float
    seconds: float


class ScenarioJobOut(WireOut):
    """A scenario job and, once done, the headline figures of each scenario."""

    id: int
    status: JobStatus
    name: str | None
    description: str | None
    base: Literal["county", "upload"] = Field(
        description="The stored county (pseudonymised) or an uploaded problem file."
    )
    planning_date: date
    base_clients: int
    base_placements: int
    scenarios: list[dict[str, Any]] = Field(description="The scenarios run, base first.")
    options: dict[str, Any]
    engine_version: str | None
    summary: list[ScenarioSummary] | None
    error: str | None
    error_code: str | None = Field(
        default=None, description="Catalogue code of a scenario that could not be run."
    )
    error_params: dict[str, Any] | None = Field(default=None, description="Its values.")
    error_message: str | None = Field(
        default=None,
        description="The error in the planner's words, in the language of Accept-Language.",
    )
    cancel_requested: bool
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ScenarioFileOut(WireOut):
    """An output file of a job; download it from ``/scenario-jobs/{id}/files/{name}``."""

    name: str
    media_type: str
    size: int
