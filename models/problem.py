"""The weekly allocation problem and the checks that tie its records together.

Validation collects every problem at once and raises one pydantic ``ValidationError`` whose
entries carry the path of the offending field (``clients[17].days_per_week``) and a message
naming the rule, so a file with twenty mistakes is fixed in one round.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Self

from pydantic import Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from models.base import DomainModel
from models.client import Client, Coach, OngoingAssignment
from models.eligibility import age_on, eligibility_findings
from models.geography import CommutingArea, EmploymentArea, GeographySource, Municipality
from models.options import SolveOptions
from models.organisation import Organisation, OrganisationType
from models.placement import Placement
from models.regime import LegalRegime

Loc = tuple[str | int, ...]


class AllocationProblem(DomainModel):
    """Everything one weekly run needs: the county's records, the law in force and options.

    ``planning_date`` is the start date of the placements proposed by this run: ages, the
    3-month availability of placements and the commitment period are all counted from it.
    """

    name: str = Field(default="allocation", min_length=1, max_length=200)
    planning_date: date
    regime: LegalRegime = LegalRegime()
    commuting_areas: tuple[CommutingArea, ...] = Field(min_length=1)
    employment_areas: tuple[EmploymentArea, ...] = ()
    geography_source: GeographySource | None = Field(
        default=None, description="Where the municipalities and areas come from, and their date."
    )
    municipalities: tuple[Municipality, ...] = Field(min_length=1)
    organisations: tuple[Organisation, ...] = ()
    placements: tuple[Placement, ...] = ()
    clients: tuple[Client, ...] = ()
    coaches: tuple[Coach, ...] = ()
    ongoing: tuple[OngoingAssignment, ...] = ()
    options: SolveOptions = SolveOptions()

    @model_validator(mode="after")
    def _records_are_consistent(self) -> Self:
        issues = list(consistency_issues(self))
        if issues:
            raise ValidationError.from_exception_data("AllocationProblem", issues)
        return self

    def commuting_area_of(self, client: Client) -> str:
        """The client's commuting area: explicit, or that of the home municipality."""
        if client.commuting_area is not None:
            return client.commuting_area
        for municipality in self.municipalities:
            if municipality.code == client.home_municipality:
                return municipality.commuting_area
        raise KeyError(client.home_municipality)


def client_age(client: Client, on: date) -> int:
    """The client's age in whole years on ``on`` (from the birth date, or the age given)."""
    return age_on(client, on)


def _issue(loc: Loc, code: str, message: str, value: Any, **ctx: Any) -> InitErrorDetails:
    """One located issue; ``ctx`` carries the numbers a text for people names (the limit)."""
    return InitErrorDetails(
        type=PydanticCustomError(code, message, ctx or None),
        loc=loc,
        input=value,
    )


def _duplicates(field: str, ids: Sequence[str]) -> Iterable[InitErrorDetails]:
    counts = Counter(ids)
    for index, record_id in enumerate(ids):
        if counts[record_id] > 1:
            yield _issue(
                (field, index, "id" if field != "municipalities" else "code"),
                "duplicate_id",
                f"'{record_id}' is used by more than one record",
                record_id,
            )


def consistency_issues(problem: AllocationProblem) -> Iterable[InitErrorDetails]:
    """Yield every cross-record problem: duplicates, dangling references, legal limits."""
    yield from _duplicates("commuting_areas", [a.id for a in problem.commuting_areas])
    yield from _duplicates("municipalities", [m.code for m in problem.municipalities])
    yield from _duplicates("organisations", [o.id for o in problem.organisations])
    yield from _duplicates("placements", [p.id for p in problem.placements])
    yield from _duplicates("clients", [c.id for c in problem.clients])
    yield from _duplicates("coaches", [c.id for c in problem.coaches])
    yield from _municipality_issues(problem)
    yield from _organisation_issues(problem)
    yield from _placement_issues(problem)
    yield from _client_issues(problem)
    yield from _ongoing_issues(problem)


def _municipality_issues(problem: AllocationProblem) -> Iterable[InitErrorDetails]:
    areas = {a.id for a in problem.commuting_areas}
    for i, m in enumerate(problem.municipalities):
        if m.commuting_area not in areas:
            yield _issue(
                ("municipalities", i, "commuting_area"),
                "unknown_reference",
                f"municipality {m.code} refers to unknown commuting area '{m.commuting_area}'",
                m.commuting_area,
            )


def _organisation_issues(problem: AllocationProblem) -> Iterable[InitErrorDetails]:
    if problem.regime.company_producers_allowed:
        return
    for i, org in enumerate(problem.organisations):
        if org.type is OrganisationType.COMPANY:
            yield _issue(
                ("organisations", i, "type"),
                "company_producer",
                f"organisation '{org.id}' is a company; a company may not produce "
                "rehabilitative work activity (THL; only its support and guidance may be bought)",
                org.type.value,
            )


def _placement_issues(problem: AllocationProblem) -> Iterable[InitErrorDetails]:
    regime = problem.regime
    organisations = {o.id for o in problem.organisations}
    municipalities = {m.code for m in problem.municipalities}
    for i, p in enumerate(problem.placements):
        if p.organisation not in organisations:
            yield _issue(
                ("placements", i, "organisation"),
                "unknown_reference",
                f"placement '{p.id}' refers to unknown organisation '{p.organisation}'",
                p.organisation,
            )
        if p.municipality not in municipalities:
            yield _issue(
                ("placements", i, "municipality"),
                "unknown_reference",
                f"placement '{p.id}' is in unknown municipality '{p.municipality}'",
                p.municipality,
            )
        if p.max_hours_per_day < regime.min_hours_per_day:
            yield _issue(
                ("placements", i, "max_hours_per_day"),
                "below_legal_minimum",
                f"{p.max_hours_per_day:g} is below the legal minimum of "
                f"{regime.min_hours_per_day:g} hours a day (placement '{p.id}')",
                p.max_hours_per_day,
                limit=regime.min_hours_per_day,
            )
        attested = p.no_replacement_attested_on
        if attested is not None and attested > problem.planning_date:
            yield _issue(
                ("placements", i, "no_replacement_attested_on"),
                "attested_in_future",
                f"the no-replacement attestation is dated {attested}, after the planning date "
                f"{problem.planning_date} (placement '{p.id}')",
                attested.isoformat(),
                date=attested.isoformat(),
            )


