"""Human-readable text of explanations (all sentences come from the catalogues)."""

from __future__ import annotations

from matching.explain.documents import (
    ClientExplanation,
    InverseRanking,
    Message,
    RunExplanation,
    RunReport,
)

Register = str


def _line(msg: Message, register: Register) -> str:
    if msg.text is None:
        return msg.code
    return msg.text.client if register == "client" else msg.text.coordinator


def client_text(item: ClientExplanation, register: Register = "coordinator") -> str:
    """One client's explanation as indented lines."""
    lines = [f"== {item.client} =="]
    lines += [f"  {_line(m, register)}" for m in item.messages]
    lines += [f"  ! {_line(t.message, register)}" for t in item.tight]
    first = [r for r in item.excluded if r.placements]
    if first:
        lines.append("  " + "; ".join(_line(r.message, register) for r in first))
    for alt in item.alternatives:
        lines.append(f"  -> {alt.placement} ({alt.score})")
        lines += [f"     {_line(m, register)}" for m in alt.reasons]
    return "\n".join(lines) + "\n"


def report_text(report: RunReport, register: Register = "coordinator") -> str:
    """The run report as lines and a table of groups."""
    lines = [_line(m, register) for m in report.messages]
    lines.append("")
    lines.append(
        f"{'dimension':<14}{'group':<20}{'clients':>8}{'placed':>8}{'rate':>7}{'top3':>7}{'wait':>7}"
    )
    for g in report.groups:
        lines.append(
            f"{g.dimension:<14}{g.group:<20}{g.clients:>8}{g.placed:>8}"
            f"{g.placement_rate:>7.0%}{g.top3_share:>7.0%}{g.mean_waiting_months:>7.1f}"
        )
    lines.append("")
    lines += [_line(a.message, register) for a in report.attributes]
    if report.insufficient_data:
        lines.append("")
        for gap in report.insufficient_data[:50]:
            lines.append(f"{gap.client}: {_line(gap.message, register)}")
        if len(report.insufficient_data) > 50:
            lines.append(f"… {len(report.insufficient_data) - 50}")
    return "\n".join(lines) + "\n"


def run_text(run: RunExplanation, register: Register = "coordinator") -> str:
    """A whole run's explanation: clients, placements, envy pairs."""
    parts = [client_text(c, register) for c in run.clients]
    for p in run.placements:
        parts.append("\n".join(_line(m, register) for m in p.messages) + "\n")
    for pair in run.envy:
        parts.append("\n".join(_line(m, register) for m in pair.reasons) + "\n")
    e = run.exactness
    parts.append(
        f"exact {e.exact}, bounds {e.bounds}, infeasible {e.infeasible}, "
        f"changes verified {e.changes_verified}, not checked {e.clients_not_checked}\n"
    )
    return "".join(parts)


def ranking_text(ranking: InverseRanking, register: Register = "coordinator") -> str:
    """An inverse ranking as lines."""
    lines = [f"{ranking.placement}: {ranking.eligible}"]
    lines += [_line(c.message, register) for c in ranking.clients]
    first = [r for r in ranking.excluded if r.placements]
    if first:
        lines.append("; ".join(_line(r.message, register) for r in first))
    return "\n".join(lines) + "\n"
