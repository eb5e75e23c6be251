"""The engine's own explanation of a proposal, as sentences in the user's language.

A run's worker stores each client's explanation on that client's proposal row (codes and
parameters, with a Finnish text). The proposal page has the row already (one primary-key read),
so it renders the stored messages again from ``matching/i18n`` in the user's language and the
coordinator's register; the page makes up no text of its own from the numbers. Placements are
named as people know them (name and organisation), without the id the command line shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from matching.explain.documents import Message
from matching.explain.messages import (
    LANGUAGES,
    PLACEMENT_FIELDS,
    People,
    render_text,
)

REGISTER = "coordinator"
PART = "client.part"
"""The code of one criterion's points: listed under the summary sentence."""


@dataclass
class ExplainedProposal:
    """The sentences of one proposal: summary, the criteria's points, the tight rules, and the
    reasons of each alternative (placement id → sentences)."""

    summary: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    tight: list[str] = field(default_factory=list)
    alternatives: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.summary or self.parts or self.tight or self.alternatives)


COACH_FIELDS = ("owner", "target")
"""Params that hold a coach's id in the coach messages (left out of the sentence)."""


def plain(raw: Any, lang: str) -> Any:
    """A stored message with a coach's id left out (other clients' ids are named by the
    caller's resolver or counted by ``render_text``, never shown)."""
    if not isinstance(raw, Mapping):
        return raw
    params = dict(raw.get("params") or {})
    # A coach is known by an id only: the sentence names "the coach" without it.
    if "coach" in params:
        params["coach"] = ""
    if "coach" in str(raw.get("code", "")):
        for key in COACH_FIELDS:
            if key in params:
                params[key] = ""
    return {**raw, "params": params}


def _sentence(
    raw: Any, lang: str, names: Mapping[str, str], people: People | None = None
) -> str | None:
    """One stored message in ``lang`` (other clients named by ``people``, or counted);
    ``None`` when it cannot be read."""
    try:
        msg = Message.model_validate(plain(raw, lang))
    except ValidationError:
        return None
    try:
        text = render_text(msg, lang, names, people).coordinator
    except KeyError:  # a code this version's catalogue no longer has: the stored text
        if msg.text is None:
            return None
        text = msg.text.coordinator
    for pid, name in names.items():
        text = text.replace(f"{name} ({pid})", name)
    return " ".join(text.split())


def sentence(raw: Any, language: str, names: Mapping[str, str]) -> str | None:
    """One stored engine message in ``language`` (coordinator register), placements by name;
    ``None`` when it cannot be read."""
    return _sentence(raw, language if language in LANGUAGES else "fi", names)


def explained(
    explanation: Mapping[str, Any] | None,
    language: str,
    names: Mapping[str, str],
    people: People | None = None,
) -> ExplainedProposal:
    """The stored explanation of a proposal in ``language`` (placement id → name in ``names``;
    other clients by the ``people`` resolver, see ``people_named``).

    Empty when the run has not explained the proposal (yet) or stored no messages.
    """
    out = ExplainedProposal()
    if not explanation:
        return out
    lang = language if language in LANGUAGES else "fi"
    for raw in explanation.get("messages", []):
        text = _sentence(raw, lang, names, people)
        if text is not None:
            (out.parts if raw.get("code") == PART else out.summary).append(text)
    for item in explanation.get("tight", []):
        text = _sentence(item.get("message"), lang, names, people)
        if text is not None:
            out.tight.append(text)
    for alternative in explanation.get("alternatives", []):
        reasons = [_sentence(r, lang, names, people) for r in alternative.get("reasons", [])]
        shown = [r for r in reasons if r]
        if shown:
            out.alternatives[str(alternative.get("placement"))] = shown
    return out


def placements_named(explanation: Mapping[str, Any] | None) -> set[str]:
    """The placement ids the stored messages mention (to look their names up)."""
    found: set[str] = set()
    if not explanation:
        return found
    messages = [*explanation.get("messages", [])]
    messages += [t.get("message") or {} for t in explanation.get("tight", [])]
    for alternative in explanation.get("alternatives", []):
        found.add(str(alternative.get("placement")))
        messages += alternative.get("reasons", [])
    for msg in messages:
        for key, value in (msg.get("params") or {}).items():
            if key in PLACEMENT_FIELDS and isinstance(value, str):
                found.add(value)
    return found
