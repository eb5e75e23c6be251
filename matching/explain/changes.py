"""Objective changes of modifications: exact re-solves, relaxation cycles, or bounds.

Order of methods, per modification of component ``C`` of client or placement:

1. ``single``: the client is alone in its component; the change is the score difference.
2. ``relaxation``: the relaxed optimum with the modification (one residual cycle, batched);
   exact when that assignment respects every side constraint, a proven bound otherwise.
3. ``resolve``: the core solver on ``C`` with the modification, while the budget lasts and
   ``C`` is small enough; exact when proven optimal.
4. ``result_bound``: fixing a pair restricts the problem, so the result's proven bound bounds
   it too: the change is at most ``bound - result``; the tighter (lexicographically smaller)
   of this and the relaxation bound is reported. For a placement without seats, whose pairs
   were never usable, one more seat can gain at most the result's gap plus the best value and
   score of one client there.

Bounds are lexicographic: the modified optimum's (placed value, quality) is at most the
reported change above the result's. A seat is capacity only: scores (including support per
seat) stay as the run computed them, so the seat value is a capacity shadow price.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from matching import core
from matching.core import AssignmentProblem
from matching.core.decompose import decompose, usable_arcs
from matching.core.problem import objective_of
from matching.explain.context import Context, ranked_own_arcs
from matching.explain.documents import Move, ObjectiveChange
from matching.explain.feasible import LocalCheck
from matching.explain.resolve import Budget, Components, Outcome, subset_arcs
from matching.explain.sensitivity import Cycle, Relaxation, Unavailable
from matching.solve import core_options
from matching.tables import BoolArray, IntArray

REPAIR_DEPTH = 3
"""Clients displaced at most when repairing the result for a lower bound."""
RESOLVE_MAX_ARCS = 4_000
"""Largest component re-solved exactly per modification (larger ones get relaxation bounds)."""
MOVES_SHOWN = 10


@dataclass
class ChangeEngine:
    """Computes objective changes for one context, sharing the relaxation and components."""

    ctx: Context
    budget: Budget
    resolve_max_arcs: int = RESOLVE_MAX_ARCS
    stats: dict[str, int] = field(default_factory=dict)

    @cached_property
    def components(self) -> Components:
        """The independent components of the compiled model."""
        return Components(self.ctx)

    @cached_property
    def relaxation(self) -> Relaxation | None:
        """The seats-only relaxation and its residual graph (None if unusable)."""
        return Relaxation.build(self.ctx.compiled.core, self.ctx.usable)

    def _count(self, key: str) -> None:
        self.stats[key] = self.stats.get(key, 0) + 1

    # ---- building blocks -----------------------------------------------------------------
    def _value(self, chosen: IntArray) -> tuple[int, int]:
        return objective_of(self.ctx.compiled.core, chosen)

    def _change(
        self, before: IntArray, after: IntArray, exact: bool, method: str, items: IntArray
    ) -> ObjectiveChange:
        placed0, quality0 = self._value(before)
        placed1, quality1 = self._value(after)
        moves: list[Move] = []
        t = self.ctx.tables
        if exact:
            for i in items[after[items] != before[items]][:MOVES_SHOWN]:
                moves.append(
                    Move(
                        client=t.client_ids[i],
                        before=self._placement(int(before[i])),
                        after=self._placement(int(after[i])),
                    )
                )
        out = ObjectiveChange(
            placed_value=placed1 - placed0,
            quality=quality1 - quality0,
            placed_clients=int(np.count_nonzero(after >= 0) - np.count_nonzero(before >= 0)),
            exact=exact,
            method=method,
            moves=moves,
        )
        return out

    def _placement(self, arc: int) -> str | None:
        if arc < 0:
            return None
        return self.ctx.tables.placement_ids[int(self.ctx.arc_placement[arc])]

    def infeasible(self) -> ObjectiveChange:
        """The modification cannot be carried out at all (proven)."""
        return ObjectiveChange(
            placed_value=0,
            quality=0,
            placed_clients=0,
            exact=True,
            method="infeasible",
            feasible=False,
        )

    def _component_items(self, k: int) -> IntArray:
        return self.components.parts[k].items

    def _relaxed_in(self, k: int, cycle: Cycle) -> IntArray:
        """The result outside component ``k``, the relaxed optimum plus ``cycle`` inside."""
        assert self.relaxation is not None
        out = self.ctx.chosen.copy()
        items = self._component_items(k)
        out[items] = self.relaxation.chosen[items]
        for item, arc in cycle.changes.items():
            out[item] = arc
        return out

    @cached_property
    def local_check(self) -> LocalCheck:
        """Incremental side-constraint check of relaxed assignments."""
        assert self.relaxation is not None
        return LocalCheck(
            self.ctx.compiled.core,
            self.relaxation.chosen,
            self.components.of_item,
            len(self.components.parts),
        )

    def _from_cycle(self, k: int, cycle: Cycle) -> ObjectiveChange:
        after = self._relaxed_in(k, cycle)
        exact = self.local_check.feasible(k, cycle.changes)
        return self._change(self.ctx.chosen, after, exact, "relaxation", self._component_items(k))

    def _from_outcome(self, k: int, outcome: Outcome) -> ObjectiveChange | None:
        if not outcome.feasible:
            return self.infeasible()
        part = self.components.parts[k]
        if outcome.exact and outcome.chosen is not None:
            after = self.ctx.chosen.copy()
            local = outcome.chosen
            after[part.items] = np.where(local >= 0, part.global_arcs(np.maximum(local, 0)), -1)
            return self._change(self.ctx.chosen, after, True, "resolve", part.items)
        return None

    def _can_resolve(self, k: int) -> bool:
        return (
            self.components.parts[k].problem.n_arcs <= self.resolve_max_arcs
            and not self.budget.spent()
        )

    def _quality_room(self) -> int:
        """How much quality any assignment at the proven placed bound can add to the result.

        The result's quality bound holds for assignments placing at least its value in every
        component; when the placed value itself has a gap, only the sum of every client's
        best score is safe.
        """
        r = self.ctx.result
        if r.bound.placed_value == r.objective.placed_value:
            return r.bound.quality - r.objective.quality
        core_problem = self.ctx.compiled.core
        best = np.zeros(core_problem.n_items, dtype=np.int64)
        np.maximum.at(best, core_problem.arc_item, core_problem.arc_score)
        return int(best.sum()) - r.objective.quality

    def _result_bound(self) -> ObjectiveChange:
        r = self.ctx.result
        gap = r.bound.placed_value - r.objective.placed_value
        values = self.ctx.compiled.item_value
        smallest = int(values.min()) if values.size else 1
        return ObjectiveChange(
            placed_value=gap,
            quality=self._quality_room(),
            placed_clients=gap // max(smallest, 1),
            exact=False,
            method="result_bound",
        )

    # ---- modifications -------------------------------------------------------------------
    def _tally(self, change: ObjectiveChange) -> ObjectiveChange:
        if not change.feasible:
            self._count("infeasible")
        else:
            self._count("exact" if change.exact else "bounds")
        return change

    def fix_pair(self, item: int, arc: int) -> ObjectiveChange:
        """Change of the objective if client row ``item`` had to take ``arc``; ``moves`` lists
        the other clients who would move."""
        change = self._tally(self._fix_pair(item, arc))
        subject = self.ctx.tables.client_ids[item]
        return change.model_copy(update={"moves": [m for m in change.moves if m.client != subject]})

    def extra_seat(self, placement: int) -> ObjectiveChange:
        """Change of the objective with one more seat at placement row ``placement`` (the
        seat is capacity only: scores, including support per seat, stay as they are)."""
        return self._tally(self._with_fill(self._extra_seat(placement), placement, None))

    def extra_support_unit(self, placement: int) -> ObjectiveChange:
        """Change of the objective with one more supervisor support unit at placement row
        ``placement`` (capacity only, like ``extra_seat``)."""
        change = self._extra_support_unit(placement)
        return self._tally(self._with_fill(change, placement, self._support_resource(placement)))

    def _with_fill(
        self, bound: ObjectiveChange, placement: int, resource: int | None
    ) -> ObjectiveChange:
        """A bound of one more seat (``resource`` None) or unit of ``resource`` at the
        placement, with the lower bound of filling it directly: the best-scoring unplaced
        client who then fits there as the result stands. Equal bounds make it exact."""
        if bound.exact or not bound.feasible:
            return bound
        fill = self._direct_fill(placement, resource)
        if fill is None:
            return bound
        after = self.ctx.chosen.copy()
        after[fill[0]] = fill[1]
        low = self._change(self.ctx.chosen, after, True, bound.method, np.array([fill[0]]))
        if (low.placed_value, low.quality) == (bound.placed_value, bound.quality):
            return low
        return bound.model_copy(
            update={
                "lower_placed_value": low.placed_value,
                "lower_quality": low.quality,
                "moves": low.moves,
            }
        )

    def _direct_fill(self, placement: int, resource: int | None) -> tuple[int, int] | None:
        """``(client row, arc)`` of the best-scoring unplaced client whose pair at the
        placement fits the result with one more seat there (``resource`` None) or one more
        unit of ``resource``; None if nobody does."""
        core_problem = self.ctx.compiled.core
        chosen = self.ctx.chosen
        seats = int(core_problem.bin_capacity[placement]) + (1 if resource is None else 0)
        if int(self.ctx.seats_used[placement]) + 1 > seats:
            return None
        capacity = core_problem.resource_capacity.copy()
        if resource is not None:
            capacity[resource] += 1
        used = self.result_check.use
        order, starts = self.result_check.uses_by_arc
        partners = self.result_check.partners
        here = np.flatnonzero(core_problem.arc_bin == placement)
        here = here[chosen[core_problem.arc_item[here]] < 0]
        for arc in here[np.argsort(-core_problem.arc_score[here], kind="stable")].tolist():
            item = int(core_problem.arc_item[arc])
            uses = order[starts[arc] : starts[arc + 1]]
            if np.any(
                used[core_problem.use_resource[uses]] + core_problem.use_amount[uses]
                > capacity[core_problem.use_resource[uses]]
            ):
                continue
            if any(
                chosen[other] >= 0 and int(core_problem.arc_bin[chosen[other]]) == placement
                for other in partners.get(item, [])
            ):
                continue
            return item, int(arc)
        return None

    def _fix_pair(self, item: int, arc: int) -> ObjectiveChange:
        if not self.ctx.usable[arc]:
            return self.infeasible()
        k = int(self.components.of_item[item])
        if k < 0:  # alone in its component: every usable arc is feasible on its own
            after = self.ctx.chosen.copy()
            after[item] = arc
            change = self._change(
                self.ctx.chosen, after, True, "single", np.array([item], dtype=np.int64)
            )
            return change.model_copy(update={"method": "single"})
        relaxed = self._relaxed_fix(k, item, arc)
        if relaxed is not None and (relaxed.exact or not relaxed.feasible):
            return relaxed
        if self._can_resolve(k):
            _, outcome = self.components.fix_pair(item, arc, self.budget.left())
            exact = self._from_outcome(k, outcome)
            if exact is not None:
                return exact
        bound = self._result_bound()
        if relaxed is not None and (relaxed.placed_value, relaxed.quality) < (
            bound.placed_value,
            bound.quality,
        ):  # a fixed pair restricts the problem, so both bounds hold: keep the tighter
            bound = relaxed
        return self._with_lower(bound, k, item, arc)

    @cached_property
    def result_check(self) -> LocalCheck:
        """Incremental side-constraint check around the (feasible) result."""
        return LocalCheck(
            self.ctx.compiled.core,
            self.ctx.chosen,
            self.components.of_item,
            len(self.components.parts),
        )

    def _with_lower(self, bound: ObjectiveChange, k: int, item: int, arc: int) -> ObjectiveChange:
        """Add the lower bound of a repaired result to an upper bound, if a repair exists."""
        changes = self._repair(k, item, arc)
        if changes is None:
            return bound
        after = self.ctx.chosen.copy()
        for i, a in changes.items():
            after[i] = a
        items = np.array(sorted(changes), dtype=np.int64)
        low = self._change(self.ctx.chosen, after, True, bound.method, items)
        if (low.placed_value, low.quality) == (bound.placed_value, bound.quality):
            return low.model_copy(update={"method": bound.method})  # the bound is attained
        return bound.model_copy(
            update={
                "lower_placed_value": low.placed_value,
                "lower_quality": low.quality,
                "moves": low.moves,
            }
        )

    def _repair(self, k: int, item: int, arc: int) -> dict[int, int] | None:
        """The result with ``item`` on ``arc``: the lowest-scoring clients there (never those
        who must stay placed) are displaced until seats and side constraints hold, then
        re-seated greedily where they fit. None if no such repair is found."""
        ctx = self.ctx
        score = ctx.compiled.candidates.score
        b = int(ctx.arc_placement[arc])
        here = [
            h for h in ctx.holders["seats"].get(b, []) if h != item and not ctx.compiled.required[h]
        ]
        here.sort(key=lambda h: (int(score[ctx.chosen[h]]), h))
        seats = int(ctx.tables.placement_seats[b])
        kept = len(ctx.holders["seats"].get(b, [])) - (1 if ctx.placement_of[item] == b else 0)
        changes: dict[int, int] = {item: arc}
        for n in range(min(len(here), REPAIR_DEPTH) + 1):
            trial = changes | {h: -1 for h in here[:n]}
            if kept - n + 1 <= seats and self.result_check.feasible(k, trial):
                changes = trial
                break
        else:
            return None
        used = ctx.seats_used.copy()
        used[b] += 1 - (len(changes) - 1)
        if ctx.chosen[item] >= 0:
            used[int(ctx.placement_of[item])] -= 1
        for h in [h for h, a in changes.items() if a < 0]:
            for option in ranked_own_arcs(ctx, h):
                j = int(ctx.arc_placement[option])
                if option == ctx.chosen[h] or j == b or used[j] >= ctx.tables.placement_seats[j]:
                    continue
                trial = changes | {h: option}
                if ctx.usable[option] and self.result_check.feasible(k, trial):
                    changes = trial
                    used[j] += 1
                    break
        return changes

    def _relaxed_fix(self, k: int, item: int, arc: int) -> ObjectiveChange | None:
        """The relaxation's answer for a fixed pair; None when it has none to give."""
        if self.relaxation is None:
            return None
        try:
            cycle = self.relaxation.fixed(item, arc)
        except Unavailable:
            return None
        if cycle is None:  # not even the seats-only relaxation can seat the pair: proven
            return self.infeasible()
        return self._from_cycle(k, cycle)

    def _extra_seat(self, placement: int) -> ObjectiveChange:
        if self.ctx.compiled.core.bin_capacity[placement] == 0:
            return self._first_seat(placement)
        k = int(self.components.of_bin[placement])
        if k < 0:  # only lone clients use it: each already has its best arc
            return self._change(
                self.ctx.chosen, self.ctx.chosen, True, "single", np.zeros(0, np.int64)
            )
        relaxed: ObjectiveChange | None = None
        if self.relaxation is not None:
            try:
                relaxed = self._from_cycle(k, self.relaxation.extra_seat(placement))
            except Unavailable:
                relaxed = None
            if relaxed is not None and relaxed.exact:
                return relaxed
        if self._can_resolve(k):
            _, outcome = self.components.extra_seat(placement, self.budget.left())
            exact = self._from_outcome(k, outcome)
            if exact is not None:
                return exact
        trivial = self._one_seat_bound(placement)
        if relaxed is not None:
            key = (relaxed.placed_value, relaxed.quality)
            return relaxed if key < (trivial.placed_value, trivial.quality) else trivial
        return trivial

    def _support_resource(self, placement: int) -> int | None:
        """Core resource index of the placement's support units (None: not modelled)."""
        compiled = self.ctx.compiled
        for family, offset in zip(compiled.families, compiled.resource_offset, strict=True):
            if family.rule == "support_units":
                return offset + placement
        return None

    def _extra_support_unit(self, placement: int) -> ObjectiveChange:
        core_problem = self.ctx.compiled.core
        nothing = self._change(
            self.ctx.chosen, self.ctx.chosen, True, "slack", np.zeros(0, np.int64)
        )
        r = self._support_resource(placement)
        if r is None:
            return nothing
        # Each client has at most one arc here, so the seats' heaviest needs are the most the
        # placement could ever be asked for: if they fit, support never binds here.
        needs = np.sort(core_problem.use_amount[core_problem.use_resource == r])[::-1]
        if int(needs[: core_problem.bin_capacity[placement]].sum()) <= int(
            core_problem.resource_capacity[r]
        ):
            return nothing
        deep = self.resolve_max_arcs > 0 and not self.budget.spent()
        clients_here = np.unique(core_problem.arc_item[core_problem.arc_bin == placement])
        if not deep and clients_here.size > 1:
            # Without re-solves only a lone client's gain is exact, which needs a single
            # client with a pair here: skip rebuilding and decomposing the whole problem.
            return self._one_seat_bound(placement)
        capacity = core_problem.resource_capacity.copy()
        capacity[r] += 1
        keep = np.ones(core_problem.n_arcs, np.bool_)
        more, _ = subset_arcs(core_problem, keep, resource_capacity=capacity)
        alive = usable_arcs(more)
        here = alive & (more.arc_bin == placement)
        if not here.any():
            return nothing
        parts = decompose(more, alive)
        part = next(
            (
                c
                for c in parts.components
                if (more.arc_bin[c.global_arcs(np.arange(c.size))] == placement).any()
            ),
            None,
        )
        if part is None:  # one client alone can use it: their best arc, unchanged elsewhere
            return self._lone_client_gain(more, alive, placement)
        if part.size > self.resolve_max_arcs or self.budget.spent():
            return self._one_seat_bound(placement)
        options = replace(
            core_options(self.ctx.problem), time_limit_s=max(self.budget.left(), 0.05)
        )
        try:
            solution = core.solve(part.problem, options)
        except (core.InfeasibleInput, core.NoSolutionFound):
            return self._one_seat_bound(placement)
        if solution.status is not core.SolveStatus.OPTIMAL:
            return self._one_seat_bound(placement)
        after = self.ctx.chosen.copy()
        local = solution.chosen_arc
        after[part.items] = np.where(local >= 0, part.global_arcs(np.maximum(local, 0)), -1)
        return self._change(self.ctx.chosen, after, True, "resolve", part.items)

    def _lone_client_gain(
        self, more: AssignmentProblem, alive: BoolArray, placement: int
    ) -> ObjectiveChange:
        """The only client with a usable pair at the placement is alone in their component:
        they take the placement if it beats where they are (placing first, then score)."""
        arc = int(np.flatnonzero(alive & (more.arc_bin == placement))[0])
        item = int(more.arc_item[arc])
        after = self.ctx.chosen.copy()
        now = int(after[item])
        if now < 0 or more.arc_score[arc] > more.arc_score[now]:
            after[item] = arc
        return self._change(self.ctx.chosen, after, True, "single", np.array([item], np.int64))

    def _first_seat(self, placement: int) -> ObjectiveChange:
        """A placement without seats: its arcs were never usable, so components change.

        Re-solves the whole model when it is small; otherwise a proven bound: any assignment
        with the new seat, minus the client in it, fits the original problem, so the gain is
        at most the result's gap plus the best value and score of a client with a pair there.
        """
        core_problem = self.ctx.compiled.core
        capacity = core_problem.bin_capacity.copy()
        capacity[placement] += 1
        keep = np.ones(core_problem.n_arcs, np.bool_)
        more, _ = subset_arcs(core_problem, keep, bin_capacity=capacity)
        if core_problem.n_arcs <= self.resolve_max_arcs and not self.budget.spent():
            outcome = Components(self.ctx).solve(0, more, self.budget.left())
            if outcome.exact and outcome.chosen is not None:
                items = np.arange(core_problem.n_items, dtype=np.int64)
                return self._change(self.ctx.chosen, outcome.chosen, True, "resolve", items)
        return self._one_seat_bound(placement)

    def _one_seat_bound(self, placement: int) -> ObjectiveChange:
        """Proven bound of one more seat: an optimum with it, minus the client in it, fits
        the original problem, so the gain is at most the result's gap plus the best value
        and score of one client with a pair there."""
        core_problem = self.ctx.compiled.core
        here = core_problem.arc_bin == placement
        r = self.ctx.result
        value = core_problem.item_value[core_problem.arc_item[here]]
        values = core_problem.item_value
        smallest = int(values.min()) if values.size else 1
        gap_clients = (r.bound.placed_value - r.objective.placed_value) // max(smallest, 1)
        return ObjectiveChange(
            placed_value=r.bound.placed_value
            - r.objective.placed_value
            + int(value.max(initial=0)),
            quality=self._quality_room() + int(core_problem.arc_score[here].max(initial=0)),
            placed_clients=gap_clients + (1 if here.any() else 0),
            exact=False,
            method="result_bound",
        )
