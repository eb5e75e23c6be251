"""The municipality contact's pages: our placements (form, close and reopen, seat changes
with the ongoing periods they affect), the import with its preview, and the clients
proposed or placed with us, showing only what each client agreed to share."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from models import TaskCategory, Weekday, WorkDemand
from models.placement import CONTACT_FIELDS, OtherService
from service import audit
from service.audit import Action
from service.crud import clients as client_store
from service.crud import placements as placement_store
from service.crud.convert import placement_contact, placement_record
from service.db.tables import AssignmentRow, MunicipalityRow, OrganisationRow, PlacementRow, utcnow
from service.errors import ServiceError, service_message
from service.schemas.placements import PlacementCreate, PlacementUpdate
from service.web import placement_sheet
from service.web.core import MunicipalityPage, WebError, form_of, redirect, secure_cookies
from service.web.forms import as_list, field_errors, finnish_date, number, words
from service.web.i18n import Texts
from service.web.maps import Point, draw, town_names
from service.web.people import site_labels

router = APIRouter(prefix="/municipality", include_in_schema=False)


def _context(page: Any) -> dict[str, Any]:
    session = page.session
    user = page.user
    orgs = session.scalars(
        select(OrganisationRow).where(OrganisationRow.id.in_(user.organisations))
    ).all()
    munis = session.execute(
        select(MunicipalityRow.code, MunicipalityRow.name_fi).order_by(MunicipalityRow.name_fi)
    ).all()
    return {"orgs": orgs, "current_org": page.principal.organisation, "municipalities": munis}


@router.post("/unit")
async def choose_unit(request: Request, page: MunicipalityPage) -> Response:
    """A contact of several units chooses which one they act for."""
    form = await form_of(request, page)
    chosen = str(form.get("organisation", ""))
    assert page.user is not None
    if chosen not in page.user.organisations:
        raise WebError(403, "error.forbidden")
    response = redirect("/municipality/placements")
    response.set_cookie(
        "paikka_org",
        chosen,
        httponly=True,
        samesite="lax",
        path="/",
        secure=secure_cookies(request),
    )
    return response


@router.get("/placements")
def placements(page: MunicipalityPage) -> Response:
    """Our placements, open and closed, with ongoing periods counted."""
    session = page.session
    rows = placement_store.list_(
        session, page.principal, organisation=None, municipality=None, include_closed=True
    )
    ongoing: dict[str, int] = {}
    for pid in session.scalars(
        select(AssignmentRow.placement_id).where(
            AssignmentRow.status == "active", AssignmentRow.placement_id.in_([r.id for r in rows])
        )
    ):
        ongoing[pid] = ongoing.get(pid, 0) + 1
    munis = dict(session.execute(select(MunicipalityRow.code, MunicipalityRow.name_fi)).all())
    points = [
        Point(
            key=r.id,
            label=", ".join(
                part
                for part in (
                    str(r.attributes.get("department", r.id)),
                    r.street_address,
                    munis.get(r.municipality_code, r.municipality_code),
                )
                if part
            ),
            lat=float(r.attributes["location"]["lat"]),
            lon=float(r.attributes["location"]["lon"]),
            anchor=f"place-{r.id}",
        )
        for r in rows
        if not r.closed
    ]
    return page.render(
        "municipality/placements.html",
        rows=rows,
        ongoing=ongoing,
        munis=munis,
        map=draw(points, town_names(session, page.t.language)),
        **_context(page),
    )


SHARED_COLUMNS = ("service", "from", "until", "seats", "support_units")


def _column(form: dict[str, Any], name: str) -> list[str]:
    """One column of the repeated rows of a form, empty cells kept (rows stay aligned)."""
    value = form.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _shared_rows(form: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The seats and supervisor time other services take, one row each (service, from–to,
    counts); a row without a service is left out, so clearing it removes the use. None when
    the form has no such rows (nothing changes)."""
    if "shared_service" not in form:
        return None
    columns = [_column(form, f"shared_{c}") for c in SHARED_COLUMNS]
    rows = []
    for service, start, until, seats, units in zip(*columns, strict=False):
        if not service:
            continue
        rows.append(
            {
                "service": service,
                "from_date": finnish_date(start),
                "until_date": finnish_date(until),
                "seats": number(seats) or 0,
                "support_units": number(units) or 0,
            }
        )
    return rows


