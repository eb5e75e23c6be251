"""Charts for a board report (PNG and SVG), drawn with matplotlib's Agg backend."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from matching.scenario.compare import ScenarioMetrics


def _save(fig: Figure, out: Path, name: str) -> list[Path]:
    paths = []
    fig.tight_layout()
    for ext in ("png", "svg"):
        path = out / f"{name}.{ext}"
        fig.savefig(path, dpi=120, metadata={"Date": None} if ext == "svg" else None)
        paths.append(path)
    plt.close(fig)
    return paths


def _grouped_bars(
    metrics: list[ScenarioMetrics], keys: list[str], values: dict[str, dict[str, float]]
) -> tuple[Figure, Axes]:
    fig, ax = plt.subplots(figsize=(min(14.0, max(6.0, 0.3 * len(keys) * len(metrics) + 2)), 4.5))
    width = 0.8 / max(1, len(metrics))
    x = np.arange(len(keys))
    for k, m in enumerate(metrics):
        ax.bar(
            x + k * width,
            [values[m.scenario].get(key, 0.0) for key in keys],
            width,
            label=m.scenario,
        )
    ax.set_xticks(x + width * (len(metrics) - 1) / 2, keys, rotation=45, ha="right")
    ax.legend(fontsize=8)
    return fig, ax


DEPARTMENTS_SHOWN = 20


def _busiest_departments(metrics: list[ScenarioMetrics]) -> list[str]:
    """The departments with the most seats in the base (the first scenario), largest first:
    a board chart of every department of a county would be unreadable."""
    base = [u for u in metrics[0].utilisation if u.dimension == "department"] if metrics else []
    base.sort(key=lambda u: (-u.seats, u.group))
    return [u.group for u in base[:DEPARTMENTS_SHOWN]]


def _short(label: str, width: int = 48) -> str:
    """'Organisation: unit' as 'unit (organisation)', cut to ``width`` characters: the unit
    is what a reader scans for."""
    organisation, _, unit = label.rpartition(": ")
    text = f"{unit} ({organisation})" if organisation else unit
    return text if len(text) <= width else text[: width - 1] + "…"


def write_charts(metrics: list[ScenarioMetrics], out: Path) -> list[Path]:
    """Placement rate by municipality, utilisation (by task category and of the largest
    departments), waiting time and the scenario comparison."""
    paths: list[Path] = []
    munis = sorted({g.group for m in metrics for g in m.groups if g.dimension == "municipality"})
    rates = {
        m.scenario: {g.group: g.placement_rate for g in m.groups if g.dimension == "municipality"}
        for m in metrics
    }
    fig, ax = _grouped_bars(metrics, munis, rates)
    ax.set_ylabel("placement rate")
    ax.set_title("Placement rate by municipality")
    paths += _save(fig, out, "placement_rate_by_municipality")

    cats = sorted(
        {u.group for m in metrics for u in m.utilisation if u.dimension == "task_category"}
    )
    fig, axes = plt.subplots(
        2, 1, figsize=(min(14.0, max(7.0, 0.3 * len(cats) * len(metrics) + 2)), 8)
    )
    width = 0.8 / max(1, len(metrics))
    x = np.arange(len(cats))
    for ax_, attr, label in (
        (axes[0], "seat_rate", "seats used / seats"),
        (axes[1], "support_rate", "support units used / offered"),
    ):
        for k, m in enumerate(metrics):
            rate = {
                u.group: getattr(u, attr) for u in m.utilisation if u.dimension == "task_category"
            }
            ax_.bar(x + k * width, [rate.get(c, 0.0) for c in cats], width, label=m.scenario)
        ax_.set_xticks(x + width * (len(metrics) - 1) / 2, cats, rotation=30, ha="right")
        ax_.set_ylabel(label)
        ax_.set_ylim(0, 1.05)
    axes[0].set_title("Utilisation by task category")
    axes[0].legend(fontsize=8)
    paths += _save(fig, out, "utilisation")

    depts = _busiest_departments(metrics)
    fig, ax = plt.subplots(figsize=(10, max(3.0, 0.28 * len(depts) * max(1, len(metrics)) + 1)))
    y = np.arange(len(depts))
    height = 0.8 / max(1, len(metrics))
    for k, m in enumerate(metrics):
        rate = {u.group: u.seat_rate for u in m.utilisation if u.dimension == "department"}
        ax.barh(y + k * height, [rate.get(d, 0.0) for d in depts], height, label=m.scenario)
    ax.set_yticks(y + height * (len(metrics) - 1) / 2, [_short(d) for d in depts], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("seats used / seats")
    ax.set_xlim(0, 1.05)
    ax.set_title(f"Seat utilisation of the {len(depts)} largest departments")
    ax.legend(fontsize=8)
    paths += _save(fig, out, "utilisation_by_department")

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    top = max([1, *[w for m in metrics for w in m.waiting_months_placed]])
    top = max([top, *[w for m in metrics for w in m.waiting_months_unplaced]])
    bins = np.arange(0, top + 2) - 0.5
    for ax_, attr, title in (
        (axes[0], "waiting_months_placed", "placed"),
        (axes[1], "waiting_months_unplaced", "unplaced"),
    ):
        for m in metrics:
            ax_.hist(getattr(m, attr), bins=bins, histtype="step", label=m.scenario)
        ax_.set_title(f"Waiting time of the {title} (months)")
        ax_.set_xlabel("months")
    axes[0].set_ylabel("clients")
    axes[0].legend(fontsize=8)
    paths += _save(fig, out, "waiting_time")

    fig, ax1 = plt.subplots(figsize=(max(6.0, 1.2 * len(metrics)), 4.5))
    x = np.arange(len(metrics))
    ax1.bar(x - 0.2, [m.placement_rate for m in metrics], 0.4, label="placement rate")
    ax1.bar(x + 0.2, [m.top3_share for m in metrics], 0.4, label="top-3 share")
    ax1.set_xticks(x, [m.scenario for m in metrics], rotation=30, ha="right")
    ax1.set_ylim(0, 1)
    ax1.legend(fontsize=8)
    ax1.set_title("Scenario comparison")
    paths += _save(fig, out, "scenario_comparison")
    return paths
