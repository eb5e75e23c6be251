"""The county's legal regime as dated versions: admins add and review them (audited);
everyone signed in reads them, with the version in force today marked."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import ValidationError

from models.regime import RegimeHistory, RegimeVersion
from service.auth import Principal, Role
from service.crud import regimes as store
from service.deps import SessionDep, require
from service.errors import InvalidInput, field_errors
from service.routes.common import ERRORS, Anyone
from service.schemas.common import Id
from service.schemas.regimes import RegimeVersionIn, RegimeVersionOut

router = APIRouter(prefix="/regime-versions", tags=["regime"], responses=ERRORS)

Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


def _out(history: RegimeHistory, reviewers: dict[str, str], today: date) -> list[RegimeVersionOut]:
    current = history.in_force_on(today).id
    return [
        RegimeVersionOut(
            id=v.id,
            title=v.title,
            status=v.status,
            valid_from=v.valid_from,
            valid_until=v.valid_until,
            sources=list(v.sources),
            regime=v.regime.model_dump(mode="json"),
            note=v.note,
            in_force_today=v.id == current,
            reviewed_by=reviewers.get(v.id),
        )
        for v in history.versions
    ]


def _reviewers(session: SessionDep) -> dict[str, str]:
    return {vid: row.reviewed_by for vid, row in store.stored(session).items()}


@router.get("", response_model=list[RegimeVersionOut])
def list_versions(session: SessionDep, _user: Anyone) -> list[RegimeVersionOut]:
    """Every version of the county's regime, by first day; the one in force today marked."""
    return _out(store.history(session), _reviewers(session), date.today())


@router.put("/{version_id}", response_model=list[RegimeVersionOut])
def put_version(
    session: SessionDep, user: Admin, version_id: Id, body: RegimeVersionIn
) -> list[RegimeVersionOut]:
    """Add a version or review one (an admin): 422 naming the field when it is not a valid
    version or its dates overlap another's; the whole history is returned."""
    try:
        version = RegimeVersion.model_validate({"id": version_id, **body.model_dump()})
    except ValidationError as error:
        raise InvalidInput(
            "invalid regime version",
            field_errors(error.errors(), ("body",)),
            code="api.invalid_regime_version",
            params={"id": version_id},
        ) from None
    history = store.save(session, user, version)
    session.commit()
    return _out(history, _reviewers(session), date.today())
