"""Shared pieces of the wire schemas."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

T = TypeVar("T")

Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"),
]
"""A record id: letters, digits and ``_ . : -`` (as ``models.RecordId``)."""

Code = Annotated[str, StringConstraints(pattern=r"^\d{3}$")]
"""A three-digit municipality number."""

Text = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]
"""Free text without NUL characters (PostgreSQL cannot store them)."""

Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
"""A short non-empty text."""

Tag = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00]*$")]
"""A short label such as a skill or a language code."""


class WireIn(BaseModel):
    """Base of request bodies: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WireOut(BaseModel):
    """Base of response bodies."""

    model_config = ConfigDict(from_attributes=True)


class Page(WireOut, Generic[T]):
    """One page of a list; ``total`` counts all matching items."""

    items: list[T]
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    total: int = Field(ge=0)


class LocationIn(WireIn):
    """A point in WGS84 degrees (Finland's range)."""

    lat: float = Field(ge=59.0, le=70.5)
    lon: float = Field(ge=19.0, le=32.0)
