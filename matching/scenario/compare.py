"""The side-by-side comparison of scenarios against the base (the first).

The figures are made in ``metrics`` (records in ``figures``, seat values in ``seat_values``);
this module sets them beside the base's. Its old names stay importable from here.
"""

from __future__ import annotations

from typing import Any

from matching.explain.notices import scenario_note
from matching.scenario.figures import (
    ComparisonRow,
    Figures,
    GroupFigure,
    ScenarioMetrics,
    SeatGroupValue,
    SeatValue,
    Unplaced,
    Utilisation,
    Waiting,
    WeekFigures,
)
from matching.scenario.labels import department_label, municipality_name
from matching.scenario.metrics import GROUP_DIMENSIONS, UTILISATION_DIMENSIONS, scenario_metrics
from matching.scenario.seat_values import SeatRanking, seat_value_groups, seat_values

__all__ = [
    "GROUP_DIMENSIONS",
    "UTILISATION_DIMENSIONS",
    "ComparisonRow",
    "Figures",
    "GroupFigure",
    "ScenarioMetrics",
    "SeatGroupValue",
    "SeatRanking",
    "SeatValue",
    "Unplaced",
    "Utilisation",
    "Waiting",
    "WeekFigures",
    "compare",
    "comparison_document",
    "department_label",
    "flat_figures",
    "municipality_name",
    "scenario_metrics",
    "seat_value_groups",
    "seat_values",
]


def flat_figures(m: ScenarioMetrics) -> dict[tuple[str, str, str], float | None]:
    """``(section, key, metric) → value`` of every comparable figure."""
    out: dict[tuple[str, str, str], float | None] = {
        ("overall", "all", "population"): m.population or m.clients,
        ("overall", "all", "ineligible"): m.ineligible,
        ("overall", "all", "clients"): m.clients,
        ("overall", "all", "placed"): m.placed,
        ("overall", "all", "placement_rate"): m.placement_rate,
        ("overall", "all", "population_placement_rate"): (
            m.population_placement_rate if m.population else m.placement_rate
        ),
        ("overall", "all", "top3_share"): m.top3_share,
        ("overall", "all", "mean_travel_minutes"): m.mean_travel_minutes,
        ("overall", "all", "weekly_travel_cost_eur"): m.weekly_travel_cost_eur,
    }
    for field, value in m.waiting.model_dump().items():
        out[("waiting_months", "all", field)] = value
    for g in m.groups:
        out[(g.dimension, g.group, "clients")] = g.clients
        out[(g.dimension, g.group, "placement_rate")] = g.placement_rate
    for u in m.utilisation:
        section = f"utilisation_by_{u.dimension}"
        out[(section, u.group, "seats")] = u.seats
        out[(section, u.group, "seat_rate")] = u.seat_rate
        out[(section, u.group, "support_units")] = u.support_units
        out[(section, u.group, "support_rate")] = u.support_rate
    for reason, count in m.unplaced_reasons.items():
        out[("unplaced", reason, "clients")] = count
    return out


def compare(metrics: list[ScenarioMetrics]) -> list[ComparisonRow]:
    """Every figure of every scenario beside the base's (the first), with the difference."""
    if not metrics:
        return []
    base = flat_figures(metrics[0])
    rows = []
    for m in metrics:
        figures = flat_figures(m)
        for key in sorted(set(base) | set(figures)):
            b = base.get(key)
            v = figures.get(key)
            if key[0] == "unplaced":  # a reason absent from one side means 0 clients
                b, v = b or 0, v or 0
            delta = None if b is None or v is None else round(v - b, 4)
            rows.append(
                ComparisonRow(
                    scenario=m.scenario,
                    section=key[0],
                    key=key[1],
                    metric=key[2],
                    base=b,
                    value=v,
                    delta=delta,
                )
            )
    return rows


def with_note_texts(m: ScenarioMetrics, lang: str) -> ScenarioMetrics:
    """The scenario with each note's ``text`` in ``lang`` (codes and params kept)."""
    notes = [n.model_copy(update={"text": scenario_note(n.code, n.params, lang)}) for n in m.notes]
    return m.model_copy(update={"notes": notes})


def comparison_document(metrics: list[ScenarioMetrics], lang: str = "fi") -> dict[str, Any]:
    """The JSON document of a batch: every scenario's figures (notes worded in ``lang``) and
    the comparison rows."""
    return {
        "base": metrics[0].scenario if metrics else None,
        "scenarios": [with_note_texts(m, lang).model_dump(mode="json") for m in metrics],
        "comparison": [r.model_dump(mode="json") for r in compare(metrics)],
    }
