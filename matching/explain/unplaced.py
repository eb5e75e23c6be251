"""The week's unplaced clients and why, in a stable shape a page renders in words.

A run's explanation of an unplaced client (``ClientExplanation`` with status ``unassigned``;
the service stores them on the run as ``unassigned_explanations``) holds everything: how many
placements passed every rule, which rule excluded how many, which capacities were full at
the placements that were left, and the smallest verified change that would have placed the
client. :func:`unplaced_summary` reduces each to an :class:`UnplacedSummary` of catalogue keys
and params only (``matching/i18n``), so a page, the API and the command line show the same
reasons in the reader's language; :func:`unplaced_lines` renders one in words.

The shape (every ``code`` is a key of the catalogues in fi, sv and en; ``params`` are numbers,
ISO dates, placement ids, rule codes and other clients' ids, which a text names only through
the caller's resolver of names, see ``matching.explain.messages``):

``client``
    the client's id (for the page to look the person up; never shown as such);
``admissible``
    placements that pass every hard rule for the client;
``headline``
    ``client.unassigned`` (some placements would suit, all were taken) or
    ``client.unassigned_none_admissible`` (no placement passes every rule), params
    ``admissible``;
``excluded``
    per hard rule that excluded placements (each placement is counted once, for the first
    rule it fails in the registry's order), most placements first: ``excluded.*`` with params
    ``rule`` and ``count`` (the minimum-period rule: ``not_yet`` and ``too_short``);
    ``rule`` and ``placements`` repeat the rule's code and count for sorting and filtering;
``blocked``
    the capacities that were full at the placements that passed the rules, the client's best
    placement first: ``blocked.seats``, ``blocked.support_units``, ``blocked.coach_caseload``,
    ``blocked.avoided_clients`` (``…_ongoing`` where only kept periods hold them), params
    ``placement``, ``capacity``, ``used``, ``needed``, ``holders`` (ids), ``holders_total``;
``change``
    the smallest change that, re-solved, places the client: ``change.<kind>`` (an extra
    seat, more support units, one more caseload place, consent outside the commuting area,
    one more weekday, a longer travel time) with ``placement`` (where the client would go),
    ``target``, ``amount``; ``None`` when no change was found or none was computed;
``change_status``
    ``found``, ``none_found`` (every candidate re-solved, none places the client),
    ``not_checked`` (the time budget ran out first) or ``not_computed`` (the run explained
    without changes); ``change_note`` is its text's key (``change.none_found``,
    ``change.not_checked``, ``unplaced.change_not_computed``), ``None`` when found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import Field

from matching.explain.documents import ClientExplanation, ExplainModel, Message, Param
from matching.explain.messages import People, catalogue, fill

ChangeStatus = Literal["found", "none_found", "not_checked", "not_computed"]


class UnplacedLine(ExplainModel):
    """One reason as a catalogue key and its params (see the module's text)."""

    code: str
    params: dict[str, Param] = Field(default_factory=dict)


class ExcludedLine(UnplacedLine):
    """Placements one hard rule excluded."""

    rule: str
    placements: int


class UnplacedSummary(ExplainModel):
    """Why one client was not placed this week (see the module's text for each field)."""

    client: str
    admissible: int
    headline: UnplacedLine
    excluded: list[ExcludedLine] = Field(default_factory=list)
    blocked: list[UnplacedLine] = Field(default_factory=list)
    change: UnplacedLine | None = None
    change_status: ChangeStatus
    change_note: str | None = None


def _line(msg: Message) -> UnplacedLine:
    return UnplacedLine(code=msg.code, params=dict(msg.params))


def _blocked(item: ClientExplanation) -> list[UnplacedLine]:
    """The capacities full at the client's admissible placements: as the alternatives word
    them (best first; ``_ongoing`` where kept periods hold them), then any capacity left."""
    out: list[UnplacedLine] = []
    seen: set[tuple[str, str]] = set()
    for alternative in item.alternatives:
        for reason in alternative.reasons:
            if reason.code.startswith("blocked."):
                key = (reason.code.removesuffix("_ongoing"), str(reason.params.get("placement")))
                if key not in seen:
                    seen.add(key)
                    out.append(_line(reason))
    for use in item.blocked:
        key = (f"blocked.{use.rule}", use.owner)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            UnplacedLine(
                code=f"blocked.{use.rule}",
                params={
                    "placement": use.owner,
                    "owner": use.owner,
                    "capacity": use.capacity,
                    "used": use.used,
                    "needed": use.needed,
                    "holders": list(use.holders),
                    "holders_total": use.holders_total,
                },
            )
        )
    return out


