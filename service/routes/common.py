"""Helpers shared by the routers: paging and role sets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, File, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter

from service.auth import Principal, Role
from service.config import Settings
from service.deps import require
from service.errors import InvalidInput

ALL_ROLES = tuple(Role)

IntId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Numeric id.")]

Page = Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")]
PageSize = Annotated[int | None, Query(ge=1, le=1000, description="Items per page.")]

Anyone = Annotated[Principal, Depends(require(*ALL_ROLES))]
Coordinator = Annotated[Principal, Depends(require(Role.COORDINATOR))]
ClientReaders = Annotated[
    Principal, Depends(require(Role.COORDINATOR, Role.MUNICIPALITY, Role.PLANNER))
]


UploadedFile = Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX; header row first.")]


def read_upload(file: UploadFile, settings: Settings) -> tuple[str, bytes]:
    """The name and bytes of an uploaded import file, refusing one over the size limit."""
    content = file.file.read(settings.max_upload_bytes + 1)
    if len(content) > settings.max_upload_bytes:
        raise InvalidInput(
            f"the file is larger than {settings.max_upload_bytes} bytes",
            code="api.file_too_large",
            params={"megabytes": round(settings.max_upload_bytes / 1_000_000, 1)},
        )
    return file.filename or "", content


def window(page: int, page_size: int | None, default: int) -> tuple[int, int]:
    """(offset, limit) of a page."""
    size = page_size or default
    return (page - 1) * size, size


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid bearer token."},
    403: {"description": "The caller's role may not do this."},
    404: {"description": "Unknown id (or one the caller may not see)."},
    409: {"description": "Conflicts with the current state."},
    422: {"description": "Invalid input; `errors` gives the field path of each problem."},
}


def json_of(value: BaseModel) -> Response:
    """A response serialised once, straight from a validated model.

    Large lists (1,000 proposals) skip FastAPI's re-validation of the returned value, which
    would otherwise dump, validate and serialise every item again; the route still declares
    ``response_model`` so the OpenAPI schema is unchanged.
    """
    return Response(content=value.model_dump_json(), media_type="application/json")


def json_list(adapter: TypeAdapter[Any], items: list[Any]) -> Response:
    """Like :func:`json_of`, for a top-level list."""
    return Response(content=adapter.dump_json(items), media_type="application/json")
