"""One period followed from the accepted proposal to the onward path and the planners' tables."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from matching.cooperation.attendance import record_day
from matching.cooperation.money import monthly_summary
from matching.cooperation.outcomes import Dimension, feedback_summary, outcome_table
from matching.cooperation.periods import (
    agree,
    end_period,
    extend_period,
    notices_due,
    start_period,
)
from matching.cooperation.texts import CATALOGUE, LANGUAGES, text
from models import LegalRegime
from models.benefits import BenefitPayer, BenefitRules
from models.cooperation import (
    ClientFeedback,
    EndReason,
    Extension,
    FeedbackQuestion,
    OnwardPath,
    PeriodEnd,
    SiteConfirmation,
    SiteDecision,
    SiteFeedbackQuestion,
    StartNotice,
)
from tests.cooperation.helpers import agreement, day, meeting
from tests.cooperation.helpers import period as make_period

REGIME = LegalRegime()
RULES = BenefitRules()


def test_a_period_from_proposal_to_onward_path() -> None:
    confirmation = SiteConfirmation(
        proposal="17",
        client="C1",
        placement="P1",
        decision=SiteDecision.CONFIRMED,
        decided_by="kunta",
        decided_at=datetime(2026, 5, 12, 10),
    )
    drafted = agreement(status="drafted", agreed_on=None)
    agreed = agree(drafted, date(2026, 5, 20), REGIME)
    period = start_period("J1", agreed, confirmation, meeting(), REGIME, BenefitPayer.KELA)
    assert [n.period for n in notices_due([period], [], date(2026, 6, 1), RULES)] == ["J1"]
    notice = StartNotice(
        period="J1",
        client="C1",
        authority="Oulun seudun työllisyysalue",
        sent_on=date(2026, 6, 1),
        sent_by="k",
    )
    assert notices_due([period], [notice], date(2026, 6, 1), RULES) == []

    history: tuple = ()
    for d in (1, 2, 4):
        history = record_day(period, history, day("J1", date(2026, 6, d)), date(2026, 6, 30), RULES)
    history = record_day(
        period, history, day("J1", date(2026, 6, 8), "absent", "other"), date(2026, 6, 30), RULES
    )
    june = monthly_summary(period, history, 2026, 6, date(2026, 6, 30), RULES)
    assert (june.present_days, june.allowance_eur, june.benefit_lost_days) == (
        3,
        Decimal("27.00"),
        1,
    )

    extended = extend_period(
        period, Extension(end_date=date(2027, 2, 28), agreed_on=date(2026, 11, 2)), REGIME
    )
    ended = end_period(
        extended,
        PeriodEnd(
            end_date=date(2027, 1, 29),
            reason=EndReason.MOVED_ON_EARLY,
            onward_path=OnwardPath.WORK_TRIAL,
            recorded_by="k",
        ),
        history,
        RULES,
        REGIME,
    )
    assert ended.last_day == date(2027, 1, 29)
    feedback = ClientFeedback(
        period="J1", given_on=date(2027, 1, 29), answers={FeedbackQuestion.FELT_WELCOME: 4}
    )
    assert feedback.answers[FeedbackQuestion.FELT_WELCOME] == 4
    # one period is too few to show
    (row,) = outcome_table([ended], Dimension.PLACEMENT)
    assert row.periods is None and row.paths[OnwardPath.WORK_TRIAL] is None


def test_feedback_means_by_group_hidden_below_five_forms() -> None:
    periods = [
        make_period(id=f"J{i}", client=f"C{i}", placement="P1" if i < 5 else "P2") for i in range(7)
    ]
    forms = [
        ClientFeedback(
            period=f"J{i}",
            given_on=date(2026, 12, 1),
            answers={FeedbackQuestion.FELT_WELCOME: 5 if i % 2 else 4},
        )
        for i in range(7)
    ]
    p1, p2 = feedback_summary(forms, periods, Dimension.PLACEMENT)
    # P1: answers 4, 5, 4, 5, 4 → mean 4.4; P2: two forms → hidden
    assert (p1.key, p1.forms, p1.means) == ("P1", 5, {"felt_welcome": 4.4})
    assert (p2.key, p2.forms, p2.means) == ("P2", None, {"felt_welcome": None})


def test_every_feedback_question_has_words_in_every_language() -> None:
    for question in (*FeedbackQuestion, *SiteFeedbackQuestion):
        key = f"feedback.{question.value}"
        assert set(CATALOGUE[key]) == set(LANGUAGES)
        assert text(key, "fi").endswith(".")
