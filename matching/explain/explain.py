"""Entry points: explain a whole run, one client, or render explanations in a language."""

from __future__ import annotations

import time
from functools import cache
from typing import Any, TypeVar, get_args

from pydantic import BaseModel

from matching.compile import CompiledProblem
from matching.explain.changes import ChangeEngine
from matching.explain.clients import explain_client, ranked_arcs, rule_counts_by_client
from matching.explain.context import Context
from matching.explain.documents import EnvyPair, Exactness, Message, RunExplanation
from matching.explain.messages import message, render
from matching.explain.placements import explain_placement
from matching.explain.report import run_report
from matching.explain.resolve import Budget
from matching.explain.stability import envy_pairs
from matching.explain.whatif import verified_changes
from models import AllocationProblem, AllocationResult

M = TypeVar("M", bound=BaseModel)

MIN_BUDGET_S = 4.0
"""Budget of an explanation for a few named clients, at least (re-solves are what it buys)."""
RUN_BUDGET_SHARE = 0.2
"""A whole run's explanation spends this share of the solve time on re-solves and verifying
changes: the rest of the work (breakdowns, alternatives, texts) takes about as long again, and
explaining must stay faster than solving."""
RUN_MIN_BUDGET_S = 0.25
"""...but at least this long: tiny runs solve in milliseconds and their re-solves are cheap."""
CLIENT_SOLVES = 6
"""Budget per named client, in solve times: enough to re-solve a few candidate changes."""
ENVY_LIMIT = 500


@cache
def _message_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """Fields of a model class that may hold a ``Message`` (directly or nested); cached, since
    ``localise`` asks for every model of a run (tens of thousands)."""
    return tuple(name for name, info in cls.model_fields.items() if _holds_message(info.annotation))


def _holds_message(annotation: Any) -> bool:
    if annotation is Message:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return bool(_message_fields(annotation))
    return any(_holds_message(arg) for arg in get_args(annotation))


def placement_names(problem: AllocationProblem) -> dict[str, str]:
    """The names people know placements by: department and producer ("Kiinteistöhuolto,
    Alavieskan kunta")."""
    orgs = {o.id: o.name for o in problem.organisations}
    return {
        p.id: f"{p.department}, {orgs.get(p.organisation, p.organisation)}"
        for p in problem.placements
    }


def localise(model: M, lang: str, problem: AllocationProblem | None = None) -> M:
    """A copy of ``model`` with every ``Message`` in it rendered in ``lang``; with the
    ``problem``, placements are named by their names, not only their ids."""
    names = placement_names(problem) if problem is not None else {}

    def walk(value: Any) -> Any:
        if isinstance(value, Message):
            return render(value, lang, names)
        if isinstance(value, BaseModel):
            fields = _message_fields(type(value))
            if not fields:
                return value
            return value.model_copy(update={name: walk(getattr(value, name)) for name in fields})
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    out: M = walk(model)
    return out


def _prepare(ctx: Context, engine: ChangeEngine, rows: list[int], k: int) -> None:
    """Batch the shortest-path searches every alternative and seat value will need."""
    relaxation = engine.relaxation
    if relaxation is None:
        return
    sources = {1}  # the sink: extra seats
    for i in rows:
        current = int(ctx.chosen[i])
        for arc in [a for a in ranked_arcs(ctx, i) if a != current][:k]:
            if ctx.usable[arc]:
                sources.add(relaxation.bin_node(int(ctx.arc_placement[arc])))
    relaxation.prepare(sorted(sources))


def _envy(ctx: Context, engine: ChangeEngine, clients: list[str] | None) -> list[EnvyPair]:
    """Envy pairs of the run, or those involving the named clients (as envious or holder)."""
    if clients is None:
        return envy_pairs(ctx, ENVY_LIMIT, engine)
    wanted = set(clients)
    return [
        pair
        for pair in envy_pairs(ctx, None, None)
        if pair.client in wanted or pair.holder in wanted
    ]


def explain_run(
    problem: AllocationProblem,
    result: AllocationResult,
    *,
    k: int = 3,
    lang: str = "en",
    clients: list[str] | None = None,
    budget_s: float | None = None,
    compiled: CompiledProblem | None = None,
    changes: bool = True,
) -> RunExplanation:
    """Explain a run: every (or the given) client, every placement, envy, and the report.

    ``budget_s`` bounds the optional exact work: half for component re-solves, the rest for
    verifying changes. By default, for a whole run: ``RUN_BUDGET_SHARE`` of its solve time (at
    least ``RUN_MIN_BUDGET_S``), so explaining stays faster than solving; ``CLIENT_SOLVES``
    solve times per client when ``clients`` are named (at least ``MIN_BUDGET_S``), most of it
    for verifying changes.
    Objective changes that could not be made exact within it are proven bounds, marked
    ``exact: false``; changes are reported only when a re-solve verified them.
    """
    started = time.perf_counter()
    ctx = Context.build(problem, result, compiled)
    index = ctx.tables.client_index
    rows = list(range(len(ctx.chosen))) if clients is None else [index[c] for c in clients]
    if budget_s is not None:
        seconds = budget_s
    elif clients is None:
        seconds = max(RUN_BUDGET_SHARE * result.timings.total_s, RUN_MIN_BUDGET_S)
    else:  # a coordinator asks about a few clients: afford re-solves of the whole run
        seconds = max(CLIENT_SOLVES * result.timings.total_s * len(rows), MIN_BUDGET_S)
    engine = ChangeEngine(ctx, Budget(seconds / 2))
    _prepare(ctx, engine, rows, k)
    counted = rule_counts_by_client(
        ctx, [i for i in rows if ctx.chosen[i] < 0 or ctx.compiled.pinned[i]]
    )
    explained = [explain_client(ctx, engine, i, k, counted.get(i, [])) for i in rows]
    shown: list[int] = list(range(len(ctx.tables.placement_ids)))
    if clients is not None:
        shown = sorted({int(ctx.placement_of[i]) for i in rows if ctx.chosen[i] >= 0})
    placements = [explain_placement(ctx, engine, j) for j in shown]
    left = seconds - (time.perf_counter() - started)
    verify = Budget(seconds / 2 if clients is None else max(left, seconds / 2))
    verified = not_checked = 0
    for n, item in enumerate(explained):
        if item.status != "unassigned" or not changes:
            continue
        found, complete = verified_changes(ctx, rows[n], verify, engine)
        verified += len(found)
        msgs = list(item.messages)
        if not complete:
            not_checked += 1
            msgs.append(message("change.not_checked"))
        elif not found:
            msgs.append(message("change.none_found"))
        msgs.extend(c.message for c in found)
        explained[n] = item.model_copy(
            update={"changes": found, "changes_checked": complete, "messages": msgs}
        )
    stats = engine.stats
    exactness = Exactness(
        exact=stats.get("exact", 0),
        bounds=stats.get("bounds", 0),
        infeasible=stats.get("infeasible", 0),
        changes_verified=verified,
        clients_not_checked=not_checked,
    )
    out = RunExplanation(
        problem_name=problem.name,
        language=lang,
        k=k,
        clients=explained,
        placements=placements,
        envy=_envy(ctx, engine, clients),
        report=run_report(ctx),
        exactness=exactness,
        seconds=round(time.perf_counter() - started, 6),
    )
    return localise(out, lang, problem)
