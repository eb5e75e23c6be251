"""Screening the stored county before a run: one bad record never stops the county.

Stored data can become inconsistent however carefully every write is checked: records from
before a rule change, a law change in ``LegalRegime`` (a shorter maximum of days a week), a
placement closed or cut by its municipality. ``screen`` takes the county's records as plain
dicts, validates each with the domain models and the problem's cross-record rules
(``models.problem.consistency_issues``, the same rules every write passes), sets aside each
record that breaks one, re-examines every ongoing period, and returns a valid
``AllocationProblem`` of the rest with one ``SetAside`` note per record left out or changed.

Ongoing periods are re-examined every run:

- at a placement that has ended (``available_until`` before the planning date), or that has
  lasted ``regime.max_period_months`` (24), the period is *released* (it has ended under the
  rules; the client may be proposed elsewhere);
- at a closed placement the period is *kept* (closing stops new clients only) and flagged for
  review;
- periods the engine must keep (``matching.rules.capacity.ongoing_commitment``) are put in
  force oldest first against the capacities (seats, support units, coach caseloads, avoided
  clients, ``matching.decision``); a period that no longer fits (seats were cut) is set aside
  with its client, for a person to decide.

Placements are read as known on the planning date (:func:`placement_as_of`): an attestation
dated later did not exist yet.

One implementation for every way in: the service's run and its write checks screen the
database's records (``screen``); the command line (``solve``, ``check``, ``demo``,
``explain``) and the scenarios screen a county file's problem (:func:`screen_problem`), so a
county is judged the same way whichever reads it. The independent checker
(``matching.check``) reads which periods are in force on its own, by the same rules, and a
test holds the two readings equal.

Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, overload

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from matching.decision import Breach, fit_in_order
from matching.tables import Tables
from models import (
    AllocationProblem,
    Client,
    Coach,
    CommutingArea,
    LegalRegime,
    Municipality,
    OngoingAssignment,
    Organisation,
    Placement,
    SetAside,
    SolveOptions,
)
from models.dates import add_months
from models.problem import consistency_issues

Record = Mapping[str, Any] | BaseModel
"""A stored record as plain data (the database's), or an already validated domain record
(a county file's, which is then taken as it is)."""

_KINDS: tuple[tuple[str, str, type[BaseModel], str], ...] = (
    # (problem field, SetAside kind, model, id field)
    ("commuting_areas", "commuting_area", CommutingArea, "id"),
    ("municipalities", "municipality", Municipality, "code"),
    ("organisations", "organisation", Organisation, "id"),
    ("placements", "placement", Placement, "id"),
    ("clients", "client", Client, "id"),
    ("coaches", "coach", Coach, "id"),
    ("ongoing", "period", OngoingAssignment, "client"),
)


@dataclass(frozen=True)
class CountyRecords:
    """The stored county as plain records (dicts of the domain models' fields)."""

    name: str
    planning_date: date
    regime: LegalRegime
    options: SolveOptions
    commuting_areas: Sequence[Record] = ()
    municipalities: Sequence[Record] = ()
    organisations: Sequence[Record] = ()
    placements: Sequence[Record] = ()
    clients: Sequence[Record] = ()
    coaches: Sequence[Record] = ()
    ongoing: Sequence[Record] = ()
    """Ongoing periods: ``client``, ``placement``, ``start_date``."""
    employment_areas: Sequence[Record] = ()
    """The employment areas of the county's classification, taken as they are."""
    geography_source: Record | None = None
    """Where the municipalities and areas come from (``GeographySource``), if recorded."""
    known_clients: frozenset[str] = frozenset()
    """Ids stored but not in this run (inactive clients): references to them are dropped,
    since a client who has left the service cannot share a placement with anyone."""


@dataclass
class Screened:
    """A valid problem of the records that passed, and a note for each one that did not."""

    problem: AllocationProblem
    set_aside: list[SetAside] = field(default_factory=list)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _note_from_error(
    kind: str, record_id: str, error: Any, clients: tuple[str, ...] = ()
) -> SetAside:
    loc = [str(part) for part in error.get("loc", ())]
    kind_of_error = str(error.get("type", "invalid"))
    return SetAside(
        kind=kind,
        id=record_id,
        action="set_aside",
        rule=str(error.get("type", "invalid")),
        field=".".join(loc) or None,
        value=_text(error.get("input")) if not isinstance(error.get("input"), dict) else None,
        message=str(error.get("msg", "")),
        clients=clients,
        code=f"error.{kind_of_error}",
        params=_params(error.get("ctx")),
    )


def _params(ctx: Any) -> dict[str, Any]:
    """The numbers of an error's context, kept for the text in the reader's language."""
    if not isinstance(ctx, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key, value in ctx.items():
        if isinstance(value, (str, int, float)) or value is None:
            out[str(key)] = value
        elif isinstance(value, (list, tuple, set, frozenset)):
            out[str(key)] = [str(v) for v in value]
        else:
            out[str(key)] = str(value)
    return out


def _breach_params(placement: str, breach: Breach) -> dict[str, Any]:
    """What a text needs of a capacity breach: the placement, which capacity (a rule code the
    catalogue labels), and the others who share it."""
    return {
        "placement": placement,
        "rule": breach.rule,
        "holders": list(breach.clients),
        "coach": breach.coach,
    }


def screen(records: CountyRecords) -> Screened:
    """Set aside what breaks a rule, re-examine ongoing periods, and return the valid rest."""
    notes: list[SetAside] = []
    parsed: dict[str, list[Any]] = {}
    for name, kind, model, key in _KINDS:
        parsed[name] = []
        rows = getattr(records, name)
        if name == "placements":
            rows = [placement_as_of(r, records.planning_date) for r in rows]
        for raw in rows:
            if isinstance(raw, model):  # validated already (a county file's record)
                parsed[name].append(raw)
                continue
            try:
                parsed[name].append(model.model_validate(raw))
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                record_id = str(raw.get(key, "?")) if isinstance(raw, Mapping) else "?"
                notes.append(_note_from_error(kind, record_id, first))
    parsed = _drop_dangling(parsed, records.known_clients, notes)
    problem = _consistent(records, parsed, notes)
    problem = _reexamine_periods(problem, notes)
    return Screened(problem, notes)


@overload
def placement_as_of(placement: Placement, planning_date: date) -> Placement: ...


@overload
def placement_as_of(placement: dict[str, Any], planning_date: date) -> dict[str, Any]: ...


@overload
def placement_as_of(placement: Record, planning_date: date) -> Record: ...


def placement_as_of(placement: Record, planning_date: date) -> Record:
    """The placement as known on ``planning_date``: an attestation dated later did not exist
    yet (only the latest attestation is stored), so the placement had none on record."""
    if isinstance(placement, Placement):
        attested_on = placement.no_replacement_attested_on
        if attested_on is not None and attested_on > planning_date:
            return placement.model_copy(update={"no_replacement_attested_on": None})
        return placement
    if not isinstance(placement, Mapping):
        return placement
    attested = placement.get("no_replacement_attested_on")
    if attested is not None and date.fromisoformat(str(attested)) > planning_date:
        return {**placement, "no_replacement_attested_on": None}
    return placement


def county_as_of(data: Any) -> Any:
    """A county file's parsed JSON with its placements as known on its planning date
    (:func:`placement_as_of`), before validation: the command line reads a file as the
    service reads its database. Data it does not understand is left as it is."""
    if not isinstance(data, dict) or not isinstance(data.get("placements"), list):
        return data
    try:
        on = date.fromisoformat(str(data.get("planning_date")))
    except ValueError:
        return data
    placements = []
    for p in data["placements"]:
        try:
            placements.append(placement_as_of(p, on) if isinstance(p, dict) else p)
        except ValueError:  # an unreadable date: validation names it
            placements.append(p)
    return {**data, "placements": placements}


def problem_records(problem: AllocationProblem) -> CountyRecords:
    """A county file's problem as the records a run screens: the same records, validated
    already, so that the file is read exactly as the service reads its database."""
    return CountyRecords(
        name=problem.name,
        planning_date=problem.planning_date,
        regime=problem.regime,
        options=problem.options,
        commuting_areas=problem.commuting_areas,
        municipalities=problem.municipalities,
        organisations=problem.organisations,
        placements=problem.placements,
        clients=problem.clients,
        coaches=problem.coaches,
        ongoing=problem.ongoing,
        employment_areas=problem.employment_areas,
        geography_source=problem.geography_source,
    )


def screen_problem(problem: AllocationProblem) -> Screened:
    """A county file's problem screened as the service's run screens its county: periods
    past their agreed last day, past the regime's maximum (24 months) or at a placement that
    has ended are released; kept periods that no longer fit are set aside with their client
    (``screen``). Screening a screened problem changes nothing more."""
    return screen(problem_records(problem))


def _drop_dangling(
    parsed: dict[str, list[Any]], known_clients: frozenset[str], notes: list[SetAside]
) -> dict[str, list[Any]]:
    """Periods of clients set aside go with them; avoided clients who are no longer in the
    service are dropped (they share no placement with anyone)."""
    present = {c.id for c in parsed["clients"]}
    gone = known_clients - present
    clients = []
    for c in parsed["clients"]:
        if c.avoid_clients & gone:
            c = c.model_copy(update={"avoid_clients": c.avoid_clients - gone})
        clients.append(c)
    set_aside = {n.id for n in notes if n.kind == "client"}
    ongoing = [a for a in parsed["ongoing"] if a.client not in set_aside]
    return {**parsed, "clients": clients, "ongoing": ongoing}


def _construct(records: CountyRecords, parsed: Mapping[str, list[Any]]) -> AllocationProblem:
    values: dict[str, Any] = {name: tuple(parsed[name]) for name, *_ in _KINDS}
    values.update(
        name=records.name,
        planning_date=records.planning_date,
        regime=records.regime,
        options=records.options,
        employment_areas=tuple(records.employment_areas),
        geography_source=records.geography_source,
    )
    return AllocationProblem.model_construct(**values)


def _consistent(
    records: CountyRecords, parsed: dict[str, list[Any]], notes: list[SetAside]
) -> AllocationProblem:
    """Remove the records the cross-record rules name until none is named, then validate."""
    kinds = {name: (kind, key) for name, kind, _, key in _KINDS}
    for _ in range(8):  # each round removes records; references cascade a few levels at most
        issues = list(consistency_issues(_construct(records, parsed)))
        if not issues:
            break
        drop: dict[str, set[int]] = {}
        for issue in issues:
            loc = issue["loc"]
            name, index = str(loc[0]), int(loc[1])
            if index in drop.get(name, set()):
                continue
            drop.setdefault(name, set()).add(index)
            record = parsed[name][index]
            kind, key = kinds[name]
            record_id = str(getattr(record, key))
            error = issue["type"]
            assert isinstance(error, PydanticCustomError)
            message, rule = error.message(), error.type
            ctx = _params(error.context)
            extra: dict[str, Any] = {}
            if name == "ongoing":
                extra = {"clients": (record.client,), "placements": (record.placement,)}
            notes.append(
                SetAside(
                    kind=kind,
                    id=record_id,
                    action="set_aside",
                    rule=rule,
                    field=".".join(str(p) for p in loc[2:]) or None,
                    value=_text(issue.get("input")),
                    message=message,
                    code=f"error.{rule}",
                    params=ctx,
                    **extra,
                )
            )
        # A client set aside takes their period along; a period set aside takes its client
        # (a person decides where someone goes whose placement cannot be kept).
        clients_out = {parsed["clients"][i].id for i in drop.get("clients", set())} | {
            parsed["ongoing"][i].client for i in drop.get("ongoing", set())
        }
        for i in drop.get("ongoing", set()):
            a = parsed["ongoing"][i]
            if a.client not in {parsed["clients"][j].id for j in drop.get("clients", set())}:
                notes.append(
                    SetAside(
                        kind="client",
                        id=a.client,
                        action="set_aside",
                        rule="period_set_aside",
                        message=f"the ongoing period at '{a.placement}' was set aside; "
                        "decide the client's placement by hand",
                        clients=(a.client,),
                        placements=(a.placement,),
                        code="note.period_set_aside",
                        params={"placement": a.placement},
                    )
                )
        parsed = {
            name: [r for i, r in enumerate(rows) if i not in drop.get(name, set())]
            for name, rows in parsed.items()
        }
        parsed["clients"] = [
            _without_clients(c, clients_out) for c in parsed["clients"] if c.id not in clients_out
        ]
        parsed["ongoing"] = [a for a in parsed["ongoing"] if a.client not in clients_out]
        present = {p.id for p in parsed["placements"]}
        parsed["clients"] = [_without_absent_placements(c, present) for c in parsed["clients"]]
    return AllocationProblem.model_validate(
        {
            "name": records.name,
            "planning_date": records.planning_date,
            "regime": records.regime,
            "options": records.options,
            "employment_areas": tuple(records.employment_areas),
            "geography_source": records.geography_source,
            **{name: tuple(parsed[name]) for name, *_ in _KINDS},
        }
    )


def _without_clients(client: Client, gone: set[str]) -> Client:
    """A client set aside is not in the run: avoiding them there is moot."""
    if not client.avoid_clients & gone:
        return client
    return client.model_copy(update={"avoid_clients": client.avoid_clients - gone})


def _without_absent_placements(client: Client, present: set[str]) -> Client:
    """A set-aside placement cannot be proposed: wishes for it and avoidances of it go."""
    wishes = tuple(w for w in client.preferences if w.placement is None or w.placement in present)
    avoid = client.avoid_placements & present
    if wishes == client.preferences and avoid == client.avoid_placements:
        return client
    return client.model_copy(update={"preferences": wishes, "avoid_placements": avoid})


ENDED_RULES = ("placement_ended", "period_ended", "max_period")
"""The rules by which an ongoing period has ended on the planning date, in the order they are
tried (the first that applies is named)."""


def period_ended(
    period: OngoingAssignment, placement: Placement, on: date, regime: LegalRegime
) -> SetAside | None:
    """The ``released`` note of a period that has ended by ``on`` under the rules, or None if
    it is still in force: its placement ended (``available_until`` before ``on``), its agreed
    last day (``end_date``) has passed, or it has lasted ``regime.max_period_months`` (24,
    189/2001 § 13). The one reading of every way in (runs, command line, scenarios)."""
    who = {"clients": (period.client,), "placements": (period.placement,)}
    if placement.available_until is not None and placement.available_until < on:
        return SetAside(
            kind="period",
            id=period.client,
            action="released",
            rule="placement_ended",
            field="available_until",
            value=placement.available_until.isoformat(),
            message=f"placement '{placement.id}' ended on {placement.available_until}; the "
            "period is released and the client can be proposed again",
            code="note.placement_ended",
            params={"placement": placement.id, "date": placement.available_until.isoformat()},
            **who,
        )
    if period.end_date is not None and period.end_date < on:
        return SetAside(
            kind="period",
            id=period.client,
            action="released",
            rule="period_ended",
            field="end_date",
            value=period.end_date.isoformat(),
            message=f"the agreed period ended on {period.end_date}; it is released and the "
            "client can be proposed again",
            code="note.period_ended",
            params={"placement": period.placement, "date": period.end_date.isoformat()},
            **who,
        )
    last = add_months(period.start_date, regime.max_period_months)
    if last <= on:
        return SetAside(
            kind="period",
            id=period.client,
            action="released",
            rule="max_period",
            field="start_date",
            value=period.start_date.isoformat(),
            message=f"the period started {period.start_date} and reached the maximum of "
            f"{regime.max_period_months} months on {last} (189/2001 § 13); it is "
            "released and a new period can be agreed",
            code="note.max_period",
            params={
                "placement": period.placement,
                "since": period.start_date.isoformat(),
                "months": regime.max_period_months,
                "date": last.isoformat(),
            },
            **who,
        )
    return None


def ended_periods(problem: AllocationProblem) -> list[SetAside]:
    """The ``released`` notes of the problem's ongoing periods that have ended by its planning
    date (:func:`period_ended`), in the order of ``problem.ongoing``. Placements unknown to the
    problem are skipped (the cross-record rules set such periods aside)."""
    placements = {p.id: p for p in problem.placements}
    out = []
    for a in problem.ongoing:
        p = placements.get(a.placement)
        note = None if p is None else period_ended(a, p, problem.planning_date, problem.regime)
        if note is not None:
            out.append(note)
    return out


def _reexamine_periods(problem: AllocationProblem, notes: list[SetAside]) -> AllocationProblem:
    """Release periods that ended under the rules, flag closed placements, and set aside the
    kept periods that no longer fit the capacities."""
    regime, on = problem.regime, problem.planning_date
    placements = {p.id: p for p in problem.placements}
    ongoing: list[OngoingAssignment] = []
    for a in problem.ongoing:
        p = placements[a.placement]
        ended = period_ended(a, p, on, regime)
        if ended is not None:
            notes.append(ended)
            continue
        if p.closed:
            notes.append(
                SetAside(
                    kind="period",
                    id=a.client,
                    action="review",
                    rule="placement_closed",
                    field="closed",
                    value="true",
                    message=f"placement '{p.id}' is closed to new clients; the ongoing period "
                    "is kept, review whether it continues",
                    code="note.placement_closed",
                    params={"placement": p.id},
                    clients=(a.client,),
                    placements=(a.placement,),
                )
            )
        ongoing.append(a)
    problem = problem.model_copy(update={"ongoing": tuple(ongoing)})
    return _fit_kept_periods(problem, notes)


def _kept_clashes(
    problem: AllocationProblem, tables: Tables
) -> dict[tuple[str, str], list[Breach]]:
    kept = [a for a in problem.ongoing if tables.client_pinned[tables.client_index[a.client]]]
    order = sorted(kept, key=lambda a: (a.start_date, a.client))
    return fit_in_order(problem, [(a.client, a.placement) for a in order], tables)[1]


def commitment_clashes(problem: AllocationProblem, tables: Tables | None = None) -> list[Breach]:
    """The capacities that the periods the engine must keep over-use, each naming the
    clients and the placement or coach (empty when they fit). Periods are put in force oldest
    first, so the breach names the newest period that no longer fits."""
    refused = _kept_clashes(problem, tables or Tables(problem))
    return [b for _pair, breaches in sorted(refused.items()) for b in breaches]


def _fit_kept_periods(problem: AllocationProblem, notes: list[SetAside]) -> AllocationProblem:
    """Set aside the kept periods that no longer fit, then release the periods that may move
    (``allow_moving_ongoing``, past the commitment) and no longer fit where they are: such a
    client must otherwise be placed somewhere, which may be impossible; released, they are
    proposed like anyone else."""
    tables = Tables(problem)
    refused = _kept_clashes(problem, tables)
    out = {client for client, _ in refused}
    for (client, placement), breaches in sorted(refused.items()):
        first = breaches[0]
        notes.append(
            SetAside(
                kind="client",
                id=client,
                action="set_aside",
                rule=first.rule,
                message=f"the ongoing period at '{placement}' no longer fits: {first.message}; "
                "decide by hand who continues",
                clients=first.clients,
                placements=first.placements,
                coach=first.coach,
                code="note.kept_no_fit",
                params=_breach_params(placement, first),
            )
        )
    pinned = [a for a in problem.ongoing if tables.client_pinned[tables.client_index[a.client]]]
    movable = [a for a in problem.ongoing if a not in pinned]
    released: set[str] = set()
    if movable:
        order = sorted(pinned, key=lambda a: (a.start_date, a.client))
        order += sorted(movable, key=lambda a: (a.start_date, a.client))
        _, clashes = fit_in_order(problem, [(a.client, a.placement) for a in order], tables)
        for (client, placement), breaches in sorted(clashes.items()):
            if client in out:
                continue
            released.add(client)
            notes.append(
                SetAside(
                    kind="period",
                    id=client,
                    action="released",
                    rule=breaches[0].rule,
                    message=f"the period at '{placement}' may move and no longer fits there: "
                    f"{breaches[0].message}; it is released and the client can be proposed again",
                    clients=breaches[0].clients,
                    placements=breaches[0].placements,
                    coach=breaches[0].coach,
                    code="note.moved_no_fit",
                    params=_breach_params(placement, breaches[0]),
                )
            )
    if not out and not released:
        return problem
    return problem.model_copy(
        update={
            "clients": tuple(_without_clients(c, out) for c in problem.clients if c.id not in out),
            "ongoing": tuple(
                a for a in problem.ongoing if a.client not in out and a.client not in released
            ),
        }
    )


def set_aside_ids(notes: Iterable[SetAside]) -> dict[str, set[str]]:
    """Ids left out of the run, by kind (released and review notes are not left out)."""
    out: dict[str, set[str]] = {}
    for n in notes:
        if n.action == "set_aside":
            out.setdefault(n.kind, set()).add(n.id)
    return out
