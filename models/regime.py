"""The legal regime a run is made under, kept as data so that law reforms need no code change.

The defaults are the rules in force in 2026 (Act 189/2001 on rehabilitative work activity as
amended by 142/2015 and 702/2020). The service is being reformed (STM/TEM 25.11.2025,
HE 109/2025): who organises it and on which referral basis clients come are therefore fields
of this record, not constants in the engine, and scenarios may change any limit.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from models.base import DomainModel


class LegalRegime(DomainModel):
    """Organiser, referral bases and the numeric limits of the law."""

    organiser: str = Field(
        default="wellbeing_county",
        min_length=1,
        description=(
            "Who organises the activity: 'wellbeing_county' since 1.1.2023 (591/2022); "
            "'municipality' or 'employment_area' under the planned reform."
        ),
    )
    referral_bases: tuple[str, ...] = Field(
        default=("activation_plan", "multidisciplinary_employment_plan"),
        min_length=1,
        description=(
            "Plans that may refer a client: the activation plan (189/2001 § 2) and the "
            "multidisciplinary employment plan (381/2023); HE 109/2025 narrows the former."
        ),
    )
    min_days_per_week: int = Field(default=1, ge=1, le=7, description="189/2001 § 13 (142/2015).")
    max_days_per_week: int = Field(default=4, ge=1, le=7, description="189/2001 § 13 (142/2015).")
    min_hours_per_day: float = Field(default=4.0, ge=0, le=24, description="189/2001 § 13.")
    max_hours_per_day: float = Field(
        default=8.0, ge=0, le=24, description="Practice of organisers (eura.fi, karviainen.fi)."
    )
    min_period_months: int = Field(default=3, ge=1, le=60, description="189/2001 § 13, 3–24 mo.")
    max_period_months: int = Field(default=24, ge=1, le=120, description="189/2001 § 13.")
    min_client_age: int = Field(
        default=18,
        ge=15,
        le=120,
        description=(
            "Youngest client, years on the planning date: the activity is a service for "
            "unemployed adults referred by an activation or employment plan (189/2001 § 3, "
            "domain.md § 1.2); a younger age is a data error (e.g. a birth date in 2020)."
        ),
    )
    max_client_age: int = Field(
        default=68,
        ge=15,
        le=120,
        description=(
            "Oldest client, years on the planning date: clients are of working age and on "
            "unemployment benefits or social assistance, which end with the old-age pension "
            "(at the latest around 65-68 under the earnings-related pension acts); an older "
            "age is a data error. A plausibility limit, not a legal rule: a setting."
        ),
    )
    youth_age_limit: int = Field(
        default=29, ge=1, le=120, description="Youth Act 1285/2016 § 3: young = under 29."
    )
    commitment_months: int = Field(
        default=3,
        ge=0,
        le=24,
        description=(
            "The municipality commits to at least this many months per client (cooperation "
            "model); younger ongoing placements are always kept."
        ),
    )
    company_producers_allowed: bool = Field(
        default=False,
        description="THL: the work activity must not be bought from a company.",
    )
    no_replacement_attestation_months: int | None = Field(
        default=None,
        ge=1,
        le=60,
        description=(
            "THL: the activity must not replace work done in employment or civil-service "
            "relationships, and the site must not depend on the clients' work. When set, a "
            "placement takes new clients only with a written no-replacement attestation "
            "(Placement.no_replacement_attested_on) at most this many months old on the "
            "planning date; None = no attestation required."
        ),
    )

    @model_validator(mode="after")
    def _ranges_are_ordered(self) -> Self:
        if self.min_days_per_week > self.max_days_per_week:
            raise ValueError("min_days_per_week is above max_days_per_week")
        if self.min_hours_per_day > self.max_hours_per_day:
            raise ValueError("min_hours_per_day is above max_hours_per_day")
        if self.min_client_age > self.max_client_age:
            raise ValueError("min_client_age is above max_client_age")
        if self.min_period_months > self.max_period_months:
            raise ValueError("min_period_months is above max_period_months")
        return self
