"""The synthetic North Ostrobothnia county: deterministic, valid, realistic, and the committed
demo file never drifts from the generator."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from matching.sample import (
    DEFAULT_PLANNING_DATE,
    SAMPLE_CLIENTS,
    SAMPLE_SEED,
    county_data,
    describe_county,
    generate_county,
    load_sample_county,
    profiles,
    sample_county_json,
    write_sample_file,
)
from models import AllocationProblem, OrganisationType, Placement, TaskCategory, TravelModel

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_FILE = ROOT / "matching" / "data" / "sample-county.json"

# Facts the generator must reproduce (Statistics Finland municipality codes).
POHDE_CODES = {
    "009", "069", "071", "072", "139", "208", "244", "305", "317", "425",
    "436", "483", "494", "535", "563", "564", "615", "625", "626", "630",
    "678", "691", "746", "748", "785", "791", "832", "859", "889", "977",
}  # fmt: skip


@pytest.fixture(scope="module")
def county() -> AllocationProblem:
    return generate_county(1000, seed=0)


def _months_before(planning: date, start: date) -> float:
    return (planning - start).days / 30.44


def _minutes(problem: AllocationProblem, client_id: str, placement: Placement) -> float:
    """The engine's travel estimate (haversine distance, default travel model), unrounded."""
    client = next(c for c in problem.clients if c.id == client_id)
    p1, p2 = math.radians(client.location.lat), math.radians(placement.location.lat)
    dlon = math.radians(placement.location.lon - client.location.lon)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    km = 2 * 6371.0088 * math.asin(math.sqrt(h))
    model = TravelModel()
    return model.fixed_minutes + km * model.road_factor / model.speed_kmh * 60


# --- determinism -------------------------------------------------------------------------------


def test_same_arguments_give_an_equal_problem_and_identical_json() -> None:
    first = generate_county(300, seed=7)
    second = generate_county(300, seed=7)
    assert first == second
    assert sample_county_json(first) == sample_county_json(second)


def test_different_seeds_give_different_problems() -> None:
    a, b = generate_county(200, seed=1), generate_county(200, seed=2)
    assert a != b
    assert a.clients != b.clients
    assert a.placements != b.placements


def test_name_defaults_and_can_be_given() -> None:
    assert generate_county(50, seed=3).name == "Pohjois-Pohjanmaa synthetic, 50 clients, seed 3"
    assert generate_county(50, seed=3, name="demo").name == "demo"


def test_default_number_of_placements_is_30_percent_with_a_minimum_of_5() -> None:
    assert len(generate_county(200).placements) == 60
    assert len(generate_county(3).placements) == 5
    assert len(generate_county(40, n_placements=17).placements) == 17


@pytest.mark.parametrize(("n_clients", "n_placements"), [(0, None), (10, 0)])
def test_rejects_empty_sizes(n_clients: int, n_placements: int | None) -> None:
    with pytest.raises(ValueError):
        generate_county(n_clients, n_placements)


# --- validity ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_clients", "n_placements", "seed"),
    [(1, None, 0), (7, None, 5), (45, 12, 2), (400, None, 11), (600, 60, 4)],
)
def test_validates_at_several_sizes(n_clients: int, n_placements: int | None, seed: int) -> None:
    problem = generate_county(n_clients, n_placements, seed=seed)
    assert len(problem.clients) == n_clients
    # Validating the dump again runs every field and cross-record check from scratch.
    assert AllocationProblem.model_validate(problem.model_dump()) == problem


def test_planning_date_moves_every_date(county: AllocationProblem) -> None:
    later = generate_county(1000, seed=0, planning_date=date(2027, 3, 1))
    shift = date(2027, 3, 1) - DEFAULT_PLANNING_DATE
    assert later.clients[0].waiting_since == county.clients[0].waiting_since + shift
    assert [a.start_date - shift for a in later.ongoing] == [a.start_date for a in county.ongoing]
    assert [
        p.no_replacement_attested_on and p.no_replacement_attested_on - shift
        for p in later.placements
    ] == [p.no_replacement_attested_on for p in county.placements]


def test_json_round_trips_to_an_equal_problem(tmp_path: Path) -> None:
    problem = generate_county(80, seed=9)
    path = write_sample_file(tmp_path / "county.json", n_clients=80, seed=9)
    assert AllocationProblem.model_validate_json(path.read_text(encoding="utf-8")) == problem
    plain = problem.model_dump_json(indent=2, exclude_defaults=False)
    assert AllocationProblem.model_validate_json(plain) == problem


