"""Batches are reproducible: the same figures whatever the worker count or rerun."""

from __future__ import annotations

import pytest

from matching.sample import generate_county
from matching.scenario import ScenarioError, parse_scenarios, run_batch
from matching.scenario.run import RunSettings

SETTINGS = RunSettings(seat_values=3, seat_budget_s=1.0, time_limit_s=2.0)
SCENARIOS = [
    {
        "name": "kitchens",
        "changes": [
            {"kind": "resize_placements", "select": {"task_category": ["kitchen"]}, "add_seats": 2}
        ],
    },
    {
        "name": "demand",
        "seed": 7,
        "changes": [{"kind": "scale_demand", "factor": 1.4, "support_level": ["1", "2"]}],
    },
    {"name": "three-days", "changes": [{"kind": "regime", "set": {"max_days_per_week": 3}}]},
]


def _strip(batch: list) -> list:
    return [m.model_dump(exclude={"seconds"}) for m in batch]


@pytest.mark.slow
def test_same_figures_with_one_and_two_workers() -> None:
    base = generate_county(70, seed=11)
    scenarios = parse_scenarios(SCENARIOS)
    one = run_batch(base, scenarios, workers=1, settings=SETTINGS)
    two = run_batch(base, scenarios, workers=2, settings=SETTINGS)
    assert [m.scenario for m in two] == ["base", "kitchens", "demand", "three-days"]
    assert _strip(one) == _strip(two)
    assert one[2].clients > one[0].clients
    assert one[1].placed >= one[0].placed


def test_bad_scenario_is_named() -> None:
    base = generate_county(20, seed=1)
    bad = parse_scenarios(
        [{"name": "oops", "changes": [{"kind": "remove_placements", "select": {"ids": ["X"]}}]}]
    )
    with pytest.raises(ScenarioError, match=r"scenario 'oops': changes\[0\]\.select\.ids"):
        run_batch(base, bad, workers=1, settings=SETTINGS)
