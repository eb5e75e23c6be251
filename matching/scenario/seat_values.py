"""Value of one more seat or supervisor support unit at each placement, ranked, with how far
the ranking is proven (the explanation layer's change engine, through its public API)."""

from __future__ import annotations

from dataclasses import dataclass

from matching.explain import RESOLVE_MAX_ARCS, Budget, ChangeEngine, Context, ObjectiveChange
from matching.scenario.figures import Resource, SeatGroupValue, SeatValue
from matching.scenario.labels import department_label, municipality_name

DEEP_RESOLVE_MAX_ARCS = 5_000_000
"""Largest component re-solved for a seat value in the best-first pass (bounded by time)."""


def _upper(change: ObjectiveChange) -> tuple[int, int]:
    return change.placed_value, change.quality


def _lower(change: ObjectiveChange) -> tuple[int, int]:
    """Proven lower bound: extra capacity never makes the optimum worse, so 0 at least."""
    if change.exact:
        return change.placed_value, change.quality
    return change.lower_placed_value or 0, change.lower_quality or 0


@dataclass
class SeatRanking:
    """Placements ranked by one more seat or support unit, and how far the ranking is proven."""

    rows: list[SeatValue]
    resolves: int = 0
    """Components re-solved in the best-first pass."""
    top_proven: bool = False
    """No placement outside the top ``top`` can beat the ``top``-th lower bound."""


def seat_values(
    ctx: Context,
    budget: Budget | float,
    resolves: int = 0,
    resource: Resource = "seat",
    top: int = 10,
) -> SeatRanking:
    """Every open placement ranked by what one more seat (or support unit) there gives:
    guaranteed clients placed and fit (quality points) first, then the upper bounds.

    First every placement gets the change engine's cheap answer: exact from the relaxation,
    slack or a lone client (with ``resolves``, also a re-solve when its component is small),
    or else an upper bound with the lower bound of filling the capacity directly. Then, best
    upper bound first, up to ``resolves`` placements are re-solved exactly, stopping as soon
    as no unresolved placement's upper bound exceeds the ``top``-th best lower bound (the top
    is then proven) or the budget (seconds, or a shared ``Budget``) runs out. A re-solve that
    proves optimality gives the same answer on any machine, so the output depends on timing
    only when the budget or a time limit binds.
    """
    budget = budget if isinstance(budget, Budget) else Budget(budget)
    # With re-solves on, small components are re-solved for every placement at once (a few
    # milliseconds each); the count below is for the larger ones.
    engine = ChangeEngine(ctx, budget, resolve_max_arcs=RESOLVE_MAX_ARCS if resolves else 0)
    problem = ctx.problem

    def measure(j: int) -> ObjectiveChange:
        return engine.extra_seat(j) if resource == "seat" else engine.extra_support_unit(j)

    open_rows = [j for j, p in enumerate(problem.placements) if not p.closed]
    changes = {j: measure(j) for j in open_rows}
    done = 0
    tried: set[int] = set()
    top_proven = False
    engine.resolve_max_arcs = DEEP_RESOLVE_MAX_ARCS
    while True:
        lowers = sorted((_lower(changes[j]) for j in open_rows), reverse=True)
        kth = lowers[min(top, len(lowers)) - 1] if lowers else (0, 0)
        pending = [j for j in open_rows if not changes[j].exact and _upper(changes[j]) > kth]
        if not pending:
            top_proven = True
            break
        pending = [j for j in pending if j not in tried]
        if not pending or done >= resolves or budget.spent():
            break
        best = max(pending, key=lambda j: (_upper(changes[j]), -j))
        tried.add(best)
        changes[best] = measure(best)
        done += 1
    rows = []
    for j in open_rows:
        p = problem.placements[j]
        change = changes[j]
        low = _lower(change)
        rows.append(
            SeatValue(
                resource=resource,
                placement=p.id,
                department=department_label(problem, p),
                municipality=municipality_name(problem, p.municipality),
                task_category=p.task_category.value,
                extra_placed=change.placed_clients,
                extra_placed_at_least=change.placed_clients if change.exact else low[0],
                placed_value=change.placed_value,
                quality=change.quality,
                quality_at_least=low[1],
                exact=change.exact,
            )
        )
    rows.sort(
        key=lambda s: (
            -s.extra_placed_at_least,
            -s.quality_at_least,
            -s.extra_placed,
            -s.quality,
            s.placement,
        )
    )
    return SeatRanking(rows, done, top_proven)


def seat_value_groups(ranked: list[SeatValue]) -> list[SeatGroupValue]:
    """Best placement for one more seat (or unit) in each department and municipality, in
    the ranking's order (best first)."""
    best: dict[tuple[str, str, str], SeatValue] = {}
    for s in ranked:  # ranked best first: keep the first of each group
        for key in (
            (s.resource, "department", s.department),
            (s.resource, "municipality", s.municipality),
        ):
            best.setdefault(key, s)
    return [
        SeatGroupValue(
            resource=resource,
            dimension=dim,
            group=group,
            best_placement=s.placement,
            extra_placed=s.extra_placed,
            quality=s.quality,
            exact=s.exact,
        )
        for (resource, dim, group), s in best.items()
    ]
