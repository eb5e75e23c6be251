"""``python -m matching scenario base.json changes.yaml -o outdir/ [--workers N]
[--scheduler ADDRESS | --local-cluster N]``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from matching.explain.messages import LANGUAGES, word
from matching.explain.notices import default_language
from matching.io import InputError, load
from matching.scenario.apply import ScenarioError
from matching.scenario.definition import ScenarioFileError, load_scenarios
from matching.scenario.distributed import ClusterError, local_cluster
from matching.scenario.output import summary_line, write_outputs
from matching.scenario.run import RunSettings, run_batch
from matching.screen import county_as_of
from models import AllocationProblem


def cmd_scenario(args: argparse.Namespace) -> int:
    """Run a batch of what-if scenarios against a base county and write the comparison."""
    problem = load(AllocationProblem, args.base, county_as_of)
    try:
        scenarios = load_scenarios(args.changes)
    except ScenarioFileError as error:
        where = {"path": error.path, "names": error.names, "line": error.line}
        errors: list[dict[str, Any] | None] = [*error.errors] or [None]
        problems = [{"scenario_file": {**where, "error": e}} for e in errors]
        raise InputError(str(error).splitlines(), problems) from error
    except OSError as error:
        raise InputError(str(error).splitlines()) from error
    if args.local_cluster is not None and args.local_cluster < 1:
        raise InputError(["--local-cluster needs at least 1 worker"])
    settings = RunSettings(
        seat_values=args.seat_values,
        seat_budget_s=args.seat_budget,
        seat_resolves=args.seat_resolves,
        time_limit_s=args.time_limit,
    )
    try:
        if args.local_cluster is not None:
            with local_cluster(args.local_cluster) as client:
                metrics = run_batch(problem, scenarios, settings=settings, client=client)
        else:
            metrics = run_batch(
                problem,
                scenarios,
                workers=args.workers,
                settings=settings,
                scheduler=args.scheduler,
            )
    except ScenarioError as error:
        said = {"code": error.code, "params": error.params, "error": error.error}
        raise InputError([str(error)], [{"scenario": said}]) from error
    except ClusterError as error:
        raise InputError([str(error)]) from error
    paths = write_outputs(metrics, args.output, args.lang)
    for m in metrics:
        sys.stderr.write(summary_line(m, args.lang) + "\n")
    sys.stderr.write(word(args.lang, "scenario.wrote", count=len(paths), folder=args.output) + "\n")
    return 0


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``scenario`` to the CLI's sub-parsers."""
    scenario = sub.add_parser("scenario", help=cmd_scenario.__doc__)
    scenario.add_argument("base", help="base county JSON")
    scenario.add_argument("changes", help="scenarios, YAML or JSON")
    scenario.add_argument("-o", "--output", required=True, help="output directory")
    scenario.add_argument(
        "--workers", type=int, default=1, help="process pool size (1: in-process)"
    )
    engine = scenario.add_mutually_exclusive_group()
    engine.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="run on the Dask cluster of this scheduler, e.g. tcp://10.0.0.5:8786",
    )
    engine.add_argument(
        "--local-cluster",
        type=int,
        metavar="N",
        default=None,
        help="run on a local Dask cluster of N worker processes (for trying it out)",
    )
    scenario.add_argument("--time-limit", type=float, default=None, help="solver seconds")
    scenario.add_argument(
        "--lang",
        choices=list(LANGUAGES),
        default=default_language(),
        help="language of tables and charts (default: PAIKKA_LANG or the locale, else fi)",
    )
    scenario.add_argument(
        "--seat-values", type=int, default=10, help="placements ranked by one more seat (0: off)"
    )
    scenario.add_argument(
        "--seat-resolves",
        type=int,
        default=0,
        metavar="N",
        help="re-solve up to N placements per ranking, best bound first, for exact values "
        "(0: relaxation and bounds only)",
    )
    scenario.add_argument(
        "--seat-budget",
        type=float,
        default=30.0,
        help="seconds the re-solves may take per scenario (results depend on timing only "
        "when it runs out)",
    )
    scenario.set_defaults(func=cmd_scenario)
