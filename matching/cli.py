"""Command line: ``python -m matching <command>``: demo, sample, solve, check, schema, and
explain, rank-clients, report (``matching.explain.cli``).

Bad input gives one clear line per problem on stderr and exit status 2; a result that breaks
a rule gives exit status 1 from ``check``.

A county file is screened as the service's run screens its county (``matching.screen``):
periods past their agreed last day, past the regime's 24-month maximum or at a placement that
has ended are released, kept periods that no longer fit are set aside with their client, and
each such note is written on stderr in the reader's language. ``solve`` and ``check`` of the
same file therefore judge it as the service does.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from importlib import resources
from typing import Any

from matching.check import check_allocation
from matching.explain.cli import add_commands as add_explain_commands
from matching.explain.explain import placement_names
from matching.explain.messages import LANGUAGES, catalogue, number, word
from matching.explain.notices import (
    check_summary,
    check_text,
    default_language,
    error_text,
    file_error,
    ids_in,
    note_text,
    scenario_error_text,
    scenario_file_text,
)
from matching.explain.trip import trip_text
from matching.geography import GeographyError, apply_geography, read_classification
from matching.io import InputError, load, write
from matching.lawpage import law_page
from matching.sample import generate_county
from matching.scenario.cli import add_command as add_scenario_command
from matching.screen import Screened, county_as_of, screen_problem
from matching.solve import allocate
from matching.transit import SAMPLE_FEED, TRANSIT, FeedError, store_feed, trip_table
from models import AllocationProblem, AllocationResult

SAMPLE_COUNTY = "sample-county.json"


def _result_json(result: AllocationResult, timings: bool) -> str:
    exclude = None if timings else {"timings"}
    return result.model_dump_json(indent=2, exclude=exclude) + "\n"


def _overfull(problem: AllocationProblem) -> list[str]:
    """Clients whose ongoing periods are at placements with more ongoing periods than seats
    (the usual reason the kept periods cannot all fit)."""
    seats = {p.id: p.seats for p in problem.placements}
    held = Counter(a.placement for a in problem.ongoing)
    full = {pid for pid, n in held.items() if n > seats.get(pid, 0)}
    return sorted(a.client for a in problem.ongoing if a.placement in full)


def _table(rows: list[list[str]], right: Sequence[bool]) -> list[str]:
    """Rows as columns as wide as their longest cell (long area names stay aligned)."""
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(w) if align else cell.ljust(w)
            for cell, w, align in zip(row, widths, right, strict=True)
        ).rstrip()
        for row in rows
    ]


def summary(problem: AllocationProblem, result: AllocationResult, lang: str = "fi") -> str:
    """A readable summary of a run for a coordinator's terminal, in ``lang``."""
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
    status = catalogue(lang)[f"status.{result.status.value}"]["coordinator"]
    more = max(0, result.bound.placed_value - result.objective.placed_value)
    lines = [
        word(lang, "demo.heading", name=problem.name, date=problem.planning_date.isoformat()),
        word(
            lang, "demo.status", status=status, seconds=round(result.timings.total_s, 2), more=more
        ),
    ]
    if result.status.value in ("infeasible_input", "no_solution"):
        lines.append(
            word(
                lang,
                f"demo.unsolved.{result.status.value}",
                clients=", ".join(_overfull(problem)[:20]) or "–",
            )
        )
    lines += [
        word(
            lang,
            "demo.placed",
            placed=len(result.assignments),
            clients=n,
            rate=len(result.assignments) / max(n, 1),
            kept=result.stats.kept_ongoing,
            new=len(new),
            wished=top3,
            without=len(result.unassigned),
        ),
        "",
    ]
    header = [word(lang, f"demo.column.{c}") for c in ("area", "clients", "seats", "placed")]
    body = [
        [name, number(total[name], lang), number(seats[name], lang), number(placed[name], lang)]
        for name in sorted(total)
    ]
    lines += _table([header, *body], (False, True, True, True))
    lines.append("")
    lines.append(word(lang, "demo.proposals"))
    client_row = {c.id: i for i, c in enumerate(problem.clients)}
    placement_row = {p.id: j for j, p in enumerate(problem.placements)}
    for a in new[:8]:
        lines.append(
            "  "
            + word(
                lang,
                "demo.proposal",
                client=a.client,
                placement=a.placement,
                score=a.score,
                wish=a.preference_rank or 0,
                minutes=a.travel_minutes,
            )
        )
        lines.append(
            "    " + trip_text(problem, client_row[a.client], placement_row[a.placement], lang)
        )
    table = trip_table(problem)
    if table is not None:
        # The first client placed (proposed, or kept where they are) who goes by bus or train.
        by_bus = [
            a
            for a in [*new, *result.assignments]
            if table.mode[client_row[a.client], placement_row[a.placement]] == TRANSIT
        ]
        if by_bus:
            a = by_bus[0]
            lines.append("")
            lines.append(word(lang, "demo.example_trip", client=a.client, placement=a.placement))
            i, j = client_row[a.client], placement_row[a.placement]
            lines.append("    " + trip_text(problem, i, j, lang))
    return "\n".join(lines) + "\n"


