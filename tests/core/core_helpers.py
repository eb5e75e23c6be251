"""Shared helpers for the core tests: a problem builder, a brute force and a hypothesis strategy."""

from typing import Any

import numpy as np
from hypothesis import strategies as st

from matching.core import AssignmentProblem, greedy_assign


def make_problem(
    values: list[int],
    seats: list[int],
    arcs: list[tuple[int, int, int]],
    *,
    required: list[int] | None = None,
    resources: list[int] | None = None,
    uses: list[tuple[int, int, int]] | None = None,
    conflicts: list[tuple[int, int]] | None = None,
) -> AssignmentProblem:
    """Build a problem from plain lists: arcs as (item, bin, score), uses as (arc, res, amount)."""
    n = len(values)
    req = np.zeros(n, dtype=bool)
    req[required or []] = True
    arc_array = np.array(arcs, dtype=np.int64).reshape(-1, 3)
    use_array = np.array(uses or [], dtype=np.int64).reshape(-1, 3)
    return AssignmentProblem(
        item_value=np.array(values, dtype=np.int64),
        item_required=req,
        bin_capacity=np.array(seats, dtype=np.int64),
        arc_item=arc_array[:, 0],
        arc_bin=arc_array[:, 1],
        arc_score=arc_array[:, 2],
        resource_capacity=np.array(resources or [], dtype=np.int64),
        use_arc=use_array[:, 0],
        use_resource=use_array[:, 1],
        use_amount=use_array[:, 2],
        conflicts=np.array(conflicts or [], dtype=np.int64).reshape(-1, 2),
    )


def brute_force(problem: AssignmentProblem) -> tuple[int, int] | None:
    """Lexicographic optimum ``(placed, quality)`` by enumerating every assignment.

    Written independently of the solvers: a depth-first search over items, checking seats,
    resources and conflicts incrementally. Returns None when no assignment places every
    required item.
    """
    n = problem.n_items
    arcs_of: list[list[int]] = [[] for _ in range(n)]
    for a, i in enumerate(problem.arc_item.tolist()):
        arcs_of[i].append(a)
    uses_of: list[list[tuple[int, int]]] = [[] for _ in range(problem.n_arcs)]
    for a, r, amount in zip(
        problem.use_arc.tolist(),
        problem.use_resource.tolist(),
        problem.use_amount.tolist(),
        strict=True,
    ):
        uses_of[a].append((r, amount))
    mates: list[set[int]] = [set() for _ in range(n)]
    for i, j in problem.conflicts.tolist():
        mates[i].add(j)
        mates[j].add(i)
    seats = problem.bin_capacity.tolist()
    left = problem.resource_capacity.tolist()
    bin_of = [-1] * n
    value, score, arc_bin = (
        problem.item_value.tolist(),
        problem.arc_score.tolist(),
        problem.arc_bin.tolist(),
    )
    required = problem.item_required.tolist()
    best: list[tuple[int, int] | None] = [None]

    def visit(i: int, placed: int, quality: int) -> None:
        if i == n:
            if best[0] is None or (placed, quality) > best[0]:
                best[0] = (placed, quality)
            return
        if not required[i]:
            visit(i + 1, placed, quality)
        for a in arcs_of[i]:
            b = arc_bin[a]
            if seats[b] <= 0 or any(bin_of[j] == b for j in mates[i]):
                continue
            need: dict[int, int] = {}
            for r, amount in uses_of[a]:
                need[r] = need.get(r, 0) + amount
            if any(left[r] < amount for r, amount in need.items()):
                continue
            seats[b] -= 1
            for r, amount in need.items():
                left[r] -= amount
            bin_of[i] = b
            visit(i + 1, placed + value[i], quality + score[a])
            bin_of[i] = -1
            for r, amount in need.items():
                left[r] += amount
            seats[b] += 1

    visit(0, 0, 0)
    return best[0]


