"""Day records of a period: the site's entry for each day, and corrections with who and why.

A day may be recorded again: the newer entry wins and must say why it corrects the earlier
one, so the history of every day stays (who recorded what, when, and why it changed). The
absence category is a code of :class:`models.benefits.BenefitRules` (Kela's categories are
data), checked by ``matching.cooperation.attendance`` against the rules in force.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from models.base import DomainModel, RecordId
from models.benefits import DayStatus
from models.cooperation import issue, refuse


class DayKind(StrEnum):
    """A day on the agreement's schedule, or one that replaces another.

    ``swapped``: a participation day moved to another day by agreement with the organiser
    (Kela need not be told); ``make_up``: a replacement day agreed after an unauthorised
    absence. Source: Kela, "Jos olet poissa työllistymistä edistävästä palvelusta".
    """

    REGULAR = "regular"
    SWAPPED = "swapped"
    MAKE_UP = "make_up"


class DayRecord(DomainModel):
    """One entry for one day of a period.

    A swapped or make-up day names the day it replaces (``replaces``) and who agreed it
    (``agreed_by``, as the organiser's person is named); ``matching.cooperation.attendance``
    checks that the replaced day can be replaced.
    """

    period: RecordId
    day: date
    status: DayStatus
    absence_reason: str | None = Field(
        default=None,
        max_length=32,
        description="Kela's category code for an absence (BenefitRules.absence_categories).",
    )
    certificate_received: bool = Field(
        default=False, description="A doctor's or nurse's certificate was seen (illness)."
    )
    recorded_by: str = Field(min_length=1, max_length=200)
    recorded_at: datetime
    correction_reason: str = Field(
        default="", max_length=500, description="Why this entry replaces an earlier one."
    )
    kind: DayKind = Field(default=DayKind.REGULAR, description="Regular, swapped or make-up.")
    replaces: date | None = Field(
        default=None, description="The agreed day a swapped or make-up day replaces."
    )
    agreed_by: str = Field(
        default="", max_length=200, description="Who agreed the swap or the make-up day."
    )

    @model_validator(mode="after")
    def _replacement_named(self) -> Self:
        if self.kind is DayKind.REGULAR:
            if self.replaces is not None or self.agreed_by:
                refuse(
                    "DayRecord",
                    [
                        issue(
                            ("replaces",),
                            "replaces_not_allowed",
                            "only a swapped or make-up day replaces another day",
                            None if self.replaces is None else self.replaces.isoformat(),
                        )
                    ],
                )
            return self
        issues = []
        if self.replaces is None or self.replaces == self.day:
            issues.append(
                issue(
                    ("replaces",),
                    "replaces_required",
                    f"a {self.kind.value} day names the other day it replaces",
                    None,
                )
            )
        if not self.agreed_by:
            issues.append(
                issue(
                    ("agreed_by",),
                    "agreed_by_required",
                    f"a {self.kind.value} day names who agreed it",
                    "",
                )
            )
        if self.status is DayStatus.SERVICE_NOT_ARRANGED:
            issues.append(
                issue(
                    ("status",),
                    "replacement_not_arranged",
                    "a swapped or make-up day is a day the service is arranged",
                    self.status.value,
                )
            )
        refuse("DayRecord", issues)
        return self

    @model_validator(mode="after")
    def _reason_iff_absent(self) -> Self:
        absent = self.status is DayStatus.ABSENT
        if absent and not self.absence_reason:
            refuse(
                "DayRecord",
                [issue(("absence_reason",), "reason_required", "an absence needs a reason", None)],
            )
        if not absent and self.absence_reason:
            refuse(
                "DayRecord",
                [
                    issue(
                        ("absence_reason",),
                        "reason_not_allowed",
                        "only an absence has a reason",
                        self.absence_reason,
                    )
                ],
            )
        if self.certificate_received and not absent:
            refuse(
                "DayRecord",
                [
                    issue(
                        ("certificate_received",),
                        "certificate_not_allowed",
                        "a certificate belongs to an absence",
                        True,
                    )
                ],
            )
        return self
