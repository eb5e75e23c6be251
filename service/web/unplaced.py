"""The week's unplaced clients on the board, with the engine's own reasons.

A run stores, for each client it did not place, the engine's explanation
(``runs.unassigned_explanations``, the same JSON ``GET /runs/{id}/unassigned`` returns): the
summary, which pair rule excluded how many placements, the nearest placements and what
blocks each, and the changes a re-solve verified would place the client. The board renders
those stored messages from the engine's catalogue in the user's language; the page makes up
no reason of its own. Other clients holding a full placement are counted, not named (the
coordinator has not asked to see them), and placements are named as people know them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from service.web.explanations import placements_named, sentence
from service.web.i18n import Texts
from service.web.people import Label

CHANGE = "change."
"""Codes of the messages about a change that would place the client."""


@dataclass
class Unplaced:
    """One unplaced client as the board shows them."""

    client_id: str
    label: Label
    summary: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    excluded: list[tuple[str, int, str]] = field(default_factory=list)
    """(rule, placements it was the first to exclude, sentence), most placements first;
    rules that excluded none are left out."""
    nearest: list[tuple[str, list[str]]] = field(default_factory=list)
    """(placement name, what blocks it) of the engine's nearest placements."""
    explained: bool = True


def _say(raw: Any, t: Texts, names: Mapping[str, str]) -> str | None:
    return sentence(raw, t.language, names)


def placement_ids(explanations: Mapping[str, Any]) -> set[str]:
    """Every placement id the stored explanations mention (to look their names up)."""
    found: set[str] = set()
    for item in explanations.values():
        if not isinstance(item, Mapping):
            continue
        found |= placements_named(item)
        for change in item.get("changes", []):
            found |= {str(change.get("placement")), str(change.get("target"))}
            params = (change.get("message") or {}).get("params") or {}
            found |= {str(v) for v in params.values() if isinstance(v, str)}
    return found


def unplaced(
    ids: Sequence[str],
    explanations: Mapping[str, Any],
    labels: Mapping[str, Label],
    names: Mapping[str, str],
    t: Texts,
    nearest: int = 2,
) -> list[Unplaced]:
    """The unplaced clients ``ids`` with their reasons in the user's language, in the order
    of their names (``labels``); ``names``: placement id → name."""
    out = []
    for cid in ids:
        item = explanations.get(cid)
        entry = Unplaced(cid, labels[cid])
        if not isinstance(item, Mapping):
            entry.explained = False
            out.append(entry)
            continue
        for raw in item.get("messages", []):
            text = _say(raw, t, names)
            if text is None:
                continue
            is_change = str(raw.get("code", "")).startswith(CHANGE)
            (entry.changes if is_change else entry.summary).append(text)
        counted = []
        for rule in item.get("excluded", []):
            text = _say(rule.get("message"), t, names)
            if text and int(rule.get("placements", 0)) > 0:
                counted.append((str(rule.get("rule")), int(rule["placements"]), text))
        entry.excluded = sorted(counted, key=lambda r: -r[1])
        for alternative in item.get("alternatives", [])[:nearest]:
            pid = str(alternative.get("placement"))
            reasons = [_say(r, t, names) for r in alternative.get("reasons", [])]
            shown = names.get(pid, t("unplaced.unknown_placement"))
            entry.nearest.append((shown, [r for r in reasons if r]))
        out.append(entry)
    return sorted(out, key=lambda u: (u.label.name, u.label.hint))
