"""Command line: ``python -m matching <command>``: demo, sample, solve, check, schema, and
explain, rank-clients, report (``matching.explain.cli``).

Bad input gives one clear line per problem on stderr and exit status 2; a result that breaks
a rule gives exit status 1 from ``check``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

from matching.check import check_allocation
from matching.explain.cli import add_commands as add_explain_commands
from matching.io import InputError, load, write
from matching.sample import generate_county
from matching.scenario.cli import add_command as add_scenario_command
from matching.solve import allocate
from models import AllocationProblem, AllocationResult

SAMPLE_COUNTY = "sample-county.json"


def _result_json(result: AllocationResult, timings: bool) -> str:
    exclude = None if timings else {"timings"}
    return result.model_dump_json(indent=2, exclude=exclude) + "\n"


def summary(problem: AllocationProblem, result: AllocationResult) -> str:
    """A readable summary of a run for a coordinator's terminal."""
    areas = {a.id: a.name for a in problem.commuting_areas}
    home = {c.id: areas[problem.commuting_area_of(c)] for c in problem.clients}
    seats = Counter(
        areas[m.commuting_area]
        for p in problem.placements
        for m in problem.municipalities
        if m.code == p.municipality
        for _ in range(p.seats)
    )
    placed = Counter(home[a.client] for a in result.assignments)
    total = Counter(home.values())
    new = [a for a in result.assignments if not a.kept_ongoing]
    top3 = sum(1 for a in new if a.preference_rank is not None and a.preference_rank <= 3)
    n = len(problem.clients)
    lines = [
        f"{problem.name}: planning date {problem.planning_date}",
        f"status {result.status.value} ({result.method}), quality gap {result.gap:.4%}, "
        f"{result.timings.total_s:.2f} s"
        + (
            f"; at most {result.bound.placed_value - result.objective.placed_value} more "
            "clients could be placed (proven bound)"
            if result.bound.placed_value > result.objective.placed_value
            else ""
        ),
        f"placed {len(result.assignments)} of {n} clients "
        f"({len(result.assignments) / max(n, 1):.0%}): {result.stats.kept_ongoing} kept ongoing, "
        f"{len(new)} new proposals ({top3} within the client's top-3 wishes); "
        f"{len(result.unassigned)} without a place",
        "",
        f"{'commuting area':<24}{'clients':>8}{'seats':>8}{'placed':>8}",
    ]
    for name in sorted(total):
        lines.append(f"{name:<24}{total[name]:>8}{seats[name]:>8}{placed[name]:>8}")
    lines.append("")
    lines.append("first proposals (client → placement, score of 1000, preference rank):")
    for a in new[:8]:
        rank = f"wish #{a.preference_rank}" if a.preference_rank else "not among wishes"
        lines.append(f"  {a.client} → {a.placement}  {a.score:>4}  {rank}, {a.travel_minutes} min")
    return "\n".join(lines) + "\n"


def sample_path() -> str:
    """Path of the bundled small sample county."""
    return str(resources.files("matching") / "data" / SAMPLE_COUNTY)


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the weekly allocation on the bundled sample county and print a summary."""
    problem = load(AllocationProblem, args.county or sample_path())
    result = allocate(problem)
    violations = check_allocation(problem, result)
    sys.stdout.write(summary(problem, result))
    sys.stdout.write(
        f"\nindependent check: {'passed' if not violations else f'{len(violations)} violations'}\n"
    )
    return 1 if violations else 0


def cmd_sample(args: argparse.Namespace) -> int:
    """Write a deterministic synthetic county."""
    problem = generate_county(args.clients, args.placements, seed=args.seed)
    write(problem.model_dump_json(indent=2) + "\n", args.output)
    return 0


def cmd_solve(args: argparse.Namespace) -> int:
    """Solve a county file and write the result JSON."""
    problem = load(AllocationProblem, args.county)
    overrides: dict[str, Any] = {}
    if args.time_limit is not None:
        overrides["time_limit_s"] = args.time_limit
    if args.method is not None:
        overrides["method"] = args.method
    if overrides:
        options = problem.options.model_copy(update=overrides)
        problem = AllocationProblem.model_validate(
            {**problem.model_dump(), "options": options.model_dump()}
        )
    hint = None
    if args.hint:
        previous = load(AllocationResult, args.hint)
        hint = {a.client: a.placement for a in previous.assignments}
    result = allocate(problem, hint=hint)
    write(_result_json(result, timings=not args.no_timings), args.output)
    if args.output not in (None, "-"):
        sys.stderr.write(summary(problem, result))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Check a result against every hard rule; exit 1 if any is broken."""
    problem = load(AllocationProblem, args.county)
    result = load(AllocationResult, args.result)
    violations = check_allocation(problem, result)
    for v in violations:
        sys.stdout.write(
            f"{v.rule}: client {v.client or '-'}, placement {v.placement or '-'}: {v.message}\n"
        )
    sys.stdout.write(f"{len(violations)} violations in {len(result.assignments)} assignments\n")
    return 1 if violations else 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the problem or the result."""
    if args.what == "problem":
        schema = AllocationProblem.model_json_schema(mode="validation")
    else:
        schema = AllocationResult.model_json_schema(mode="serialization")
    write(json.dumps(schema, indent=2) + "\n", args.output)
    return 0


Command = Callable[[argparse.Namespace], int]


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    top = argparse.ArgumentParser(prog="python -m matching", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help=cmd_demo.__doc__)
    demo.add_argument("county", nargs="?", help="county JSON (default: the bundled sample)")
    demo.set_defaults(func=cmd_demo)

    sample = sub.add_parser("sample", help=cmd_sample.__doc__)
    sample.add_argument("--clients", type=int, default=1000)
    sample.add_argument("--placements", type=int, default=None)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("-o", "--output", default=None)
    sample.set_defaults(func=cmd_sample)

    solve = sub.add_parser("solve", help=cmd_solve.__doc__)
    solve.add_argument("county")
    solve.add_argument("-o", "--output", default=None)
    solve.add_argument("--time-limit", type=float, default=None, help="seconds")
    solve.add_argument("--method", choices=["auto", "flow", "highs", "cpsat", "greedy"])
    solve.add_argument("--hint", help="last week's result JSON, to warm-start")
    solve.add_argument(
        "--no-timings", action="store_true", help="omit timings: byte-identical reruns"
    )
    solve.set_defaults(func=cmd_solve)

    check = sub.add_parser("check", help=cmd_check.__doc__)
    check.add_argument("county")
    check.add_argument("result")
    check.set_defaults(func=cmd_check)

    schema = sub.add_parser("schema", help=cmd_schema.__doc__)
    schema.add_argument("what", nargs="?", choices=["problem", "result"], default="problem")
    schema.add_argument("-o", "--output", default=None)
    schema.set_defaults(func=cmd_schema)

    add_explain_commands(sub)
    add_scenario_command(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 2 on bad input, 1 when a check fails, 0 otherwise."""
    args = parser().parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except InputError as error:
        for line in error.lines:
            sys.stderr.write(f"error: {line}\n")
        return 2
