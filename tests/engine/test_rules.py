"""Each hard pair rule alone: a case it allows and a case it forbids.

The same cases also go through the independent checker, which must name the same rule.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from matching.check import pair_violations
from matching.pairs import Pairs
from matching.rules import PAIR_RULES, REGISTRY
from matching.rules.hard import earliest_valid_attestation
from matching.tables import Tables
from matching.transit import feed_version
from models.dates import add_months
from tests.factories import KEMPELE, RAAHE, client, make_problem, placement
from tests.transit.small_feed import small_feed

Case = tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]
"""Rule, client overrides, placement overrides, problem overrides."""

REQUIRED = {"regime": {"no_replacement_attestation_months": 12}}
"""A regime that requires a no-replacement attestation at most 12 months old."""
TIMETABLES = {"options": {"travel": {"feed": feed_version(small_feed()), "walk_factor": 1.0}}}
"""Trips by the small hand-made feed (``tests.transit.small_feed``), stored for the session."""
VILLAGE = {"location": {"lat": 65.00, "lon": 25.00}}
"""A home at the village stop Kirkkotie of the small feed."""
STATION = {"location": {"lat": 65.00, "lon": 25.50}}
"""A placement at the small feed's Oulu bus station."""

FORBIDDEN: list[Case] = [
    ("placement_open", {}, {"closed": True}, {}),
    ("placement_period", {}, {"available_until": "2027-02-27"}, {}),
    ("placement_period", {}, {"available_from": "2026-12-01"}, {}),
    (
        "commuting_area",
        {"max_travel_minutes": 240},
        {"municipality": "678", "location": RAAHE, "organisation": "O2"},
        {},
    ),
    ("travel_time", {"max_travel_minutes": 10}, {"municipality": "244", "location": KEMPELE}, {}),
    # Sundays: no bus runs.
    (
        "reachable",
        {**VILLAGE, "available_weekdays": ["sun"], "days_per_week": 1},
        {**STATION, "weekdays": ["sun"]},
        TIMETABLES,
    ),
    # The 7.12 arrives 7.40, 20 minutes late for a 7.20 start: the 6.30 takes 50 minutes there,
    # and home after 7 hours, 14.20, the 14.45 arrives 15.25: 65 minutes, over 45.
    (
        "travel_time",
        {**VILLAGE, "hours_per_day": 7, "max_travel_minutes": 45},
        {**STATION, "starts_at": "07:20"},
        TIMETABLES,
    ),
    ("youth_workshop_age", {"age": 29}, {"youth_workshop": True}, {}),
    ("youth_workshop_age", {"age": None, "birth_date": "1997-11-30"}, {"youth_workshop": True}, {}),
    (
        "weekdays",
        {"available_weekdays": ["mon", "tue", "wed"]},
        {"weekdays": ["wed", "thu", "fri"]},
        {},
    ),
    ("hours_per_day", {"hours_per_day": 7}, {"max_hours_per_day": 6}, {}),
    ("hours_per_day", {"hours_per_day": 4}, {"min_hours_per_day": 5}, {}),
    ("work_demands", {"work_constraints": ["noise"]}, {"demands": ["noise", "physical_load"]}, {}),
    ("languages", {"languages": ["sv"]}, {"languages": ["fi"]}, {}),
    ("avoided_placement", {"avoid_placements": ["P1"]}, {}, {}),
    ("no_replacement_attestation", {}, {}, REQUIRED),
    ("no_replacement_attestation", {}, {"no_replacement_attested_on": "2025-11-29"}, REQUIRED),
    (
        "no_replacement_attestation",
        {"waiting_since": "2024-06-01"},
        {"available_from": "2024-01-01", "no_replacement_attested_on": "2024-02-29"},
        {**REQUIRED, "planning_date": "2025-03-01"},
    ),
]

ALLOWED: list[Case] = [
    ("placement_open", {}, {"closed": False}, {}),
    ("placement_period", {}, {"available_until": "2027-02-28"}, {}),
    ("placement_period", {}, {"available_from": "2026-11-30"}, {}),
    (
        "commuting_area",
        {"max_travel_minutes": 240, "consent_outside_commuting_area": True},
        {"municipality": "678", "location": RAAHE, "organisation": "O2"},
        {},
    ),
    ("travel_time", {"max_travel_minutes": 30}, {"municipality": "244", "location": KEMPELE}, {}),
    # The 7.12 arrives 7.40 for a 7.40 start (28 minutes), the 14.45 after 7 hours home 15.25
    # (45 minutes).
    (
        "reachable",
        {**VILLAGE, "hours_per_day": 7, "max_travel_minutes": 45},
        {**STATION, "starts_at": "07:40"},
        TIMETABLES,
    ),
    ("youth_workshop_age", {"age": 28}, {"youth_workshop": True}, {}),
    ("youth_workshop_age", {"age": None, "birth_date": "1997-12-01"}, {"youth_workshop": True}, {}),
    (
        "weekdays",
        {"available_weekdays": ["mon", "wed", "fri"]},
        {"weekdays": ["mon", "wed", "fri"]},
        {},
    ),
    ("hours_per_day", {"hours_per_day": 6}, {"max_hours_per_day": 6}, {}),
    ("work_demands", {"work_constraints": ["noise"]}, {"demands": ["outdoor_work"]}, {}),
    ("languages", {"languages": ["sv"]}, {"languages": []}, {}),
    ("languages", {"languages": ["sv", "en"]}, {"languages": ["fi", "en"]}, {}),
    ("avoided_placement", {"avoid_placements": ["P2"]}, {}, {}),
    ("no_replacement_attestation", {}, {"no_replacement_attested_on": "2025-11-30"}, REQUIRED),
    ("no_replacement_attestation", {}, {"no_replacement_attested_on": "2026-11-30"}, REQUIRED),
    (
        "no_replacement_attestation",
        {"waiting_since": "2024-06-01"},
        {"available_from": "2024-01-01", "no_replacement_attested_on": "2024-02-29"},
        {**REQUIRED, "planning_date": "2025-02-28"},
    ),
    ("no_replacement_attestation", {}, {}, {}),
    ("no_replacement_attestation", {}, {"no_replacement_attested_on": "2019-01-01"}, {}),
]


