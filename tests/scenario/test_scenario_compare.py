"""Comparison figures against hand-computed values on a six-client county."""

from __future__ import annotations

import pytest
from factories import RAAHE, make_problem, placement
from factories import client as client_record

from matching.scenario import compare, parse_scenarios, run_batch
from matching.scenario.run import RunSettings
from models import AllocationProblem


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
        u.task_category: (u.seats, u.seats_used, u.support_units, u.support_used)
        for u in base.utilisation
    }
    assert use == {"kitchen": (2, 2, 4, 2), "cleaning": (1, 1, 2, 1)}
    assert {u.task_category: u.seat_rate for u in base.utilisation} == {
        "kitchen": 1.0,
        "cleaning": 1.0,
    }
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
    seats = rows[("one-more-p1", "utilisation", "kitchen", "seats")]
    assert seats.delta == 1
    assert all(r.delta in (0, None) for k, r in rows.items() if k[0] == "base")


def test_seat_value_ranks_p1_first(metrics: list) -> None:
    top = metrics[0].seat_values[0]
    assert (top.placement, top.extra_placed, top.placed_value > 0) == ("P1", 1, True)
    assert [s.extra_placed for s in metrics[0].seat_values] == sorted(
        (s.extra_placed for s in metrics[0].seat_values), reverse=True
    )


def test_seat_value_by_department_and_municipality(metrics: list) -> None:
    groups = {(g.dimension, g.group): g for g in metrics[0].seat_value_groups}
    assert set(groups) == {
        ("department", "Central kitchen"),
        ("department", "Parish cleaning"),
        ("municipality", "564"),
        ("municipality", "678"),
    }
    kitchen = groups[("department", "Central kitchen")]
    assert (kitchen.best_placement, kitchen.extra_placed) == ("P1", 1)
    assert groups[("municipality", "678")].extra_placed == 0
    assert next(iter(groups)) == ("department", "Central kitchen")
