"""Day records of a period: the site's entry for each day, and corrections with who and why.

A day may be recorded again: the newer entry wins and must say why it corrects the earlier
one, so the history of every day stays (who recorded what, when, and why it changed). The
absence category is a code of :class:`models.benefits.BenefitRules` (Kela's categories are
data), checked by ``matching.cooperation.attendance`` against the rules in force.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

from pydantic import Field, model_validator

from models.base import DomainModel, RecordId
from models.benefits import DayStatus
from models.cooperation import issue, refuse


class DayRecord(DomainModel):
    """One entry for one day of a period."""

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
