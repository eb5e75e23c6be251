"""What the cooperation pages share: the caller with their scope, rendering with the engine's
words, refusals located at their fields, months, downloads and the printable page."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import Depends
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from matching.cooperation.texts import CATALOGUE, refusal_text, text
from models.benefits import BenefitRules
from models.regime import LegalRegime
from service import audit
from service.audit import Action
from service.auth import Principal, Role
from service.crud import cooperation as coop_store
from service.db.tables import (
    OrganisationRow,
)
from service.errors import OUT_OF_ORDER_CODES, ServiceError, service_message
from service.web.coordinator import names_of, placement_infos
from service.web.core import Page, WebError, require_purpose, role_page
from service.web.forms import message
from service.web.i18n import Texts

REGIME = LegalRegime()
RULES = BenefitRules()
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STATUS_CLASS = {"drafted": "s-proposed", "agreed": "s-accepted", "cancelled": "s-superseded"}
CONTACT_ROLES = ("site_supervisor", "coordinator", "coach")
MEETING_ROLES = ("client", "coordinator", "site_supervisor", "coach")

CoordinatorPage = Annotated[Page, Depends(role_page(Role.COORDINATOR))]
MunicipalityPage = Annotated[Page, Depends(role_page(Role.MUNICIPALITY))]
PlannerPage = Annotated[Page, Depends(role_page(Role.PLANNER))]
CoachPage = Annotated[Page, Depends(role_page(Role.COACH))]


# --- who is asking --------------------------------------------------------------------------


def caller(page: Page) -> Principal:
    """The service-layer caller with what the crud layer scopes by: a coordinator's caseload
    (a coach's coach id and a contact's chosen unit come with ``page.principal``)."""
    user = page.user
    assert user is not None
    base = page.principal
    if base.role is Role.COORDINATOR:
        return Principal(
            token_id=base.token_id,
            name=base.name,
            role=base.role,
            organisation=None,
            caseload=frozenset(user.caseload),
        )
    return base


# --- rendering and errors -------------------------------------------------------------------


def unit_context(page: Page) -> dict[str, Any]:
    """The contact's units (to switch between them) and the one they act for."""
    user = page.user
    assert user is not None
    orgs = page.session.scalars(
        select(OrganisationRow).where(OrganisationRow.id.in_(user.organisations))
    ).all()
    return {"orgs": orgs, "current_org": page.principal.organisation}


def limits() -> dict[str, Any]:
    """The law's limits the forms mention (from the regime, never written in a text)."""
    return {
        "min_days": REGIME.min_days_per_week,
        "max_days": REGIME.max_days_per_week,
        "min_hours": f"{REGIME.min_hours_per_day:g}",
        "max_hours": f"{REGIME.max_hours_per_day:g}",
        "min_months": REGIME.min_period_months,
        "max_months": REGIME.max_period_months,
    }


