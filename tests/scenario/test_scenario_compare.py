"""Comparison figures against hand-computed values on a six-client county."""

from __future__ import annotations

import pytest

from matching.scenario import compare, parse_scenarios, run_batch
from matching.scenario.run import RunSettings
from models import AllocationProblem
from tests.factories import RAAHE, make_problem, placement
from tests.factories import client as client_record


def county() -> AllocationProblem:
    """Oulu: four clients for P1's two seats (longest waiting win). Raahe: C5 fits P2;
    C6 needs 3 support units where P2 has 2; Raahe is outside Oulu's commuting area."""
    return make_problem(
        clients=[
            client_record("C1", waiting_since="2025-11-30", preferences=[{"placement": "P1"}]),
            client_record("C2", waiting_since="2026-05-30"),
            client_record("C3", waiting_since="2026-08-30"),
            client_record("C4", waiting_since="2026-10-30", age=22),
            client_record(
                "C5", waiting_since="2026-02-28", home_municipality="678", location=RAAHE
            ),
            client_record("C6", home_municipality="678", location=RAAHE, support_units=3),
        ],
        placements=[
            placement("P1"),
            placement(
                "P2",
                organisation="O2",
                department="Parish cleaning",
                municipality="678",
                location=RAAHE,
                task_category="cleaning",
                seats=1,
                support_units=2,
            ),
        ],
    )


@pytest.fixture(scope="module")
def metrics() -> list:
    scenarios = parse_scenarios(
        [
            {
                "name": "one-more-p1",
                "changes": [
                    {"kind": "resize_placements", "select": {"ids": ["P1"]}, "add_seats": 1}
                ],
            }
        ]
    )
    return run_batch(county(), scenarios, 1, RunSettings(seat_values=5, time_limit_s=2))


def test_base_figures_by_hand(metrics: list) -> None:
    base = metrics[0]
    assert base.scenario == "base"
    assert (base.clients, base.placed, base.placement_rate) == (6, 3, 0.5)
    assert base.top3_share == round(1 / 3, 4)
    groups = {(g.dimension, g.group): (g.clients, g.placed) for g in base.groups}
    assert groups == {
        ("municipality", "Oulu"): (4, 2),
        ("municipality", "Raahe"): (2, 1),
        ("age_band", "29_44"): (5, 3),
        ("age_band", "under_25"): (1, 0),
        ("support_level", "1"): (5, 3),
        ("support_level", "3_plus"): (1, 0),
    }
    # placed waited 12, 6 and 9 months; unplaced 3, 1 and 5
    w = base.waiting
    assert (w.placed_median, w.placed_p90) == (9.0, 11.4)
    assert (w.unplaced_median, w.unplaced_p90) == (3.0, 4.6)
    use = {
        (u.dimension, u.group): (u.seats, u.seats_used, u.support_units, u.support_used)
        for u in base.utilisation
    }
    assert use == {
        ("department", "Oulu city: Central kitchen"): (2, 2, 4, 2),
        ("department", "Raahe parish: Parish cleaning"): (1, 1, 2, 1),
        ("municipality", "Oulu"): (2, 2, 4, 2),
        ("municipality", "Raahe"): (1, 1, 2, 1),
        ("task_category", "cleaning"): (1, 1, 2, 1),
        ("task_category", "kitchen"): (2, 2, 4, 2),
    }
    assert {u.group: u.seat_rate for u in base.utilisation if u.dimension == "department"} == {
        "Oulu city: Central kitchen": 1.0,
        "Raahe parish: Parish cleaning": 1.0,
    }
    assert base.utilisation[0].dimension == "department"
    assert base.utilisation[-1].dimension == "task_category"
    assert {u.client: u.reason for u in base.unplaced} == {
        "C3": "capacity",
        "C4": "capacity",
        "C6": "capacity:need_exceeds_capacity",
    }
    assert base.unplaced_reasons == {"capacity": 2, "capacity:need_exceeds_capacity": 1}
    assert base.mean_travel_minutes is not None and base.mean_travel_minutes >= 5


