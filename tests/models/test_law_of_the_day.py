"""The law of the day: eligibility by benefit, § 6, and the regime's dated versions.

Each rule has an allowed and a refused case; the sources are in the rules' docstrings
(``models.eligibility``, ``models.regime``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from models import AllocationProblem, Client
from models.benefits import Benefit, BenefitPayer, BenefitSpell, payer_on
from models.eligibility import ELIGIBILITY_RULES, eligibility_findings
from models.regime import (
    HE_109_2025,
    SHIPPED_HISTORY,
    TODAY,
    LegalRegime,
    RegimeHistory,
    RegimeVersion,
    VersionStatus,
)
from tests.factories import PLANNING_DATE, client, problem_dict

ON = PLANNING_DATE  # 30.11.2026


def _record(**changes: Any) -> dict[str, Any]:
    record = client("C1", **changes)
    if "birth_date" in changes:
        del record["age"]
    return record


def _client(**changes: Any) -> Client:
    return Client.model_validate(_record(**changes))


def _spell(benefit: Benefit, since: date = date(2026, 1, 1), until: date | None = None) -> dict:
    return {"benefit": benefit.value, "from_date": since.isoformat(), "until_date": until}


def _codes(c: Client, regime: LegalRegime = TODAY.regime, on: date = ON) -> list[str]:
    return [f.code for f in eligibility_findings(c, regime, on)]


def _problem_errors(**changes: Any) -> list[tuple[Any, str]]:
    data = problem_dict(clients=[_record(**changes)])
    try:
        AllocationProblem.model_validate(data)
    except ValidationError as error:
        return [(e["loc"], e["type"]) for e in error.errors()]
    return []


# -- the minimum age from the regime, by benefit ---------------------------------------------


def test_a_17_year_old_on_labour_market_subsidy_is_allowed() -> None:
    """Kela pays the labour market subsidy to a 17-year-old in an employment service."""
    born = date(2009, 6, 1)  # 17 on 30.11.2026
    c = _client(birth_date=born.isoformat(), benefits=[_spell(Benefit.LABOUR_MARKET_SUBSIDY)])
    assert _codes(c) == []
    assert (
        _problem_errors(
            birth_date=born.isoformat(), benefits=[_spell(Benefit.LABOUR_MARKET_SUBSIDY)]
        )
        == []
    )


def test_a_17_year_old_on_social_assistance_or_unknown_benefit_is_refused() -> None:
    born = date(2009, 6, 1).isoformat()
    on_assistance = _client(birth_date=born, benefits=[_spell(Benefit.SOCIAL_ASSISTANCE)])
    assert _codes(on_assistance) == ["age_out_of_range"]
    assert _codes(_client(birth_date=born)) == ["age_out_of_range"]
    assert _problem_errors(birth_date=born) == [(("clients", 0, "birth_date"), "age_out_of_range")]


def test_a_16_year_old_is_refused_whatever_the_benefit() -> None:
    c = _client(age=16, benefits=[_spell(Benefit.LABOUR_MARKET_SUBSIDY)])
    assert _codes(c) == ["age_out_of_range"]


def test_the_subsidy_must_be_received_on_the_day_for_the_younger_age() -> None:
    ended = [_spell(Benefit.LABOUR_MARKET_SUBSIDY, date(2026, 1, 1), date(2026, 10, 31))]
    assert _codes(_client(age=17, benefits=ended)) == ["age_out_of_range"]
    assert _codes(_client(age=17, benefits=ended), on=date(2026, 10, 31)) == []


# -- the referral basis checked against the benefit by the version in force ------------------


def test_today_the_activation_plan_refers_a_client_on_labour_market_subsidy() -> None:
    c = _client(referral_basis="activation_plan", benefits=[_spell(Benefit.LABOUR_MARKET_SUBSIDY)])
    assert _codes(c, TODAY.regime) == []


def test_under_he_109_2025_the_activation_plan_no_longer_refers_a_subsidy_client() -> None:
    c = _client(referral_basis="activation_plan", benefits=[_spell(Benefit.LABOUR_MARKET_SUBSIDY)])
    assert _codes(c, HE_109_2025.regime) == ["referral_basis_not_for_benefit"]
    on_assistance = _client(
        referral_basis="activation_plan", benefits=[_spell(Benefit.SOCIAL_ASSISTANCE)]
    )
    assert _codes(on_assistance, HE_109_2025.regime) == []


def test_the_earnings_related_allowance_is_referred_by_the_employment_plan_only() -> None:
    fund = [_spell(Benefit.EARNINGS_RELATED_ALLOWANCE)]
    assert _codes(_client(referral_basis="activation_plan", benefits=fund)) == [
        "referral_basis_not_for_benefit"
    ]
    assert _codes(_client(referral_basis="multidisciplinary_employment_plan", benefits=fund)) == []
    errors = _problem_errors(referral_basis="activation_plan", benefits=fund)
    assert errors == [(("clients", 0, "referral_basis"), "referral_basis_not_for_benefit")]


def test_overlapping_benefit_spells_are_refused() -> None:
    spells = [
        _spell(Benefit.LABOUR_MARKET_SUBSIDY, date(2026, 1, 1), date(2026, 6, 30)),
        _spell(Benefit.SOCIAL_ASSISTANCE, date(2026, 6, 30)),
    ]
    assert _codes(_client(benefits=spells)) == ["benefit_spells_overlap"]
    spells[1]["from_date"] = "2026-07-01"
    assert _codes(_client(benefits=spells)) == []


def test_the_payer_of_a_day_follows_from_the_benefit_that_day() -> None:
    spells = (
        BenefitSpell(
            benefit=Benefit.EARNINGS_RELATED_ALLOWANCE,
            from_date=date(2026, 1, 1),
            until_date=date(2026, 6, 14),
        ),
        BenefitSpell(benefit=Benefit.LABOUR_MARKET_SUBSIDY, from_date=date(2026, 6, 15)),
    )
    assert payer_on(spells, date(2026, 6, 14)) is BenefitPayer.UNEMPLOYMENT_FUND
    assert payer_on(spells, date(2026, 6, 15)) is BenefitPayer.KELA
    assert payer_on(spells, date(2025, 12, 31)) is None


# -- § 6: no duty to arrange the activity ----------------------------------------------------


def test_section_6_allows_occasional_work_of_8_hours_a_week() -> None:
    assert _codes(_client(work_hours_per_week=8)) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"work_hours_per_week": 8.5}, "section_6_work_hours"),
        ({"full_time_entrepreneur": True}, "section_6_entrepreneur"),
        ({"full_time_student": True}, "section_6_student"),
        ({"other_employment_service": True}, "section_6_other_service"),
    ],
)
def test_section_6_refuses_each_exclusion_in_the_screen_and_the_record(
    changes: dict[str, Any], code: str
) -> None:
    assert _codes(_client(**changes)) == [code]
    field = next(iter(changes))
    assert _problem_errors(**changes) == [(("clients", 0, field), code)]


def test_section_6_is_off_when_the_regime_says_so() -> None:
    off = LegalRegime(max_work_hours_per_week=None)
    assert _codes(_client(full_time_student=True), off) == []


def test_every_eligibility_rule_cites_its_source() -> None:
    for name, rule in ELIGIBILITY_RULES:
        doc = rule.__doc__ or ""
        assert doc.strip().startswith("Hard:"), name
        assert any(line.strip().startswith("Source: ") for line in doc.splitlines()), name


# -- the regime as dated versions ------------------------------------------------------------


def test_the_version_in_force_on_a_day_applies_and_a_proposed_one_never_by_date() -> None:
    assert SHIPPED_HISTORY.in_force_on(date(2026, 11, 30)).id == "ktt-2025"
    assert SHIPPED_HISTORY.named("he-109-2025").status is VersionStatus.PROPOSED
    assert SHIPPED_HISTORY.named("he-109-2025").valid_from is None
    assert not HE_109_2025.applies_on(date(2030, 1, 1))


def test_an_adopted_version_applies_from_its_valid_from() -> None:
    history = RegimeHistory(
        versions=(
            TODAY.model_copy(update={"valid_until": date(2027, 1, 3)}),
            HE_109_2025.model_copy(
                update={"status": VersionStatus.ADOPTED, "valid_from": date(2027, 1, 4)}
            ),
        )
    )
    assert history.in_force_on(date(2027, 1, 3)).id == "ktt-2025"
    assert history.in_force_on(date(2027, 1, 4)).id == "he-109-2025"


def test_overlapping_dated_versions_are_refused() -> None:
    with pytest.raises(ValidationError, match="starts before"):
        RegimeHistory(
            versions=(
                TODAY,
                HE_109_2025.model_copy(
                    update={"status": VersionStatus.ADOPTED, "valid_from": date(2027, 1, 4)}
                ),
            )
        )


def test_a_version_in_force_needs_its_first_day_and_sources() -> None:
    with pytest.raises(ValidationError, match="valid_from"):
        RegimeVersion(id="x", title="x", status=VersionStatus.ADOPTED, sources=("HE 1/2026",))
    with pytest.raises(ValidationError):
        RegimeVersion(id="x", title="x", status=VersionStatus.PROPOSED, sources=())
