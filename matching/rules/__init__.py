"""The rules of rehabilitative work activity, one named function each, in an ordered registry.

Order: hard rules on single pairs (they filter candidate pairs, cheapest and broadest first),
then hard rules over many pairs (capacities, conflicts, kept placements: model constraints),
then the soft criteria (score terms). A person who knows the law finds each rule here by name.

Every rule's docstring opens with ``Hard:`` or ``Soft:`` and what it forbids or rewards, and has
one line ``Source: <citation>; <citation>…``, each citation one of:

- ``Act 189/2001 § 13 a (702/2020)``: a statute, its section, and the amending act;
- ``THL, <page>``: THL's guidance page of that title;
- ``cooperation model, <part>``: the county's cooperation model with its municipalities;
- ``Paikka, <record field>``: no law behind it, the service's own rule, named by the field a
  person sets (a coordinator's decision, a municipality's announcement, an option).

``tests/engine/test_rules.py`` checks the line of every registry entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from matching.pairs import Pairs
from matching.rules import capacity, hard, soft
from matching.tables import BoolArray, FloatArray
from models import Criterion

PairRuleFn = Callable[[Pairs], BoolArray]
CriterionFn = Callable[[Pairs], FloatArray]


@dataclass(frozen=True)
class Rule:
    """A registry entry: the rule's name, level, kind and function."""

    name: str
    level: Literal["hard", "soft"]
    kind: Literal["pair", "capacity", "conflict", "pin", "score"]
    function: Callable[..., object]

    @property
    def summary(self) -> str:
        """First line of the rule's docstring."""
        return (self.function.__doc__ or "").strip().splitlines()[0]

    @property
    def sources(self) -> list[str]:
        """The citations of the rule's ``Source:`` line (none if it has no such line)."""
        for line in (self.function.__doc__ or "").splitlines():
            if line.strip().startswith("Source: "):
                return line.strip().removeprefix("Source: ").rstrip(".").split("; ")
        return []


PAIR_RULES: tuple[tuple[str, PairRuleFn], ...] = (
    ("placement_open", hard.placement_open),
    ("placement_period", hard.placement_period),
    ("no_replacement_attestation", hard.no_replacement_attestation),
    ("commuting_area", hard.commuting_area),
    ("reachable", hard.reachable),
    ("travel_time", hard.travel_time),
    ("youth_workshop_age", hard.youth_workshop_age),
    ("weekdays", hard.weekdays),
    ("hours_per_day", hard.hours_per_day),
    ("work_demands", hard.work_demands),
    ("languages", hard.languages),
    ("avoided_placement", hard.avoided_placement),
)
"""Hard rules on single pairs, in the order they filter (and explanations attribute)."""

CAPACITY_RULES = (capacity.seats, capacity.support_units, capacity.coach_caseload)
"""Hard capacity rules, each a family of resources."""

CRITERIA: tuple[tuple[Criterion, CriterionFn], ...] = (
    (Criterion.PREFERENCE, soft.preference),
    (Criterion.APTITUDE, soft.aptitude),
    (Criterion.TRAVEL, soft.travel),
    (Criterion.WAITING, soft.waiting),
    (Criterion.CONTINUITY, soft.continuity),
    (Criterion.SUPPORT_FIT, soft.support_fit),
)
"""Soft criteria, in the order of the score breakdown."""

REGISTRY: tuple[Rule, ...] = (
    *(Rule(name, "hard", "pair", fn) for name, fn in PAIR_RULES),
    *(Rule(fn.__name__, "hard", "capacity", fn) for fn in CAPACITY_RULES),
    Rule("avoided_clients", "hard", "conflict", capacity.avoided_clients),
    Rule("ongoing_commitment", "hard", "pin", capacity.ongoing_commitment),
    *(Rule(criterion.value, "soft", "score", fn) for criterion, fn in CRITERIA),
)
"""Every rule, hard before soft."""


def admissible(pairs: Pairs) -> BoolArray:
    """True where a pair passes every hard pair rule."""
    keep = pairs.client >= 0
    for _, rule in PAIR_RULES:
        keep &= rule(pairs)
    return keep
