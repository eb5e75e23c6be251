"""The money and the absence categories of the activity, kept as data with their sources.

A sibling of :class:`models.regime.LegalRegime`: the expense allowance, who pays it, Kela's
absence categories and their limits change by decision of Kela or Parliament, so they are
fields of a record (with the source of each default in its description), never constants in the
code. A county may load another ``BenefitRules`` from a file when a rate or a category changes.

Sources (domain.md §§ 1.8–1.9):

* THL, toimeentuloturva: kulukorvaus 9 €/day for days of participation, paid by Kela or the
  unemployment fund on top of the unemployment benefit (Act 1290/2002 ch. 10 § 2); a client on
  social assistance gets toimintaraha 9 €/day from the organiser instead.
  https://thl.fi/aiheet/hyvinvoinnin-ja-terveyden-edistamisen-johtaminen/osallisuuden-edistaminen/tyoelamaosallisuus/kuntouttava-tyotoiminta/kuntouttavan-tyotoiminnan-asiakkaalle/toimeentuloturva
* Kela, kulukorvaus: tax-free, at most 5 days a week across employment-promoting services; the
  raised 18 €/day rate does not apply to this activity. https://www.kela.fi/kulukorvaus
* Kela, absences: own illness, a child under 10 falling ill (at most 4 days), a job interview
  or a similar employment-related reason, a public position of trust keep the benefit but not
  the allowance; own illness over 3 days needs a doctor's or nurse's certificate; any other
  reason costs the benefit for the day; "service not arranged" is not an absence and earns no
  allowance. https://www.kela.fi/da/jos-olet-poissa-tyollistymista-edistavasta-palvelusta
* TE-palvelut: the provider reports absence days to the benefit payer; the service may be
  interrupted for unauthorised or repeated absences.
  https://toimistot.te-palvelut.fi/poissaoloista-ilmoittaminen
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from models.base import DomainModel


class BenefitPayer(StrEnum):
    """Who pays the client's daily allowance for days of participation."""

    KELA = "kela"
    UNEMPLOYMENT_FUND = "unemployment_fund"
    WELLBEING_COUNTY = "wellbeing_county"


class Benefit(StrEnum):
    """The client's livelihood during the activity: it decides who pays each day's allowance
    and which plan may refer the client (``LegalRegime.referral_bases_by_benefit``).

    Sources: THL, toimeentuloturva (the expense allowance is paid by Kela or the unemployment
    fund on top of the unemployment benefit; a client on social assistance gets the activity
    allowance from the organiser, 189/2001 § 18 as amended by 1025/2022); Act 1290/2002
    (labour market subsidy and basic unemployment allowance from Kela, the earnings-related
    allowance from the client's unemployment fund).
    """

    LABOUR_MARKET_SUBSIDY = "labour_market_subsidy"
    BASIC_UNEMPLOYMENT_ALLOWANCE = "basic_unemployment_allowance"
    EARNINGS_RELATED_ALLOWANCE = "earnings_related_allowance"
    SOCIAL_ASSISTANCE = "social_assistance"
    NONE = "none"


PAYER_OF_BENEFIT: dict[Benefit, BenefitPayer | None] = {
    Benefit.LABOUR_MARKET_SUBSIDY: BenefitPayer.KELA,
    Benefit.BASIC_UNEMPLOYMENT_ALLOWANCE: BenefitPayer.KELA,
    Benefit.EARNINGS_RELATED_ALLOWANCE: BenefitPayer.UNEMPLOYMENT_FUND,
    Benefit.SOCIAL_ASSISTANCE: BenefitPayer.WELLBEING_COUNTY,
    Benefit.NONE: None,
}
"""Who pays a day's allowance for a client on each benefit: Kela pays the expense allowance
with the labour market subsidy and the basic allowance, the fund with the earnings-related
allowance (Act 1290/2002 ch. 10 § 2; kela.fi/kulukorvaus); for a client on social assistance
the organiser pays the activity allowance (189/2001 § 18, 1025/2022; ``WELLBEING_COUNTY``
names the organiser's payment whoever the regime's organiser is); a client on no benefit gets
neither (THL, toimeentuloturva)."""


class BenefitSpell(DomainModel):
    """The client received ``benefit`` from ``from_date`` to ``until_date`` (its last day;
    None = still receiving). A client's spells never overlap (``benefit_spell_issues``)."""

    benefit: Benefit
    from_date: date
    until_date: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.until_date is not None and self.until_date < self.from_date:
            raise ValueError(f"until_date {self.until_date} is before from_date {self.from_date}")
        return self

    def covers(self, day: date) -> bool:
        """Whether the spell includes ``day``."""
        return self.from_date <= day and (self.until_date is None or day <= self.until_date)


def benefit_on(spells: tuple[BenefitSpell, ...], day: date) -> Benefit | None:
    """The benefit the client receives on ``day``; None when no spell covers it (not known)."""
    for spell in spells:
        if spell.covers(day):
            return spell.benefit
    return None


def payer_on(spells: tuple[BenefitSpell, ...], day: date) -> BenefitPayer | None:
    """Who pays the allowance for ``day``, from the benefit received that day (None: nobody
    pays, or the benefit on the day is not known)."""
    benefit = benefit_on(spells, day)
    return None if benefit is None else PAYER_OF_BENEFIT[benefit]


def overlapping_spells(spells: tuple[BenefitSpell, ...]) -> list[int]:
    """Indexes of spells that start inside an earlier-starting spell (overlaps)."""
    order = sorted(range(len(spells)), key=lambda k: spells[k].from_date)
    out: list[int] = []
    for previous, current in itertools.pairwise(order):
        if spells[previous].covers(spells[current].from_date):
            out.append(current)
    return sorted(out)


