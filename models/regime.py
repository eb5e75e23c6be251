"""The legal regime a run is made under, kept as data so that law reforms need no code change.

The defaults are the rules in force in 2026 (Act 189/2001 on rehabilitative work activity as
amended by 142/2015 and 702/2020). The service is being reformed (STM/TEM 25.11.2025,
HE 109/2025): who organises it and on which referral basis clients come are therefore fields
of this record, not constants in the engine, and scenarios may change any limit.
"""

from __future__ import annotations

import itertools
from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from models.base import DomainModel, RecordId
from models.benefits import Benefit

ORGANISERS = ("wellbeing_county", "municipality", "employment_area")
"""Who may organise the activity: the wellbeing county since 1.1.2023 (591/2022); a
municipality or an employment area under the reform TEM assessed on 19.12.2025."""

ACTIVATION_PLAN = "activation_plan"
EMPLOYMENT_PLAN = "multidisciplinary_employment_plan"

TODAY_REFERRAL_BASES: dict[Benefit, tuple[str, ...]] = {
    Benefit.LABOUR_MARKET_SUBSIDY: (ACTIVATION_PLAN, EMPLOYMENT_PLAN),
    Benefit.SOCIAL_ASSISTANCE: (ACTIVATION_PLAN, EMPLOYMENT_PLAN),
    Benefit.BASIC_UNEMPLOYMENT_ALLOWANCE: (EMPLOYMENT_PLAN,),
    Benefit.EARNINGS_RELATED_ALLOWANCE: (EMPLOYMENT_PLAN,),
    Benefit.NONE: (EMPLOYMENT_PLAN,),
}
"""Referral bases each benefit allows under the law in force: § 1 (399/2023) covers people on
the labour market subsidy or on social assistance because of unemployment, whose activation
plan (§ 2) may refer them; the multidisciplinary employment plan (381/2023) may refer anyone
in its joint service whatever the benefit (unverified for clients on no benefit)."""

