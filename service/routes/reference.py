"""Reference data: commuting areas, municipalities, organisations, coaches."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from pydantic import BaseModel

from matching.transit import FeedError, load_feed, set_current_feed, store_feed
from service import audit
from service.audit import Action
from service.auth import Principal, Role
from service.config import Settings
from service.crud import reference as store
from service.deps import SessionDep, SettingsDep, require
from service.errors import InvalidInput
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


class FeedStored(BaseModel):
    """A GTFS feed taken into the feed store: its version id and what it holds."""

    feed: str
    name: str
    stops: int
    connections: int


def _feed_root(settings: Settings) -> Path | None:
    return Path(settings.transit_dir) if settings.transit_dir else None


@router.post("/gtfs")
def post_gtfs(
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="The county's GTFS feed (zip).")],
    _user: Annotated[Principal, Depends(require(Role.ADMIN, Role.COORDINATOR))],
) -> FeedStored:
    """Store the county's GTFS timetables; runs from now on plan trips by them (admins and
    coordinators)."""
    content = file.file.read(settings.max_feed_bytes + 1)
    if len(content) > settings.max_feed_bytes:
        raise InvalidInput(
            f"the file is larger than {settings.max_feed_bytes} bytes",
            code="api.file_too_large",
            params={"megabytes": round(settings.max_feed_bytes / 1_000_000, 1)},
        )
    root = _feed_root(settings)
    try:
        version = store_feed(content, root)
    except FeedError as error:
        raise InvalidInput(
            f"not a GTFS feed: {error}", code="api.invalid_feed", params={"reason": str(error)}
        ) from error
    set_current_feed(version, root)
    feed = load_feed(version, root)
    return FeedStored(
        feed=version, name=feed.name, stops=feed.n_stops, connections=int(feed.dep_stop.size)
    )


class GeographyImported(BaseModel):
    """The county's classification taken in: where it comes from, its date, what it holds."""

    source: str
    source_date: date | None
    imported_at: datetime
    municipalities: int
    commuting_areas: int
    employment_areas: int


@router.post("/geography")
def post_geography(
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="The county's classification table (CSV).")],
    source: Annotated[str, Form(min_length=1, max_length=500, description="Who published it.")],
    user: Annotated[Principal, Depends(require(Role.ADMIN, Role.COORDINATOR))],
    date: Annotated[date | None, Form(description="Date of the classification.")] = None,
) -> GeographyImported:
    """Take in the county's reference geography (a row per municipality: commuting area,
    employment area, centre), with its source and date; runs from now on use it (admins and
    coordinators)."""
    content = file.file.read(settings.max_feed_bytes + 1)
    if len(content) > settings.max_feed_bytes:
        raise InvalidInput(
            f"the file is larger than {settings.max_feed_bytes} bytes",
            code="api.file_too_large",
            params={"megabytes": round(settings.max_feed_bytes / 1_000_000, 1)},
        )
    row = store.import_geography(session, content, source, date, user.name)
    counts = store.geography_counts(session)
    audit.record(
        session,
        user,
        Action.IMPORT,
        "geography",
        "reference geography",
        record_id=str(row.id),
        source=source,
        date=date.isoformat() if date else None,
        counts=counts,
    )
    session.commit()
    return GeographyImported(
        source=row.source, source_date=row.source_date, imported_at=row.imported_at, **counts
    )