@st.composite
def tiny_problems(
    draw: Any,
    max_items: int = 6,
    max_bins: int = 3,
    max_resources: int = 2,
    side_constraints: bool = True,
    min_items: int = 1,
    binding: bool = False,
) -> AssignmentProblem:
    """Random small problems: up to 6 items, 3 bins, 2 resources and a few conflicts.

    With `binding`, every arc draws on a scarce resource, so the flow relaxation is rarely
    feasible and the MIP path of ``solve`` gets exercised.
    """
    n = draw(st.integers(min_items, max_items))
    nb = draw(st.integers(1, max_bins))
    values = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    # Mostly one or two seats, so that bins fill up; sometimes none (unusable arcs).
    seats = draw(st.lists(st.sampled_from([0, 1, 1, 1, 2, 2, 3]), min_size=nb, max_size=nb))
    pairs = [(i, b) for i in range(n) for b in range(nb)]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=n, max_size=3 * n))
    arcs = [(i, b, draw(st.integers(0, 20))) for i, b in sorted(chosen)]
    # Required items in about one problem of four, so most problems stay feasible.
    required: list[int] = []
    if draw(st.integers(0, 7 if binding else 3)) == 0:
        required = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=2, unique=True))
    resources: list[int] = []
    uses: list[tuple[int, int, int]] = []
    conflicts: list[tuple[int, int]] = []
    if side_constraints:
        nr = draw(st.integers(1 if binding else 0, max_resources))
        low = 2 if binding else 0
        resources = draw(st.lists(st.integers(low, 5), min_size=nr, max_size=nr))
        if nr and arcs and (binding or draw(st.booleans())):
            # Every arc draws on a resource: per-bin support units or one shared caseload.
            per_bin = draw(st.booleans())
            for a, (_, b, _) in enumerate(arcs):
                uses.append((a, b % nr if per_bin else 0, draw(st.integers(1, 3))))
        elif nr and arcs:
            k = draw(st.integers(0, 2 * len(arcs)))
            for _ in range(k):
                uses.append(
                    (
                        draw(st.integers(0, len(arcs) - 1)),
                        draw(st.integers(0, nr - 1)),
                        draw(st.integers(1, 3)),
                    )
                )
        if n >= 2:
            items = list(range(n))
            for _ in range(draw(st.integers(0, 3))):
                i, j = draw(st.lists(st.sampled_from(items), min_size=2, max_size=2, unique=True))
                conflicts.append((i, j))
    return make_problem(
        values,
        seats,
        arcs,
        required=required,
        resources=resources,
        uses=uses,
        conflicts=conflicts,
    )


def random_problem(
    seed: int,
    n_items: int,
    n_bins: int,
    arcs_per_item: int,
    *,
    coaches: int = 0,
    conflicts: int = 0,
    required: float = 0.0,
) -> AssignmentProblem:
    """A random medium problem with per-bin support units that bind, optional shared coach
    caseloads, conflicts and required items (placed by a greedy so the problem stays
    feasible)."""
    rng = np.random.default_rng(seed)
    keys = np.unique(
        np.repeat(np.arange(n_items), arcs_per_item) * n_bins
        + rng.integers(0, n_bins, n_items * arcs_per_item)
    )
    arc_item, arc_bin = keys // n_bins, keys % n_bins
    m = len(keys)
    seats = rng.integers(1, 5, n_bins)
    need = rng.integers(0, 4, n_items)
    capacity = list((seats * 1.2).astype(np.int64))
    use_arc = list(np.flatnonzero(need[arc_item] > 0))
    use_res = list(arc_bin[need[arc_item] > 0])
    use_amt = list(need[arc_item][need[arc_item] > 0])
    if coaches:
        coach = rng.integers(0, coaches, n_bins)
        capacity += list(rng.integers(3, 10, coaches))
        use_arc += list(range(m))
        use_res += list(n_bins + coach[arc_bin])
        use_amt += [1] * m
    pairs = rng.integers(0, n_items, (conflicts, 2))
    base = AssignmentProblem(
        item_value=rng.integers(0, 4, n_items),
        item_required=np.zeros(n_items, dtype=bool),
        bin_capacity=seats,
        arc_item=arc_item,
        arc_bin=arc_bin,
        arc_score=rng.integers(0, 100, m),
        resource_capacity=np.array(capacity, dtype=np.int64),
        use_arc=np.array(use_arc, dtype=np.int64),
        use_resource=np.array(use_res, dtype=np.int64),
        use_amount=np.array(use_amt, dtype=np.int64),
        conflicts=pairs[pairs[:, 0] != pairs[:, 1]],
    )
    if not required:
        return base
    placed = greedy_assign(base) >= 0
    return AssignmentProblem(
        **{
            **{f: getattr(base, f) for f in base.__dataclass_fields__},
            "item_required": placed & (rng.random(n_items) < required),
        }
    )