class DayStatus(StrEnum):
    """A day of a period: present, absent (with a category) or service not arranged (Kela)."""

    PRESENT = "present"
    ABSENT = "absent"
    SERVICE_NOT_ARRANGED = "service_not_arranged"


class AbsenceCategory(DomainModel):
    """One of Kela's categories of absence and what it means for the money.

    ``benefit_kept`` – the unemployment benefit is paid for the day (an authorised absence);
    the expense allowance is never paid for an absence. ``certificate_after_days`` – a run of
    this absence longer than this many calendar days needs a certificate. ``max_days`` – at
    most this many calendar days in one run are authorised (a child's illness: 4).
    """

    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
    benefit_kept: bool
    certificate_after_days: int | None = Field(default=None, ge=0, le=60)
    max_days: int | None = Field(default=None, ge=1, le=60)
    health_data: bool = Field(
        default=False,
        description="An illness code: special-category data, shown to coordinators only.",
    )
    source: str = Field(min_length=1)


_KELA_ABSENCE = "https://www.kela.fi/da/jos-olet-poissa-tyollistymista-edistavasta-palvelusta"

DEFAULT_ABSENCE_CATEGORIES: tuple[AbsenceCategory, ...] = (
    AbsenceCategory(
        code="own_illness",
        benefit_kept=True,
        certificate_after_days=3,
        health_data=True,
        source=f"Kela: own illness; over 3 days needs a doctor's or nurse's certificate. "
        f"{_KELA_ABSENCE}",
    ),
    AbsenceCategory(
        code="child_illness",
        benefit_kept=True,
        max_days=4,
        health_data=True,
        source=f"Kela: the sudden illness of a child under 10, at most 4 days. {_KELA_ABSENCE}",
    ),
    AbsenceCategory(
        code="job_interview",
        benefit_kept=True,
        source=f"Kela: a job interview or a similar employment-related reason. {_KELA_ABSENCE}",
    ),
    AbsenceCategory(
        code="position_of_trust",
        benefit_kept=True,
        source=f"Kela: a public position of trust. {_KELA_ABSENCE}",
    ),
    AbsenceCategory(
        code="other",
        benefit_kept=False,
        source=f"Kela: any other reason; no unemployment benefit for the day. {_KELA_ABSENCE}",
    ),
)


class BenefitRules(DomainModel):
    """Rates, payers and absence categories in force, each default with its source."""

    expense_allowance_eur: Decimal = Field(
        default=Decimal("9.00"),
        ge=0,
        le=1000,
        decimal_places=2,
        description=(
            "Kulukorvaus per day of participation, paid by Kela or the unemployment fund "
            "(Act 1290/2002 ch. 10 § 2; THL toimeentuloturva; https://www.kela.fi/kulukorvaus)."
        ),
    )
    activity_allowance_eur: Decimal = Field(
        default=Decimal("9.00"),
        ge=0,
        le=1000,
        decimal_places=2,
        description=(
            "Toimintaraha per day of participation for a client on social assistance, paid by "
            "the organiser; it does not reduce the social assistance (THL toimeentuloturva)."
        ),
    )
    allowance_days_per_week: int = Field(
        default=5,
        ge=1,
        le=7,
        description=(
            "Kela pays the expense allowance for at most this many days a calendar week "
            "across employment-promoting services (https://www.kela.fi/kulukorvaus)."
        ),
    )
    allowance_statuses: tuple[DayStatus, ...] = Field(
        default=(DayStatus.PRESENT,),
        min_length=1,
        description=(
            "Day statuses that earn the allowance: days of participation only; absences and "
            "days the service is not arranged earn none (Kela, absences)."
        ),
    )
    absence_categories: tuple[AbsenceCategory, ...] = Field(
        default=DEFAULT_ABSENCE_CATEGORIES, min_length=1
    )
    reported_payers: tuple[BenefitPayer, ...] = Field(
        default=(BenefitPayer.KELA, BenefitPayer.UNEMPLOYMENT_FUND),
        description=(
            "Payers to whom the organiser reports absence days (Kela's form, the funds' TYJ "
            "form; TE-palvelut) and whose clients need the start notice to the employment "
            "authority (THL toimeentuloturva). The county's own toimintaraha needs neither."
        ),
    )
    report_not_arranged_days: bool = Field(
        default=True,
        description=(
            "Whether the absence report also lists the days the service was not arranged (no "
            "allowance is paid for them, Kela). Unverified whether Kela's form asks for them; "
            "on by default so the payer sees why a day earned nothing."
        ),
    )
    interruption_min_unauthorised: int = Field(
        default=2,
        ge=1,
        le=100,
        description=(
            "Unauthorised absences in a period that allow ending it as an interruption for "
            "repeated unauthorised absences. The sources name no number (domain.md § 8.5, "
            "unverified): 'repeated' is read as at least two; a county sets its own practice."
        ),
    )

    @model_validator(mode="after")
    def _codes_are_unique(self) -> Self:
        codes = [c.code for c in self.absence_categories]
        if len(set(codes)) != len(codes):
            raise ValueError("absence_categories: each code may appear only once")
        return self

    def category(self, code: str) -> AbsenceCategory | None:
        """The absence category with ``code``, or None if the rules know no such code."""
        for category in self.absence_categories:
            if category.code == code:
                return category
        return None

    def daily_allowance(self, payer: BenefitPayer) -> Decimal:
        """Euros per day of participation for a client whose allowance ``payer`` pays."""
        if payer is BenefitPayer.WELLBEING_COUNTY:
            return self.activity_allowance_eur
        return self.expense_allowance_eur
