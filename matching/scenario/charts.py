"""Charts for a board report (PNG and SVG), drawn with matplotlib's Agg backend.

Every chart is in the reader's language (titles, axes and categories from the catalogues),
shows rates as percentages with the counts beside them (100 % of 2 clients is not 100 % of
200), labels both axes, and keeps the legend outside the bars.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from matching.explain.messages import catalogue, number, word
from matching.scenario.figures import ScenarioMetrics
from matching.scenario.labels import scenario_name

DEPARTMENTS_SHOWN = 20


def _save(fig: Figure, out: Path, name: str) -> list[Path]:
    paths = []
    for ext in ("png", "svg"):
        path = out / f"{name}.{ext}"
        fig.savefig(
            path,
            dpi=120,
            bbox_inches="tight",
            metadata={"Date": None} if ext == "svg" else None,
        )
        paths.append(path)
    plt.close(fig)
    return paths


def _percent_axis(ax: Axes, lang: str, axis: str = "y") -> None:
    """Percent ticks (0–100) written the language's way."""
    fmt = FuncFormatter(lambda v, _: f"{number(float(v), lang)} %")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _legend_right(ax: Axes) -> None:
    """The legend to the right of the plot, never over the bars or the axis labels."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=8,
            frameon=False,
        )


def _wrapped(names: list[str], width: int = 18) -> list[str]:
    """Long names on several lines under their bars (no slanted text running into others)."""
    return [textwrap.fill(n, width) for n in names]


def _category(lang: str, code: str) -> str:
    entry = catalogue(lang).get(f"category.{code}")
    return entry["coordinator"] if entry else code


def _bars_with_counts(
    ax: Axes,
    x: np.ndarray,
    rates: list[float],
    counts: list[str],
    width: float,
    label: str,
    horizontal: bool = False,
) -> None:
    """Bars of percentages with "placed/clients" written at their ends."""
    values = [100 * r for r in rates]
    if horizontal:
        bars = ax.barh(x, values, width, label=label)
    else:
        bars = ax.bar(x, values, width, label=label)
    ax.bar_label(bars, labels=counts, fontsize=6, padding=1)


def write_charts(metrics: list[ScenarioMetrics], out: Path, lang: str = "fi") -> list[Path]:
    """Placement rate by municipality, utilisation (by task category and of the largest
    departments), waiting time and the scenario comparison, in ``lang``."""
    paths: list[Path] = []
    t = lambda code, **kw: word(lang, code, **kw)  # noqa: E731
    n = max(1, len(metrics))

    munis = sorted({g.group for m in metrics for g in m.groups if g.dimension == "municipality"})
    fig, ax = plt.subplots(figsize=(min(16.0, max(7.0, 0.45 * len(munis) * n + 2)), 5))
    width = 0.8 / n
    x = np.arange(len(munis))
    for k, m in enumerate(metrics):
        by = {g.group: g for g in m.groups if g.dimension == "municipality"}
        rates = [by[g].placement_rate if g in by else 0.0 for g in munis]
        counts = [f"{by[g].placed}/{by[g].clients}" if g in by else "" for g in munis]
        _bars_with_counts(ax, x + k * width, rates, counts, width, scenario_name(m, lang))
    ax.set_xticks(x + width * (n - 1) / 2, munis, rotation=45, ha="right")
    ax.set_ylim(0, 112)
    _percent_axis(ax, lang)
    ax.set_ylabel(t("chart.rate_by_municipality.y"))
    ax.set_xlabel(t("chart.municipality"))
    ax.set_title(t("chart.rate_by_municipality.title"))
    _legend_right(ax)
    paths += _save(fig, out, "placement_rate_by_municipality")

    cats = sorted(
        {u.group for m in metrics for u in m.utilisation if u.dimension == "task_category"}
    )
    fig, axes = plt.subplots(2, 1, figsize=(min(16.0, max(8.0, 0.45 * len(cats) * n + 2)), 9))
    x = np.arange(len(cats))
    for ax_, rate_attr, used_attr, total_attr, label in (
        (axes[0], "seat_rate", "seats_used", "seats", "chart.utilisation.seats_y"),
        (
            axes[1],
            "support_rate",
            "support_used",
            "support_units",
            "chart.utilisation.support_y",
        ),
    ):
        for k, m in enumerate(metrics):
            cat = {u.group: u for u in m.utilisation if u.dimension == "task_category"}
            rates = [getattr(cat[c], rate_attr) if c in cat else 0.0 for c in cats]
            counts = [
                f"{getattr(cat[c], used_attr)}/{getattr(cat[c], total_attr)}" if c in cat else ""
                for c in cats
            ]
            _bars_with_counts(ax_, x + k * width, rates, counts, width, scenario_name(m, lang))
        ax_.set_xticks(
            x + width * (n - 1) / 2, [_category(lang, c) for c in cats], rotation=30, ha="right"
        )
        ax_.set_ylabel(t(label))
        ax_.set_ylim(0, 112)
        _percent_axis(ax_, lang)
    axes[1].set_xlabel(t("chart.task_category"))
    axes[0].set_title(t("chart.utilisation.title"))
    _legend_right(axes[0])
    fig.tight_layout()
    paths += _save(fig, out, "utilisation")

    base = [u for u in metrics[0].utilisation if u.dimension == "department"] if metrics else []
    base.sort(key=lambda u: (-u.seats, u.group))
    depts = [u.group for u in base[:DEPARTMENTS_SHOWN]]
    fig, ax = plt.subplots(figsize=(11, max(3.0, 0.3 * len(depts) * n + 1.5)))
    y = np.arange(len(depts))
    height = 0.8 / n
    for k, m in enumerate(metrics):
        dep = {u.group: u for u in m.utilisation if u.dimension == "department"}
        rates = [dep[d].seat_rate if d in dep else 0.0 for d in depts]
        counts = [f"{dep[d].seats_used}/{dep[d].seats}" if d in dep else "" for d in depts]
        _bars_with_counts(
            ax, y + k * height, rates, counts, height, scenario_name(m, lang), horizontal=True
        )
    ax.set_yticks(y + height * (n - 1) / 2, [_short(d) for d in depts], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 115)
    _percent_axis(ax, lang, "x")
    ax.set_xlabel(t("chart.departments.x"))
    ax.set_title(t("chart.departments.title", count=len(depts)))
    _legend_right(ax)
    paths += _save(fig, out, "utilisation_by_department")

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    top = max([1, *[w for m in metrics for w in m.waiting_months_placed]])
    top = max([top, *[w for m in metrics for w in m.waiting_months_unplaced]])
    bins = np.arange(0, top + 2) - 0.5
    for ax_, attr, title in (
        (axes[0], "waiting_months_placed", "chart.waiting.placed"),
        (axes[1], "waiting_months_unplaced", "chart.waiting.unplaced"),
    ):
        for m in metrics:
            values = getattr(m, attr)
            label = f"{scenario_name(m, lang)} ({len(values)})"
            ax_.hist(values, bins=bins, histtype="step", label=label)
        ax_.set_title(t(title))
        ax_.set_xlabel(t("chart.waiting.x"))
    axes[0].set_ylabel(t("chart.waiting.y"))
    _legend_right(axes[1])
    paths += _save(fig, out, "waiting_time")

    paths += _save(_comparison(metrics, lang), out, "scenario_comparison")
    return paths


def _comparison(metrics: list[ScenarioMetrics], lang: str) -> Figure:
    """Left: clients of each scenario as placed, without a place and made ineligible by a
    rule change (stacked counts); right: the rates, of those eligible and of everyone."""

    def t(code: str) -> str:
        return word(lang, code)

    fig, (left, right) = plt.subplots(2, 1, figsize=(max(8.0, 1.8 * len(metrics) + 4), 9))
    x = np.arange(len(metrics))
    names = _wrapped([scenario_name(m, lang) for m in metrics])
    placed = np.array([m.placed for m in metrics])
    unplaced = np.array([m.clients - m.placed for m in metrics])
    ineligible = np.array([m.ineligible for m in metrics])
    for values, bottom, label in (
        (placed, 0, "chart.comparison.placed"),
        (unplaced, placed, "chart.comparison.unplaced"),
        (ineligible, placed + unplaced, "chart.comparison.ineligible"),
    ):
        bars = left.bar(x, values, 0.6, bottom=bottom, label=t(label))
        left.bar_label(
            bars, labels=[str(v) if v else "" for v in values], label_type="center", fontsize=7
        )
    left.set_xticks(x, names)
    left.set_ylabel(t("chart.comparison.counts_y"))
    left.set_xlabel(t("chart.scenario"))
    w = 0.27
    for offset, attr, label in (
        (-w, "placement_rate", "chart.comparison.rate"),
        (0.0, "population_placement_rate", "chart.comparison.population_rate"),
        (w, "top3_share", "chart.comparison.top3"),
    ):
        rates = [
            getattr(m, attr)
            if attr != "population_placement_rate" or m.population
            else m.placement_rate
            for m in metrics
        ]
        bars = right.bar(x + offset, [100 * r for r in rates], w, label=t(label))
        right.bar_label(
            bars,
            labels=[f"{number(round(100 * r, 1), lang)}" for r in rates],
            fontsize=6,
            padding=1,
        )
    right.set_xticks(x, names)
    right.set_ylim(0, 112)
    _percent_axis(right, lang)
    right.set_ylabel(t("chart.comparison.rates_y"))
    right.set_xlabel(t("chart.scenario"))
    fig.suptitle(t("chart.comparison.title"))
    _legend_right(left)
    _legend_right(right)
    fig.tight_layout()
    return fig


def _short(label: str, width: int = 48) -> str:
    """'Organisation: unit' as 'unit (organisation)', cut to ``width`` characters: the unit
    is what a reader scans for."""
    organisation, _, unit = label.rpartition(": ")
    text = f"{unit} ({organisation})" if organisation else unit
    return text if len(text) <= width else text[: width - 1] + "…"
