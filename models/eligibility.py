"""Who may be referred to the activity on a given day: age, referral basis and benefit, § 6.

One function per rule, each returning what it finds about one client on one day under one
regime (the version in force that day). ``ELIGIBILITY_RULES`` is their ordered registry. The
same functions serve every way in: ``models.problem.consistency_issues`` calls them, so the
run's screen (``matching.screen``) sets a client aside by them, and the service's client
writes (API, page, import) refuse a record by them; the law page lists them
(``matching.lawpage``).

Every docstring has one ``Source:`` line, as the engine's rules do (``matching.rules``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from models.benefits import overlapping_spells
from models.client import Client
from models.regime import LegalRegime

__all__ = [
    "ELIGIBILITY_RULES",
    "Finding",
    "benefit_spells",
    "client_age",
    "eligibility_findings",
    "referral_basis",
    "section_6",
]


@dataclass(frozen=True)
class Finding:
    """One broken rule of a client record: the field at fault, a machine code (a key
    ``error.<code>`` of the catalogues), a message in English and the numbers a text names."""

    field: str
    code: str
    message: str
    value: Any
    ctx: dict[str, Any] = dataclasses.field(default_factory=dict)


def age_on(client: Client, on: date) -> int:
    """The client's age in whole years on ``on`` (from the birth date, or the age given)."""
    if client.birth_date is None:
        return client.age or 0
    born = client.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def client_age(client: Client, regime: LegalRegime, on: date) -> list[Finding]:
    """Hard: the client is old enough for the benefit they receive, and of working age.

    Source: Act 189/2001 § 3; Kela, Työttömyysturvan ehtoja alle 25-vuotiaille hakijoille.

    The youngest age is ``LegalRegime.min_client_age`` (18), or the lower age the client's
    benefit on the day allows (``min_client_age_by_benefit``: Kela pays the labour market
    subsidy to a 17-year-old for the time of an employment-promoting service). The oldest is a
    plausibility limit (``max_client_age``).
    """
    age = age_on(client, on)
    youngest = regime.youngest_age(client.benefit_on(on))
    if youngest <= age <= regime.max_client_age:
        return []
    name, value = (
        ("birth_date", client.birth_date.isoformat()) if client.birth_date else ("age", client.age)
    )
    return [
        Finding(
            name,
            "age_out_of_range",
            f"{value} makes the client {age} years old on {on}, outside the "
            f"{youngest}–{regime.max_client_age} years the regime allows for their benefit",
            value,
            {"age": age, "min": youngest, "max": regime.max_client_age},
        )
    ]


def referral_basis(client: Client, regime: LegalRegime, on: date) -> list[Finding]:
    """Hard: the client's referral basis is one the regime allows for their benefit that day.

    Source: Act 189/2001 § 2 (399/2023); Act 381/2023; HE 109/2025.

    Today the activation plan refers people on the labour market subsidy or on social
    assistance, and the multidisciplinary employment plan anyone in its joint service; under
    HE 109/2025 the activation plan is kept only for social assistance
    (``LegalRegime.referral_bases_by_benefit``). A client whose benefit is not recorded is
    checked only against the regime's bases.
    """
    if client.referral_basis not in regime.referral_bases:
        return [
            Finding(
                "referral_basis",
                "unknown_referral_basis",
                f"'{client.referral_basis}' is not a referral basis of the regime "
                f"({', '.join(regime.referral_bases)})",
                client.referral_basis,
            )
        ]
    benefit = client.benefit_on(on)
    allowed = regime.bases_for(benefit)
    if benefit is None or client.referral_basis in allowed:
        return []
    return [
        Finding(
            "referral_basis",
            "referral_basis_not_for_benefit",
            f"'{client.referral_basis}' cannot refer a client on {benefit.value} on {on}; "
            f"allowed: {', '.join(allowed) or 'none'}",
            client.referral_basis,
            {"benefit": benefit.value, "allowed": list(allowed)},
        )
    ]


def section_6(client: Client, regime: LegalRegime, on: date) -> list[Finding]:
    """Hard: no duty to arrange the activity for a person § 6 excludes.

    Source: Act 189/2001 § 6 (702/2020).

    A person who works more than occasionally over 8 hours a week
    (``LegalRegime.max_work_hours_per_week``), is employed full-time as an entrepreneur or is
    starting so, is a full-time student, or takes part in an employment-promoting service
    under Act 1290/2002. ``max_work_hours_per_week`` None turns the rule off.
    """
    limit = regime.max_work_hours_per_week
    if limit is None:
        return []
    out: list[Finding] = []
    if client.work_hours_per_week > limit:
        out.append(
            Finding(
                "work_hours_per_week",
                "section_6_work_hours",
                f"works {client.work_hours_per_week:g} hours a week, over the {limit:g} hours "
                "of § 6: no duty to arrange the activity",
                client.work_hours_per_week,
                {"hours": client.work_hours_per_week, "limit": limit},
            )
        )
    for name, code, what in (
        ("full_time_entrepreneur", "section_6_entrepreneur", "a full-time entrepreneur"),
        ("full_time_student", "section_6_student", "a full-time student"),
        (
            "other_employment_service",
            "section_6_other_service",
            "in another employment-promoting service",
        ),
    ):
        if getattr(client, name):
            out.append(Finding(name, code, f"{what}: § 6, no duty to arrange the activity", True))
    return out


def benefit_spells(client: Client, regime: LegalRegime, on: date) -> list[Finding]:
    """Hard: the client's benefit spells do not overlap, so each day has one payer.

    Source: Act 189/2001 § 18 (1025/2022); THL, toimeentuloturva.
    """
    return [
        Finding(
            "benefits",
            "benefit_spells_overlap",
            f"the benefit from {client.benefits[k].from_date} overlaps an earlier one",
            client.benefits[k].from_date.isoformat(),
            {"date": client.benefits[k].from_date.isoformat()},
        )
        for k in overlapping_spells(client.benefits)
    ]


EligibilityRule = Callable[[Client, LegalRegime, date], list[Finding]]

ELIGIBILITY_RULES: tuple[tuple[str, EligibilityRule], ...] = (
    ("benefit_spells", benefit_spells),
    ("client_age", client_age),
    ("referral_basis", referral_basis),
    ("section_6", section_6),
)
"""Rules on a client record, in order: every write and every run's screen applies them."""


def eligibility_findings(client: Client, regime: LegalRegime, on: date) -> list[Finding]:
    """Every finding of every eligibility rule about ``client`` on ``on`` under ``regime``."""
    return [found for _, rule in ELIGIBILITY_RULES for found in rule(client, regime, on)]