def test_scenario_against_base(metrics: list) -> None:
    rows = {(r.scenario, r.section, r.key, r.metric): r for r in compare(metrics)}
    rate = rows[("one-more-p1", "overall", "all", "placement_rate")]
    assert (rate.base, rate.value, rate.delta) == (0.5, 0.6667, 0.1667)
    oulu = rows[("one-more-p1", "municipality", "Oulu", "placement_rate")]
    assert (oulu.base, oulu.value, oulu.delta) == (0.5, 0.75, 0.25)
    cap = rows[("one-more-p1", "unplaced", "capacity", "clients")]
    assert (cap.base, cap.value, cap.delta) == (2, 1, -1)
    seats = rows[("one-more-p1", "utilisation_by_task_category", "kitchen", "seats")]
    assert seats.delta == 1
    dept = rows[("one-more-p1", "utilisation_by_department", "Oulu city: Central kitchen", "seats")]
    assert (dept.base, dept.value) == (2, 3)
    support = rows[("one-more-p1", "utilisation_by_municipality", "Oulu", "support_rate")]
    assert (support.base, support.value) == (0.5, 0.75)
    assert all(r.delta in (0, None) for k, r in rows.items() if k[0] == "base")


def test_seat_value_ranks_p1_first(metrics: list) -> None:
    top = metrics[0].seat_values[0]
    assert (top.placement, top.extra_placed, top.placed_value > 0) == ("P1", 1, True)
    ranked = metrics[0].seat_values + metrics[0].support_values
    for s in ranked:
        assert 0 <= s.extra_placed_at_least <= s.extra_placed
        assert s.quality_at_least <= s.quality
        if s.exact:
            assert (s.extra_placed_at_least, s.quality_at_least) == (s.extra_placed, s.quality)
    guaranteed = [(s.extra_placed_at_least, s.quality_at_least) for s in metrics[0].seat_values]
    assert guaranteed == sorted(guaranteed, reverse=True)


def test_seat_value_by_department_and_municipality(metrics: list) -> None:
    groups = {
        (g.dimension, g.group): g for g in metrics[0].seat_value_groups if g.resource == "seat"
    }
    assert set(groups) == {
        ("department", "Oulu city: Central kitchen"),
        ("department", "Raahe parish: Parish cleaning"),
        ("municipality", "Oulu"),
        ("municipality", "Raahe"),
    }
    kitchen = groups[("department", "Oulu city: Central kitchen")]
    assert (kitchen.best_placement, kitchen.extra_placed) == ("P1", 1)
    assert groups[("municipality", "Raahe")].extra_placed == 0
    assert next(iter(groups)) == ("department", "Oulu city: Central kitchen")


def test_support_unit_values(metrics: list) -> None:
    """P1's four units already cover its two seats' needs (slack: exactly nothing). At P2 a
    third unit would let C6 (needs 3) in, but only instead of C5: no more clients placed."""
    values = {s.placement: s for s in metrics[0].support_values}
    assert set(values) == {"P1", "P2"}
    assert all(s.resource == "support_unit" for s in values.values())
    p1 = values["P1"]
    assert (p1.extra_placed, p1.placed_value, p1.quality, p1.exact) == (0, 0, 0, True)
    # Without re-solves P2 gets the one-client bound, labelled as a bound ...
    assert (values["P2"].extra_placed, values["P2"].exact) == (1, False)
    groups = {(g.resource, g.dimension, g.group) for g in metrics[0].seat_value_groups}
    assert ("support_unit", "department", "Raahe parish: Parish cleaning") in groups
    # ... and a re-solve finds the exact answer: C6 could only replace C5.
    settings = RunSettings(seat_values=5, seat_resolves=5, time_limit_s=2)
    base, *_ = run_batch(county(), parse_scenarios([]), 1, settings)
    p2 = next(s for s in base.support_values if s.placement == "P2")
    assert (p2.extra_placed, p2.placed_value, p2.exact) == (0, 0, True)


def test_support_unit_that_places_a_client() -> None:
    """A lone client who needs 3 units at a 2-unit placement: one more unit places them."""
    problem = make_problem(
        clients=[client_record("C1", support_units=3)],
        placements=[placement("P1", support_units=2)],
    )
    base, *_ = run_batch(problem, parse_scenarios([]), 1, RunSettings(seat_values=3))
    (value,) = base.support_values
    assert (value.placement, value.extra_placed, value.exact) == ("P1", 1, True)
    (seat,) = base.seat_values
    assert seat.extra_placed == 0