def test_committed_sample_equals_a_fresh_generation() -> None:
    # The file was written by another process with another hash seed, so byte equality also
    # shows that neither the generator nor the JSON depends on set iteration order.
    fresh = generate_county(SAMPLE_CLIENTS, seed=SAMPLE_SEED)
    text = SAMPLE_FILE.read_text(encoding="utf-8")
    assert AllocationProblem.model_validate_json(text) == fresh, (
        "matching/data/sample-county.json is stale: regenerate it with `python -m matching.sample`"
    )
    assert text == sample_county_json(fresh)
    assert load_sample_county() == fresh
    assert SAMPLE_FILE.stat().st_size < 400_000


# --- reference data ----------------------------------------------------------------------------


def test_reference_data_has_the_30_municipalities_of_pohde() -> None:
    data = county_data()
    assert {m.code for m in data.municipalities} == POHDE_CODES
    by_code = {m.code: m for m in data.municipalities}
    assert (by_code["564"].name_fi, by_code["564"].name_sv) == ("Oulu", "Uleåborg")
    assert (by_code["678"].name_fi, by_code["678"].name_sv) == ("Raahe", "Brahestad")
    assert by_code["072"].name_sv == "Karlö"
    assert by_code["071"].name_sv is None
    assert 400_000 < sum(m.population for m in data.municipalities) < 440_000
    assert 8 <= len(data.commuting_areas) <= 10
    assert "approximate" in data.note
    for m in data.municipalities:
        assert 63.4 < m.lat < 66.5 and 23.4 < m.lon < 29.7, m.name_fi
        assert abs(sum(c.share for c in m.centres) - 1) < 1e-9


# --- realism -----------------------------------------------------------------------------------


def test_every_municipality_has_clients_and_placements(county: AllocationProblem) -> None:
    assert {m.code for m in county.municipalities} == POHDE_CODES
    assert {c.home_municipality for c in county.clients} == POHDE_CODES
    assert {p.municipality for p in county.placements} == POHDE_CODES


def test_producers_are_of_allowed_types_and_municipal_departments_dominate(
    county: AllocationProblem,
) -> None:
    types = Counter(o.type for o in county.organisations)
    assert OrganisationType.COMPANY not in types
    assert types.most_common(1)[0][0] is OrganisationType.MUNICIPAL_DEPARTMENT
    assert {
        OrganisationType.COUNTY_UNIT,
        OrganisationType.ASSOCIATION,
        OrganisationType.FOUNDATION,
        OrganisationType.RELIGIOUS_COMMUNITY,
    } <= set(types)


