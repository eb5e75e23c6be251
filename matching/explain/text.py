"""Human-readable text of explanations (every word comes from the catalogues)."""

from __future__ import annotations

from matching.explain.documents import (
    ClientExplanation,
    GroupStat,
    InverseRanking,
    Message,
    RunExplanation,
    RunReport,
)
from matching.explain.messages import catalogue, number, percent, word

Register = str
BAND_ORDER = ("under_25", "25_28", "29_44", "45_plus", "0", "1", "2", "3_plus")
"""Age bands and support levels in their natural order (youngest, least support first)."""

CLIENT_ONLY_IN_COORDINATOR = ("client.part",)
"""Messages that are parts of the fit: shown to coordinators, left out of client texts (a
client is told the placement, the days and what happens next, never points)."""


def _line(msg: Message, register: Register) -> str:
    if msg.text is None:
        return msg.code
    return msg.text.client if register == "client" else msg.text.coordinator


def _shown(msgs: list[Message], register: Register) -> list[Message]:
    if register == "client":
        return [m for m in msgs if m.code not in CLIENT_ONLY_IN_COORDINATOR]
    return msgs


def client_text(
    item: ClientExplanation, register: Register = "coordinator", lang: str = "fi"
) -> str:
    """One client's explanation as indented lines."""
    lines = [f"== {word(lang, 'text.client_heading', register, client=item.client)} =="]
    lines += [f"  {_line(m, register)}" for m in _shown(item.messages, register)]
    lines += [f"  ! {_line(t.message, register)}" for t in item.tight]
    first = [r for r in item.excluded if r.placements]
    if first:
        lines.append("  " + word(lang, "text.excluded_heading", register))
        lines += [f"    {_line(r.message, register)}" for r in first]
    for alt in item.alternatives:
        if register == "client":
            lines.append(f"  -> {_line(alt.reasons[0], register)}" if alt.reasons else "")
            lines += [f"     {_line(m, register)}" for m in alt.reasons[1:]]
            continue
        lines.append(
            "  -> "
            + word(lang, "text.alternative", register, placement=alt.placement, score=alt.score)
        )
        lines += [f"     {_line(m, register)}" for m in alt.reasons]
    return "\n".join(line for line in lines if line) + "\n"


def group_name(g: GroupStat, lang: str, register: Register = "coordinator") -> str:
    """A report group in words: municipalities by name, bands and levels from the catalogue."""
    if g.dimension == "municipality":
        return g.group
    if g.dimension == "language":
        return ", ".join(_language(lang, code, register) for code in g.group.split("+"))
    return word(lang, f"group.{g.dimension}.{g.group}", register)


def _language(lang: str, code: str, register: Register) -> str:
    entry = catalogue(lang).get(f"language.{code}")
    return entry[register] if entry else code.upper()


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def report_text(report: RunReport, register: Register = "coordinator", lang: str = "fi") -> str:
    """The run report as lines and a table of groups, headers in ``lang``."""
    lines = [_line(m, register) for m in report.messages]
    lines.append("")
    order = {code: k for k, code in enumerate(BAND_ORDER)}
    groups = sorted(report.groups, key=lambda g: (g.dimension, order.get(g.group, 99), g.group))
    names = [
        (word(lang, f"dimension.{g.dimension}", register), group_name(g, lang, register), g)
        for g in groups
    ]
    dim_w = max(
        [len(word(lang, "report.column.dimension", register))] + [len(d) for d, _, _ in names]
    )
    grp_w = min(
        32, max([len(word(lang, "report.column.group", register))] + [len(n) for _, n, _ in names])
    )
    heads = [
        word(lang, f"report.column.{c}", register)
        for c in ("clients", "placed", "rate", "top3", "wait")
    ]
    widths = [max(9, len(h) + 2) for h in heads]
    lines.append(
        f"{word(lang, 'report.column.dimension', register):<{dim_w}}  "
        f"{word(lang, 'report.column.group', register):<{grp_w}}"
        + "".join(f"{h:>{w}}" for h, w in zip(heads, widths, strict=True))
    )
    for dim, name, g in names:
        cells = [
            number(g.clients, lang),
            number(g.placed, lang),
            percent(g.placement_rate, lang),
            percent(g.top3_share, lang),
            number(g.mean_waiting_months, lang),
        ]
        lines.append(
            f"{dim:<{dim_w}}  {_cut(name, grp_w):<{grp_w}}"
            + "".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
        )
    lines.append("")
    lines += [_line(a.message, register) for a in report.attributes]
    if report.insufficient_data:
        lines.append("")
        for gap in report.insufficient_data[:50]:
            lines.append(f"{gap.client}: {_line(gap.message, register)}")
        if len(report.insufficient_data) > 50:
            more = len(report.insufficient_data) - 50
            lines.append(word(lang, "text.more_gaps", register, count=more))
    return "\n".join(lines) + "\n"


def run_text(run: RunExplanation, register: Register = "coordinator") -> str:
    """A whole run's explanation: clients, placements, priority pairs, and how exact it is."""
    lang = run.language
    parts = [client_text(c, register, lang) for c in run.clients]
    for p in run.placements:
        parts.append("\n".join(_line(m, register) for m in p.messages) + "\n")
    for pair in run.envy:
        parts.append("\n".join(_line(m, register) for m in pair.reasons) + "\n")
    e = run.exactness
    parts.append(
        word(
            lang,
            "text.exactness",
            register,
            exact=e.exact,
            bounds=e.bounds,
            infeasible=e.infeasible,
            verified=e.changes_verified,
            not_checked=e.clients_not_checked,
        )
        + "\n"
    )
    return "".join(parts)


def ranking_text(
    ranking: InverseRanking, register: Register = "coordinator", lang: str = "fi"
) -> str:
    """An inverse ranking as lines."""
    lines = [
        word(
            lang,
            "text.ranking_heading",
            register,
            placement=ranking.placement,
            count=ranking.eligible,
        )
    ]
    lines += [_line(c.message, register) for c in ranking.clients]
    first = [r for r in ranking.excluded if r.placements]
    if first:
        lines.append(word(lang, "text.excluded_clients_heading", register))
        lines += [f"  {_line(r.message, register)}" for r in first]
    return "\n".join(lines) + "\n"
