"""The independent checker catches every capacity and commitment rule, alone."""

from __future__ import annotations

from matching.check import check_allocation
from tests.factories import client, make_problem, make_result, placement


def _rules(problem, pairs) -> list[str]:
    return [v.rule for v in check_allocation(problem, make_result(problem, pairs))]


def test_a_valid_allocation_has_no_violations() -> None:
    problem = make_problem(clients=[client("C1"), client("C2")])
    assert _rules(problem, {"C1": "P1", "C2": "P1"}) == []


def test_seats() -> None:
    problem = make_problem(clients=[client("C1"), client("C2")], placements=[placement(seats=1)])
    assert _rules(problem, {"C1": "P1"}) == []
    assert _rules(problem, {"C1": "P1", "C2": "P1"}) == ["seats"]


def test_support_units() -> None:
    problem = make_problem(
        clients=[client("C1", support_units=2), client("C2", support_units=2)],
        placements=[placement(support_units=3)],
    )
    assert _rules(problem, {"C1": "P1"}) == []
    assert _rules(problem, {"C1": "P1", "C2": "P1"}) == ["support_units"]


def test_coach_caseload() -> None:
    problem = make_problem(
        clients=[client("C1", coach="K1"), client("C2", coach="K1")],
        placements=[placement(), placement("P2")],
        coaches=[{"id": "K1", "caseload_capacity": 1}],
    )
    assert _rules(problem, {"C1": "P1"}) == []
    assert _rules(problem, {"C1": "P1", "C2": "P2"}) == ["coach_caseload"]


def test_avoided_clients_listed_on_one_side_only() -> None:
    problem = make_problem(
        clients=[client("C1"), client("C2", avoid_clients=["C1"])],
        placements=[placement(), placement("P2")],
    )
    assert _rules(problem, {"C1": "P1", "C2": "P2"}) == []
    assert _rules(problem, {"C1": "P1", "C2": "P1"}) == ["avoided_clients"]


def test_ongoing_commitment_keeps_young_placements() -> None:
    ongoing = [{"client": "C1", "placement": "P1", "start_date": "2026-10-01"}]
    problem = make_problem(placements=[placement(), placement("P2")], ongoing=ongoing)
    assert _rules(problem, {"C1": "P1"}) == []
    assert _rules(problem, {"C1": "P2"}) == ["ongoing_commitment"]
    assert _rules(problem, {}) == ["ongoing_commitment"]


def test_kept_ongoing_placements_are_not_rechecked_against_pair_rules() -> None:
    """A placement closed to new clients still keeps those already there."""
    ongoing = [{"client": "C1", "placement": "P1", "start_date": "2026-10-01"}]
    problem = make_problem(placements=[placement(closed=True)], ongoing=ongoing)
    assert _rules(problem, {"C1": "P1"}) == []


def test_an_expired_attestation_stops_new_clients_not_those_already_there() -> None:
    """The no-replacement attestation is checked for new pairs only, like the other pair
    rules: the client kept at the placement stays, a newcomer is a violation."""
    ongoing = [{"client": "C1", "placement": "P1", "start_date": "2026-10-01"}]
    problem = make_problem(
        clients=[client("C1"), client("C2")],
        placements=[placement(no_replacement_attested_on="2025-06-01")],
        ongoing=ongoing,
        regime={"no_replacement_attestation_months": 12},
    )
    assert _rules(problem, {"C1": "P1"}) == []
    assert _rules(problem, {"C1": "P1", "C2": "P1"}) == ["no_replacement_attestation"]


def test_a_new_pair_breaking_a_pair_rule_is_reported() -> None:
    problem = make_problem(placements=[placement(closed=True)])
    assert _rules(problem, {"C1": "P1"}) == ["placement_open"]


def test_completeness() -> None:
    problem = make_problem(clients=[client("C1"), client("C2")])
    result = make_result(problem, {"C1": "P1"})
    broken = result.model_copy(update={"unassigned": ()})
    assert [v.rule for v in check_allocation(problem, broken)] == ["completeness"]


def test_an_inflated_score_is_caught_even_when_the_parts_add_up() -> None:
    from matching.solve import allocate
    from models import Criterion

    problem = make_problem(clients=[client("C1"), client("C2")])
    result = allocate(problem)
    assert check_allocation(problem, result) == []
    first = result.assignments[0]
    breakdown = {**first.breakdown, Criterion.PREFERENCE: first.breakdown[Criterion.PREFERENCE] + 1}
    inflated = first.model_copy(update={"breakdown": breakdown, "score": first.score + 1})
    objective = result.objective.model_copy(update={"quality": result.objective.quality + 1})
    forged = result.model_copy(
        update={"assignments": (inflated, *result.assignments[1:]), "objective": objective}
    )
    assert [v.rule for v in check_allocation(problem, forged)] == ["score"]


def test_an_objective_off_by_one_is_caught() -> None:
    from matching.solve import allocate

    problem = make_problem(clients=[client("C1"), client("C2")])
    result = allocate(problem)
    for change in (
        {"quality": result.objective.quality + 1},
        {"placed_value": result.objective.placed_value - 1},
    ):
        forged = result.model_copy(update={"objective": result.objective.model_copy(update=change)})
        assert [v.rule for v in check_allocation(problem, forged)] == ["objective"]


def test_a_client_in_an_ongoing_placement_earns_no_waiting_points() -> None:
    from matching.check import expected_points
    from matching.solve import allocate
    from models import Criterion

    ongoing = [{"client": "C1", "placement": "P1", "start_date": "2026-10-01"}]
    problem = make_problem(
        clients=[
            client("C1", waiting_since="2024-01-01"),
            client("C2", waiting_since="2024-01-01"),
        ],
        ongoing=ongoing,
    )
    points = {a.client: a.breakdown for a in allocate(problem).assignments}
    assert points["C1"][Criterion.WAITING] == 0
    assert points["C2"][Criterion.WAITING] == 250  # 24+ months waited: the full quarter
    c1, p1 = problem.clients[0], problem.placements[0]
    assert expected_points(problem, c1, p1)[Criterion.WAITING] == 0


def test_minimum_period_boundary_follows_act_150_1930() -> None:
    # Planning date 30.11.2026: three months end on 28.2.2027 (Feb has no 30th).
    from matching.solve import allocate

    for until, placed in (("2027-02-28", ["C1"]), ("2027-02-27", [])):
        problem = make_problem(placements=[placement(available_until=until)])
        assert [a.client for a in allocate(problem).assignments] == placed
        rules = _rules(problem, {"C1": "P1"})
        assert rules == ([] if placed else ["placement_period"])


def test_an_infeasible_input_names_the_clash_and_keeps_nothing() -> None:
    from matching.solve import allocate
    from models import SolveStatus

    problem = make_problem(
        clients=[client("C1"), client("C2"), client("C3")],
        placements=[placement("P1", seats=1), placement("P2")],
        ongoing=[
            {"client": "C1", "placement": "P1", "start_date": "2026-10-15"},
            {"client": "C2", "placement": "P1", "start_date": "2026-10-20"},
            {"client": "C3", "placement": "P2", "start_date": "2026-10-20"},
        ],
    )
    result = allocate(problem)
    assert result.status is SolveStatus.INFEASIBLE_INPUT
    message = result.message or ""
    assert "placement 'P1'" in message and "'C2'" in message and "C1" in message
    assert "row" not in message and "item" not in message  # no internal numbering
    assert result.stats.placed == 0 and result.stats.kept_ongoing == 0
