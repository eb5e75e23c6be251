"""The run's screen applies the law of its planning date: § 6 and the benefit's referral basis
set a client aside (the same functions every write uses), and two runs of one county before
and after a version's first day use the old and the new rules, both passing the checker."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from matching.check import check_allocation
from matching.screen import CountyRecords, screen
from matching.solve import allocate
from models import SolveOptions
from models.regime import HE_109_2025, TODAY, RegimeHistory, VersionStatus
from tests.factories import client, placement, problem_dict

FIRST_DAY = date(2027, 1, 4)
HISTORY = RegimeHistory(
    versions=(
        TODAY.model_copy(update={"valid_until": FIRST_DAY - timedelta(days=1)}),
        HE_109_2025.model_copy(update={"status": VersionStatus.ADOPTED, "valid_from": FIRST_DAY}),
    )
)
SUBSIDY = [{"benefit": "labour_market_subsidy", "from_date": "2026-01-01"}]


def _records(day: date, clients: list[dict[str, Any]]) -> CountyRecords:
    data = problem_dict(clients=clients, placements=[placement(seats=3, support_units=3)])
    return CountyRecords(
        name="test",
        planning_date=day,
        regime=HISTORY.in_force_on(day).regime,
        options=SolveOptions(),
        commuting_areas=data["commuting_areas"],
        municipalities=data["municipalities"],
        organisations=data["organisations"],
        placements=data["placements"],
        clients=clients,
    )


def test_section_6_sets_a_client_aside_in_the_runs_screen() -> None:
    out = screen(_records(date(2026, 11, 30), [client("C1", full_time_student=True), client("C2")]))
    assert [(n.id, n.rule, n.field) for n in out.set_aside] == [
        ("C1", "section_6_student", "full_time_student")
    ]
    assert [c.id for c in out.problem.clients] == ["C2"]


def test_two_runs_before_and_after_the_reform_use_the_rules_of_their_day() -> None:
    clients = [
        client("C1", benefits=SUBSIDY, referral_basis="activation_plan"),
        client("C2", benefits=SUBSIDY, referral_basis="multidisciplinary_employment_plan"),
    ]
    placed = {}
    for day in (FIRST_DAY - timedelta(days=7), FIRST_DAY):
        out = screen(_records(day, clients))
        result = allocate(out.problem)
        assert check_allocation(out.problem, result) == []
        placed[day] = (
            sorted(a.client for a in result.assignments),
            [(n.id, n.rule) for n in out.set_aside],
        )
    assert placed[FIRST_DAY - timedelta(days=7)] == (["C1", "C2"], [])
    assert placed[FIRST_DAY] == (["C2"], [("C1", "referral_basis_not_for_benefit")])