HE_109_2025_REFERRAL_BASES: dict[Benefit, tuple[str, ...]] = {
    Benefit.LABOUR_MARKET_SUBSIDY: (EMPLOYMENT_PLAN,),
    Benefit.SOCIAL_ASSISTANCE: (ACTIVATION_PLAN, EMPLOYMENT_PLAN),
    Benefit.BASIC_UNEMPLOYMENT_ALLOWANCE: (EMPLOYMENT_PLAN,),
    Benefit.EARNINGS_RELATED_ALLOWANCE: (EMPLOYMENT_PLAN,),
    Benefit.NONE: (EMPLOYMENT_PLAN,),
}
"""HE 109/2025 (StVM 27/2025): the activation plan only for people on social assistance
because of unemployment; people on an unemployment benefit come through the
multidisciplinary employment plan."""


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
    referral_bases_by_benefit: dict[Benefit, tuple[str, ...]] = Field(
        default_factory=lambda: dict(TODAY_REFERRAL_BASES),
        description=(
            "For each benefit, the referral bases that may refer a client on it (189/2001 §§ 1–2 "
            "as amended by 399/2023; 381/2023). A benefit not listed allows every referral basis."
        ),
    )
    min_client_age: int = Field(
        default=18,
        ge=15,
        le=120,
        description=(
            "Youngest client, years on the planning date, whatever the benefit: the activity is "
            "a service for unemployed adults referred by an activation or employment plan "
            "(189/2001 § 3, domain.md § 1.2); a younger age is a data error unless the "
            "client's benefit allows a younger age (min_client_age_by_benefit)."
        ),
    )
    min_client_age_by_benefit: dict[Benefit, int] = Field(
        default_factory=lambda: {Benefit.LABOUR_MARKET_SUBSIDY: 17},
        description=(
            "A younger minimum age for clients on a benefit: Kela pays the labour market subsidy "
            "to a 17-year-old for the time of an employment-promoting service, and this "
            "activity is one (kela.fi, 'Työttömyysturvan ehtoja alle 25-vuotiaille hakijoille')."
        ),
    )
    max_work_hours_per_week: float | None = Field(
        default=8.0,
        ge=0,
        le=80,
        description=(
            "§ 6 (702/2020): no duty to arrange the activity for a person who works more than "
            "occasionally over this many hours a week; None = § 6 is not checked."
        ),
    )
    holidays_by_agreement: bool = Field(
        default=True,
        description=(
            "A public holiday is 'service not arranged' (Kela: not an absence) unless the "
            "agreement says the site works then and arranges the activity (a kitchen, a care "
            "home); False = never on a holiday."
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

    def youngest_age(self, benefit: Benefit | None) -> int:
        """The youngest lawful age of a client on ``benefit`` (None: not known)."""
        if benefit is None:
            return self.min_client_age
        return min(self.min_client_age, self.min_client_age_by_benefit.get(benefit, 120))

    def bases_for(self, benefit: Benefit | None) -> tuple[str, ...]:
        """The referral bases allowed for a client on ``benefit`` (all when not known)."""
        if benefit is None or benefit not in self.referral_bases_by_benefit:
            return self.referral_bases
        return tuple(b for b in self.referral_bases_by_benefit[benefit] if b in self.referral_bases)

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


class VersionStatus(StrEnum):
    """In force (the law of today), adopted (passed, valid from a known day) or proposed
    (a bill or an assessment: applies only where a scenario names it)."""

    IN_FORCE = "in_force"
    ADOPTED = "adopted"
    PROPOSED = "proposed"


class RegimeVersion(DomainModel):
    """One dated version of the county's legal regime: its rules, its sources and its status.

    The version in force on a day applies: the planning date for a run, the day for attendance
    and money, the agreement's start for an agreement (``RegimeHistory.in_force_on``). A
    proposed version may have no ``valid_from`` yet (the county confirms the date when the
    law is adopted); it never applies by date, only where a scenario names it.
    """

    id: RecordId
    title: str = Field(min_length=1, max_length=300)
    status: VersionStatus
    valid_from: date | None = Field(default=None, description="First day; None = not known.")
    valid_until: date | None = Field(default=None, description="Last day; None = open-ended.")
    sources: tuple[str, ...] = Field(min_length=1, max_length=30)
    regime: LegalRegime = LegalRegime()
    note: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _dated(self) -> Self:
        if self.status is not VersionStatus.PROPOSED and self.valid_from is None:
            raise ValueError("a version in force or adopted needs valid_from")
        if (
            self.valid_from is not None
            and self.valid_until is not None
            and self.valid_until < self.valid_from
        ):
            raise ValueError("valid_until is before valid_from")
        return self

    def applies_on(self, day: date) -> bool:
        """Whether this version is the law on ``day`` (never for a proposed version)."""
        if self.status is VersionStatus.PROPOSED or self.valid_from is None:
            return False
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class RegimeHistory(DomainModel):
    """The county's regime versions; the dated (in force, adopted) ones never overlap."""

    versions: tuple[RegimeVersion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> Self:
        ids = [v.id for v in self.versions]
        if len(set(ids)) != len(ids):
            raise ValueError("each version id may appear only once")
        dated = sorted(
            (v for v in self.versions if v.status is not VersionStatus.PROPOSED),
            key=lambda v: v.valid_from or date.min,
        )
        for earlier, later in itertools.pairwise(dated):
            if earlier.valid_until is None or (later.valid_from or date.min) <= earlier.valid_until:
                raise ValueError(
                    f"version '{later.id}' starts before '{earlier.id}' ends: "
                    "set the earlier version's valid_until to the day before"
                )
        return self

    def in_force_on(self, day: date) -> RegimeVersion:
        """The version that is the law on ``day``; the earliest dated one before any is."""
        for version in self.versions:
            if version.applies_on(day):
                return version
        dated = [v for v in self.versions if v.valid_from is not None and v.status != "proposed"]
        if not dated:
            raise LookupError("no dated regime version")
        return min(dated, key=lambda v: v.valid_from or date.min)

    def named(self, version_id: str) -> RegimeVersion:
        """The version with ``version_id`` (a scenario may name any version)."""
        for version in self.versions:
            if version.id == version_id:
                return version
        raise KeyError(version_id)


TODAY = RegimeVersion(
    id="ktt-2025",
    title="Laki kuntouttavasta työtoiminnasta 189/2001 (399/2023, voimassa 1.1.2025)",
    status=VersionStatus.IN_FORCE,
    valid_from=date(2025, 1, 1),
    sources=(
        "Act 189/2001 § 1–2 (399/2023), in force 1.1.2025: https://finlex.fi/fi/laki/ajantasa/2001/20010189",
        "Act 189/2001 § 6 (702/2020): https://finlex.fi/fi/laki/alkup/2020/20200702",
        "Act 189/2001 § 13 (142/2015): https://finlex.fi/en/legislation/collection/2015/142",
        "Act 189/2001 § 18 (1025/2022): the organiser pays travel costs and the activity allowance",
        "Kela, Työttömyysturvan ehtoja alle 25-vuotiaille hakijoille (age 17)",
        "Kela, Jos olet poissa työllistymistä edistävästä palvelusta (swapped and make-up days)",
    ),
    regime=LegalRegime(),
)
"""The law in force (1.1.2025 on): the wellbeing county organises, activation plan or
multidisciplinary employment plan."""

HE_109_2025 = RegimeVersion(
    id="he-109-2025",
    title="HE 109/2025: aktivointisuunnitelma vain työttömyyden vuoksi toimeentulotukea saaville",
    status=VersionStatus.PROPOSED,
    valid_from=None,
    sources=(
        "HE 109/2025: https://www.eduskunta.fi/valtiopaivaasiakirjat/HE+109/2025",
        "StVM 27/2025 (27.11.2025): https://www.eduskunta.fi/FI/vaski/Mietinto/Sivut/StVM_27+2025.aspx",
    ),
    regime=LegalRegime(referral_bases_by_benefit=dict(HE_109_2025_REFERRAL_BASES)),
    note=(
        "Date of entry into force not verified: the county confirms valid_from (and sets the "
        "status to adopted) when the act is passed."
    ),
)
"""The proposed amendment: benefit recipients through the multidisciplinary employment plan,
the activation plan only for social assistance; the date is left for the county to confirm."""

SHIPPED_HISTORY = RegimeHistory(versions=(TODAY, HE_109_2025))
"""The versions Paikka ships: today's law and HE 109/2025 as proposed."""
