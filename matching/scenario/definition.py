"""Scenarios: a name, a seed and a list of changes to a base county (YAML or JSON).

A changes file holds one scenario, a list of scenarios, or ``{"scenarios": [...]}``. The base
(no changes) is always run first, under the name ``base``, so every figure has a reference.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from matching.groups import AgeBand as AgeBandCode
from matching.groups import SupportLevel as SupportLevelCode
from models.placement import Placement, TaskCategory
from models.regime import LegalRegime

BASE_NAME = "base"


class ScenarioModel(BaseModel):
    """Base of scenario records: immutable, refuses unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Selector(ScenarioModel):
    """Placements matching every given field (each field: any of its values)."""

    ids: tuple[str, ...] | None = None
    department: tuple[str, ...] | None = None
    municipality: tuple[str, ...] | None = Field(default=None, description="Names or codes.")
    commuting_area: tuple[str, ...] | None = Field(default=None, description="Names or ids.")
    task_category: tuple[TaskCategory, ...] | None = None

    @model_validator(mode="after")
    def _something_selected(self) -> Self:
        fields = (self.ids, self.department, self.municipality, self.commuting_area)
        if all(v is None for v in fields) and self.task_category is None:
            raise PydanticCustomError(
                "selector_empty",
                "a selector needs ids, department, municipality, commuting_area or task_category",
            )
        return self


class PlacementCopy(ScenarioModel):
    """A new placement copied from an existing one, with a new id and field overrides."""

    source: str = Field(description="Id of the placement copied.")
    id: str = Field(description="Id of the new placement.")
    set: dict[str, Any] = Field(default_factory=dict, description="Fields to override.")


class AddPlacements(ScenarioModel):
    """New placements: full records and/or copies of existing ones."""

    kind: Literal["add_placements"] = "add_placements"
    placements: tuple[Placement, ...] = ()
    copies: tuple[PlacementCopy, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.placements and not self.copies:
            raise PydanticCustomError("add_empty", "add_placements needs placements or copies")
        return self


class RemovePlacements(ScenarioModel):
    """Remove the selected placements; their ongoing clients become unplaced."""

    kind: Literal["remove_placements"] = "remove_placements"
    select: Selector


class ResizePlacements(ScenarioModel):
    """Set (``seats``) or add (``add_seats``, may be negative) seats and support units."""

    kind: Literal["resize_placements"] = "resize_placements"
    select: Selector
    seats: int | None = Field(default=None, ge=0, le=500)
    add_seats: int | None = Field(default=None, ge=-500, le=500)
    support_units: int | None = Field(default=None, ge=0, le=1000)
    add_support_units: int | None = Field(default=None, ge=-1000, le=1000)

    @model_validator(mode="after")
    def _one_way_each(self) -> Self:
        if self.seats is not None and self.add_seats is not None:
            raise PydanticCustomError("seats_twice", "give seats or add_seats, not both")
        if self.support_units is not None and self.add_support_units is not None:
            raise PydanticCustomError(
                "support_twice", "give support_units or add_support_units, not both"
            )
        if all(
            v is None
            for v in (self.seats, self.add_seats, self.support_units, self.add_support_units)
        ):
            raise PydanticCustomError(
                "resize_empty",
                "resize_placements needs seats, add_seats, support_units or add_support_units",
            )
        return self


def _band(value: Any) -> Any:
    """A planner's age band or support level as its code: ``25-28``, ``"25–28"``, ``45+``,
    ``alle 25``, ``3+`` and YAML's readings of bare ``25_28`` (the number 2528) or ``0`` (an
    integer) all name the same band."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return value
    text = str(value).strip().lower().replace("–", "-").replace(" ", "").replace("_", "-")
    return BAND_SPELLINGS.get(text, value)


BAND_SPELLINGS = {
    **{k: "under_25" for k in ("under-25", "under25", "<25", "alle25", "-24", "0-24")},
    **{k: "25_28" for k in ("25-28", "2528")},
    **{k: "29_44" for k in ("29-44", "2944")},
    **{k: "45_plus" for k in ("45-plus", "45plus", "45+", "45-", "yli44")},
    **{k: "3_plus" for k in ("3-plus", "3plus", "3+")},
    "0": "0",
    "1": "1",
    "2": "2",
}
# The codes are matching.groups' own; the validator reads a planner's spellings of them.
AgeBand = Annotated[AgeBandCode, BeforeValidator(_band)]
SupportLevel = Annotated[SupportLevelCode, BeforeValidator(_band)]


class ScaleDemand(ScenarioModel):
    """Scale the clients of the selected groups (all given fields must match) by ``factor``.

    ``factor > 1`` adds synthetic clients resampled (seeded) from the group's own clients, with
    new pseudonymous ids; ``factor < 1`` drops a seeded sample of the group.
    """

    kind: Literal["scale_demand"] = "scale_demand"
    factor: float = Field(ge=0, le=20)
    municipality: tuple[str, ...] | None = Field(default=None, description="Names or codes.")
    age_band: tuple[AgeBand, ...] | None = None
    support_level: tuple[SupportLevel, ...] | None = None


class ChangeRegime(ScenarioModel):
    """Change fields of the legal regime, e.g. ``max_days_per_week`` or ``referral_bases``.

    Client plans are brought within the new limits (days and hours clamped); clients whose
    referral basis the new regime no longer accepts leave the population; placements whose
    hours no longer reach the legal minimum are removed.
    """

    kind: Literal["regime"] = "regime"
    set: dict[str, Any] = Field(min_length=1)


class ChangeRegimeVersion(ScenarioModel):
    """Plan under another version of the regime, e.g. the proposed ``he-109-2025``.

    The version's rules replace the scenario's regime. A client whose referral basis the
    version no longer allows for their benefit is referred on the basis it allows (the
    activation plan gives way to the multidisciplinary employment plan) or, where it allows
    none, leaves the population; both are listed (``ScenarioMetrics.referral_changes``).
    ``regime`` carries the version's rules when the county stores its own versions (the
    service fills it); without it the version Paikka ships is used.
    """

    kind: Literal["regime_version"] = "regime_version"
    version: str = Field(min_length=1, max_length=64)
    regime: LegalRegime | None = None


class ChangeWeights(ScenarioModel):
    """Change soft-criterion weights (fields of ``Weights``)."""

    kind: Literal["weights"] = "weights"
    set: dict[str, float] = Field(min_length=1)


class ChangeOptions(ScenarioModel):
    """Change solve options (fields of ``SolveOptions`` except ``weights``)."""

    kind: Literal["options"] = "options"
    set: dict[str, Any] = Field(min_length=1)


Change = Annotated[
    AddPlacements
    | RemovePlacements
    | ResizePlacements
    | ScaleDemand
    | ChangeRegime
    | ChangeRegimeVersion
    | ChangeWeights
    | ChangeOptions,
    Field(discriminator="kind"),
]


class Horizon(ScenarioModel):
    """Weeks to simulate after the scenario's changes, and the flows between weeks."""

    weeks: int = Field(ge=1, le=52)
    arrivals_per_week: float = Field(default=0.0, ge=0, le=10_000, description="Poisson mean.")
    period_months: int = Field(default=6, ge=1, le=120, description="Planned period length.")


