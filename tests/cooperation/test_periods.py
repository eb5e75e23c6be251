"""The steps of the cycle and their refusals; alerts and notices due."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from matching.cooperation.periods import (
    AlertKind,
    agree,
    blocked_pairs,
    cancel,
    commitment_end,
    end_period,
    extend_period,
    follow_up_alerts,
    notices_due,
    plan_review_date,
    start_period,
)
from models import LegalRegime
from models.benefits import BenefitPayer, BenefitRules
from models.cooperation import (
    DeclineReason,
    EndReason,
    Extension,
    OnwardPath,
    Period,
    PeriodEnd,
    SiteConfirmation,
    SiteDecision,
    StartNotice,
)
from tests.cooperation.helpers import agreement, day, meeting, period

REGIME = LegalRegime()
RULES = BenefitRules()


def _answer(decision: str, when: datetime, client: str = "C1") -> SiteConfirmation:
    return SiteConfirmation(
        proposal="17",
        client=client,
        placement="P1",
        decision=SiteDecision(decision),
        reason=DeclineReason.NO_FREE_PLACE if decision == "declined" else None,
        decided_by="kunta",
        decided_at=when,
    )


CONFIRMED = _answer("confirmed", datetime(2026, 5, 10, 9))
DECLINED = _answer("declined", datetime(2026, 5, 10, 9))


def _loc_types(error: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    return [(tuple(e["loc"]), e["type"]) for e in error.errors()]


# -- the site's decline -----------------------------------------------------------------------


def test_declined_pair_is_blocked_until_something_changes() -> None:
    assert blocked_pairs([DECLINED]) == {("C1", "P1")}
    assert blocked_pairs([CONFIRMED]) == frozenset()
    # the placement's record changed after the decline (e.g. a seat was added): ask again
    assert blocked_pairs([DECLINED], {"P1": datetime(2026, 5, 11)}) == frozenset()
    # a change before the decline does not count
    assert blocked_pairs([DECLINED], {"C1": datetime(2026, 5, 1)}) == {("C1", "P1")}
    # a later confirmation of the same pair lifts it
    later = _answer("confirmed", datetime(2026, 5, 12))
    assert blocked_pairs([DECLINED, later]) == frozenset()


# -- agreement status and the start ------------------------------------------------------------


def test_drafted_agreement_is_agreed_then_can_be_cancelled_not_revived() -> None:
    drafted = agreement(status="drafted", agreed_on=None)
    agreed = agree(drafted, date(2026, 5, 20), REGIME)
    assert agreed.status.value == "agreed" and agreed.agreed_on == date(2026, 5, 20)
    with pytest.raises(ValidationError) as caught:
        agree(agreed, date(2026, 5, 21), REGIME)
    assert _loc_types(caught.value) == [(("status",), "status_final")]
    cancelled = cancel(agreed, "Asiakas muutti paikkakunnalta", REGIME)
    assert cancelled.status.value == "cancelled"
    with pytest.raises(ValidationError):
        cancel(cancelled, "uudelleen", REGIME)
    with pytest.raises(ValidationError):
        agree(cancelled, date(2026, 5, 22), REGIME)


def test_period_starts_from_an_agreed_agreement_after_confirmation_and_meeting() -> None:
    started = start_period("J1", agreement(), CONFIRMED, meeting(), REGIME, BenefitPayer.KELA)
    assert (started.start_date, started.end_date) == (date(2026, 6, 1), date(2026, 11, 30))
    assert started.days_per_week == 3 and started.payer is BenefitPayer.KELA


def test_period_from_a_drafted_agreement_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        start_period(
            "J1", agreement(status="drafted", agreed_on=None), CONFIRMED, meeting(), REGIME
        )
    assert _loc_types(caught.value) == [(("agreement", "status"), "agreement_not_agreed")]


def test_period_after_a_decline_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        start_period("J1", agreement(), DECLINED, meeting(), REGIME)
    assert _loc_types(caught.value) == [(("confirmation", "decision"), "not_confirmed")]


def test_period_with_a_late_or_foreign_meeting_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        start_period("J1", agreement(), CONFIRMED, meeting(held_on=date(2026, 6, 2)), REGIME)
    assert _loc_types(caught.value) == [(("meeting", "held_on"), "meeting_after_start")]
    with pytest.raises(ValidationError) as caught:
        start_period("J1", agreement(), CONFIRMED, meeting(client="C2"), REGIME)
    assert _loc_types(caught.value) == [(("meeting",), "record_mismatch")]


# -- extension and end -------------------------------------------------------------------------


def test_extension_and_its_refusals() -> None:
    p = period()
    longer = extend_period(
        p, Extension(end_date=date(2027, 5, 31), agreed_on=date(2026, 11, 2)), REGIME
    )
    assert longer.planned_end == date(2027, 5, 31)
    one_month = extend_period(
        p, Extension(end_date=date(2026, 12, 31), agreed_on=date(2026, 11, 2)), REGIME
    )
    assert one_month.planned_end == date(2026, 12, 31)
    with pytest.raises(ValidationError) as caught:
        extend_period(p, Extension(end_date=date(2026, 11, 1), agreed_on=date(2026, 11, 2)), REGIME)
    assert _loc_types(caught.value) == [(("extensions", 0, "end_date"), "extension_not_later")]
    with pytest.raises(ValidationError) as caught:
        extend_period(p, Extension(end_date=date(2028, 6, 1), agreed_on=date(2026, 11, 2)), REGIME)
    assert _loc_types(caught.value) == [(("extensions", 0, "end_date"), "period_too_long")]


def _end(reason: EndReason, on: date = date(2026, 7, 3)) -> PeriodEnd:
    return PeriodEnd(
        end_date=on, reason=reason, onward_path=OnwardPath.DROPPED_OUT, recorded_by="k"
    )


def test_interruption_needs_repeated_unauthorised_absences() -> None:
    once = [day("J1", date(2026, 6, 1), "absent", "other"), day("J1", date(2026, 6, 2))]
    with pytest.raises(ValidationError) as caught:
        end_period(period(), _end(EndReason.INTERRUPTED_UNAUTHORISED_ABSENCES), once, RULES, REGIME)
    assert _loc_types(caught.value) == [(("reason",), "too_few_unauthorised_absences")]
    twice = [*once, day("J1", date(2026, 6, 4), "absent", "other")]
    ended = end_period(
        period(), _end(EndReason.INTERRUPTED_UNAUTHORISED_ABSENCES), twice, RULES, REGIME
    )
    assert ended.ended is not None and ended.last_day == date(2026, 7, 3)
    # illness is authorised: it does not count towards an interruption
    ill = [day("J1", date(2026, 6, d), "absent", "own_illness") for d in (1, 2)]
    with pytest.raises(ValidationError):
        end_period(period(), _end(EndReason.INTERRUPTED_UNAUTHORISED_ABSENCES), ill, RULES, REGIME)


def test_ended_period_cannot_be_extended_or_ended_again() -> None:
    ended = end_period(period(), _end(EndReason.CLIENT_REQUEST), [], RULES, REGIME)
    with pytest.raises(ValidationError) as caught:
        extend_period(
            ended, Extension(end_date=date(2027, 5, 31), agreed_on=date(2026, 11, 2)), REGIME
        )
    assert _loc_types(caught.value) == [(("ended",), "already_ended")]
    with pytest.raises(ValidationError):
        end_period(ended, _end(EndReason.CLIENT_REQUEST), [], RULES, REGIME)


# -- follow-up -------------------------------------------------------------------------------


def test_review_point_and_commitment_dates() -> None:
    assert plan_review_date(period(), REGIME) == date(2028, 6, 1)
    assert plan_review_date(period(prior_days=500), REGIME) == date(2027, 1, 18)
    assert commitment_end(period(), REGIME) == date(2026, 8, 31)


def test_alerts_ahead_of_the_commitment_end_and_the_24_month_point() -> None:
    def kinds(today: date, p: Period | None = None) -> list[tuple[AlertKind, int]]:
        alerts = follow_up_alerts([p or period()], today, REGIME)
        return [(a.kind, a.days_left) for a in alerts]

    assert kinds(date(2026, 6, 15)) == []
    assert kinds(date(2026, 7, 20)) == [(AlertKind.FIRST_REVIEW, 12)]
    assert kinds(date(2026, 8, 15)) == [(AlertKind.COMMITMENT_ENDS, 16)]
    assert kinds(date(2026, 11, 10)) == [(AlertKind.PERIOD_ENDS, 20)]
    veteran = period(prior_days=600)  # 24 months reached on 10.10.2026
    assert (AlertKind.PLAN_REVIEW, 41) in kinds(date(2026, 8, 30), veteran)
    assert (AlertKind.PLAN_REVIEW, -10) in kinds(date(2026, 10, 20), veteran)  # overdue
    assert kinds(date(2026, 11, 10), period(ended=_end(EndReason.CLIENT_REQUEST))) == []


def test_notices_due_for_periods_without_a_notice() -> None:
    kela = period()
    county = period(id="J2", payer=BenefitPayer.WELLBEING_COUNTY)
    future = period(id="J3", start_date=date(2026, 6, 15), first_review_date=date(2026, 8, 1))
    due = notices_due([kela, county, future], [], date(2026, 6, 3), RULES)
    assert [(n.period, n.days_since_start) for n in due] == [("J1", 2)]
    due = notices_due([kela, county, future], [], date(2026, 6, 10), RULES)
    assert [n.period for n in due] == ["J1", "J3"]
    sent = StartNotice(
        period="J1",
        client="C1",
        authority="Oulun seudun työllisyysalue",
        sent_on=date(2026, 6, 1),
        sent_by="k",
    )
    assert [n.period for n in notices_due([kela, future], [sent], date(2026, 6, 10), RULES)] == [
        "J3"
    ]
