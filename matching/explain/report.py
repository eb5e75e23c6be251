"""Run report: outcomes by group, attributes the objective uses, profiles lacking data."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from matching.explain.clients import insufficient_data
from matching.explain.context import Context
from matching.explain.documents import AttributeUse, DataGap, GroupStat, Message, RunReport
from matching.explain.messages import message
from matching.explain.usage import ATTRIBUTES, attribute_usage
from matching.groups import age_band, support_level

TOP = 3


def _groups(ctx: Context) -> list[GroupStat]:
    t = ctx.tables
    names = {m.code: m.name_fi for m in ctx.problem.municipalities}
    cand = ctx.compiled.candidates
    placed = ctx.chosen >= 0
    top = np.zeros(len(placed), dtype=np.bool_)
    rank = cand.rank[ctx.chosen[placed]]
    top[placed] = (rank >= 1) & (rank <= TOP)
    waiting = t.client_waiting_months
    keys: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, c in enumerate(ctx.problem.clients):
        keys[("municipality", names.get(c.home_municipality, c.home_municipality))].append(i)
        keys[("age_band", age_band(int(t.client_age[i])))].append(i)
        keys[("language", "+".join(sorted(c.languages)))].append(i)
        keys[("support_level", support_level(c.support_units))].append(i)
    out = []
    for (dimension, group), rows in sorted(keys.items()):
        idx = np.array(rows, dtype=np.int64)
        n_placed = int(placed[idx].sum())
        unplaced = idx[~placed[idx]]
        out.append(
            GroupStat(
                dimension=dimension,
                group=group,
                clients=len(rows),
                placed=n_placed,
                placement_rate=round(n_placed / len(rows), 4),
                top3_share=round(int(top[idx].sum()) / n_placed, 4) if n_placed else 0.0,
                mean_waiting_months=round(float(waiting[idx].mean()), 2),
                mean_waiting_months_unplaced=(
                    round(float(waiting[unplaced].mean()), 2) if unplaced.size else None
                ),
            )
        )
    return out


def _attributes(ctx: Context) -> list[AttributeUse]:
    usage = attribute_usage(ctx.problem)
    out = []
    for a in ATTRIBUTES:
        hard, crit = usage.hard[a], usage.criteria[a]
        priority = a in usage.priority
        msg: Message
        if hard or crit or priority:
            msg = message(
                "report.attribute_used_priority" if priority else "report.attribute_used",
                attribute=a,
                rules=list(hard),
                criteria=[c.value for c in crit],
            )
        else:
            msg = message("report.attribute_unused", attribute=a)
        out.append(
            AttributeUse(
                attribute=a, hard_rules=hard, criteria=crit, priority=priority, message=msg
            )
        )
    return out


def run_report(ctx: Context) -> RunReport:
    """Placement rate, top-3 share, groups, attribute use and data gaps of a run."""
    n = len(ctx.chosen)
    placed = int((ctx.chosen >= 0).sum())
    cand = ctx.compiled.candidates
    ranks = cand.rank[ctx.chosen[ctx.chosen >= 0]]
    top3 = int(((ranks >= 1) & (ranks <= TOP)).sum())
    gaps = [
        DataGap(
            client=ctx.tables.client_ids[i],
            criterion=c,
            message=message("data.insufficient", criterion=c.value),
        )
        for i in range(n)
        for c in insufficient_data(ctx, i)
    ]
    rate = placed / n if n else 0.0
    share = top3 / placed if placed else 0.0
    return RunReport(
        clients=n,
        placed=placed,
        placement_rate=round(rate, 4),
        top3_share=round(share, 4),
        groups=_groups(ctx),
        attributes=_attributes(ctx),
        insufficient_data=gaps,
        messages=[
            message(
                "report.summary",
                placed=placed,
                clients=n,
                rate=rate,
                top3=share,
            ),
            message("report.protected_absent"),
        ],
    )
