"""Command implementations of ``explain``, ``rank-clients`` and ``report``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from matching.explain.context import Context, ResultMismatch
from matching.explain.explain import explain_run, localise
from matching.explain.inverse import UnknownPlacement, rank_clients
from matching.explain.messages import LANGUAGES
from matching.explain.notices import default_language
from matching.explain.report import run_report
from matching.explain.text import ranking_text, report_text, run_text
from matching.io import InputError, load
from matching.screen import county_as_of, screen_problem
from models import AllocationProblem, AllocationResult, Placement


def _county(path: str) -> AllocationProblem:
    """The county file screened as ``solve`` and the service's run screen it (a result
    solved from it is explained against the same problem)."""
    return screen_problem(load(AllocationProblem, path, county_as_of)).problem


def _load_pair(args: argparse.Namespace) -> tuple[AllocationProblem, AllocationResult]:
    return _county(args.county), load(AllocationResult, args.result)


def cmd_explain(args: argparse.Namespace) -> int:
    """Explain a result: breakdowns, alternatives, reasons, smallest changes."""
    problem, result = _load_pair(args)
    clients = None
    if args.client:
        known = {c.id for c in problem.clients}
        missing = [c for c in args.client if c not in known]
        if missing:
            raise InputError(
                [f"{args.county}: unknown client '{c}'" for c in missing],
                [
                    {"code": "cli.unknown_client", "params": {"file": args.county, "client": c}}
                    for c in missing
                ],
            )
        clients = list(args.client)
    try:
        run = explain_run(problem, result, k=args.k, lang=args.lang, clients=clients)
    except ResultMismatch as error:
        raise InputError(
            [f"{args.result}: {line}" for line in error.lines], _mismatch(error, args.result)
        ) from error
    if args.json:
        sys.stdout.write(run.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(run_text(run, args.register))
    return 0


def _mismatch(error: ResultMismatch, path: str) -> list[dict[str, Any]]:
    """A result that is not the county's, as catalogue codes naming the file."""
    return [{**p, "params": {**p["params"], "file": path}} for p in error.problems]


def cmd_rank_clients(args: argparse.Namespace) -> int:
    """Rank the eligible clients of a placement (existing, or new from --placement-json)."""
    problem = _county(args.county)
    result = load(AllocationResult, args.result) if args.result else None
    if (args.placement is None) == (args.placement_json is None):
        raise InputError(
            ["give exactly one of --placement ID or --placement-json FILE"],
            [{"code": "cli.placement_choice", "params": {}}],
        )
    target: str | Placement = (
        load(Placement, args.placement_json) if args.placement_json else args.placement
    )
    try:
        ranking = rank_clients(problem, target, result, limit=args.limit)
    except UnknownPlacement as error:
        raise InputError([str(error)]) from error
    ranking = localise(ranking, args.lang, problem)
    if args.json:
        sys.stdout.write(ranking.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(ranking_text(ranking, args.register, args.lang))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Run report: placement rate and waiting by group, attributes used, data gaps."""
    problem, result = _load_pair(args)
    try:
        ctx = Context.build(problem, result)
    except ResultMismatch as error:
        raise InputError(
            [f"{args.result}: {line}" for line in error.lines], _mismatch(error, args.result)
        ) from error
    report = localise(run_report(ctx), args.lang, problem)
    if args.json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(report_text(report, args.register, args.lang))
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=list(LANGUAGES), default=default_language())
    p.add_argument("--register", choices=["client", "coordinator"], default="coordinator")
    p.add_argument("--json", action="store_true", help="JSON with codes and numbers")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``explain``, ``rank-clients`` and ``report`` to the CLI's sub-parsers."""
    explain = sub.add_parser("explain", help=cmd_explain.__doc__)
    explain.add_argument("county")
    explain.add_argument("result")
    explain.add_argument("--client", action="append", help="client id (repeatable)")
    explain.add_argument("--k", type=int, default=3, help="alternatives per client")
    _common(explain)
    explain.set_defaults(func=cmd_explain)

    rank = sub.add_parser("rank-clients", help=cmd_rank_clients.__doc__)
    rank.add_argument("county")
    rank.add_argument("result", nargs="?", help="optional result JSON (current placements)")
    rank.add_argument("--placement", help="placement id")
    rank.add_argument("--placement-json", help="a new placement as JSON")
    rank.add_argument("--limit", type=int, default=20)
    _common(rank)
    rank.set_defaults(func=cmd_rank_clients)

    report = sub.add_parser("report", help=cmd_report.__doc__)
    report.add_argument("county")
    report.add_argument("result")
    _common(report)
    report.set_defaults(func=cmd_report)
