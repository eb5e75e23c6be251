"""The short feedback forms at a period's end: the client's (plain language, in their own
language) and the site's."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from matching.cooperation.texts import text
from models.cooperation import (
    FeedbackQuestion,
    SiteFeedbackQuestion,
)
from service.audit import Action
from service.crud import clients as client_store
from service.crud import periods as period_store
from service.db.cooperation import (
    FeedbackRow,
)
from service.errors import ServiceError, service_message
from service.schemas.cooperation import (
    ClientFeedbackIn,
    SiteFeedbackIn,
)
from service.web.cooperation.common import (
    CoordinatorPage,
    MunicipalityPage,
    audit_step,
    caller,
    located,
    render,
    unit_context,
)
from service.web.cooperation.periods import period_row
from service.web.coordinator import placement_infos
from service.web.core import Page, WebError, form_of, redirect
from service.web.forms import number
from service.web.i18n import Texts

router = APIRouter(include_in_schema=False)


# --- feedback at the end of a period ----------------------------------------------------------


def _feedback_page(
    page: Page,
    site: bool,
    lang: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    ft = Texts(lang)
    questions = list(SiteFeedbackQuestion) if site else list(FeedbackQuestion)
    return render(
        page,
        "cooperation/feedback.html",
        status=status,
        form_lang=ft.language,
        form_title=text("feedback.site.title" if site else "feedback.client.title", ft.language),
        intro=ft("coop.fb_site_intro" if site else "coop.fb_client_intro"),
        send_label=ft("coop.fb_send"),
        scale={n: ft(f"coop.scale_{n}") for n in range(1, 6)},
        questions=questions,
        site=site,
        values=values,
        errors=errors,
    )


def _feedback_body(form: dict[str, Any], site: bool, lang: str) -> dict[str, Any]:
    questions = list(SiteFeedbackQuestion) if site else list(FeedbackQuestion)
    answers = {q.value: number(form.get(q.value)) for q in questions if form.get(q.value)}
    body: dict[str, Any] = {
        "given_on": date.today(),
        "answers": answers,
        "comment": str(form.get("comment", "")).strip(),
    }
    if not site:
        body["language"] = lang
    return body


async def _feedback_save(
    request: Request, page: Page, period_id: int, site: bool, back: str
) -> Response:
    form = await form_of(request, page)
    lang = str(form.get("lang", "fi"))
    lang = lang if lang in ("fi", "sv", "en") else "fi"
    ft = Texts(lang)
    questions = list(SiteFeedbackQuestion) if site else list(FeedbackQuestion)
    missing = {q.value: ft("coop.fb_answer_all") for q in questions if not form.get(q.value)}
    if missing:
        return _feedback_page(
            page, site, lang, form, {"form": ft("coop.fb_answer_all"), **missing}, 422
        )
    try:
        data = _feedback_body(form, site, lang)
        body = (SiteFeedbackIn if site else ClientFeedbackIn).model_validate(data)
        period_store.give_feedback(
            page.session, caller(page), period_id, "site" if site else "client", body
        )
    except ValidationError as exc:
        page.session.rollback()
        errors = located(ft, exc)
        return _feedback_page(
            page, site, lang, form, {"form": ft("coop.fb_answer_all"), **errors}, 422
        )
    except ServiceError as exc:
        page.session.rollback()
        raise WebError(409, "error.form_detail", detail=service_message(exc, lang)) from exc
    row = period_row(page, period_id)
    audit_step(page, Action.CREATE, "feedback", period_id, row.client_id)
    return redirect(f"{back}?done=feedback")


@router.get("/coordinator/cooperation/periods/{period_id}/feedback")
def client_feedback(page: CoordinatorPage, period_id: int, lang: str = "fi") -> Response:
    """The client's short form, in the client's language (the client fills it in)."""
    period_row(page, period_id)
    return _feedback_page(page, False, lang, {}, {})


@router.post("/coordinator/cooperation/periods/{period_id}/feedback")
async def client_feedback_save(request: Request, page: CoordinatorPage, period_id: int) -> Response:
    """Save the client's answers."""
    back = f"/coordinator/cooperation/periods/{period_id}"
    return await _feedback_save(request, page, period_id, False, back)


@router.get("/municipality/feedback")
def site_feedback_list(page: MunicipalityPage) -> Response:
    """Our ended periods waiting for our feedback."""
    session = page.session
    user = caller(page)
    given = set(session.scalars(select(FeedbackRow.period_id).where(FeedbackRow.kind == "site")))
    rows = [r for r in period_store.list_(session, user, running=False) if r.id not in given]
    shared = {
        r.client_id: client_store.view(
            session, user, client_store.get(session, r.client_id), [r.placement_id]
        )
        for r in rows
    }
    infos = placement_infos(session, {r.placement_id for r in rows})
    items = [
        {
            "id": r.id,
            "name": getattr(shared[r.client_id], "display_name", None)
            or page.t("muni.name_not_shared"),
            "placement_name": infos[r.placement_id].name
            if r.placement_id in infos
            else r.placement_id,
            "start": r.start_date,
            "end": r.ended_on,
        }
        for r in rows
    ]
    session.commit()
    return render(page, "cooperation/site_feedback.html", items=items, **unit_context(page))


@router.get("/municipality/feedback/{period_id}")
def site_feedback(page: MunicipalityPage, period_id: int) -> Response:
    """The site's short form about one ended period."""
    period_row(page, period_id)
    return _feedback_page(page, True, page.t.language, {}, {})


@router.post("/municipality/feedback/{period_id}")
async def site_feedback_save(request: Request, page: MunicipalityPage, period_id: int) -> Response:
    """Save the site's answers."""
    return await _feedback_save(request, page, period_id, True, "/municipality/feedback")