def sample_path() -> str:
    """Path of the bundled small sample county."""
    return str(resources.files("matching") / "data" / SAMPLE_COUNTY)


def screened_county(path: str, lang: str, problem: AllocationProblem | None = None) -> Screened:
    """The county file at ``path`` (or its ``problem``, already read) screened as the service
    screens its county, each note written on stderr in ``lang``."""
    screened = screen_problem(
        problem if problem is not None else load(AllocationProblem, path, county_as_of)
    )
    if screened.set_aside:
        names = placement_names(screened.problem)
        for note in screened.set_aside:
            sys.stderr.write(note_text(note, lang, names) + "\n")
    return screened


def with_feed(problem: AllocationProblem, gtfs: str | None) -> AllocationProblem:
    """The problem planned with the GTFS feed ``gtfs``: a zip's path (stored in the feed store
    first), ``sample`` for the sample county's feed, ``none`` for the estimate alone; None
    leaves the problem as it is."""
    if gtfs is None:
        return problem
    if gtfs == "none":
        feed = None
    elif gtfs == "sample":
        feed = SAMPLE_FEED
    else:
        try:
            feed = store_feed(gtfs)
        except (OSError, FeedError) as error:
            raise InputError([f"--gtfs {gtfs}: {error}"]) from error
    travel = problem.options.travel.model_copy(update={"feed": feed})
    options = problem.options.model_copy(update={"travel": travel})
    return problem.model_copy(update={"options": options})


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the weekly allocation on the bundled sample county and print a summary."""
    county = args.county or sample_path()
    problem = with_feed(
        load(AllocationProblem, county, county_as_of),
        args.gtfs or (None if args.county else "sample"),
    )
    problem = screened_county(county, args.lang, problem).problem
    result = allocate(problem)
    violations = check_allocation(problem, result)
    sys.stdout.write(summary(problem, result, args.lang))
    sys.stdout.write("\n" + word(args.lang, "demo.check", violations=len(violations)) + "\n")
    return 1 if violations else 0


def cmd_sample(args: argparse.Namespace) -> int:
    """Write a deterministic synthetic county."""
    problem = generate_county(args.clients, args.placements, seed=args.seed)
    write(problem.model_dump_json(indent=2) + "\n", args.output)
    return 0


def cmd_solve(args: argparse.Namespace) -> int:
    """Solve a county file, screened as the service's run screens it, and write the result
    JSON."""
    problem = with_feed(load(AllocationProblem, args.county, county_as_of), args.gtfs)
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
    problem = screened_county(args.county, args.lang, problem).problem
    hint = None
    if args.hint:
        previous = load(AllocationResult, args.hint)
        hint = {a.client: a.placement for a in previous.assignments}
    result = allocate(problem, hint=hint)
    write(_result_json(result, timings=not args.no_timings), args.output)
    if args.output not in (None, "-"):
        sys.stderr.write(summary(problem, result, args.lang))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Check a result against every hard rule of the county, screened as the service's run
    screens it; exit 1 if any is broken."""
    problem = with_feed(load(AllocationProblem, args.county, county_as_of), args.gtfs)
    problem = screened_county(args.county, args.lang, problem).problem
    result = load(AllocationResult, args.result)
    violations = check_allocation(problem, result)
    if args.json:
        found = [
            {
                "rule": v.rule,
                "code": v.code or None,
                "client": v.client,
                "placement": v.placement,
                "params": v.params,
                "message": v.message,
            }
            for v in violations
        ]
        body = {"violations": found, "assignments": len(result.assignments)}
        sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return 1 if violations else 0
    names = placement_names(problem)
    for v in violations:
        sys.stdout.write(check_text(v, args.lang, names) + "\n")
    sys.stdout.write(check_summary(len(violations), len(result.assignments), args.lang) + "\n")
    return 1 if violations else 0


