"""Reference data: commuting areas, municipalities, organisations, coaches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from service.auth import Principal, Role
from service.crud import reference as store
from service.deps import SessionDep, require
from service.routes.common import ERRORS, Anyone
from service.schemas.reference import ReferenceData

router = APIRouter(prefix="/reference", tags=["reference"], responses=ERRORS)


@router.get("")
def read_reference(session: SessionDep, _user: Anyone) -> ReferenceData:
    """Read all reference data."""
    return store.read(session)


@router.put("")
def put_reference(
    session: SessionDep,
    body: ReferenceData,
    _user: Annotated[Principal, Depends(require(Role.ADMIN, Role.COORDINATOR))],
) -> ReferenceData:
    """Insert or update reference records (admins and coordinators)."""
    store.upsert(session, body)
    session.commit()
    return store.read(session)
