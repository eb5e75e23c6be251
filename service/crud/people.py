"""Who people are, for the pages: a client's name with what tells them apart from another of
the same name (birth year, or age where only that is on record, and home municipality), the
full names of the service's users behind their user names, and the purpose a coordinator
gave for reading a client outside their caseload.

Read helpers only: nothing here writes, except :func:`remember_purpose`, which appends to the
audit log (the log is where a purpose belongs: it says why a record was read)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.audit import Action
from service.auth import Principal
from service.db.accounts import UserRow
from service.db.tables import (
    AssignmentRow,
    AuditRow,
    ClientPersonalRow,
    ClientRow,
    MunicipalityRow,
    PlacementRow,
    utcnow,
)

PURPOSE_RESOURCE = "outside_caseload"
"""Audit rows that record the purpose a coordinator gave for a client outside the caseload
(``record_id`` is the client id); later pages of the same client within
:data:`PURPOSE_MINUTES` reuse it instead of asking again."""
PURPOSE_MINUTES = 30


@dataclass(frozen=True)
class Person:
    """A client as the coordinator's lists name them (no id is ever shown)."""

    id: str
    name: str | None
    birth_year: int | None
    age: int | None
    municipality_fi: str
    municipality_sv: str | None


def people(session: Session, ids: Iterable[str]) -> dict[str, Person]:
    """Client id → :class:`Person`, for every id given (unknown ids get an empty record)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    names = dict(
        session.execute(
            select(ClientPersonalRow.client_id, ClientPersonalRow.display_name).where(
                ClientPersonalRow.client_id.in_(wanted)
            )
        ).all()
    )
    munis = {
        code: (fi, sv)
        for code, fi, sv in session.execute(
            select(MunicipalityRow.code, MunicipalityRow.name_fi, MunicipalityRow.name_sv)
        )
    }
    out: dict[str, Person] = {}
    for cid, home, attributes in session.execute(
        select(ClientRow.id, ClientRow.home_municipality, ClientRow.attributes).where(
            ClientRow.id.in_(wanted)
        )
    ):
        born = attributes.get("birth_date")
        fi, sv = munis.get(home, (home, None))
        out[cid] = Person(
            id=cid,
            name=names.get(cid) or None,
            birth_year=date.fromisoformat(str(born)).year if born else None,
            age=None if born else (int(attributes["age"]) if attributes.get("age") else None),
            municipality_fi=fi,
            municipality_sv=sv,
        )
    for cid in wanted:
        out.setdefault(cid, Person(cid, names.get(cid) or None, None, None, "", None))
    return out


def site_starts(session: Session, organisation: str, ids: Iterable[str]) -> dict[str, date]:
    """Client id → the first day of their live period at one of the organisation's
    placements: what a site itself knows of a client, to tell two of the same name apart
    without showing anything the client did not agree to share."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    own = select(PlacementRow.id).where(PlacementRow.organisation_id == organisation)
    out: dict[str, date] = {}
    for cid, start in session.execute(
        select(AssignmentRow.client_id, AssignmentRow.start_date).where(
            AssignmentRow.client_id.in_(wanted),
            AssignmentRow.status == "active",
            AssignmentRow.placement_id.in_(own),
        )
    ):
        out[cid] = min(start, out.get(cid, start))
    return out


def full_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """User name → the person's full name (the user name itself where no account has it,
    e.g. an API token's name)."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    found = dict(
        session.execute(
            select(UserRow.username, UserRow.full_name).where(UserRow.username.in_(wanted))
        ).all()
    )
    return {u: found.get(u) or u for u in wanted}


def recent_purpose(session: Session, who: Principal, client_id: str) -> str | None:
    """The purpose ``who`` gave for reading ``client_id`` outside their caseload within the
    last :data:`PURPOSE_MINUTES`, or None (then the page asks)."""
    since: datetime = utcnow() - timedelta(minutes=PURPOSE_MINUTES)
    purpose: str | None = session.scalar(
        select(AuditRow.purpose)
        .where(
            AuditRow.actor == who.name,
            AuditRow.resource == PURPOSE_RESOURCE,
            AuditRow.record_id == client_id,
            AuditRow.at >= since,
        )
        .order_by(AuditRow.id.desc())
        .limit(1)
    )
    return purpose


def remember_purpose(session: Session, who: Principal, client_id: str, purpose: str) -> None:
    """Record the purpose given for reading ``client_id`` outside the caseload (the caller
    commits with the read it audits)."""
    audit.record(
        session, who, Action.READ, PURPOSE_RESOURCE, purpose, record_id=client_id, web=True
    )