def cmd_geography(args: argparse.Namespace) -> int:
    """Replace a county's municipalities and areas by the classification table it supplies."""
    problem = load(AllocationProblem, args.county)
    try:
        rows = read_classification(args.table)
        as_of = date.fromisoformat(args.date) if args.date else None
        problem = apply_geography(problem, rows, args.source, as_of)
    except OSError as error:
        raise InputError([f"{args.table}: {error.strerror or error}"]) from error
    except GeographyError as error:
        raise InputError([f"{args.table}: {line}" for line in error.lines]) from error
    except ValueError as error:
        raise InputError([f"--date {args.date}: {error}"]) from error
    write(problem.model_dump_json(indent=2) + "\n", args.output)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the problem or the result."""
    if args.what == "problem":
        schema = AllocationProblem.model_json_schema(mode="validation")
    else:
        schema = AllocationResult.model_json_schema(mode="serialization")
    write(json.dumps(schema, indent=2) + "\n", args.output)
    return 0


def cmd_law(args: argparse.Namespace) -> int:
    """Write the law page (docs/law.md): every rule with its source, the regime's versions."""
    write(law_page(), args.output)
    return 0


Command = Callable[[argparse.Namespace], int]


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    top = argparse.ArgumentParser(prog="python -m matching", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help=cmd_demo.__doc__)
    demo.add_argument("county", nargs="?", help="county JSON (default: the bundled sample)")
    demo.add_argument("--lang", choices=list(LANGUAGES), default=default_language())
    demo.add_argument("--gtfs", default=None, help="GTFS zip (or 'sample', 'none') for the trips")
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
    solve.add_argument("--lang", choices=list(LANGUAGES), default=default_language())
    solve.add_argument("--gtfs", default=None, help="GTFS zip (or 'sample', 'none') for the trips")
    solve.set_defaults(func=cmd_solve)

    check = sub.add_parser("check", help=cmd_check.__doc__)
    check.add_argument("county")
    check.add_argument("result")
    check.add_argument("--lang", choices=list(LANGUAGES), default=default_language())
    check.add_argument("--gtfs", default=None, help="GTFS zip (or 'sample', 'none') for the trips")
    check.add_argument(
        "--json", action="store_true", help="findings as JSON with codes and numbers"
    )
    check.set_defaults(func=cmd_check)

    geography = sub.add_parser("geography", help=cmd_geography.__doc__)
    geography.add_argument("county")
    geography.add_argument("table", help="classification CSV: a row per municipality")
    geography.add_argument("--source", required=True, help="who published it, which edition")
    geography.add_argument("--date", default=None, help="date of the classification, ISO")
    geography.add_argument("-o", "--output", default=None)
    geography.set_defaults(func=cmd_geography)

    schema = sub.add_parser("schema", help=cmd_schema.__doc__)
    schema.add_argument("what", nargs="?", choices=["problem", "result"], default="problem")
    schema.add_argument("-o", "--output", default=None)
    schema.set_defaults(func=cmd_schema)

    law = sub.add_parser("law", help=cmd_law.__doc__)
    law.add_argument("-o", "--output", default=None)
    law.set_defaults(func=cmd_law)

    add_explain_commands(sub)
    add_scenario_command(sub)
    return top


def error_lines(error: InputError, lang: str) -> list[str]:
    """The problems of bad input in ``lang``, one line each, naming the file, the record by
    its id and the field in words (the lines of commands that give no data stay as given)."""
    if not error.problems:
        return [f"error: {line}" for line in error.lines]
    out = []
    for problem in error.problems:
        if "code" in problem:
            line = word(lang, problem["code"], **problem["params"])
        elif "scenario" in problem:
            said = problem["scenario"]
            line = scenario_error_text(said["code"], said["params"], lang, said["error"])
        elif "scenario_file" in problem:
            bad = problem["scenario_file"]
            line = scenario_file_text(bad["path"], lang, bad["error"], bad["names"], bad["line"])
        elif "reason" in problem:
            line = file_error(problem["reason"], problem["file"], lang)
        else:
            line = error_text(problem["error"], lang, ids_in(problem["data"]), problem["file"])
        out.append(word(lang, "cli.error", line=line))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 2 on bad input, 1 when a check fails, 0 otherwise."""
    args = parser().parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except InputError as error:
        lang = getattr(args, "lang", None) or default_language()
        for line in error_lines(error, lang):
            sys.stderr.write(line + "\n")
        return 2
