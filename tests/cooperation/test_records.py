"""The cycle's records: each accepts a valid case and refuses each broken rule by its field."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from models import LegalRegime
from models.benefits import AbsenceCategory, BenefitPayer, BenefitRules
from models.cooperation import (
    ActivityAgreement,
    ClientFeedback,
    DeclineReason,
    EndReason,
    Extension,
    OnwardPath,
    Participant,
    ParticipantRole,
    PeriodEnd,
    SiteConfirmation,
    SiteDecision,
    last_day_of_months,
)
from models.dates import add_months
from tests.cooperation.helpers import agreement, day, meeting, period


def _fields(error: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    return [(tuple(e["loc"]), e["type"]) for e in error.errors()]


def test_month_arithmetic_clamps_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert last_day_of_months(date(2026, 6, 1), 3) == date(2026, 8, 31)
    assert last_day_of_months(date(2026, 1, 15), 24) == date(2028, 1, 14)


# -- the site's confirmation ------------------------------------------------------------------


def _confirmation(**changes: object) -> SiteConfirmation:
    fields: dict[str, object] = {
        "proposal": "17",
        "client": "C1",
        "placement": "P1",
        "decision": SiteDecision.DECLINED,
        "reason": DeclineReason.NO_FREE_PLACE,
        "decided_by": "kunta-yhteyshenkilo",
        "decided_at": datetime(2026, 5, 10, 9, 0),
    }
    fields.update(changes)
    return SiteConfirmation.model_validate(fields)


def test_decline_with_a_reason_and_a_confirmation_without_one_are_accepted() -> None:
    assert _confirmation().reason is DeclineReason.NO_FREE_PLACE
    assert _confirmation(decision=SiteDecision.CONFIRMED, reason=None).reason is None


def test_decline_without_a_reason_is_refused_at_reason() -> None:
    with pytest.raises(ValidationError) as caught:
        _confirmation(reason=None)
    assert _fields(caught.value) == [(("reason",), "reason_required")]


def test_confirmation_with_a_decline_reason_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        _confirmation(decision=SiteDecision.CONFIRMED)
    assert _fields(caught.value) == [(("reason",), "reason_not_allowed")]


def test_decline_for_other_reason_needs_text() -> None:
    with pytest.raises(ValidationError) as caught:
        _confirmation(reason=DeclineReason.OTHER)
    assert _fields(caught.value) == [(("text",), "text_required")]
    assert _confirmation(reason=DeclineReason.OTHER, text="Remontti").text == "Remontti"


# -- the start meeting ------------------------------------------------------------------------


def test_meeting_needs_the_three_parties_coach_optional() -> None:
    assert len(meeting().participants) == 3
    with_coach = meeting(
        participants=(
            *meeting().participants,
            Participant(role=ParticipantRole.COACH, name="Valmentaja V"),
        )
    )
    assert len(with_coach.participants) == 4
    with pytest.raises(ValidationError) as caught:
        meeting(participants=meeting().participants[:2])
    assert _fields(caught.value) == [(("participants",), "participant_missing")]
    assert "site_supervisor" in caught.value.errors()[0]["msg"]


# -- the agreement ----------------------------------------------------------------------------


def test_agreement_of_3_and_24_months_is_accepted() -> None:
    assert agreement(end_date=date(2026, 8, 31)).end_date == date(2026, 8, 31)
    assert agreement(end_date=date(2028, 5, 31)).end_date == date(2028, 5, 31)


@pytest.mark.parametrize(
    ("end", "code"),
    [(date(2026, 8, 30), "period_too_short"), (date(2028, 6, 1), "period_too_long")],
)
def test_agreement_outside_3_to_24_months_is_refused_at_end_date(end: date, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        agreement(end_date=end)
    assert _fields(caught.value) == [(("end_date",), code)]


def test_agreement_limits_come_from_the_regime() -> None:
    reformed = LegalRegime(min_period_months=2, max_period_months=12)
    data = agreement().model_dump() | {
        "end_date": date(2026, 7, 31),
        "first_review_date": date(2026, 7, 1),
    }
    assert ActivityAgreement.model_validate(data, context={"regime": reformed})
    with pytest.raises(ValidationError) as caught:
        ActivityAgreement.model_validate(data)  # the regime in force: 3 months at least
    assert _fields(caught.value) == [(("end_date",), "period_too_short")]


def test_hours_and_days_outside_the_law_name_their_field() -> None:
    with pytest.raises(ValidationError) as caught:
        agreement(hours_per_day=3.5)
    assert _fields(caught.value) == [(("hours_per_day",), "hours_per_day_range")]
    with pytest.raises(ValidationError) as caught:
        agreement(hours_per_day=8.5)
    assert _fields(caught.value) == [(("hours_per_day",), "hours_per_day_range")]
    with pytest.raises(ValidationError) as caught:
        agreement(weekdays={"mon", "tue", "wed", "thu", "fri"})
    assert _fields(caught.value) == [(("weekdays",), "days_per_week_range")]
    with pytest.raises(ValidationError) as caught:
        agreement(weekdays={"mon", "tue", "wed", "thu", "fri"}, days_per_week=5)
    assert _fields(caught.value) == [(("days_per_week",), "days_per_week_range")]
    with pytest.raises(ValidationError) as caught:
        agreement(days_per_week=4)  # three weekdays arranged
    assert _fields(caught.value) == [(("days_per_week",), "more_days_than_weekdays")]
    flexible = agreement(weekdays={"mon", "tue", "wed", "thu", "fri"}, days_per_week=2)
    assert flexible.weekly_days == 2


@pytest.mark.parametrize("review", [date(2026, 6, 1), date(2026, 12, 1), date(2026, 5, 1)])
def test_first_review_outside_the_period_is_refused(review: date) -> None:
    with pytest.raises(ValidationError) as caught:
        agreement(first_review_date=review)
    assert _fields(caught.value) == [(("first_review_date",), "review_outside_period")]


def test_agreed_status_needs_its_date_and_cancel_a_reason() -> None:
    with pytest.raises(ValidationError) as caught:
        agreement(agreed_on=None)
    assert _fields(caught.value) == [(("agreed_on",), "agreed_on_with_status")]
    with pytest.raises(ValidationError) as caught:
        agreement(status="cancelled", agreed_on=None)
    assert _fields(caught.value) == [(("cancel_reason",), "reason_required")]


def test_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError):
        agreement(colour="blue")


# -- the period -------------------------------------------------------------------------------


def test_extension_of_3_months_within_24_is_accepted() -> None:
    extended = period(
        extensions=(Extension(end_date=date(2027, 2, 28), agreed_on=date(2026, 11, 1)),)
    )
    assert extended.planned_end == date(2027, 2, 28)


def test_extension_of_one_month_within_24_is_accepted() -> None:
    """189/2001 § 13 bounds the period at 3–24 months, not the step of an extension."""
    extended = period(
        extensions=(Extension(end_date=date(2026, 12, 31), agreed_on=date(2026, 11, 1)),)
    )
    assert extended.planned_end == date(2026, 12, 31)


def test_extension_that_does_not_move_the_end_is_refused_at_its_end_date() -> None:
    with pytest.raises(ValidationError) as caught:
        period(extensions=(Extension(end_date=date(2026, 11, 30), agreed_on=date(2026, 11, 1)),))
    assert _fields(caught.value) == [(("extensions", 0, "end_date"), "extension_not_later")]


def test_extensions_beyond_24_months_in_total_are_refused() -> None:
    ok = Extension(end_date=date(2027, 11, 30), agreed_on=date(2026, 11, 1))
    too_far = Extension(end_date=date(2028, 6, 1), agreed_on=date(2027, 11, 1))
    with pytest.raises(ValidationError) as caught:
        period(extensions=(ok, too_far))
    assert _fields(caught.value) == [(("extensions", 1, "end_date"), "period_too_long")]
    last_allowed = Extension(end_date=date(2028, 5, 31), agreed_on=date(2027, 11, 1))
    assert period(extensions=(ok, last_allowed)).planned_end == date(2028, 5, 31)


def test_end_outside_the_period_is_refused() -> None:
    end = PeriodEnd(
        end_date=date(2026, 12, 15),
        reason=EndReason.AGREED_END,
        onward_path=OnwardPath.WORK_TRIAL,
        recorded_by="koordinaattori",
    )
    with pytest.raises(ValidationError) as caught:
        period(ended=end)
    assert _fields(caught.value) == [(("ended", "end_date"), "end_outside_period")]
    early = end.model_copy(update={"end_date": date(2026, 9, 30)})
    assert period(ended=early).last_day == date(2026, 9, 30)


def test_onward_path_other_needs_a_note() -> None:
    with pytest.raises(ValidationError) as caught:
        PeriodEnd(
            end_date=date(2026, 9, 30),
            reason=EndReason.AGREED_END,
            onward_path=OnwardPath.OTHER,
            recorded_by="k",
        )
    assert _fields(caught.value) == [(("note",), "text_required")]


# -- feedback, day records, benefit rules -----------------------------------------------------


def test_feedback_answers_are_one_to_five() -> None:
    assert ClientFeedback(period="J1", given_on=date(2026, 12, 1), answers={"felt_welcome": 5})
    with pytest.raises(ValidationError) as caught:
        ClientFeedback(period="J1", given_on=date(2026, 12, 1), answers={"felt_welcome": 6})
    assert _fields(caught.value) == [(("answers", "felt_welcome"), "rating_range")]


def test_day_record_reason_iff_absent() -> None:
    assert day("J1", date(2026, 6, 1), "absent", "own_illness").absence_reason == "own_illness"
    with pytest.raises(ValidationError) as caught:
        day("J1", date(2026, 6, 1), "absent")
    assert _fields(caught.value) == [(("absence_reason",), "reason_required")]
    with pytest.raises(ValidationError) as caught:
        day("J1", date(2026, 6, 1), "present", "own_illness")
    assert _fields(caught.value) == [(("absence_reason",), "reason_not_allowed")]


def test_benefit_rules_default_rates_and_categories_have_sources() -> None:
    rules = BenefitRules()
    assert rules.daily_allowance(BenefitPayer.KELA) == Decimal("9.00")
    assert rules.daily_allowance(BenefitPayer.WELLBEING_COUNTY) == Decimal("9.00")
    own = rules.category("own_illness")
    assert own is not None and own.certificate_after_days == 3 and own.benefit_kept
    other = rules.category("other")
    assert other is not None and not other.benefit_kept
    assert all("kela.fi" in c.source for c in rules.absence_categories)
    assert rules.category("court_witness") is None


def test_benefit_rules_change_without_code() -> None:
    raised = BenefitRules.model_validate(
        {
            "expense_allowance_eur": "10.50",
            "absence_categories": [
                {
                    "code": "own_illness",
                    "benefit_kept": True,
                    "certificate_after_days": 5,
                    "source": "a future decision",
                }
            ],
        }
    )
    assert raised.daily_allowance(BenefitPayer.UNEMPLOYMENT_FUND) == Decimal("10.50")
    cat = raised.category("own_illness")
    assert isinstance(cat, AbsenceCategory) and cat.certificate_after_days == 5
    with pytest.raises(ValidationError):
        BenefitRules(absence_categories=(cat, cat))


def test_period_schedule_is_held_to_the_law_too() -> None:
    with pytest.raises(ValidationError) as caught:
        period(days_per_week=4)  # three weekdays
    assert _fields(caught.value) == [(("days_per_week",), "more_days_than_weekdays")]
    with pytest.raises(ValidationError) as caught:
        period(hours_per_day=9, end_date=date(2028, 6, 30))
    assert _fields(caught.value) == [
        (("hours_per_day",), "hours_per_day_range"),
        (("end_date",), "period_too_long"),
    ]
