"""People on the pages: one way to name a client wherever a list shows them, and the
service's users by their full names.

A name alone does not tell people apart (the demo county has four clients called Noora
Heikkilä), so a coordinator's page adds the birth year (or the age, where only that is on
record) and the home municipality: "Noora Heikkilä (s. 1988, Oulu)". A site (municipality
contact) sees only what the client agreed to share with it, so its pages add nothing the
consent does not cover: the phone number if it is shared, else the first day of the client's
period at the site, which the site itself knows; where two still read alike, a running
number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from service.crud import people as people_store
from service.web.i18n import Texts


@dataclass(frozen=True)
class Label:
    """A person as a list shows them: the name, and what tells them apart."""

    name: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.name} ({self.hint})" if self.hint else self.name


def _hint(t: Texts, person: people_store.Person) -> str:
    parts = []
    if person.birth_year is not None:
        parts.append(t("person.born", year=str(person.birth_year)))
    elif person.age is not None:
        parts.append(t("person.age", age=person.age))
    town = person.municipality_sv if t.language == "sv" and person.municipality_sv else None
    if town or person.municipality_fi:
        parts.append(town or person.municipality_fi)
    return ", ".join(parts)


def client_labels(session: Any, t: Texts, ids: Iterable[str]) -> dict[str, Label]:
    """Client id → :class:`Label` for the coordinator's pages and files (every id given)."""
    found = people_store.people(session, ids)
    return {
        cid: Label(person.name or t("person.no_name"), _hint(t, person))
        for cid, person in found.items()
    }


def site_labels(
    session: Any,
    t: Texts,
    organisation: str,
    shared: Mapping[str, Any],
    starts: Mapping[str, date | None] | None = None,
) -> dict[str, Label]:
    """Client id → :class:`Label` for a site's pages: ``shared`` maps each id to the client's
    shared view (``client_store.view``), so only a consented name or phone is shown; where
    no phone is shared, the first day of the client's period at the site (``starts``, or the
    live period's) tells two of the same name apart."""
    known = dict(starts or {})
    missing = [cid for cid in shared if known.get(cid) is None]
    known.update(people_store.site_starts(session, organisation, missing))
    out = {}
    for cid, view in shared.items():
        name = getattr(view, "display_name", None) or t("muni.name_not_shared")
        phone = getattr(view, "phone", None)
        start = known.get(cid)
        if phone:
            hint = t("person.phone", phone=phone)
        elif start is not None:
            hint = t("person.starts", date=t.date(start))
        else:
            hint = ""
        out[cid] = Label(name, hint)
    return _numbered(t, out)


def _numbered(t: Texts, labels: dict[str, Label]) -> dict[str, Label]:
    """Labels still alike after all the consent lets a site see get a running number (in
    the order of the pseudonymous ids, so the same person keeps it from page to page)."""
    alike: dict[str, list[str]] = {}
    for cid in sorted(labels):
        alike.setdefault(str(labels[cid]), []).append(cid)
    for ids in alike.values():
        if len(ids) < 2:
            continue
        for n, cid in enumerate(ids, start=1):
            label = labels[cid]
            number = t("person.nth", n=n, count=len(ids))
            labels[cid] = Label(label.name, f"{label.hint}, {number}" if label.hint else number)
    return labels


def user_names(session: Any, usernames: Iterable[str | None]) -> dict[str, str]:
    """User name → full name, for "who decided" and "who recorded" on the pages."""
    return people_store.full_names(session, usernames)