def _verdicts(
    client_overrides: dict[str, Any],
    placement_overrides: dict[str, Any],
    problem_overrides: dict[str, Any],
):
    problem = make_problem(
        clients=[client(**client_overrides)],
        placements=[placement(**placement_overrides), placement("P2")],
        **problem_overrides,
    )
    pairs = Pairs.of(Tables(problem), np.array([0]), np.array([0]))
    engine = {name: bool(rule(pairs)[0]) for name, rule in PAIR_RULES}
    checker = {v.rule for v in pair_violations(problem, problem.clients[0], problem.placements[0])}
    return engine, checker


CASE_FIELDS = ("rule", "client_overrides", "placement_overrides", "problem_overrides")


@pytest.mark.parametrize(CASE_FIELDS, FORBIDDEN)
def test_rule_forbids(
    rule: str, client_overrides: dict, placement_overrides: dict, problem_overrides: dict
) -> None:
    engine, checker = _verdicts(client_overrides, placement_overrides, problem_overrides)
    assert engine[rule] is False
    assert [name for name, ok in engine.items() if not ok] == [rule], "the case breaks one rule"
    assert checker == {rule}


@pytest.mark.parametrize(CASE_FIELDS, ALLOWED)
def test_rule_allows(
    rule: str, client_overrides: dict, placement_overrides: dict, problem_overrides: dict
) -> None:
    engine, checker = _verdicts(client_overrides, placement_overrides, problem_overrides)
    assert all(engine.values()), engine
    assert checker == set()


def test_every_pair_rule_has_a_forbidden_and_an_allowed_case() -> None:
    names = [name for name, _ in PAIR_RULES]
    assert {c[0] for c in FORBIDDEN} == set(names)
    assert {c[0] for c in ALLOWED} == set(names)


def test_registry_is_ordered_hard_before_soft_and_documented() -> None:
    levels = [rule.level for rule in REGISTRY]
    assert levels == sorted(levels), "hard rules come before soft criteria"
    assert len({rule.name for rule in REGISTRY}) == len(REGISTRY)
    assert all(rule.summary.startswith(("Hard:", "Soft:")) for rule in REGISTRY)


CITATION = re.compile(
    r"Act \d{1,4}/\d{4} § \d+( [a-z])?( \(\d{1,4}/\d{4}\))?"
    r"|THL, [^;]+"
    r"|cooperation model, [^;]+"
    r"|Paikka, [^;()]+ \([A-Z][A-Za-z]+\.[a-z_]+\)"
)
"""One citation of a ``Source:`` line (the format is in ``matching.rules``' docstring)."""


def source_line_problems(doc: str) -> list[str]:
    """What is wrong with a docstring's ``Source:`` line (empty when it is right)."""
    lines = [line.strip() for line in doc.splitlines() if line.strip().startswith("Source:")]
    if len(lines) != 1:
        return [f"{len(lines)} Source: lines, not one"]
    if not lines[0].startswith("Source: "):
        return ["no space after Source:"]
    citations = lines[0].removeprefix("Source: ").removesuffix(".").split("; ")
    return [f"not a citation: {c!r}" for c in citations if not CITATION.fullmatch(c)]


def test_every_rule_cites_its_source_in_one_format() -> None:
    problems = {r.name: source_line_problems(r.function.__doc__ or "") for r in REGISTRY}
    assert {name: p for name, p in problems.items() if p} == {}
    assert all(rule.sources for rule in REGISTRY)


@pytest.mark.parametrize(
    "doc",
    [
        "Hard: x.",
        "Hard: x.\n\nSource: 189/2001 § 13: a period lasts 3–24 months.",
        "Hard: x.\n\nSource: Act 189/2001 § 13.\nSource: Act 189/2001 § 14.",
        "Hard: x.\n\nSource: Act 189/2001 § 13, THL.",
        "Hard: x.\n\nSource: Paikka, a decision.",
    ],
)
def test_the_source_check_rejects_other_formats(doc: str) -> None:
    assert source_line_problems(doc)


def test_an_attestation_is_valid_from_the_earliest_day_on() -> None:
    """The attestation rule's one comparison agrees with ``add_months`` day by day, month ends
    and leap days included."""
    for months in (1, 6, 12, 13, 24):
        planning = date(2024, 1, 1)
        while planning < date(2025, 4, 1):
            earliest = earliest_valid_attestation(planning, months)
            for offset in range(-40, 41):
                attested = earliest + timedelta(days=offset)
                assert (attested >= earliest) == (add_months(attested, months) >= planning)
            planning += timedelta(days=1)
