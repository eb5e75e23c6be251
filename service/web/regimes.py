"""The admin's page of the county's legal regime versions: each version with its status,
dates, sources and organiser, the one in force today marked, and a form to add a version or
review one (confirm a proposed reform's first day and adopt it). The same store as the API
(``service.crud.regimes``); every change is audited there."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from models.regime import ORGANISERS, RegimeVersion, VersionStatus
from service.crud import regimes as store
from service.errors import InvalidInput, field_errors, service_message
from service.web.core import AdminPage, form_of, redirect
from service.web.forms import finnish_date

router = APIRouter(prefix="/admin", include_in_schema=False)


def _page(page: AdminPage, status: int = 200, **extra: Any) -> Response:
    history = store.history(page.session)
    reviewers = {vid: row.reviewed_by for vid, row in store.stored(page.session).items()}
    return page.render(
        "admin/regimes.html",
        status=status,
        versions=history.versions,
        current=history.in_force_on(date.today()).id,
        reviewers=reviewers,
        statuses=list(VersionStatus),
        organisers=ORGANISERS,
        values=extra.pop("values", {}),
        error=extra.pop("error", None),
        **extra,
    )


@router.get("/regimes")
def regimes(page: AdminPage) -> Response:
    """Every version of the regime, and the form to add or review one."""
    return _page(page)


@router.post("/regimes")
async def save(request: Request, page: AdminPage) -> Response:
    """Add a version (its rules copied from ``base``, with the organiser chosen) or review
    one with the same id (its rules kept); 422 with the field when it is refused."""
    form = await form_of(request, page)
    history = store.history(page.session)
    version_id = str(form.get("id", "")).strip()
    base_id = str(form.get("base", "")).strip() or version_id
    try:
        base = history.named(base_id)
    except KeyError:
        base = history.in_force_on(date.today())
    rules = base.regime.model_dump(mode="json")
    if form.get("organiser"):
        rules["organiser"] = str(form.get("organiser"))
    data = {
        "id": version_id,
        "title": str(form.get("title", "")).strip(),
        "status": str(form.get("status", "")),
        "valid_from": finnish_date(form.get("valid_from")),
        "valid_until": finnish_date(form.get("valid_until")),
        "sources": [
            line.strip() for line in str(form.get("sources", "")).splitlines() if line.strip()
        ],
        "regime": rules,
        "note": str(form.get("note", "")).strip(),
    }
    try:
        version = RegimeVersion.model_validate(data)
        store.save(page.session, page.principal, version)
    except ValidationError as exc:
        page.session.rollback()
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else "valid_from"
        worded = field_errors([first], lang=page.t.language)[0]  # never pydantic's English
        return _page(page, 422, values=form, error=(field, str(worded.get("message", ""))))
    except InvalidInput as exc:
        page.session.rollback()
        return _page(
            page, 422, values=form, error=("valid_from", service_message(exc, page.t.language))
        )
    page.session.commit()
    return redirect(f"/admin/regimes?saved={version.id}")