def _client_issues(problem: AllocationProblem) -> Iterable[InitErrorDetails]:
    regime = problem.regime
    areas = {a.id for a in problem.commuting_areas}
    municipalities = {m.code for m in problem.municipalities}
    placements = {p.id for p in problem.placements}
    clients = {c.id for c in problem.clients}
    coaches = {c.id for c in problem.coaches}
    for i, c in enumerate(problem.clients):

        def at(*field: str | int, _i: int = i) -> Loc:
            return ("clients", _i, *field)

        who = f"(client '{c.id}')"
        if c.days_per_week > regime.max_days_per_week:
            yield _issue(
                at("days_per_week"),
                "above_legal_maximum",
                f"{c.days_per_week} is above the legal maximum of {regime.max_days_per_week} "
                f"days a week {who}",
                c.days_per_week,
                limit=regime.max_days_per_week,
            )
        if c.days_per_week < regime.min_days_per_week:
            yield _issue(
                at("days_per_week"),
                "below_legal_minimum",
                f"{c.days_per_week} is below the legal minimum of {regime.min_days_per_week} "
                f"days a week {who}",
                c.days_per_week,
                limit=regime.min_days_per_week,
            )
        if c.hours_per_day > regime.max_hours_per_day:
            yield _issue(
                at("hours_per_day"),
                "above_legal_maximum",
                f"{c.hours_per_day:g} is above the maximum of {regime.max_hours_per_day:g} "
                f"hours a day {who}",
                c.hours_per_day,
                limit=regime.max_hours_per_day,
            )
        if c.hours_per_day < regime.min_hours_per_day:
            yield _issue(
                at("hours_per_day"),
                "below_legal_minimum",
                f"{c.hours_per_day:g} is below the legal minimum of "
                f"{regime.min_hours_per_day:g} hours a day {who}",
                c.hours_per_day,
                limit=regime.min_hours_per_day,
            )
        if len(c.available_weekdays) < c.days_per_week:
            yield _issue(
                at("available_weekdays"),
                "too_few_weekdays",
                f"{len(c.available_weekdays)} available weekdays cannot hold the plan's "
                f"{c.days_per_week} days a week {who}",
                sorted(c.available_weekdays),
                count=len(c.available_weekdays),
                days=c.days_per_week,
            )
        for found in eligibility_findings(c, regime, problem.planning_date):
            yield _issue(
                at(found.field),
                found.code,
                f"{found.message} {who}",
                found.value,
                **found.ctx,
            )
        if c.home_municipality not in municipalities:
            yield _issue(
                at("home_municipality"),
                "unknown_reference",
                f"unknown municipality '{c.home_municipality}' {who}",
                c.home_municipality,
            )
        if c.commuting_area is not None and c.commuting_area not in areas:
            yield _issue(
                at("commuting_area"),
                "unknown_reference",
                f"unknown commuting area '{c.commuting_area}' {who}",
                c.commuting_area,
            )
        if c.coach is not None and c.coach not in coaches:
            yield _issue(
                at("coach"), "unknown_reference", f"unknown coach '{c.coach}' {who}", c.coach
            )
        for k, pref in enumerate(c.preferences):
            if pref.placement is not None and pref.placement not in placements:
                yield _issue(
                    at("preferences", k, "placement"),
                    "unknown_reference",
                    f"preference for unknown placement '{pref.placement}' {who}",
                    pref.placement,
                )
        for pid in sorted(c.avoid_placements - placements):
            yield _issue(
                at("avoid_placements"),
                "unknown_reference",
                f"avoids unknown placement '{pid}' {who}",
                pid,
            )
        for cid in sorted(c.avoid_clients - clients | ({c.id} & c.avoid_clients)):
            yield _issue(
                at("avoid_clients"),
                "unknown_reference",
                f"avoids unknown or own client id '{cid}' {who}",
                cid,
            )


def _ongoing_issues(problem: AllocationProblem) -> Iterable[InitErrorDetails]:
    placements = {p.id for p in problem.placements}
    clients = {c.id for c in problem.clients}
    seen: set[str] = set()
    for i, a in enumerate(problem.ongoing):
        if a.client not in clients:
            yield _issue(
                ("ongoing", i, "client"),
                "unknown_reference",
                f"ongoing assignment of unknown client '{a.client}'",
                a.client,
            )
        if a.placement not in placements:
            yield _issue(
                ("ongoing", i, "placement"),
                "unknown_reference",
                f"ongoing assignment at unknown placement '{a.placement}'",
                a.placement,
            )
        if a.client in seen:
            yield _issue(
                ("ongoing", i, "client"),
                "duplicate_ongoing",
                f"client '{a.client}' has more than one ongoing assignment",
                a.client,
            )
        seen.add(a.client)
        if a.start_date > problem.planning_date:
            yield _issue(
                ("ongoing", i, "start_date"),
                "start_in_future",
                f"ongoing assignment starts {a.start_date}, after the planning date "
                f"{problem.planning_date}",
                a.start_date.isoformat(),
                date=a.start_date.isoformat(),
            )
