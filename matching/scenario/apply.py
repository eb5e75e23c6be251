"""Apply a scenario's changes to a base problem, giving a new validated problem.

Changes apply in order, each to the result of the previous ones. Resampling and dropping of
clients is seeded by ``(scenario.seed, change index)``, so a scenario always gives the same
problem. Errors name the change and field: ``changes[2].select.department: ...``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from pydantic import ValidationError

from matching.groups import age_band, support_level
from matching.scenario.definition import (
    AddPlacements,
    Change,
    ChangeOptions,
    ChangeRegime,
    ChangeRegimeVersion,
    ChangeWeights,
    RemovePlacements,
    ResizePlacements,
    ScaleDemand,
    Scenario,
    Selector,
)
from matching.scenario.figures import ReferralChange, ScenarioNote
from matching.scenario.labels import area_ids, municipality_codes, municipality_name
from models import AllocationProblem, Client, Placement
from models.client import OngoingAssignment
from models.options import SolveOptions, Weights
from models.regime import SHIPPED_HISTORY, LegalRegime


class ScenarioError(ValueError):
    """A change that cannot be applied. ``str(error)`` is English for logs and names the
    change index and field (``changes[2].select.department: ...``); ``code`` (a catalogue
    key, ``scenario.error.*``), ``params`` (the change by its number for people, the values)
    and, for a refused value, ``error`` (pydantic's entry: type, loc, input, ctx) give the
    text for people (``matching.explain.notices.scenario_error_text``)."""

    def __init__(
        self,
        message: str,
        code: str = "scenario.error.invalid",
        params: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.params = dict(params or {})
        self.error = error


def change_number(where: str) -> int:
    """``changes[3].select`` → 4: the change by its number for people (first is 1)."""
    return int("".join(ch for ch in where.split(".")[0] if ch.isdigit()) or 0) + 1


def _refused(where: str, english: str, code: str, **params: Any) -> ScenarioError:
    """An error of the change at ``where``: English for logs, a code and params for people."""
    return ScenarioError(
        f"{where}: {english}", f"scenario.error.{code}", {"change": change_number(where), **params}
    )


def _plain(value: Any) -> Any:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


def pydantic_entry(e: Any, prefix: tuple[str | int, ...] = ()) -> dict[str, Any]:
    """A pydantic error entry with JSON values only (kept with the error, worded later)."""
    value = e.get("input")
    return {
        "type": str(e.get("type", "")),
        "loc": [*prefix, *(p if isinstance(p, int) else str(p) for p in e.get("loc", ()))],
        "input": _plain(value) if not isinstance(value, (dict, list, tuple)) else None,
        "ctx": {k: _plain(v) for k, v in (e.get("ctx") or {}).items()},
    }


def client_age(client: Client, on: date) -> int:
    """Age in years on ``on`` (given age, or from the birth date)."""
    if client.birth_date is None:
        return client.age or 0
    b = client.birth_date
    return on.year - b.year - (1 if (on.month, on.day) < (b.month, b.day) else 0)


@dataclass
class _State:
    """Mutable working copy of a problem's records."""

    problem: AllocationProblem
    placements: list[Placement]
    clients: list[Client]
    ongoing: list[OngoingAssignment]
    regime: LegalRegime
    options: SolveOptions
    notes: list[ScenarioNote] = field(default_factory=list)
    ineligible: list[str] = field(default_factory=list)
    """Clients a rule change put outside the service (counted beside the placement rate)."""
    referral_changes: list[ReferralChange] = field(default_factory=list)
    """Clients a regime version referred anew or left without a referral basis."""

    def note(self, code: str, where: str, count: int) -> None:
        """A note on what change ``where`` (``changes[3]``) did: the change by its number
        for people (the 4th), ``where`` for machines."""
        number = change_number(where)
        self.notes.append(
            ScenarioNote(code=code, params={"where": where, "change": number, "count": count})
        )

    @classmethod
    def of(cls, problem: AllocationProblem) -> _State:
        return cls(
            problem,
            list(problem.placements),
            list(problem.clients),
            list(problem.ongoing),
            problem.regime,
            problem.options,
        )

    def drop_placements(self, ids: set[str]) -> None:
        if not ids:
            return
        self.placements = [p for p in self.placements if p.id not in ids]
        self.ongoing = [a for a in self.ongoing if a.placement not in ids]
        out = []
        for c in self.clients:
            prefs = tuple(p for p in c.preferences if p.placement not in ids)
            if len(prefs) != len(c.preferences) or c.avoid_placements & ids:
                c = c.model_copy(
                    update={"preferences": prefs, "avoid_placements": c.avoid_placements - ids}
                )
            out.append(c)
        self.clients = out

    def drop_clients(self, ids: set[str]) -> None:
        if not ids:
            return
        self.ongoing = [a for a in self.ongoing if a.client not in ids]
        out = []
        for c in self.clients:
            if c.id in ids:
                continue
            if c.avoid_clients & ids:
                c = c.model_copy(update={"avoid_clients": c.avoid_clients - ids})
            out.append(c)
        self.clients = out

    def build(self, name: str) -> AllocationProblem:
        p = self.problem
        try:
            return AllocationProblem(
                name=name[:200],
                planning_date=p.planning_date,
                regime=self.regime,
                commuting_areas=p.commuting_areas,
                municipalities=p.municipalities,
                organisations=p.organisations,
                placements=tuple(self.placements),
                clients=tuple(self.clients),
                coaches=p.coaches,
                ongoing=tuple(self.ongoing),
                options=self.options,
            )
        except ValidationError as error:
            entries = error.errors(include_url=False)
            lines = [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in entries[:10]]
            first = pydantic_entry(entries[0])
            loc = first["loc"]
            ident = ""
            if len(loc) >= 2 and isinstance(loc[1], int):
                rows: Any = getattr(self, str(loc[0]), None) or getattr(p, str(loc[0]), ())
                if 0 <= loc[1] < len(rows):
                    row = rows[loc[1]]
                    ident = str(getattr(row, "id", None) or getattr(row, "code", "") or "")
            raise ScenarioError(
                "the changed problem is invalid: " + "; ".join(lines),
                "scenario.error.result_invalid",
                {"count": len(entries), "record": ident},
                first,
            ) from error


def _codes(
    state: _State, values: tuple[str, ...] | None, where: str, areas: bool = False
) -> set[str] | None:
    """Municipality codes (or commuting-area ids) a planner's names or codes stand for."""
    if values is None:
        return None
    problem = state.problem
    found = area_ids(problem, values) if areas else municipality_codes(problem, values)
    missing = [v for v in values if v not in found]
    if missing:
        kind = "commuting area" if areas else "municipality"
        raise _refused(
            where,
            f"no {kind} is named or coded '{missing[0]}'",
            "unknown_area" if areas else "unknown_municipality",
            value=missing[0],
        )
    return set(found.values())


def select_placements(state: _State, selector: Selector, where: str) -> set[str]:
    """Ids of the placements matching every field of ``selector``; errors name ``where``.
    Municipalities and commuting areas may be given by name or by code."""
    known = {p.id for p in state.placements}
    chosen = set(known)
    if selector.ids is not None:
        missing = [i for i in selector.ids if i not in known]
        if missing:
            raise _refused(
                f"{where}.ids",
                f"unknown placement '{missing[0]}'",
                "unknown_placement",
                placement=missing[0],
            )
        chosen &= set(selector.ids)
    munis = _codes(state, selector.municipality, f"{where}.municipality")
    areas = _codes(state, selector.commuting_area, f"{where}.commuting_area", areas=True)
    area_of = {m.code: m.commuting_area for m in state.problem.municipalities}
    checks: list[tuple[str, set[str] | None, Callable[[Placement], str]]] = [
        (
            "department",
            None if selector.department is None else set(selector.department),
            lambda p: p.department,
        ),
        ("municipality", munis, lambda p: p.municipality),
        ("commuting_area", areas, lambda p: area_of.get(p.municipality, "")),
        (
            "task_category",
            None if selector.task_category is None else {str(t) for t in selector.task_category},
            lambda p: str(p.task_category),
        ),
    ]
    for name, values, attr in checks:
        if values is None:
            continue
        for v in sorted(values):
            if not any(attr(p) == v for p in state.placements):
                raise _refused(
                    f"{where}.{name}",
                    f"no placement has {name} '{v}'",
                    f"no_placement.{name}",
                    value=_shown(state, name, v),
                )
        chosen &= {p.id for p in state.placements if attr(p) in values}
    if not chosen:
        raise _refused(where, "no placement matches every field of the selector", "no_match")
    return chosen


def _shown(state: _State, name: str, value: str) -> str:
    """A selector's value as a planner knows it: a municipality or commuting area by name."""
    if name == "municipality":
        return municipality_name(state.problem, value)
    if name == "commuting_area":
        return next((a.name for a in state.problem.commuting_areas if a.id == value), value)
    return value


def _add(state: _State, change: AddPlacements, where: str) -> None:
    by_id = {p.id: p for p in state.placements}
    new: list[Placement] = list(change.placements)
    for k, copy in enumerate(change.copies):
        source = by_id.get(copy.source)
        if source is None:
            raise _refused(
                f"{where}.copies[{k}].source",
                f"unknown placement '{copy.source}'",
                "unknown_placement",
                placement=copy.source,
            )
        try:
            new.append(Placement.model_validate({**source.model_dump(), **copy.set, "id": copy.id}))
        except ValidationError as error:
            e = error.errors(include_url=False)[0]
            loc = ".".join(str(x) for x in e["loc"])
            refused = _refused(
                f"{where}.copies[{k}].set.{loc}", str(e["msg"]), "copy_invalid", placement=copy.id
            )
            refused.error = pydantic_entry(e)
            raise refused from error
    for k, p in enumerate(new):
        if p.id in by_id:
            raise _refused(
                where,
                f"placement id '{p.id}' (new #{k}) already exists",
                "placement_exists",
                placement=p.id,
            )
        by_id[p.id] = p
    state.placements.extend(new)


def _resize(state: _State, change: ResizePlacements, where: str) -> None:
    ids = select_placements(state, change.select, f"{where}.select")
    out = []
    for p in state.placements:
        if p.id in ids:
            seats, support = p.seats, p.support_units
            if change.seats is not None:
                seats = change.seats
            if change.add_seats is not None:
                seats = min(500, max(0, seats + change.add_seats))
            if change.support_units is not None:
                support = change.support_units
            if change.add_support_units is not None:
                support = min(1000, max(0, support + change.add_support_units))
            p = p.model_copy(update={"seats": seats, "support_units": support})
        out.append(p)
    state.placements = out


def _group_rows(state: _State, change: ScaleDemand, where: str) -> list[int]:
    on = state.problem.planning_date
    munis = _codes(state, change.municipality, f"{where}.municipality")
    rows = []
    for i, c in enumerate(state.clients):
        if munis is not None and c.home_municipality not in munis:
            continue
        if change.age_band is not None and age_band(client_age(c, on)) not in change.age_band:
            continue
        if (
            change.support_level is not None
            and support_level(c.support_units) not in change.support_level
        ):
            continue
        rows.append(i)
    if not rows:
        fields = [
            f
            for f in ("municipality", "age_band", "support_level")
            if getattr(change, f) is not None
        ]
        raise _refused(
            f"{where}.{fields[0] if fields else 'factor'}", "no client matches", "no_client"
        )
    return rows


def _scale(state: _State, change: ScaleDemand, where: str, rng: np.random.Generator) -> None:
    rows = _group_rows(state, change, where)
    n = len(rows)
    if change.factor >= 1:
        extra = round(n * (change.factor - 1))
        picks = rng.integers(0, n, size=extra)
        taken = {c.id for c in state.clients}
        k = 0
        for pick in picks.tolist():
            while f"syn-{where_tag(where)}-{k}" in taken:
                k += 1
            new_id = f"syn-{where_tag(where)}-{k}"
            taken.add(new_id)
            source = state.clients[rows[pick]]
            state.clients.append(
                source.model_copy(update={"id": new_id, "avoid_clients": frozenset()})
            )
        state.note("scenario.note.added", where, extra)
    else:
        drop = round(n * (1 - change.factor))
        picks = rng.choice(n, size=drop, replace=False)
        state.drop_clients({state.clients[rows[p]].id for p in picks.tolist()})
        state.note("scenario.note.dropped", where, drop)


def where_tag(where: str) -> str:
    """``changes[3]`` → ``c3`` (part of synthetic ids)."""
    return "c" + "".join(ch for ch in where if ch.isdigit())


def _merged(model: Any, current: Any, update: dict[str, Any], where: str) -> Any:
    for key in update:
        if key not in model.model_fields:
            raise _refused(
                f"{where}.set.{key}",
                f"not a field of {model.__name__}",
                f"unknown_setting.{SETTINGS[model.__name__]}",
                name=key,
            )
    try:
        return model.model_validate({**current.model_dump(), **update})
    except ValidationError as error:
        e = error.errors(include_url=False)[0]
        loc = ".".join(str(x) for x in e["loc"]) or ",".join(update)
        refused = _refused(f"{where}.set.{loc}", str(e["msg"]), "invalid_value")
        entry = pydantic_entry(e)
        if not entry["loc"]:
            entry["loc"] = list(update)
        refused.error = entry
        raise refused from error


SETTINGS = {"LegalRegime": "regime", "Weights": "weights", "SolveOptions": "options"}
"""The models a ``set`` change writes into, by the kind of setting a planner changes."""


def _regime(state: _State, change: ChangeRegime, where: str) -> None:
    regime: LegalRegime = _merged(LegalRegime, state.regime, change.set, where)
    _under(state, regime, where)


def _regime_version(state: _State, change: ChangeRegimeVersion, where: str) -> None:
    """Plan under the named version: each client's referral basis is checked against their
    benefit on the planning date (``LegalRegime.bases_for``, the rule of
    ``models.eligibility.referral_basis``); a basis the version no longer allows becomes the
    first it allows, or the client leaves when it allows none."""
    regime = change.regime
    if regime is None:
        try:
            regime = SHIPPED_HISTORY.named(change.version).regime
        except KeyError:
            raise _refused(
                f"{where}.version",
                f"unknown regime version '{change.version}'",
                "unknown_regime_version",
                value=change.version,
            ) from None
    if regime.no_replacement_attestation_months is None:
        months = state.regime.no_replacement_attestation_months
        regime = regime.model_copy(update={"no_replacement_attestation_months": months})
    day = state.problem.planning_date
    out = []
    for c in state.clients:
        benefit = c.benefit_on(day)
        allowed = regime.bases_for(benefit)
        if c.referral_basis not in allowed:
            after = allowed[0] if allowed else None
            state.referral_changes.append(
                ReferralChange(
                    client=c.id,
                    benefit=benefit.value if benefit is not None else None,
                    before=c.referral_basis,
                    after=after,
                )
            )
            if after is not None:
                c = c.model_copy(update={"referral_basis": after})
        out.append(c)
    state.clients = out
    moved = sum(1 for r in state.referral_changes if r.after is not None)
    if moved:
        state.note("scenario.note.referral_changed", where, moved)
    _under(state, regime, where)


def _under(state: _State, regime: LegalRegime, where: str) -> None:
    """Bring the clients and placements within ``regime``: clients it no longer refers leave
    the population, plans are clamped to its days and hours, too short placements go."""
    state.regime = regime
    day = state.problem.planning_date
    gone = {
        c.id
        for c in state.clients
        if c.referral_basis not in regime.bases_for(c.benefit_on(day))
        or len(c.available_weekdays) < regime.min_days_per_week
    }
    if gone:
        state.note("scenario.note.ineligible", where, len(gone))
    state.ineligible += sorted(gone)
    state.drop_clients(gone)
    out = []
    for c in state.clients:
        days = min(max(c.days_per_week, regime.min_days_per_week), regime.max_days_per_week)
        hours = min(max(c.hours_per_day, regime.min_hours_per_day), regime.max_hours_per_day)
        if days != c.days_per_week or hours != c.hours_per_day:
            c = c.model_copy(update={"days_per_week": days, "hours_per_day": hours})
        out.append(c)
    state.clients = out
    short = {p.id for p in state.placements if p.max_hours_per_day < regime.min_hours_per_day}
    if short:
        state.note("scenario.note.short_hours", where, len(short))
    state.drop_placements(short)


def _apply_one(state: _State, change: Change, where: str, rng: np.random.Generator) -> None:
    if isinstance(change, AddPlacements):
        _add(state, change, where)
    elif isinstance(change, RemovePlacements):
        state.drop_placements(select_placements(state, change.select, f"{where}.select"))
    elif isinstance(change, ResizePlacements):
        _resize(state, change, where)
    elif isinstance(change, ScaleDemand):
        _scale(state, change, where, rng)
    elif isinstance(change, ChangeRegime):
        _regime(state, change, where)
    elif isinstance(change, ChangeRegimeVersion):
        _regime_version(state, change, where)
    elif isinstance(change, ChangeWeights):
        weights: Weights = _merged(Weights, state.options.weights, change.set, where)
        state.options = state.options.model_copy(update={"weights": weights})
    elif isinstance(change, ChangeOptions):
        if "weights" in change.set:
            raise _refused(f"{where}.set.weights", "use a 'weights' change", "weights_in_options")
        state.options = _merged(SolveOptions, state.options, change.set, where)


@dataclass(frozen=True)
class Applied:
    """A scenario's problem, notes on what its changes did, and the clients a rule change
    made ineligible (gone from the problem, but not from the population a planner counts)."""

    problem: AllocationProblem
    notes: list[ScenarioNote]
    ineligible: list[str]
    referral_changes: list[ReferralChange] = field(default_factory=list)


def apply_scenario(base: AllocationProblem, scenario: Scenario) -> Applied:
    """Apply the scenario's changes in order (seeded), keeping who became ineligible."""
    state = _State.of(base)
    for index, change in enumerate(scenario.changes):
        rng = np.random.default_rng([scenario.seed, index])
        _apply_one(state, change, f"changes[{index}]", rng)
    name = base.name if not scenario.changes else f"{base.name} / {scenario.name}"
    return Applied(state.build(name), state.notes, state.ineligible, state.referral_changes)


def apply_changes_noted(
    base: AllocationProblem, scenario: Scenario
) -> tuple[AllocationProblem, list[ScenarioNote]]:
    """The changed problem and notes on what the changes did (clients added, dropped...)."""
    applied = apply_scenario(base, scenario)
    return applied.problem, applied.notes


def apply_changes(base: AllocationProblem, scenario: Scenario) -> AllocationProblem:
    """The base problem with the scenario's changes applied, validated."""
    return apply_changes_noted(base, scenario)[0]
