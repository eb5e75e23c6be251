"""Outcomes of ended periods for planners: onward paths by placement, task category,
municipality and age band, pseudonymous and with small counts suppressed.

A count of 1 to ``min_count - 1`` (4) could point to a person, so it is hidden (``None``); a
row whose total is small is hidden whole. Because a hidden cell could be worked out from the
row total or from the other rows, one more cell is hidden wherever a row or a column has exactly
one hidden cell (complementary suppression), until no single hidden cell is left in any row or
column. Zeros are shown: they reveal nothing about a person.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from models.cooperation import ClientFeedback, OnwardPath, Period, SiteFeedback

__all__ = [
    "AGE_BANDS",
    "Dimension",
    "FeedbackRow",
    "OutcomeRow",
    "age_band",
    "feedback_summary",
    "outcome_table",
    "outcome_tables",
]

AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 25, "under_25"),
    (25, 30, "25_29"),
    (30, 50, "30_49"),
    (50, None, "50_plus"),
)
"""Age bands at the period's start: under 25 (the law's youth rule), 25–29 (youth workshops
take under-29s), then wide bands so that groups stay large."""


def age_band(age: int) -> str:
    """The band of an age in whole years."""
    for low, high, name in AGE_BANDS:
        if age >= low and (high is None or age < high):
            return name
    raise ValueError(age)


class Dimension(StrEnum):
    """How outcomes are grouped."""

    PLACEMENT = "placement"
    TASK_CATEGORY = "task_category"
    MUNICIPALITY = "municipality"
    AGE_BAND = "age_band"


@dataclass(frozen=True)
class OutcomeRow:
    """One group: how many periods ended, and on which onward path (None = hidden)."""

    key: str
    periods: int | None
    paths: dict[OnwardPath, int | None]


def _group_key(period: Period, dimension: Dimension, ages: Mapping[str, int]) -> str | None:
    if dimension is Dimension.PLACEMENT:
        return period.placement
    if dimension is Dimension.TASK_CATEGORY:
        return period.task_category.value if period.task_category is not None else "unknown"
    if dimension is Dimension.MUNICIPALITY:
        return period.municipality
    age = ages.get(period.client)
    return age_band(age) if age is not None else "unknown"


def _suppress(grid: list[list[int | None]], min_count: int) -> list[list[int | None]]:
    """Primary and complementary suppression of a grid whose column 0 is the row total."""
    rows = [list(r) for r in grid]
    for r in rows:
        if r[0] is not None and 0 < r[0] < min_count:
            r[:] = [None] * len(r)
        for k in range(1, len(r)):
            value = r[k]
            if value is not None and 0 < value < min_count:
                r[k] = None

    def hide_one_more(cells: list[tuple[int, int]]) -> bool:
        """If exactly one of ``cells`` is hidden, hide the smallest shown non-zero one."""
        hidden = [c for c in cells if rows[c[0]][c[1]] is None]
        if len(hidden) != 1:
            return False
        shown = [(rows[i][k], i, k) for i, k in cells if rows[i][k]]
        if not shown:
            return False
        _, i, k = min(shown, key=lambda s: (s[0] or 0, s[1], s[2]))
        rows[i][k] = None
        return True

    width = len(rows[0]) if rows else 0
    changed = True
    while changed:
        changed = False
        for i in range(len(rows)):
            changed |= hide_one_more([(i, k) for k in range(width)])
        for k in range(width):
            changed |= hide_one_more([(i, k) for i in range(len(rows))])
    return rows


def outcome_table(
    periods: Iterable[Period],
    dimension: Dimension,
    ages: Mapping[str, int] | None = None,
    min_count: int = 5,
) -> list[OutcomeRow]:
    """Ended periods by ``dimension`` and onward path, sorted by key, small counts hidden.

    ``ages`` maps a client id to their age at the period's start (for the age bands).
    """
    ages = ages or {}
    counts: dict[str, Counter[OnwardPath]] = defaultdict(Counter)
    for p in periods:
        if p.ended is None:
            continue
        key = _group_key(p, dimension, ages)
        if key is not None:
            counts[key][p.ended.onward_path] += 1
    keys = sorted(counts)
    paths = list(OnwardPath)
    grid: list[list[int | None]] = [
        [sum(counts[key].values()), *(counts[key][path] for path in paths)] for key in keys
    ]
    safe = _suppress(grid, min_count)
    return [
        OutcomeRow(key, row[0], dict(zip(paths, row[1:], strict=True)))
        for key, row in zip(keys, safe, strict=True)
    ]


def outcome_tables(
    periods: Iterable[Period], ages: Mapping[str, int] | None = None, min_count: int = 5
) -> dict[Dimension, list[OutcomeRow]]:
    """Every dimension's table."""
    listed = list(periods)
    return {d: outcome_table(listed, d, ages, min_count) for d in Dimension}


@dataclass(frozen=True)
class FeedbackRow:
    """One group's feedback: how many forms, and the mean answer per question (1–5).

    Hidden (``forms`` and every mean ``None``) when fewer than ``min_count`` forms were given,
    so that no one's answers can be read off a small group.
    """

    key: str
    forms: int | None
    means: dict[str, float | None]


def feedback_summary(
    feedback: Iterable[ClientFeedback | SiteFeedback],
    periods: Iterable[Period],
    dimension: Dimension,
    ages: Mapping[str, int] | None = None,
    min_count: int = 5,
) -> list[FeedbackRow]:
    """Mean answers of client (or site) feedback forms by ``dimension``, small groups hidden.

    Pass only one kind of form at a time: their questions differ.
    """
    ages = ages or {}
    by_period = {p.id: p for p in periods}
    answers: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    forms: Counter[str] = Counter()
    for form in feedback:
        period = by_period.get(form.period)
        if period is None:
            continue
        key = _group_key(period, dimension, ages)
        if key is None:
            continue
        forms[key] += 1
        for question, value in form.answers.items():
            answers[key][str(question.value)].append(value)
    out = []
    for key in sorted(forms):
        shown = forms[key] >= min_count
        means: dict[str, float | None] = {
            q: (round(sum(v) / len(v), 1) if shown and len(v) >= min_count else None)
            for q, v in sorted(answers[key].items())
        }
        out.append(FeedbackRow(key, forms[key] if shown else None, means))
    return out