def _form_data(form: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "department": form.get("department", ""),
        "municipality": form.get("municipality", ""),
        "location": {"lat": number(form.get("lat")), "lon": number(form.get("lon"))},
        "task_category": form.get("task_category", ""),
        "description": form.get("description", ""),
        "seats": number(form.get("seats")),
        "weekdays": as_list(form.get("weekdays")),
        "min_hours_per_day": number(form.get("min_hours_per_day")),
        "max_hours_per_day": number(form.get("max_hours_per_day")),
        "demands": as_list(form.get("demands")),
        "skills": words(form.get("skills")),
        "languages": words(form.get("languages")) or ["fi"],
        "support_units": number(form.get("support_units")),
        "youth_workshop": form.get("youth_workshop") == "on",
        "available_from": finnish_date(form.get("available_from")),
        "available_until": finnish_date(form.get("available_until")),
        "no_replacement_attested_on": finnish_date(form.get("no_replacement_attested_on")),
    }
    kept = {k: v for k, v in data.items() if v is not None}
    shared = _shared_rows(form)
    if shared is not None:
        kept["shared_use"] = shared
    for name in CONTACT_FIELDS:  # an emptied field clears the stored value
        kept[name] = str(form.get(name) or "").strip() or None
    return kept


def _form(
    page: Any,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    new: bool,
    status: int = 200,
    affected: list[Any] | None = None,
) -> Response:
    return page.render(
        "municipality/placement_form.html",
        values=values,
        errors=errors,
        new=new,
        tasks=list(TaskCategory),
        demands=list(WorkDemand),
        weekdays=list(Weekday),
        other_services=list(OtherService),
        affected=affected or [],
        status=status,
        **_context(page),
    )


@router.get("/placements/new")
def new_placement(page: MunicipalityPage) -> Response:
    """An empty placement form."""
    return _form(
        page,
        {
            "weekdays": ["mon", "tue", "wed", "thu"],
            "languages": ["fi"],
            "min_hours_per_day": 4,
            "max_hours_per_day": 6,
            "seats": 1,
            "support_units": 2,
        },
        {},
        new=True,
    )


@router.post("/placements/new")
async def create_placement(request: Request, page: MunicipalityPage) -> Response:
    """Create a placement of our unit (the API's model and crud function validate it)."""
    form = await form_of(request, page)
    data = {
        **_form_data(form),
        "id": str(form.get("id", "")).strip(),
        "organisation": page.principal.organisation,
    }
    try:
        body = PlacementCreate.model_validate(data)
        placement_store.create(page.session, page.principal, body)
    except ValidationError as exc:
        page.session.rollback()
        return _form(page, {**form, **data}, field_errors(page.t, exc), new=True, status=422)
    except ServiceError as exc:
        page.session.rollback()
        return _form(
            page,
            {**form, **data},
            {"form": service_message(exc, page.t.language)},
            new=True,
            status=422,
        )
    page.session.commit()
    return redirect(f"/municipality/placements?saved={body.id}")


def _ongoing(page: Any, placement_id: str) -> list[Any]:
    return list(
        page.session.scalars(
            select(AssignmentRow)
            .where(AssignmentRow.placement_id == placement_id, AssignmentRow.status == "active")
            .order_by(AssignmentRow.start_date)
        )
    )


@router.get("/placements/{placement_id}")
def edit_placement(page: MunicipalityPage, placement_id: str) -> Response:
    """The form of one of our placements."""
    try:
        row = placement_store.get(page.session, page.principal, placement_id)
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    record = placement_record(row)
    values = {
        **record,
        **placement_contact(row),
        "lat": record["location"]["lat"],
        "lon": record["location"]["lon"],
        "closed": row.closed,
    }
    return _form(page, values, {}, new=False)


@router.post("/placements/{placement_id}")
async def save_placement(request: Request, page: MunicipalityPage, placement_id: str) -> Response:
    """Save changes; fewer seats than ongoing periods needs a confirmation that lists them."""
    form = await form_of(request, page)
    data = _form_data(form)
    try:
        body = PlacementUpdate.model_validate(data)
        row = placement_store.get(page.session, page.principal, placement_id)
    except ValidationError as exc:
        return _form(
            page,
            {**form, **data, "id": placement_id},
            field_errors(page.t, exc),
            new=False,
            status=422,
        )
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    ongoing = _ongoing(page, placement_id)
    old_seats = int(row.attributes.get("seats", 0))
    if (
        body.seats is not None
        and body.seats < old_seats
        and body.seats < len(ongoing)
        and (form.get("confirm") != "yes")
    ):
        return _form(
            page, {**form, **data, "id": placement_id}, {}, new=False, status=409, affected=ongoing
        )
    try:
        placement_store.update(page.session, page.principal, placement_id, body)
    except ValidationError as exc:
        page.session.rollback()
        return _form(
            page,
            {**form, **data, "id": placement_id},
            field_errors(page.t, exc),
            new=False,
            status=422,
        )
    except ServiceError as exc:
        page.session.rollback()
        return _form(
            page,
            {**form, **data, "id": placement_id},
            {"form": service_message(exc, page.t.language)},
            new=False,
            status=422,
        )
    page.session.commit()
    return redirect(f"/municipality/placements?saved={placement_id}")


