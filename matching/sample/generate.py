"""The generator: one seeded random stream, drawn in a fixed order, into a problem."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import numpy as np

from matching.sample.clients import avoidances, generate_clients
from matching.sample.draws import members_of, record_id
from matching.sample.geography import geography_of
from matching.sample.ongoing import assign_coaches, ongoing_assignments
from matching.sample.placements import attestations, generate_placements
from matching.sample.preferences import draw_preferences
from matching.sample.profiles import (
    ATTESTATION_MONTHS,
    CATEGORIES,
    DEMANDS,
    LANGUAGES,
    ONGOING_SHARE,
    PROFILES,
    WEEKDAYS,
)
from matching.sample.reference import county_data
from matching.sample.sites import site_contacts
from models import (
    AllocationProblem,
    Client,
    Coach,
    GeographySource,
    LegalRegime,
    Location,
    Municipality,
    OngoingAssignment,
    Organisation,
    OrganisationType,
    Placement,
    TravelModel,
)

SYNTHETIC_GEOGRAPHY = (
    "Synthetic sample: the real municipalities of North Ostrobothnia with approximate centres; "
    "the commuting areas are a plausible grouping made for synthetic data, not Statistics "
    "Finland's division (matching/data/pohjois_pohjanmaa.json)"
)
"""The label of the sample county's geography: made up, and saying so."""

DEFAULT_PLANNING_DATE = date(2026, 11, 30)


# ---------------------------------------------------------------------------------------------


