"""Regime versions on the wire: an admin adds or reviews one; everyone signed in reads them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from models.regime import VersionStatus
from service.schemas.common import Id, WireIn, WireOut

SourceText = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^\x00]*$")]
PlainText = Annotated[str, StringConstraints(max_length=4000, pattern=r"^[^\x00]*$")]
Title = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"^[^\x00]*$")]


class RegimeVersionIn(WireIn):
    """A version of the county's legal regime: its status, dates, sources and rules.

    ``regime`` holds the rules that differ from the law's defaults (``LegalRegime``), e.g.
    ``{"organiser": "municipality", "referral_bases_by_benefit": {...}}``. A version in force
    or adopted needs ``valid_from``; adopting one ends the open-ended version before it.
    """

    title: Title
    status: VersionStatus
    valid_from: date | None = None
    valid_until: date | None = None
    sources: list[SourceText] = Field(min_length=1, max_length=30)
    regime: dict[str, Any] = Field(default_factory=dict)
    note: PlainText = ""


class RegimeVersionOut(WireOut):
    """A version as the county's history holds it (shipped or stored)."""

    id: Id
    title: str
    status: VersionStatus
    valid_from: date | None
    valid_until: date | None
    sources: list[str]
    regime: dict[str, Any]
    note: str
    in_force_today: bool = False
    reviewed_by: str | None = None