def render(page: Page, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A page of this module: the layout's values plus the engine catalogue's words (``ct``),
    euros and date lists in the user's language."""
    lang = page.t.language
    organiser = page.organiser

    def ct(key: str, language: str | None = None) -> str:
        return text(key, language or lang, organiser)

    def eur(amount: Decimal | float) -> str:
        return format_decimal(amount, format="#,##0.00", locale=page.t.locale) + " €"

    def dates(days: Iterable[date]) -> str:
        return ", ".join(page.t.date(d) for d in days)

    return page.render(
        template,
        status=status,
        ct=ct,
        eur=eur,
        dates=dates,
        status_class=STATUS_CLASS,
        weekdays=WEEKDAYS,
        limits=limits(),
        **values,
    )


def _field(loc: tuple[Any, ...], fields: Mapping[str, str]) -> str:
    """The form field of an error location: the first mapped prefix, else its first name."""
    names = [str(p) for p in loc if not isinstance(p, int) and p != "body"]
    for size in range(len(names), 0, -1):
        joined = ".".join(names[:size])
        if joined in fields:
            return fields[joined]
    return names[0] if names else "form"


def refusal_words(t: Texts, code: str) -> str | None:
    """The plain words of an engine refusal code in the user's language, if it has any."""
    if f"refusal.{code}" not in CATALOGUE:
        return None
    return refusal_text(code, t.language, REGIME, RULES)


def located(
    t: Texts, exc: ValidationError, fields: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Form field → message: the engine's refusal next to its field, else pydantic's."""
    out: dict[str, str] = {}
    for item in exc.errors():
        name = _field(tuple(item.get("loc", ())), fields or {})
        words = refusal_words(t, str(item.get("type", "")))
        out.setdefault(name, words or message(t, item))
    return out


def status_of(exc: ValidationError) -> int:
    """409 for a step out of order (agreeing twice, starting from a draft, ending twice), as
    the API answers; 422 for a value the rules refuse."""
    return 409 if any(e["type"] in OUT_OF_ORDER_CODES for e in exc.errors()) else 422


def refused(t: Texts, exc: ServiceError) -> dict[str, str]:
    """A step out of order (or another service refusal) as the form's error."""
    code = str(getattr(exc, "code", ""))
    words = refusal_words(t, code) if code else None
    if words is None and t.has(f"coop.refused_{code}"):
        words = t(f"coop.refused_{code}")
    return {"form": words or service_message(exc, t.language)}


def month_of(value: str, today: date) -> date | None:
    """The first day of a month typed as m.yyyy, mm.yyyy or yyyy-mm (default: last month)."""
    value = value.strip()
    if not value:
        first = today.replace(day=1)
        return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    found = re.fullmatch(r"(\d{1,2})\.(\d{4})", value) or re.fullmatch(r"(\d{4})-(\d{1,2})", value)
    if found is None:
        return None
    a, b = found.groups()
    year, month = (int(b), int(a)) if "." in value else (int(a), int(b))
    return date(year, month, 1) if 1 <= month <= 12 and 1900 < year < 2200 else None


def download(content: bytes, filename: str, media_type: str) -> Response:
    """A file to save (never shown inline)."""
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def printable(html: str) -> HTMLResponse:
    """The printable agreement: a whole document whose only style is its own ``<style>``,
    allowed by its hash (the app's policy allows no inline style otherwise)."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    ]
    policy = (
        f"default-src 'none'; style-src {' '.join(hashes) or 'none'}; img-src 'self' data:; "
        "form-action 'none'; frame-ancestors 'none'"
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})


@dataclass
class Pair:
    """A client and a placement as the pages name them."""

    proposal_id: int
    client: str
    name: str
    placement: str
    placement_name: str
    who: str = ""
    """The name with what tells the client apart (birth year, home municipality), for
    headings; ``name`` alone goes into forms (the meeting's participants)."""


def first_of(values: Iterable[Any], key: Callable[[Any], Any]) -> dict[Any, Any]:
    """The first item for each key (rows come newest first)."""
    out: dict[Any, Any] = {}
    for v in values:
        out.setdefault(key(v), v)
    return out


def pair_of(page: Page, proposal_id: int) -> Pair:
    """The confirmed pair of a proposal (404 if the caller may not see it)."""
    try:
        answer = coop_store.get_confirmation(page.session, caller(page), proposal_id)
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    require_purpose(page, answer.client_id)
    infos = placement_infos(page.session, {answer.placement_id})
    name = names_of(page, [answer.client_id])[answer.client_id]
    info = infos.get(answer.placement_id)
    return Pair(
        proposal_id,
        answer.client_id,
        name.name,
        answer.placement_id,
        info.name if info else answer.placement_id,
        str(name),
    )


def service_errors(page: Page, exc: ServiceError) -> dict[str, str]:
    """A service refusal at its fields when it names them (``InvalidInput``), else the form's."""
    out: dict[str, str] = {}
    for item in getattr(exc, "errors", ()) or ():
        loc = [str(p) for p in item.get("loc", ()) if p != "body" and not isinstance(p, int)]
        code = str(item.get("type", ""))
        out.setdefault(
            loc[0] if loc else "form", refusal_words(page.t, code) or str(item.get("msg", ""))
        )
    return out or refused(page.t, exc)


def audit_step(page: Page, action: Action, purpose: str, record: int, client: str) -> None:
    audit.record(
        page.session,
        caller(page),
        action,
        "periods",
        page.purpose or purpose,
        record_id=str(record),
        client=client,
        outside_caseload=bool(page.purpose) or None,
        web=True,
    )
    page.session.commit()
