"""The planner's pages: scenarios built with a form, run as jobs with progress, and their
results (comparison table with counts beside rates, a chart, downloads)."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from models import TaskCategory
from service import audit
from service.audit import Action
from service.crud import scenarios as store
from service.crud.scenario_base import prepare
from service.db.tables import MunicipalityRow, OrganisationRow, PlacementRow, ScenarioJobRow
from service.errors import ServiceError, service_message
from service.routes.runs import submit
from service.schemas.scenarios import ScenarioJobCreate
from service.web.core import PlannerPage, WebError, form_of, redirect
from service.web.forms import field_errors, number

router = APIRouter(prefix="/planner", include_in_schema=False)

CHANGE_KINDS = ("resize", "remove", "scale_demand", "regime")
RULES = (
    "max_days_per_week",
    "min_hours_per_day",
    "max_hours_per_day",
    "min_period_months",
    "youth_age_limit",
    "commitment_months",
    "no_replacement_attestation_months",
)


def _context(page: Any) -> dict[str, Any]:
    munis = page.session.execute(
        select(MunicipalityRow.code, MunicipalityRow.name_fi).order_by(MunicipalityRow.name_fi)
    ).all()
    jobs = page.session.scalars(
        select(ScenarioJobRow).order_by(ScenarioJobRow.id.desc()).limit(20)
    ).all()
    units = page.session.execute(
        select(OrganisationRow.id, OrganisationRow.name).order_by(OrganisationRow.name)
    ).all()
    return {
        "municipalities": munis,
        "tasks": list(TaskCategory),
        "jobs": jobs,
        "kinds": CHANGE_KINDS,
        "units": units,
        "rules": RULES,
    }


@router.get("/scenarios")
def scenarios(page: PlannerPage) -> Response:
    """Earlier scenario jobs and the form for a new one."""
    return page.render(
        "planner/scenarios.html",
        errors={},
        values={"name": "", "kind": "resize", "amount": "2"},
        **_context(page),
    )


def _change(form: dict[str, Any], unit_placements: list[str]) -> dict[str, Any]:
    kind = str(form.get("kind", ""))
    select_: dict[str, Any] = {}
    if form.get("municipality"):
        select_["municipality"] = [str(form["municipality"])]
    if form.get("task_category"):
        select_["task_category"] = [str(form["task_category"])]
    if form.get("organisation"):
        select_["ids"] = unit_placements
    amount = number(form.get("amount"))
    if kind == "resize":
        return {"kind": "resize_placements", "select": select_, "add_seats": amount}
    if kind == "remove":
        return {"kind": "remove_placements", "select": select_}
    if kind == "scale_demand":
        change: dict[str, Any] = {"kind": "scale_demand", "factor": amount}
        if form.get("municipality"):
            change["municipality"] = [str(form["municipality"])]
        return change
    if kind == "regime":
        rule = str(form.get("rule", ""))
        if rule not in RULES:
            raise WebError(422, "error.form")
        return {"kind": "regime", "set": {rule: amount}}
    raise WebError(422, "error.form")


@router.post("/scenarios")
async def start(request: Request, page: PlannerPage) -> Response:
    """Validate the scenario with the API's model and queue it as a job."""
    form = await form_of(request, page)
    unit = str(form.get("organisation", ""))
    unit_placements = list(
        page.session.scalars(select(PlacementRow.id).where(PlacementRow.organisation_id == unit))
    )
    name = str(form.get("name", "")).strip() or "skenaario"
    plain = name.translate(str.maketrans("äöåÄÖÅ", "aoaAOA"))
    slug = "".join(ch if ch.isalnum() and ch.isascii() else "-" for ch in plain).strip("-")
    data = {
        "name": name,
        "scenarios": [
            {
                "name": (slug or "scenario")[:100],
                "description": name,
                "changes": [_change(form, unit_placements)],
            }
        ],
        "seat_values": 0,
    }
    if form.get("time_limit_s"):
        data["time_limit_s"] = number(form.get("time_limit_s"))
    session = page.session
    try:
        body = ScenarioJobCreate.model_validate(data)
        store.ensure_idle(session, page.settings)
        prepared = prepare(session, body, page.settings)
        row = store.create(session, page.principal, body, prepared, page.settings)
    except ValidationError as exc:
        session.rollback()
        return page.render(
            "planner/scenarios.html",
            errors=field_errors(page.t, exc),
            values=form,
            status=422,
            **_context(page),
        )
    except ServiceError as exc:
        session.rollback()
        return page.render(
            "planner/scenarios.html",
            errors={"form": service_message(exc, page.t.language)},
            values=form,
            status=409,
            **_context(page),
        )
    if prepared.client_ids:
        audit.record(
            session,
            page.principal,
            Action.READ,
            "scenario_jobs",
            "capacity planning",
            record_id=str(row.id),
            ids=prepared.client_ids,
            pseudonymised=True,
            web=True,
        )
    session.commit()
    submit(request, "scenario", row.id)
    return redirect(f"/planner/scenarios/{row.id}")


@router.get("/scenarios/{job_id}")
def result(page: PlannerPage, job_id: int) -> Response:
    """A job's progress, then its comparison table, chart and downloads."""
    try:
        job = store.get(page.session, job_id)
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    files = store.files(page.session, job_id) if job.status == "succeeded" else []
    summary = job.summary or []
    best = max((s.get("placed", 0) for s in summary), default=0)
    titles = {str(s.get("name")): str(s.get("description") or s.get("name")) for s in job.scenarios}
    return page.render(
        "planner/result.html",
        titles=titles,
        job=job,
        error=store.error_words(job, page.t.language) or job.error,
        summary=summary,
        files=files,
        best=best,
        running=job.status in ("queued", "running"),
    )


@router.get("/scenarios/{job_id}/files/{name}")
def download(page: PlannerPage, job_id: int, name: str) -> Response:
    """One output file of a job (XLSX, CSV, charts)."""
    try:
        row = store.file(page.session, job_id, name)
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    return Response(
        row.content,
        media_type=row.media_type,
        headers={"Content-Disposition": f'attachment; filename="{row.name}"'},
    )


@router.get("/scenarios/{job_id}/summary.csv")
def summary_csv(page: PlannerPage, job_id: int) -> Response:
    """The comparison table in the Finnish Excel dialect: semicolon, decimal comma, UTF-8
    with BOM, headers in the user's language."""
    try:
        job = store.get(page.session, job_id)
    except ServiceError as exc:
        raise WebError(404, "error.not_found") from exc
    t = page.t
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            t("planner.col_scenario"),
            t("planner.col_clients"),
            t("planner.col_placed"),
            t("planner.col_rate"),
            t("planner.col_top3"),
        ]
    )
    for s in job.summary or []:
        writer.writerow(
            [
                s.get("scenario"),
                s.get("clients"),
                s.get("placed"),
                f"{100 * float(s.get('placement_rate', 0)):.1f}".replace(".", ","),
                f"{100 * float(s.get('top3_share', 0)):.1f}".replace(".", ","),
            ]
        )
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="skenaario-{job_id}.csv"'},
    )