def generate_county(
    n_clients: int = 1000,
    n_placements: int | None = None,
    seed: int = 0,
    planning_date: date = DEFAULT_PLANNING_DATE,
    name: str | None = None,
) -> AllocationProblem:
    """A synthetic county modelled on North Ostrobothnia, as a validated problem.

    ``n_placements`` defaults to 30 % of ``n_clients`` (at least 5). The same arguments always
    give an equal problem; different seeds give different ones.
    """
    if n_clients < 1:
        raise ValueError("n_clients must be at least 1")
    if n_placements is None:
        n_placements = max(5, round(0.3 * n_clients))
    if n_placements < 1:
        raise ValueError("n_placements must be at least 1")
    if seed < 0:
        raise ValueError("seed must be non-negative")

    with _gc_paused():
        return _generate(n_clients, n_placements, seed, planning_date, name)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many records (it would rescan them
    again and again; the records have no reference cycles)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _generate(
    n_clients: int, n_placements: int, seed: int, planning_date: date, name: str | None
) -> AllocationProblem:
    rng = np.random.default_rng(seed)
    regime = LegalRegime(no_replacement_attestation_months=ATTESTATION_MONTHS)
    travel_model = TravelModel()
    data = county_data()
    geo = geography_of(data)
    munis = data.municipalities

    placements, org_keys = generate_placements(rng, geo, n_placements)
    clients = generate_clients(rng, geo, n_clients)
    avoid_placements, avoid_clients = avoidances(rng, clients, placements)
    coach_of, coach_members, capacity = assign_coaches(rng, geo, clients)
    ongoing = ongoing_assignments(
        clients,
        placements,
        coach_of,
        capacity,
        avoid_placements,
        avoid_clients,
        share=float(rng.uniform(*ONGOING_SHARE)),
        order=rng.permutation(n_clients).astype(np.int64),
        u_area=rng.random(len(data.commuting_areas)),
        youth_age_limit=regime.youth_age_limit,
        travel_model=travel_model,
    )
    attested_on = attestations(rng, n_placements, planning_date)

    org_width = max(3, len(str(len(org_keys))))
    placement_width = max(4, len(str(n_placements)))
    client_width = max(5, len(str(n_clients)))
    coach_width = max(3, len(str(len(coach_members))))
    org_ids = [record_id("O", k + 1, org_width) for k in range(len(org_keys))]
    placement_ids = [record_id("P", k + 1, placement_width) for k in range(n_placements)]
    client_ids = [record_id("C", k + 1, client_width) for k in range(n_clients)]
    coach_ids = [record_id("K", k + 1, coach_width) for k in range(len(coach_members))]

    preferences = draw_preferences(clients, placements, placement_ids, ongoing, avoid_placements)

    def day(offset: int) -> date:
        return planning_date + timedelta(days=offset)

    organisations = tuple(
        Organisation(id=org_ids[k], name=nm, type=OrganisationType(t), municipality=code)
        for k, (code, t, nm) in enumerate(org_keys)
    )
    sites = site_contacts(seed, [munis[int(m)].name_fi for m in placements.muni])
    placement_records = tuple(
        Placement(
            id=placement_ids[i],
            organisation=org_ids[int(placements.organisation[i])],
            department=placements.department[i],
            municipality=munis[int(placements.muni[i])].code,
            location=Location(lat=float(placements.lat[i]), lon=float(placements.lon[i])),
            task_category=CATEGORIES[int(placements.category[i])],
            description=PROFILES[CATEGORIES[int(placements.category[i])]].description,
            seats=int(placements.seats[i]),
            weekdays=members_of(int(placements.days[i]), WEEKDAYS),
            min_hours_per_day=float(placements.min_hours[i]),
            max_hours_per_day=float(placements.max_hours[i]),
            demands=members_of(int(placements.demands[i]), DEMANDS),
            skills=frozenset(placements.skills[i]),
            support_units=int(placements.support[i]),
            youth_workshop=bool(placements.youth[i]),
            languages=members_of(int(placements.languages[i]), LANGUAGES),
            available_from=day(int(placements.available_from[i])),
            available_until=(
                day(int(placements.available_until[i]))
                if placements.available_until[i] >= 0
                else None
            ),
            closed=bool(placements.closed[i]),
            no_replacement_attested_on=attested_on[i],
            **sites[i],
        )
        for i in range(n_placements)
    )

    client_records: list[Client] = []
    for i in range(n_clients):
        waiting = int(clients.wait_days[i])
        if i in ongoing:
            # An ongoing client was ready before they started.
            waiting = max(waiting, -ongoing[i][1] + int(clients.ongoing_wait_gap[i]))
        client_records.append(
            Client(
                id=client_ids[i],
                age=int(clients.age[i]),
                home_municipality=munis[int(clients.muni[i])].code,
                consent_outside_commuting_area=bool(clients.consent[i]),
                location=Location(lat=float(clients.lat[i]), lon=float(clients.lon[i])),
                max_travel_minutes=int(clients.max_travel[i]),
                referral_basis=(
                    "activation_plan"
                    if clients.activation_plan[i]
                    else "multidisciplinary_employment_plan"
                ),
                days_per_week=int(clients.days_per_week[i]),
                hours_per_day=float(clients.hours[i]),
                available_weekdays=members_of(int(clients.weekdays[i]), WEEKDAYS),
                preferences=preferences[i],
                aptitudes=frozenset(clients.aptitudes[i]),
                interests=frozenset(clients.interests[i]),
                work_constraints=members_of(int(clients.constraints[i]), DEMANDS),
                languages=members_of(int(clients.languages[i]), LANGUAGES),
                support_units=int(clients.support[i]),
                waiting_since=day(-waiting),
                coach=coach_ids[int(coach_of[i])],
                avoid_placements=frozenset(
                    placement_ids[p] for p in sorted(avoid_placements.get(i, set()))
                ),
                avoid_clients=frozenset(client_ids[c] for c in sorted(avoid_clients.get(i, set()))),
            )
        )

    coaches = tuple(
        Coach(
            id=coach_ids[k],
            caseload_capacity=int(capacity[k]),
            municipalities=frozenset(munis[int(clients.muni[i])].code for i in members),
        )
        for k, members in enumerate(coach_members)
    )
    ongoing_records = tuple(
        OngoingAssignment(client=client_ids[i], placement=placement_ids[p], start_date=day(offset))
        for i, (p, offset) in sorted(ongoing.items())
    )
    return AllocationProblem(
        name=name or f"Pohjois-Pohjanmaa synthetic, {n_clients} clients, seed {seed}",
        planning_date=planning_date,
        regime=regime,
        commuting_areas=data.commuting_areas,
        geography_source=GeographySource(source=SYNTHETIC_GEOGRAPHY, synthetic=True),
        municipalities=tuple(
            Municipality(
                code=m.code,
                name_fi=m.name_fi,
                name_sv=m.name_sv,
                commuting_area=m.commuting_area,
                centre=Location(lat=m.lat, lon=m.lon),
            )
            for m in munis
        ),
        organisations=organisations,
        placements=placement_records,
        clients=tuple(client_records),
        coaches=coaches,
        ongoing=ongoing_records,
    )
