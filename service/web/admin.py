"""The admin's page: the users, a form to create one, and for each user unlock (after a
lock-out), deactivate and reactivate: the same functions as ``python -m service.admin``
(``create-user``, ``unlock-user``, ``deactivate-user``, ``reactivate-user``). Every change to an
account is written to the audit log."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from service import accounts, audit
from service.audit import Action
from service.auth import Role
from service.db.accounts import UserRow
from service.db.tables import CoachRow, OrganisationRow
from service.web.core import AdminPage, WebError, form_of, redirect
from service.web.forms import as_list, words

router = APIRouter(prefix="/admin", include_in_schema=False)


def _page(page: AdminPage, **extra: Any) -> Response:
    users = page.session.scalars(select(UserRow).order_by(UserRow.username)).all()
    orgs = page.session.scalars(select(OrganisationRow).order_by(OrganisationRow.name)).all()
    values = extra.pop("values", {"role": "coordinator", "language": "fi"})
    coaches = page.session.scalars(select(CoachRow.id).order_by(CoachRow.id)).all()
    locked = {u.id for u in users if accounts.is_locked(u)}
    return page.render(
        "admin/users.html",
        users=users,
        locked=locked,
        orgs=orgs,
        roles=list(Role),
        coaches=coaches,
        values=values,
        **extra,
    )


@router.get("/users")
def users(page: AdminPage) -> Response:
    """Every user, and the form for a new one."""
    return _page(page, error=None, created=None)


@router.post("/users")
async def create(request: Request, page: AdminPage) -> Response:
    """Create a user; the one-time password (and TOTP key) is shown once."""
    form = await form_of(request, page)
    password = secrets.token_urlsafe(12)
    role_value = str(form.get("role", ""))
    is_coach = role_value == Role.COACH.value
    coach = str(form.get("coach", "")).strip()
    try:
        user = accounts.create_user(
            page.session,
            username=str(form.get("username", "")),
            full_name=str(form.get("full_name", "")),
            role=Role(role_value),
            password=password,
            # a coach user is one known coach: the coach id is their one "organisation"
            organisations=(
                ([coach] if coach else []) if is_coach else as_list(form.get("organisations"))
            ),
            caseload=words(form.get("caseload")),
            totp=form.get("totp") == "on",
            language=str(form.get("language", "fi")),
        )
    except (accounts.AccountError, ValueError) as exc:
        page.session.rollback()
        field = getattr(exc, "field", "role")
        if is_coach and field == "organisations":
            field = "coach"
        return _page(page, error=(field, str(exc)), created=None, values=form, status=422)
    page.session.commit()
    return _page(page, error=None, created=(user, password, accounts.totp_uri(user)))


ACCOUNT_CHANGES = ("unlock", "deactivate", "reactivate")


@router.post("/users/{user_id}/{change}")
async def change_account(request: Request, page: AdminPage, user_id: int, change: str) -> Response:
    """Unlock, deactivate or reactivate one user (an admin cannot deactivate themselves)."""
    await form_of(request, page)
    session = page.session
    user = session.get(UserRow, user_id)
    if user is None or change not in ACCOUNT_CHANGES:
        raise WebError(404, "error.not_found")
    assert page.user is not None
    if change == "deactivate" and user.id == page.user.id:
        raise WebError(409, "admin.not_yourself")
    if change == "unlock":
        accounts.unlock(user)
    else:
        accounts.set_active(session, user, change == "reactivate")
    audit.record(
        session,
        page.principal,
        Action.UPDATE,
        "users",
        "account administration",
        record_id=user.username,
        change=change,
        web=True,
    )
    session.commit()
    return redirect(f"/admin/users?done={change}&who={user.username}")
