"""Horizon of several weeks: arrivals, ended periods, placements opening, kept placements."""

from __future__ import annotations

import itertools

from matching.sample import generate_county
from matching.scenario import parse_scenarios, run_batch
from matching.scenario.definition import Horizon
from matching.scenario.horizon import run_horizon
from matching.scenario.run import RunSettings
from tests.factories import client as client_record
from tests.factories import make_problem, placement


def test_flows_balance_and_are_seeded() -> None:
    base = generate_county(60, seed=5)
    horizon = Horizon(weeks=3, arrivals_per_week=4, period_months=3)
    weeks = run_horizon(base, horizon, seed=1)
    assert weeks == run_horizon(base, horizon, seed=1)
    assert [w.week for w in weeks] == [0, 1, 2]
    assert weeks[0].clients == 60 and weeks[0].arrivals == 0
    for before, after in itertools.pairwise(weeks):
        assert after.clients == before.clients - after.ended + after.arrivals
        assert after.kept_ongoing <= before.placed
    assert sum(w.arrivals for w in weeks) > 0
    assert any(w.ended for w in weeks[1:])


def test_placement_opens_in_week_two_and_placements_are_kept() -> None:
    base = make_problem(
        clients=[client_record("C1"), client_record("C2"), client_record("C3")],
        placements=[
            placement("P1", seats=1),
            placement("P2", seats=1, available_from="2026-12-14"),
        ],
    )
    weeks = run_horizon(base, Horizon(weeks=3, period_months=12), seed=0)
    assert [w.open_placements for w in weeks] == [1, 1, 2]
    assert [(w.placed, w.kept_ongoing, w.new_placements) for w in weeks] == [
        (1, 0, 1),
        (1, 1, 0),
        (2, 1, 1),
    ]
    assert [w.ended for w in weeks] == [0, 0, 0]


def test_horizon_in_a_batch() -> None:
    base = generate_county(40, seed=2)
    scenarios = parse_scenarios(
        [{"name": "weeks", "seed": 3, "horizon": {"weeks": 2, "arrivals_per_week": 2}}]
    )
    metrics = run_batch(base, scenarios, 1, RunSettings(seat_values=0, time_limit_s=2))
    assert metrics[0].weeks == []
    assert [w.week for w in metrics[1].weeks] == [0, 1]
    assert metrics[1].weeks[0].placed == metrics[1].placed
