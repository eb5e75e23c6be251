"""Each soft criterion alone: a better and a worse pair that differ only in what it rewards.

A case is two (client, placement) pairs of one problem; the criterion must give the first a
higher fit than the second, and every other criterion must see no difference between them, so
the case tests that criterion and nothing else. The fits must also be in [0, 1], the range the
score's weights assume.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from matching.pairs import Pairs
from matching.rules import CRITERIA
from matching.tables import Tables
from models import Criterion
from tests.factories import KEMPELE, client, make_problem, placement

WAITED = {
    "clients": [
        client("C1", waiting_since="2025-06-01"),
        client("C2", waiting_since="2026-10-01"),
    ]
}
"""C1 has waited 17 months by the planning date, C2 under two."""

# Criterion, problem overrides, better pair, worse pair (client id, placement id).
CASES: list[tuple[Criterion, dict[str, Any], tuple[str, str], tuple[str, str]]] = [
    (
        Criterion.PREFERENCE,
        {"clients": [client("C1", preferences=[{"placement": "P2"}, {"placement": "P1"}])]},
        ("C1", "P2"),
        ("C1", "P1"),
    ),
    (
        Criterion.PREFERENCE,
        {"clients": [client("C1", preferences=[{"task_category": "cleaning"}])]},
        ("C1", "P2"),
        ("C1", "P1"),
    ),
    (
        Criterion.APTITUDE,
        {"clients": [client("C1", interests=["cleaning"])]},
        ("C1", "P2"),
        ("C1", "P1"),
    ),
    (
        Criterion.APTITUDE,
        {
            "clients": [client("C1", aptitudes=["cooking"])],
            "placements": [
                placement("P1", skills=["cooking"]),
                placement("P2", skills=["cooking", "serving"]),
            ],
        },
        ("C1", "P1"),
        ("C1", "P2"),
    ),
    (
        Criterion.TRAVEL,
        {
            "placements": [
                placement("P1"),
                placement("P2", municipality="244", location=KEMPELE),
            ]
        },
        ("C1", "P1"),
        ("C1", "P2"),
    ),
    (Criterion.WAITING, WAITED, ("C1", "P1"), ("C2", "P1")),
    (
        Criterion.CONTINUITY,
        {
            "ongoing": [{"client": "C1", "placement": "P1", "start_date": "2026-01-05"}],
            "options": {"allow_moving_ongoing": True},
        },
        ("C1", "P1"),
        ("C1", "P2"),
    ),
    (
        Criterion.SUPPORT_FIT,
        {
            "clients": [client("C1", support_units=2)],
            "placements": [
                placement("P1", seats=2, support_units=4),
                placement("P2", seats=2, support_units=2),
            ],
        },
        ("C1", "P1"),
        ("C1", "P2"),
    ),
]

DEFAULT_PLACEMENTS = [placement("P1"), placement("P2", task_category="cleaning")]
DEFAULT_CLIENTS = [client("C1"), client("C2")]


def _fits(overrides: dict[str, Any], *pairs: tuple[str, str]) -> dict[Criterion, np.ndarray]:
    overrides = {"placements": DEFAULT_PLACEMENTS, "clients": DEFAULT_CLIENTS, **overrides}
    t = Tables(make_problem(**overrides))
    batch = Pairs.of(
        t,
        np.array([t.client_index[c] for c, _ in pairs]),
        np.array([t.placement_index[p] for _, p in pairs]),
    )
    return {criterion: fn(batch) for criterion, fn in CRITERIA}


@pytest.mark.parametrize(("criterion", "overrides", "better", "worse"), CASES)
def test_criterion_prefers_the_better_pair(
    criterion: Criterion,
    overrides: dict[str, Any],
    better: tuple[str, str],
    worse: tuple[str, str],
) -> None:
    fits = _fits(overrides, better, worse)
    assert fits[criterion][0] > fits[criterion][1]
    for other, fit in fits.items():
        assert ((fit >= 0.0) & (fit <= 1.0)).all(), other
        if other is not criterion:
            assert fit[0] == pytest.approx(fit[1]), f"{other} differs too"


def test_waiting_is_off_when_the_options_say_so() -> None:
    fits = _fits(
        {"options": {"waiting_priority": False}, **WAITED},
        ("C1", "P1"),
        ("C2", "P1"),
    )
    assert fits[Criterion.WAITING].tolist() == [0.0, 0.0]


def test_every_criterion_has_a_better_and_a_worse_case() -> None:
    assert {criterion for criterion, _ in CRITERIA} == {case[0] for case in CASES}
