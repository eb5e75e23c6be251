"""Decisions checked against every hard rule with the periods in force, and what they displace."""

from __future__ import annotations

from matching.decision import check_decision, fit_in_order
from tests.factories import client, make_problem, placement


def test_a_decision_into_a_full_placement_is_refused_naming_everyone() -> None:
    problem = make_problem(
        clients=[client("C1"), client("C2")], placements=[placement("P1", seats=1)]
    )
    assert check_decision(problem, {}, "C2", "P1").lawful
    verdict = check_decision(problem, {"C1": "P1"}, "C2", "P1")
    assert [(b.rule, b.clients, b.placements) for b in verdict.breaches] == [
        ("seats", ("C1", "C2"), ("P1",))
    ]
    assert "1 available" in verdict.breaches[0].message


def test_support_units_coach_caseload_and_avoided_clients() -> None:
    problem = make_problem(
        clients=[
            client("C1", support_units=3, coach="K1"),
            client("C2", support_units=2, coach="K1", avoid_clients=["C1"]),
        ],
        placements=[placement("P1", seats=5, support_units=4), placement("P2")],
        coaches=[{"id": "K1", "caseload_capacity": 1}],
    )
    rules = [b.rule for b in check_decision(problem, {"C1": "P1"}, "C2", "P1").breaches]
    assert rules == ["avoided_clients", "coach_caseload", "support_units"]
    coach = [b for b in check_decision(problem, {"C1": "P1"}, "C2", "P2").breaches]
    assert [(b.rule, b.coach) for b in coach] == [("coach_caseload", "K1")]


def test_pair_rules_are_the_engines_and_a_continuation_is_not_rechecked() -> None:
    problem = make_problem(
        clients=[client("C1", languages=["sv"])],
        placements=[placement("P1", languages=["fi"])],
    )
    assert [b.rule for b in check_decision(problem, {}, "C1", "P1").breaches] == ["languages"]
    assert check_decision(problem, {"C1": "P1"}, "C1", "P1").lawful


def test_the_proposals_a_decision_displaces() -> None:
    problem = make_problem(
        clients=[client("C1"), client("C2"), client("C3")],
        placements=[placement("P1", seats=1), placement("P2", seats=1)],
    )
    verdict = check_decision(problem, {}, "C1", "P1", pending={"C2": "P1", "C3": "P2"})
    assert verdict.lawful
    assert verdict.displaced == (("C2", "P1"),)
    # Moving C1 out of P1 frees its seat: nobody is displaced there.
    verdict = check_decision(problem, {"C1": "P1"}, "C1", "P2", pending={"C2": "P1"})
    assert verdict.lawful and verdict.displaced == ()


def test_fit_in_order_keeps_the_first_that_fit() -> None:
    problem = make_problem(
        clients=[client("C1"), client("C2")], placements=[placement("P1", seats=1)]
    )
    kept, refused = fit_in_order(problem, [("C1", "P1"), ("C2", "P1")])
    assert kept == [("C1", "P1")]
    assert [b.rule for b in refused[("C2", "P1")]] == ["seats"]


def test_the_regime_of_the_county_applies_to_decisions() -> None:
    from models import LegalRegime

    regime = LegalRegime(no_replacement_attestation_months=12).model_dump()
    problem = make_problem(clients=[client("C1")], placements=[placement("P1")], regime=regime)
    rules = [b.rule for b in check_decision(problem, {}, "C1", "P1").breaches]
    assert rules == ["no_replacement_attestation"]
