"""Every write passes the rules a run applies: one implementation, ``matching.screen``.

After a write is flushed (not committed), the county is screened exactly as the next run will
screen it. If the screen would set aside a record the write touched, or a period whose
capacity the touched record provides or uses, the write is refused with 422 naming the field,
the value and the rule, and the caller's transaction is rolled back, so nothing is stored.
Records that were already inconsistent before (and that the write did not touch) do not block
unrelated writes: the run sets them aside and reports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from matching.screen import Screened
from models import LegalRegime, SetAside, SolveOptions
from service.crud.regimes import regime_on
from service.crud.runs import county_problem, next_monday
from service.errors import InvalidInput


@dataclass
class Touched:
    """The records one write created or changed, by kind."""

    clients: set[str] = field(default_factory=set)
    placements: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    municipalities: set[str] = field(default_factory=set)
    commuting_areas: set[str] = field(default_factory=set)
    coaches: set[str] = field(default_factory=set)

    def names(self, note: SetAside) -> bool:
        """Does the note concern a touched record (itself, or a capacity it shares)?"""
        own = {
            "client": self.clients,
            "period": self.clients,
            "placement": self.placements,
            "organisation": self.organisations,
            "municipality": self.municipalities,
            "commuting_area": self.commuting_areas,
            "coach": self.coaches,
        }[note.kind]
        return (
            note.id in own
            or bool(set(note.clients) & self.clients)
            or bool(set(note.placements) & self.placements)
            or (note.coach is not None and note.coach in self.coaches)
        )


def planning_date_of_next_run(today: date | None = None) -> date:
    """The Monday after today: the date the next weekly run will be made for."""
    return next_monday(today or date.today())


def screened_county(
    session: Session, planning_date: date | None = None, regime: LegalRegime | None = None
) -> Screened:
    """The county as the next run will see it (flushed changes included)."""
    session.flush()
    day = planning_date or planning_date_of_next_run()
    screened, _hint = county_problem(
        session,
        "write-check",
        day,
        SolveOptions(),
        regime or regime_on(session, day),  # the version in force on the next run's date
        with_notes=True,
    )
    return screened


def errors_of(notes: Iterable[SetAside], prefix: str = "body") -> list[dict[str, Any]]:
    """The notes as located 422 errors: field, value, rule and the sentence."""
    out = []
    for n in notes:
        where = [prefix, *(n.field.split(".") if n.field else [])]
        out.append(
            {
                "loc": where,
                "field": ".".join(where),
                "msg": n.message,
                "type": n.rule,
                "rule": n.rule,
                "value": n.value,
                "record": {"kind": n.kind, "id": n.id},
                "clients": list(n.clients),
                "placements": list(n.placements),
                "code": n.code,
                "params": n.params,
            }
        )
    return out


def refuse_if_breaking(
    session: Session,
    touched: Touched,
    *,
    planning_date: date | None = None,
    regime: LegalRegime | None = None,
) -> Screened:
    """Raise ``InvalidInput`` (422) if the write breaks a rule of the next run; the caller's
    session is rolled back first so that nothing of the write stays. Returns the screened
    county otherwise (callers may reuse it)."""
    screened = screened_county(session, planning_date, regime)
    broken = [n for n in screened.set_aside if n.action == "set_aside" and touched.names(n)]
    if broken:
        session.rollback()
        first = broken[0]
        raise InvalidInput(
            f"refused: {first.message} (rule {first.rule}); nothing was stored", errors_of(broken)
        )
    return screened
