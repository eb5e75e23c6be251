"""``python -m matching scenario base.json changes.yaml -o outdir/ [--workers N]``."""

from __future__ import annotations

import argparse
import sys

from matching.scenario.apply import ScenarioError
from matching.scenario.model import load_scenarios
from matching.scenario.output import write_outputs
from matching.scenario.run import RunSettings, run_batch
from models import AllocationProblem


def cmd_scenario(args: argparse.Namespace) -> int:
    """Run a batch of what-if scenarios against a base county and write the comparison."""
    from matching.cli import InputError, _load

    problem = _load(AllocationProblem, args.base)
    try:
        scenarios = load_scenarios(args.changes)
    except (OSError, ValueError) as error:
        raise InputError(str(error).splitlines()) from error
    settings = RunSettings(
        seat_values=args.seat_values,
        seat_budget_s=args.seat_budget,
        seat_resolve=args.seat_resolve,
        time_limit_s=args.time_limit,
    )
    try:
        metrics = run_batch(problem, scenarios, workers=args.workers, settings=settings)
    except ScenarioError as error:
        raise InputError([str(error)]) from error
    paths = write_outputs(metrics, args.output)
    for m in metrics:
        sys.stderr.write(
            f"{m.scenario}: placed {m.placed} of {m.clients} ({m.placement_rate:.1%}), "
            f"top-3 {m.top3_share:.0%}, {m.seconds:.1f} s\n"
        )
    sys.stderr.write(f"wrote {len(paths)} files to {args.output}\n")
    return 0


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``scenario`` to the CLI's sub-parsers."""
    scenario = sub.add_parser("scenario", help=cmd_scenario.__doc__)
    scenario.add_argument("base", help="base county JSON")
    scenario.add_argument("changes", help="scenarios, YAML or JSON")
    scenario.add_argument("-o", "--output", required=True, help="output directory")
    scenario.add_argument("--workers", type=int, default=1, help="processes (1: in-process)")
    scenario.add_argument("--time-limit", type=float, default=None, help="solver seconds")
    scenario.add_argument(
        "--seat-values", type=int, default=10, help="placements ranked by one more seat (0: off)"
    )
    scenario.add_argument(
        "--seat-budget", type=float, default=5.0, help="seconds for seat values per scenario"
    )
    scenario.add_argument(
        "--seat-resolve",
        action="store_true",
        help="re-solve for exact seat values within the budget (results then depend on timing)",
    )
    scenario.set_defaults(func=cmd_scenario)