def _change(item: ClientExplanation) -> tuple[UnplacedLine | None, ChangeStatus, str | None]:
    codes = {m.code for m in item.messages}
    if item.changes:  # reported smallest first (matching.explain.whatif)
        return _line(item.changes[0].message), "found", None
    if "change.not_checked" in codes:
        return None, "not_checked", "change.not_checked"
    if item.changes_checked or "change.none_found" in codes:
        return None, "none_found", "change.none_found"
    return None, "not_computed", "unplaced.change_not_computed"


def summary_of(item: ClientExplanation | Mapping[str, Any]) -> UnplacedSummary:
    """One unplaced client's explanation (the model, or its JSON as stored) as a summary."""
    if not isinstance(item, ClientExplanation):
        item = ClientExplanation.model_validate(item)
    head = next(
        (m for m in item.messages if m.code.startswith("client.unassigned")),
        None,
    )
    if head is None:
        code = (
            "client.unassigned"
            if item.admissible_placements
            else ("client.unassigned_none_admissible")
        )
        head = Message(code=code, params={"admissible": item.admissible_placements})
    excluded = [
        ExcludedLine(
            code=r.message.code, params=dict(r.message.params), rule=r.rule, placements=r.placements
        )
        for r in item.excluded
        if r.placements > 0
    ]
    order = {r.rule: k for k, r in enumerate(item.excluded)}
    excluded.sort(key=lambda e: (-e.placements, order[e.rule]))
    change, status, note = _change(item)
    return UnplacedSummary(
        client=item.client,
        admissible=item.admissible_placements,
        headline=_line(head),
        excluded=excluded,
        blocked=_blocked(item),
        change=change,
        change_status=status,
        change_note=note,
    )


def unplaced_summary(
    explanations: Iterable[ClientExplanation | Mapping[str, Any]],
) -> list[UnplacedSummary]:
    """The reasons of every unplaced client among ``explanations`` (the models of
    ``explain_run(...).clients``, or the run's stored JSON: a mapping's values or a list),
    in client id order; placed clients are skipped."""
    out = []
    for item in explanations:
        status = item.status if isinstance(item, ClientExplanation) else item.get("status")
        if status == "unassigned":
            out.append(summary_of(item))
    return sorted(out, key=lambda s: s.client)


def unplaced_lines(
    summary: UnplacedSummary,
    lang: str,
    register: str = "coordinator",
    names: Mapping[str, str] | None = None,
    people: People | None = None,
) -> list[str]:
    """The summary in words, in ``lang``: the headline, each rule's count, each full
    capacity, and the smallest change (or why there is none). ``names`` maps placement ids to
    names, ``people`` other clients' ids to names (without it they are counted)."""
    texts = catalogue(lang)

    def say(code: str, params: Mapping[str, Param]) -> str:
        text = fill(texts[code][register], lang, register, params, names, people)
        for pid, name in (names or {}).items():
            text = text.replace(f"{name} ({pid})", name)
        return text

    lines = [say(summary.headline.code, summary.headline.params)]
    lines += [say(e.code, e.params) for e in summary.excluded]
    lines += [say(b.code, b.params) for b in summary.blocked]
    if summary.change is not None:
        lines.append(say(summary.change.code, summary.change.params))
    elif summary.change_note is not None:
        lines.append(say(summary.change_note, {}))
    return [line for line in lines if line]
