"""One screening everywhere: the CLI, the scenarios and the checker read a county's periods as
the service's run does (``matching.screen``).

Two county files built from the sample reproduce what the command line used to get wrong:
one keeps 3 clients at a placement that ended a month before the planning date, the other
has periods past their agreed last day or the 24-month maximum, where the old answer was
"optimal" below the optimum judged the service's way. The same files are run through the
service in ``tests/service/test_screen_same_as_cli.py``.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.check import check_allocation, periods_in_force
from matching.cli import main
from matching.sample import generate_county
from matching.scenario.definition import Horizon, Scenario
from matching.scenario.horizon import run_horizon
from matching.scenario.one import RunSettings, run_scenario
from matching.screen import ENDED_RULES, ended_periods, screen_problem
from matching.solve import allocate
from models import AllocationProblem, AllocationResult, LegalRegime
from tests.factories import client, placement, problem_dict


def ended_placement_county() -> AllocationProblem:
    """The sample county (80 clients, seed 5) where placement P0001 (3 seats) ended 30 days
    before the planning date and 3 clients started there 61 days before it (within the
    3-month commitment: the old command line kept them)."""
    base = generate_county(80, seed=5)
    on = base.planning_date
    data = base.model_dump(mode="json")
    busy = {a.client for a in base.ongoing}
    three = [c.id for c in base.clients if c.id not in busy][:3]
    for p in data["placements"]:
        if p["id"] == "P0001":
            p["available_until"] = (on - timedelta(days=30)).isoformat()
            p["support_units"] = 12
    data["ongoing"] = [a for a in data["ongoing"] if a["placement"] != "P0001"] + [
        {"client": c, "placement": "P0001", "start_date": (on - timedelta(days=61)).isoformat()}
        for c in three
    ]
    return AllocationProblem.model_validate(data)


def ended_periods_county() -> AllocationProblem:
    """The sample county (80 clients, seed 5) where 3 periods ended 10 days before the
    planning date (agreed last day) and 3 started on 1.9.2024 (past the 24 months)."""
    base = generate_county(80, seed=5)
    data = base.model_dump(mode="json")
    for k, a in enumerate(data["ongoing"][:6]):
        if k % 2 == 0:
            a["end_date"] = (base.planning_date - timedelta(days=10)).isoformat()
        else:
            a["start_date"] = "2024-09-01"
    return AllocationProblem.model_validate(data)


def _solve_and_check(
    problem: AllocationProblem, tmp_path: Path, capsys: Any, lang: str = "fi"
) -> tuple[AllocationResult, str, str]:
    county = tmp_path / "county.json"
    county.write_text(problem.model_dump_json(), encoding="utf-8")
    out = tmp_path / "result.json"
    assert main(["solve", str(county), "-o", str(out), "--no-timings", "--lang", lang]) == 0
    solved = capsys.readouterr().err
    assert main(["check", str(county), str(out), "--lang", lang]) == 0
    checked = capsys.readouterr()
    return AllocationResult.model_validate_json(out.read_text()), solved, checked.out


def test_the_cli_releases_the_clients_of_a_placement_that_ended(tmp_path: Path, capsys) -> None:
    problem = ended_placement_county()
    held = sorted(a.client for a in problem.ongoing if a.placement == "P0001")
    # What the command line did before: the 3 clients kept at the ended placement.
    before = allocate(problem)
    assert sorted(a.client for a in before.assignments if a.placement == "P0001") == held
    result, said, checked = _solve_and_check(problem, tmp_path, capsys)
    assert [a for a in result.assignments if a.placement == "P0001"] == []
    screened = screen_problem(problem)
    assert sorted((n.id, n.rule) for n in screened.set_aside) == [
        (c, "placement_ended") for c in held
    ]
    service_way = allocate(screened.problem)
    assert result.objective == service_way.objective
    assert result.input_hash == service_way.input_hash
    assert result.assignments == service_way.assignments
    # Each release is said on stderr, in Finnish, with the date as people write it.
    assert said.count("päättyi 31.10.2026") == 3
    assert "Kaikki säännöt täyttyvät" in checked
    # The checker reads the periods in force by itself: judged on the file as it is, the
    # old answer breaks the period rule at the ended placement; the new one breaks nothing.
    assert check_allocation(problem, result) == []
    old = {(v.rule, v.client) for v in check_allocation(problem, before)}
    assert {("placement_period", c) for c in held} <= old


def test_the_cli_optimum_is_the_services_where_periods_ended(tmp_path: Path, capsys) -> None:
    problem = ended_periods_county()
    before = allocate(problem)
    result, said, _ = _solve_and_check(problem, tmp_path, capsys, lang="sv")
    service_way = allocate(screen_problem(problem).problem)
    assert before.status.value == result.status.value == "optimal"
    assert result.objective == service_way.objective
    assert result.assignments == service_way.assignments
    # The old "optimal" answer was below the optimum judged the service's way.
    assert before.objective.placed_value <= result.objective.placed_value
    assert before.objective.quality < 0.99 * result.objective.quality
    rules = sorted(n.rule for n in screen_problem(problem).set_aside)
    assert rules == ["max_period"] * 3 + ["period_ended"] * 3
    assert said.count("upphörde 20.11.2026") == 3
    assert said.count("nådde lagens längsta tid, 24 månader, den 1.9.2026") == 3
    assert check_allocation(problem, result) == []


def test_check_of_a_result_solved_as_the_file_says_fails_the_service_way(
    tmp_path: Path, capsys
) -> None:
    """A result made without the screening (the old command line's) fails ``check`` now."""
    problem = ended_placement_county()
    county = tmp_path / "county.json"
    county.write_text(problem.model_dump_json(), encoding="utf-8")
    old = tmp_path / "old.json"
    old.write_text(allocate(problem).model_dump_json(), encoding="utf-8")
    assert main(["check", str(county), str(old), "--json"]) == 1
    found = json.loads(capsys.readouterr().out)["violations"]
    assert {"placement_period", "ongoing_flag"} <= {v["rule"] for v in found}


def test_a_scenario_reads_the_county_as_the_run_does() -> None:
    problem = ended_periods_county()
    metrics = run_scenario(problem, Scenario(name="as is"), RunSettings(seat_values=0))
    service_way = allocate(screen_problem(problem).problem)
    assert metrics.placed == service_way.objective.placed_value
    before = allocate(problem)
    assert metrics.placed >= before.objective.placed_value


def test_a_shorter_maximum_in_a_scenario_releases_the_longer_periods() -> None:
    problem = ended_periods_county()
    change = {"kind": "regime", "set": {"max_period_months": 6, "min_period_months": 3}}
    scenario = Scenario.model_validate({"name": "six months", "changes": [change]})
    metrics = run_scenario(problem, scenario, RunSettings(seat_values=0))
    shorter = problem.model_copy(
        update={"regime": LegalRegime(max_period_months=6, min_period_months=3)}
    )
    screened = screen_problem(shorter)
    longer = {n.id for n in screened.set_aside if n.rule == "max_period"}
    assert len(longer) > 3  # more than the 3 past 24 months
    assert metrics.placed == allocate(screened.problem).objective.placed_value
    assert longer == {a.client for a in shorter.ongoing} - set(periods_in_force(shorter)) - {
        n.id for n in screened.set_aside if n.rule == "period_ended"
    }


def test_the_horizon_ends_a_period_on_its_agreed_last_day() -> None:
    data = problem_dict(
        clients=[client("C1"), client("C2")],
        placements=[placement("P1"), placement("P2")],
    )
    data["ongoing"] = [
        {"client": "C1", "placement": "P1", "start_date": "2026-10-01", "end_date": "2026-12-02"},
        {"client": "C2", "placement": "P2", "start_date": "2026-10-01"},
    ]
    problem = AllocationProblem.model_validate(data)
    weeks = run_horizon(problem, Horizon(weeks=2, period_months=6), seed=1)
    # C1's period ended on 2.12.: gone in week 1 (planned 7.12.); C2's runs 6 months.
    assert [w.ended for w in weeks] == [0, 1]
    assert [w.clients for w in weeks] == [2, 1]


PLANNING = date(2026, 11, 30)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-900, 0),  # start, days from the planning date
            st.one_of(st.none(), st.integers(-60, 200)),  # agreed last day, days from start
            st.one_of(st.none(), st.integers(-40, 40)),  # placement's last day
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(3, 30),
)
def test_the_checker_and_the_screen_read_the_same_periods_in_force(
    periods: list[tuple[int, int | None, int | None]], max_months: int
) -> None:
    """The checker's own reading (``periods_in_force``) and the screen's
    (``ended_periods``) release exactly the same periods, whatever the dates."""
    placements, ongoing, clients = [], [], []
    for k, (start, length, until) in enumerate(periods):
        begins = PLANNING + timedelta(days=start)
        record = placement(f"P{k}", available_from="2020-01-01")
        if until is not None:
            record["available_until"] = (PLANNING + timedelta(days=until)).isoformat()
        placements.append(record)
        clients.append(client(f"C{k}"))
        period: dict[str, Any] = {
            "client": f"C{k}",
            "placement": f"P{k}",
            "start_date": begins.isoformat(),
        }
        if length is not None and length >= 0:
            period["end_date"] = (begins + timedelta(days=length)).isoformat()
        ongoing.append(period)
    data = problem_dict(clients=clients, placements=placements)
    data["ongoing"] = ongoing
    data["regime"] = {"max_period_months": max_months, "min_period_months": 3}
    problem = AllocationProblem.model_validate(data)
    ended = ended_periods(problem)
    assert {n.rule for n in ended} <= set(ENDED_RULES)
    assert {n.id for n in ended} == {a.client for a in problem.ongoing} - set(
        periods_in_force(problem)
    )


def test_an_attestation_dated_after_the_planning_date_did_not_exist_yet(
    tmp_path: Path, capsys
) -> None:
    """The service reads a placement's attestation dated after the planning date as none on
    record (``placement_as_of``); the command line used to refuse such a file (exit 2)."""
    base = generate_county(80, seed=5)
    data = base.model_dump(mode="json")
    attested = {p["id"]: p["no_replacement_attested_on"] for p in data["placements"]}
    target = next(pid for pid, day in attested.items() if day is not None)
    later = (base.planning_date + timedelta(days=3)).isoformat()
    for p in data["placements"]:
        if p["id"] == target:
            p["no_replacement_attested_on"] = later
    county = tmp_path / "county.json"
    county.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "result.json"
    assert main(["solve", str(county), "-o", str(out), "--no-timings"]) == 0
    assert main(["check", str(county), str(out)]) == 0
    result = AllocationResult.model_validate_json(out.read_text())
    for p in data["placements"]:
        if p["id"] == target:
            p["no_replacement_attested_on"] = None
    service_way = allocate(screen_problem(AllocationProblem.model_validate(data)).problem)
    assert result.assignments == service_way.assignments
    assert all(a.kept_ongoing for a in result.assignments if a.placement == target)
