"""Scenario planning: what-if changes to capacity, demand and rules, compared side by side.

``apply_changes`` makes a scenario's problem, ``run_batch`` solves a batch (process pool),
``compare`` sets every figure beside the base's and ``write_outputs`` writes JSON, CSV, XLSX
and charts.
"""

from matching.scenario.apply import ScenarioError, apply_changes
from matching.scenario.compare import ScenarioMetrics, compare, scenario_metrics
from matching.scenario.definition import Scenario, load_scenarios, parse_scenarios
from matching.scenario.output import write_outputs
from matching.scenario.run import RunSettings, run_batch, run_scenario

__all__ = [
    "RunSettings",
    "Scenario",
    "ScenarioError",
    "ScenarioMetrics",
    "apply_changes",
    "compare",
    "load_scenarios",
    "parse_scenarios",
    "run_batch",
    "run_scenario",
    "scenario_metrics",
    "write_outputs",
]
