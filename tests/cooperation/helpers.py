"""Small builders of cooperation records for the tests (synthetic ids and names only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from models.attendance import DayRecord
from models.base import Weekday
from models.benefits import BenefitPayer, DayStatus
from models.cooperation import (
    ActivityAgreement,
    AgreementStatus,
    ContactPerson,
    Participant,
    ParticipantRole,
    Period,
    StartMeeting,
)

MON_TUE_THU = frozenset({Weekday.MON, Weekday.TUE, Weekday.THU})


def agreement(**changes: Any) -> ActivityAgreement:
    """A valid agreed agreement, 1.6.2026–30.11.2026, Mon/Tue/Thu 6 h, with ``changes``."""
    fields: dict[str, Any] = {
        "id": "A1",
        "client": "C1",
        "placement": "P1",
        "municipality": "564",
        "meeting": "M1",
        "tasks": "Keittiön avustavat tehtävät",
        "weekdays": MON_TUE_THU,
        "hours_per_day": 6,
        "start_date": date(2026, 6, 1),
        "first_review_date": date(2026, 8, 1),
        "end_date": date(2026, 11, 30),
        "contact_persons": (ContactPerson(role=ParticipantRole.SITE_SUPERVISOR, name="Ohjaaja O"),),
        "when_absent": "Soita työpaikkaohjaajalle ennen klo 8.",
        "status": AgreementStatus.AGREED,
        "agreed_on": date(2026, 5, 20),
    }
    fields.update(changes)
    return ActivityAgreement.model_validate(fields)


def meeting(**changes: Any) -> StartMeeting:
    """A start meeting with the three parties, 20.5.2026."""
    fields: dict[str, Any] = {
        "id": "M1",
        "client": "C1",
        "placement": "P1",
        "held_on": date(2026, 5, 20),
        "place": "Keskuskeittiö, Oulu",
        "participants": (
            Participant(role=ParticipantRole.CLIENT, name="Asiakas A"),
            Participant(role=ParticipantRole.COORDINATOR, name="Koordinaattori K"),
            Participant(role=ParticipantRole.SITE_SUPERVISOR, name="Ohjaaja O"),
        ),
    }
    fields.update(changes)
    return StartMeeting.model_validate(fields)


def period(**changes: Any) -> Period:
    """The period of :func:`agreement`, paid by Kela, with ``changes``."""
    fields: dict[str, Any] = {
        "id": "J1",
        "agreement": "A1",
        "client": "C1",
        "placement": "P1",
        "municipality": "564",
        "weekdays": MON_TUE_THU,
        "days_per_week": 3,
        "hours_per_day": 6,
        "start_date": date(2026, 6, 1),
        "first_review_date": date(2026, 8, 1),
        "end_date": date(2026, 11, 30),
        "payer": BenefitPayer.KELA,
    }
    fields.update(changes)
    return Period.model_validate(fields)


def day(
    period_id: str,
    when: date,
    status: str = "present",
    reason: str | None = None,
    *,
    at: datetime | None = None,
    by: str = "ohjaaja",
    correction: str = "",
    certificate: bool = False,
) -> DayRecord:
    """One entry; recorded at 16:00 of the day unless ``at`` says otherwise."""
    return DayRecord(
        period=period_id,
        day=when,
        status=DayStatus(status),
        absence_reason=reason,
        certificate_received=certificate,
        recorded_by=by,
        recorded_at=at or datetime(when.year, when.month, when.day, 16, 0),
        correction_reason=correction,
    )