class Scenario(ScenarioModel):
    """A named, seeded list of changes to the base county."""

    name: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[^\W_][\w .,()+\-–]*$",
        description="Any letters (ä, ö, å…), digits, spaces and . , ( ) + - –.",
    )
    description: str = ""
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    changes: tuple[Change, ...] = ()
    horizon: Horizon | None = Field(
        default=None, description="Weeks to simulate after the changes (see horizon.py)."
    )


class ScenarioSet(ScenarioModel):
    """Scenarios of a batch, base first, names unique."""

    scenarios: tuple[Scenario, ...]

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        names = [s.name for s in self.scenarios]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise PydanticCustomError(
                "names_unique",
                "scenario names must be unique: {names}",
                {"names": ", ".join(dup)},
            )
        return self


def with_base(scenarios: list[Scenario]) -> list[Scenario]:
    """The scenarios with the unchanged base first (added unless already there)."""
    base = [s for s in scenarios if s.name == BASE_NAME]
    if base and base[0].changes:
        raise ValueError(f"the scenario named '{BASE_NAME}' must have no changes")
    rest = [s for s in scenarios if s.name != BASE_NAME]
    return [base[0] if base else Scenario(name=BASE_NAME), *rest]


def parse_scenarios(data: Any) -> list[Scenario]:
    """Scenarios (base first) from parsed YAML/JSON: one, a list, or ``{"scenarios": [...]}``."""
    if isinstance(data, dict) and "scenarios" in data:
        items = data["scenarios"]
    elif isinstance(data, list):
        items = data
    else:
        items = [data]
    batch = ScenarioSet.model_validate({"scenarios": items})
    return with_base(list(batch.scenarios))


class ScenarioFileError(ValueError):
    """A changes file that cannot be read or holds bad scenarios. ``str(error)`` is English
    (one line a problem); ``errors`` are pydantic's entries (``[]`` when the file cannot be
    parsed, ``line`` then says where), ``names`` the scenarios' names by their place in the
    file, so a text for people can name the scenario and the change."""

    def __init__(
        self,
        message: str,
        path: str,
        errors: list[dict[str, Any]] | None = None,
        names: list[str | None] | None = None,
        line: int = 0,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.errors = list(errors or [])
        self.names = list(names or [])
        self.line = line


def _names(data: Any) -> list[str | None]:
    items = data.get("scenarios") if isinstance(data, dict) and "scenarios" in data else data
    items = items if isinstance(items, list) else [items]
    return [
        i.get("name") if isinstance(i, dict) and isinstance(i.get("name"), str) else None
        for i in items
    ]


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Read a ``.yaml``/``.yml`` or ``.json`` changes file; raises ``ScenarioFileError`` (a
    ``ValueError``) on bad input."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise ScenarioFileError(
            f"{path}: cannot parse: {error}", str(path), line=error.lineno
        ) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise ScenarioFileError(f"{path}: cannot parse: {error}", str(path), line=line) from error
    try:
        return parse_scenarios(data)
    except ValidationError as error:
        entries: list[dict[str, Any]] = [dict(e) for e in error.errors(include_url=False)]
        lines = [f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in entries]
        raise ScenarioFileError("\n".join(lines), str(path), entries, _names(data)) from error
    except ValueError as error:  # with_base: the base changed
        entry: dict[str, Any] = {"type": "base_changed", "loc": (), "input": BASE_NAME}
        raise ScenarioFileError(f"{path}: {error}", str(path), [entry], _names(data)) from error