def test_places_are_short_and_tightest_in_the_oulu_region(county: AllocationProblem) -> None:
    stats = describe_county(county)
    assert sum(p.seats for p in county.placements) < len(county.clients)
    assert 0.55 <= stats["open_seats_per_client"] <= 0.85
    by_area = stats["seats_per_client_by_area"]
    rural = [v for a, v in by_area.items() if a != "oulu" and v is not None]
    assert by_area["oulu"] < min(0.7, sorted(rural)[len(rural) // 2])


def test_placements_look_like_the_domain(county: AllocationProblem) -> None:
    placements = county.placements
    assert any(p.youth_workshop for p in placements)
    assert all(p.task_category.value.endswith("_workshop") for p in placements if p.youth_workshop)
    assert len({p.task_category for p in placements}) >= 12
    assert all(1 <= p.seats <= 12 for p in placements)
    assert Counter(p.seats <= 4 for p in placements)[True] > 0.75 * len(placements)
    assert all(p.seats <= p.support_units <= 3 * p.seats for p in placements)
    assert all(4 <= p.min_hours_per_day <= p.max_hours_per_day <= 8 for p in placements)
    assert all(p.weekdays <= {"mon", "tue", "wed", "thu", "fri", "sat"} for p in placements)
    assert all("children" in p.demands for p in placements if p.task_category == "daycare")
    parks = [p for p in placements if p.task_category == "parks"]
    assert sum("outdoor_work" in p.demands for p in parks) > 0.8 * len(parks)
    kitchens = [p for p in placements if p.task_category == "kitchen"]
    assert sum("noise" in p.demands for p in kitchens) > 0.4 * len(kitchens)
    assert any(
        "medicine_access" in p.demands for p in placements if p.task_category == "elderly_care"
    )
    assert all("customer_contact" in p.demands for p in placements if p.task_category == "retail")
    serving = {p.task_category for p in placements if "alcohol_access" in p.demands}
    assert serving and serving <= {"kitchen", "retail"}
    assert any(p.closed for p in placements)
    assert any(p.available_from > county.planning_date for p in placements)
    assert any(
        p.available_until is not None
        and _months_before(p.available_until, county.planning_date) < 3
        for p in placements
    )
    assert Counter(frozenset(p.languages) == {"fi"} for p in placements)[True] > 0.8 * len(
        placements
    )


def test_most_attestations_are_recent_and_the_regime_requires_them(
    county: AllocationProblem,
) -> None:
    """THL's no-replacement rule bites in the sample: the regime requires an attestation at
    most 12 months old; most producers attested within the last year, a few have lapsed."""
    assert county.regime.no_replacement_attestation_months == 12
    planning = county.planning_date
    dates = [p.no_replacement_attested_on for p in county.placements]
    missing = sum(d is None for d in dates)
    ages = [(planning - d).days for d in dates if d is not None]
    assert all(age >= 0 for age in ages)
    recent = sum(age <= 340 for age in ages)
    expired = sum(age >= 380 for age in ages)
    assert recent + expired == len(ages)
    assert recent > 0.85 * len(dates)
    assert 0 < missing < 0.08 * len(dates) and 0 < expired < 0.1 * len(dates)


def test_placements_lie_near_their_municipality(county: AllocationProblem) -> None:
    centres = {m.code: m.centre for m in county.municipalities}
    for p in county.placements:
        centre = centres[p.municipality]
        assert centre is not None
        assert abs(p.location.lat - centre.lat) < 0.6 and abs(p.location.lon - centre.lon) < 1.2


def test_clients_look_like_the_domain(county: AllocationProblem) -> None:
    clients = county.clients
    n = len(clients)
    ages = [c.age for c in clients if c.age is not None]
    assert len(ages) == n and min(ages) >= 18 and max(ages) <= 64
    assert 0.2 <= sum(a < 29 for a in ages) / n <= 0.45
    assert all(30 <= c.max_travel_minutes <= 90 for c in clients)
    days = Counter(c.days_per_week for c in clients)
    assert set(days) <= {1, 2, 3, 4} and days[2] + days[3] > 0.6 * n
    assert all(4 <= c.hours_per_day <= 8 for c in clients)
    assert sum(c.hours_per_day <= 6 for c in clients) > 0.8 * n
    assert all(len(c.available_weekdays) >= c.days_per_week for c in clients)
    assert all(len(c.preferences) <= 5 for c in clients)
    targets = Counter(p.placement is None for c in clients for p in c.preferences)
    assert targets[True] > targets[False] > 0
    assert 0.15 < sum(bool(c.work_constraints) for c in clients) / n < 0.45
    assert all(len(c.work_constraints) <= 2 for c in clients)
    assert sum(c.languages == {"fi"} for c in clients) > 0.8 * n
    assert any("sv" in c.languages for c in clients) and any("en" in c.languages for c in clients)
    assert Counter(c.support_units for c in clients).most_common(1)[0][0] == 1
    waits = [_months_before(county.planning_date, c.waiting_since) for c in clients]
    assert min(waits) >= 0
    assert all(c.coach is not None for c in clients)
    assert 0 < sum(c.consent_outside_commuting_area for c in clients) < 0.15 * n
    assert any(c.avoid_placements for c in clients) and any(c.avoid_clients for c in clients)
    assert {c.referral_basis for c in clients} == {
        "activation_plan",
        "multidisciplinary_employment_plan",
    }


def test_clients_who_wait_are_within_18_months(county: AllocationProblem) -> None:
    placed = {a.client for a in county.ongoing}
    waits = [
        _months_before(county.planning_date, c.waiting_since)
        for c in county.clients
        if c.id not in placed
    ]
    assert max(waits) <= 18.1


def test_coaches_cover_about_25_clients_each_in_one_area(county: AllocationProblem) -> None:
    assert 30 <= len(county.coaches) <= 50
    area_of = {m.code: m.commuting_area for m in county.municipalities}
    by_coach: dict[str, set[str]] = defaultdict(set)
    for c in county.clients:
        assert c.coach is not None
        by_coach[c.coach].add(area_of[c.home_municipality])
    assert all(len(areas) == 1 for areas in by_coach.values())
    for coach in county.coaches:
        assert {area_of[m] for m in coach.municipalities} == by_coach[coach.id]


def test_ongoing_assignments_are_feasible(county: AllocationProblem) -> None:
    planning = county.planning_date
    placements = {p.id: p for p in county.placements}
    clients = {c.id: c for c in county.clients}
    area_of = {m.code: m.commuting_area for m in county.municipalities}
    share = len(county.ongoing) / len(county.clients)
    assert 0.15 <= share <= 0.25
    months = [_months_before(planning, a.start_date) for a in county.ongoing]
    assert min(months) >= 0 and max(months) <= 20.1
    assert any(m < 3 for m in months) and any(m > 3 for m in months)

    per_placement: dict[str, list[str]] = defaultdict(list)
    per_coach: Counter[str] = Counter()
    for a in county.ongoing:
        c, p = clients[a.client], placements[a.placement]
        per_placement[p.id].append(c.id)
        assert c.coach is not None
        per_coach[c.coach] += 1
        assert area_of[c.home_municipality] == area_of[p.municipality]
        assert not p.closed and p.available_from <= a.start_date <= planning
        assert len(c.available_weekdays & p.weekdays) >= c.days_per_week
        assert p.min_hours_per_day <= c.hours_per_day <= p.max_hours_per_day
        assert not c.work_constraints & p.demands
        assert not p.languages or c.languages & p.languages
        assert not p.youth_workshop or (c.age is not None and c.age < 29)
        assert a.placement not in c.avoid_placements
        assert _minutes(county, c.id, p) <= c.max_travel_minutes
        assert c.waiting_since <= a.start_date
    for pid, ids in per_placement.items():
        p = placements[pid]
        assert len(ids) <= p.seats
        assert sum(clients[i].support_units for i in ids) <= p.support_units
        for i in ids:
            assert not clients[i].avoid_clients & set(ids)
    capacity = {k.id: k.caseload_capacity for k in county.coaches}
    assert all(per_coach[k] <= capacity[k] for k in per_coach)


def test_caseload_is_sometimes_the_binding_limit(county: AllocationProblem) -> None:
    area_of = {m.code: m.commuting_area for m in county.municipalities}
    coach_area = {c.coach: area_of[c.home_municipality] for c in county.clients}
    seats: Counter[str] = Counter()
    for p in county.placements:
        if not p.closed and p.available_from <= county.planning_date:
            seats[area_of[p.municipality]] += p.seats
    caseload: Counter[str] = Counter()
    for k in county.coaches:
        caseload[coach_area[k.id]] += k.caseload_capacity
    assert any(caseload[a] < seats[a] for a in caseload)


def test_ids_are_zero_padded_and_sorted(county: AllocationProblem) -> None:
    assert county.clients[0].id == "C00001" and county.clients[-1].id == "C01000"
    assert county.placements[0].id == "P0001"
    assert county.organisations[0].id == "O001"
    assert county.coaches[0].id == "K001"
    for records in (county.clients, county.placements, county.organisations, county.coaches):
        ids = [r.id for r in records]
        assert ids == sorted(ids) and len(set(map(len, ids))) == 1


def test_the_profile_data_covers_every_category_and_vocabulary() -> None:
    """``profiles.yaml`` is data a planner may edit: every task category has a profile, every
    name in it is a known enum value, and every weight table can be drawn from."""
    assert set(profiles.PROFILES) == set(TaskCategory)
    for profile in profiles.PROFILES.values():
        assert profile.producers and all(p.weight > 0 and p.departments for p in profile.producers)
        assert set(profile.skills) <= set(profiles.SKILLS)
        assert profile.seats in {"small", "medium", "workshop"}
    assert len(profiles.SKILL_WEIGHTS) == len(profiles.SKILLS)
    for table in (
        profiles.WEEKDAY_PATTERNS,
        profiles.HOUR_RANGES,
        profiles.PLACEMENT_LANGUAGES,
        profiles.CLIENT_DAYS,
        profiles.CLIENT_HOURS,
        profiles.CLIENT_TRAVEL,
        profiles.CLIENT_LANGUAGES,
    ):
        weights = [row[-1] for row in table]
        assert min(weights) > 0 and abs(sum(weights) - 1.0) < 1e-9