@router.post("/placements/{placement_id}/close")
async def close(request: Request, page: MunicipalityPage, placement_id: str) -> Response:
    """Close: no new clients; those already there stay."""
    await form_of(request, page)
    try:
        placement_store.close(page.session, page.principal, placement_id)
    except ServiceError as exc:
        raise WebError(
            409, "error.form_detail", detail=service_message(exc, page.t.language)
        ) from exc
    page.session.commit()
    return redirect("/municipality/placements")


@router.post("/placements/{placement_id}/reopen")
async def reopen(request: Request, page: MunicipalityPage, placement_id: str) -> Response:
    """Reopen a closed placement for new clients."""
    await form_of(request, page)
    try:
        row = placement_store.get(page.session, page.principal, placement_id)
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    row.closed = False
    row.updated_at = utcnow()
    page.session.commit()
    return redirect("/municipality/placements")


# --- import ------------------------------------------------------------------------------


@router.get("/import")
def import_page(page: MunicipalityPage) -> Response:
    """The import page: template downloads and the upload form."""
    return page.render(
        "municipality/import.html", preview=None, payload="", filename="", **_context(page)
    )


@router.get("/import/template-{language}.csv")
def template(page: MunicipalityPage, language: str) -> Response:
    """The template in Finnish or Swedish (Excel's Finnish CSV dialect)."""
    if language not in ("fi", "sv"):
        raise WebError(404, "error.not_found")

    content = placement_sheet.template(language, Texts(language))
    name = "tyotoimintapaikat.csv" if language == "fi" else "arbetsverksamhetsplatser.csv"
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/import")
async def upload(request: Request, page: MunicipalityPage) -> Response:
    """Read the file and show what would be added, changed and refused; or save it when
    the preview is confirmed (and still valid)."""
    form = await form_of(request, page)
    upload = form.get("file")
    if upload is not None and hasattr(upload, "read"):
        content = await upload.read()
        filename = upload.filename or "upload.csv"
    else:
        try:
            content = base64.b64decode(str(form.get("payload", "")), validate=True)
        except (ValueError, binascii.Error) as exc:
            raise WebError(422, "import.no_file") from exc
        filename = str(form.get("filename", "upload.csv"))
    if not content:
        raise WebError(422, "import.no_file")
    if len(content) > page.settings.max_upload_bytes:
        raise WebError(413, "import.too_big")
    preview = placement_sheet.read(page.session, page.principal, page.t, filename, content)
    if form.get("confirm") == "yes" and not preview.refused:
        added, changed = placement_sheet.save(page.session, page.principal, preview)
        page.session.commit()
        return redirect(f"/municipality/placements?added={added}&changed={changed}")
    return page.render(
        "municipality/import.html",
        preview=preview,
        filename=filename,
        payload=base64.b64encode(content).decode(),
        status=422 if preview.refused else 200,
        **_context(page),
    )


@router.get("/clients")
def clients(page: MunicipalityPage) -> Response:
    """Clients proposed for or placed at our placements: only the shared fields."""

    session = page.session
    rows, where = client_store.list_rows(session, page.principal, include_inactive=False)
    views = [client_store.view(session, page.principal, r, where.get(r.id)) for r in rows]
    names = dict(
        session.execute(
            select(PlacementRow.id, PlacementRow.attributes).where(
                PlacementRow.organisation_id == page.principal.organisation
            )
        ).all()
    )
    audit.record(
        session,
        page.principal,
        Action.READ,
        "clients",
        "our placements' clients",
        ids=[r.id for r in rows],
        web=True,
    )
    session.commit()
    return page.render(
        "municipality/clients.html",
        views=views,
        labels=site_labels(
            session, page.t, page.principal.organisation or "", {v.id: v for v in views}
        ),
        placement_names={k: v.get("department", k) for k, v in names.items()},
        **_context(page),
    )
