"""The cooperation cycle through the API, step by step, with a test per refusal: the site
confirms, the start meeting, the agreement (3–24 months), the period, attendance against the
agreement, the month for Kela (computed by hand), the end with its onward path, feedback.

The seeded county (``svc_helpers.county``): proposal C1 → P1 (organisation O1, Oulu 564) in
the run of Monday 5 January 2026; coach K1 coaches every client.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from service.auth import Principal, Role, issue_token
from service.crud import periods as period_store
from service.crud.cooperation import blocked_pairs_of
from service.crud.runs import build_problem, county_regime
from service.db.accounts import AttendanceCorrectionRow
from service.db.cooperation import AgreementRow, PeriodRow, SiteConfirmationRow
from service.db.tables import (
    AssignmentRow,
    AuditRow,
    ClientPersonalRow,
    ClientRow,
    IdempotencyRow,
    RunRow,
    utcnow,
)
from tests.service.svc_helpers import Seed, sessions_of

AGREEMENT: dict[str, Any] = {
    "tasks": "Kitchen help: dishes, salads, setting the tables.",
    "goals": "A steady daily rhythm.",
    "support": "The kitchen supervisor shows each task.",
    "weekdays": ["mon", "tue", "wed"],
    "days_per_week": 2,
    "hours_per_day": 5,
    "start_date": "2026-01-05",
    "first_review_date": "2026-02-16",
    "end_date": "2027-12-31",
    "contact_persons": [{"role": "site_supervisor", "name": "Sanna S", "phone": "+358 40 1"}],
    "when_absent": "Call the supervisor before 8 o'clock.",
}
MEETING: dict[str, Any] = {
    "held_on": "2026-01-02",
    "place": "Oulu central kitchen",
    "participants": [
        {"role": "client", "name": "Aino A"},
        {"role": "coordinator", "name": "Kaisa K"},
        {"role": "site_supervisor", "name": "Sanna S"},
    ],
}


def accept(client: TestClient, seed: Seed) -> None:
    """The coordinator accepts the seeded proposal (C1 → P1)."""
    body = {"decision": "accept", "reason_code": "client_agreed"}
    response = client.post(
        f"/proposals/{seed.proposal_id}/decision", json=body, headers=seed.h("coordinator")
    )
    assert response.status_code == 200, response.text


def confirm(client: TestClient, seed: Seed, **body: Any) -> Any:
    return client.post(
        f"/proposals/{seed.proposal_id}/confirmation",
        json=body or {"decision": "confirmed"},
        headers=seed.h("muni1"),
    )


def agreement(seed: Seed, **changes: Any) -> dict[str, Any]:
    return {**AGREEMENT, "proposal_id": seed.proposal_id, **changes}


def started(client: TestClient, seed: Seed) -> dict[str, Any]:
    """Accepted, confirmed, met, agreed and started: the period."""
    h = seed.h("coordinator")
    accept(client, seed)
    assert confirm(client, seed).status_code == 201
    meeting = client.post(
        "/start-meetings", json={**MEETING, "proposal_id": seed.proposal_id}, headers=h
    )
    assert meeting.status_code == 201, meeting.text
    drafted = client.post(
        "/agreements", json=agreement(seed, meeting_id=meeting.json()["id"]), headers=h
    )
    assert drafted.status_code == 201, drafted.text
    aid = drafted.json()["id"]
    agreed = client.post(f"/agreements/{aid}/agree", json={"agreed_on": "2026-01-02"}, headers=h)
    assert agreed.status_code == 200 and agreed.json()["status"] == "agreed"
    period = client.post("/periods", json={"agreement_id": aid, "payer": "kela"}, headers=h)
    assert period.status_code == 201, period.text
    body: dict[str, Any] = period.json()
    return body


def day(
    client: TestClient,
    seed: Seed,
    assignment: int,
    when: str,
    status: str,
    reason: str | None = None,
) -> Any:
    body = {"day": when, "status": status, **({"absence_reason": reason} if reason else {})}
    return client.post(f"/assignments/{assignment}/attendance", json=body, headers=seed.h("muni1"))


# --- the site confirms ----------------------------------------------------------------------


def test_accepted_proposal_waits_for_its_site_only(client: TestClient, seed: Seed) -> None:
    assert client.get("/confirmations/pending", headers=seed.h("muni1")).json() == []
    accept(client, seed)
    pending = client.get("/confirmations/pending", headers=seed.h("muni1")).json()
    assert [(p["proposal_id"], p["placement_id"]) for p in pending] == [(seed.proposal_id, "P1")]
    assert client.get("/confirmations/pending", headers=seed.h("muni2")).json() == []
    other_site = client.post(
        f"/proposals/{seed.proposal_id}/confirmation",
        json={"decision": "confirmed"},
        headers=seed.h("muni2"),
    )
    assert other_site.status_code == 404
    assert confirm(client, seed).status_code == 201
    assert client.get("/confirmations/pending", headers=seed.h("muni1")).json() == []


def test_a_proposal_not_accepted_is_not_for_the_site(client: TestClient, seed: Seed) -> None:
    refused = confirm(client, seed)
    assert refused.status_code == 409 and refused.json()["code"] == "proposal_not_accepted"


def test_answering_twice_is_refused(client: TestClient, seed: Seed) -> None:
    accept(client, seed)
    assert confirm(client, seed).status_code == 201
    again = confirm(client, seed, decision="declined", reason="no_free_place")
    assert again.status_code == 409 and again.json()["code"] == "already_answered"


def test_a_decline_needs_a_reason(client: TestClient, seed: Seed) -> None:
    accept(client, seed)
    bad = confirm(client, seed, decision="declined")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.reason"
    other = confirm(client, seed, decision="declined", reason="other")
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "body.text"


def test_decline_returns_the_client_to_the_pool_and_blocks_the_pair(
    client: TestClient, seed: Seed, app: Any
) -> None:

    h = seed.h("coordinator")
    accept(client, seed)
    active = client.get("/assignments?client=C1&status=active", headers=h).json()
    assert active["total"] == 1
    declined = confirm(
        client,
        seed,
        decision="declined",
        reason="supervisor_unavailable",
        text="On leave in January.",
    )
    assert declined.status_code == 201, declined.text
    assert client.get("/assignments?client=C1&status=active", headers=h).json()["total"] == 0
    seen = client.get(f"/proposals/{seed.proposal_id}/confirmation", headers=h).json()
    assert (seen["decision"], seen["reason"], seen["text"]) == (
        "declined",
        "supervisor_unavailable",
        "On leave in January.",
    )
    assert [
        c["reason"] for c in client.get("/confirmations?decision=declined", headers=h).json()
    ] == ["supervisor_unavailable"]
    later = client.post(
        "/start-meetings", json={**MEETING, "proposal_id": seed.proposal_id}, headers=h
    )
    assert later.status_code == 409 and later.json()["code"] == "not_confirmed"
    with sessions_of(app)() as session:
        assert blocked_pairs_of(session) == {("C1", "P1")}
        run = session.get(RunRow, seed.run_id)
        assert run is not None
        problem, _hint = build_problem(session, run, county_regime(app.state.settings))
        c1 = next(c for c in problem.clients if c.id == "C1")
        assert "P1" in c1.avoid_placements
        row = session.get(ClientRow, "C1")
        assert row is not None
        row.updated_at = utcnow() + timedelta(seconds=1)  # the client's record changed
        session.commit()
        assert blocked_pairs_of(session) == frozenset()


def working_at_p2(app: Any) -> None:
    """C1 has worked at P2 since September 2025 (the seeded proposal moves them to P1)."""
    with sessions_of(app)() as session:
        session.add(
            AssignmentRow(
                client_id="C1", placement_id="P2", start_date=date(2025, 9, 1), status="active"
            )
        )
        session.commit()


def test_decline_gives_back_the_placement_the_acceptance_ended(
    client: TestClient, seed: Seed, app: Any
) -> None:
    """C1 works at P2 and is moved to P1: the acceptance ends P2 the day before; P1's site
    declines, and C1 is back at P2 as before, with no end date."""
    h = seed.h("coordinator")
    working_at_p2(app)
    accept(client, seed)
    active = client.get("/assignments?client=C1&status=active", headers=h).json()["items"]
    assert [a["placement_id"] for a in active] == ["P1"]
    declined = confirm(client, seed, decision="declined", reason="supervisor_unavailable")
    assert declined.status_code == 201, declined.text
    active = client.get("/assignments?client=C1&status=active", headers=h).json()["items"]
    assert [(a["placement_id"], a["start_date"], a["end_date"]) for a in active] == [
        ("P2", "2025-09-01", None)
    ]
    with sessions_of(app)() as session:
        rows = session.scalars(select(AssignmentRow).where(AssignmentRow.client_id == "C1"))
        assert [(r.placement_id, r.status) for r in rows] == [("P2", "active")]


def test_a_confirmed_move_keeps_the_old_placement_ended(
    client: TestClient, seed: Seed, app: Any
) -> None:
    h = seed.h("coordinator")
    working_at_p2(app)
    accept(client, seed)
    assert confirm(client, seed).status_code == 201
    ended = client.get("/assignments?client=C1&status=ended", headers=h).json()["items"]
    assert [(a["placement_id"], a["end_date"]) for a in ended] == [("P2", "2026-01-04")]


def test_a_repeated_step_with_its_idempotency_key_is_recorded_once(
    client: TestClient, seed: Seed, app: Any
) -> None:
    """A retry after a lost answer gets the first answer (without the key it would be 409
    already answered); the same key with another body is refused, naming the header."""
    accept(client, seed)
    h = seed.h("muni1", **{"Idempotency-Key": "site-answer-1"})
    body = {"decision": "declined", "reason": "supervisor_unavailable", "text": "On leave."}
    url = f"/proposals/{seed.proposal_id}/confirmation"
    first = client.post(url, json=body, headers=h)
    again = client.post(url, json=body, headers=h)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    other = client.post(url, json={**body, "text": "Changed."}, headers=h)
    assert other.status_code == 422
    assert [e["field"] for e in other.json()["errors"]] == ["header.Idempotency-Key"]
    assert client.post(url, json=body, headers=seed.h("muni1")).status_code == 409
    with sessions_of(app)() as session:
        answers = session.scalars(
            select(SiteConfirmationRow).where(SiteConfirmationRow.proposal_id == seed.proposal_id)
        ).all()
        assert len(answers) == 1


def test_erasure_removes_the_cycles_stored_answers(
    client: TestClient, seed: Seed, app: Any
) -> None:
    """The stored answers of keyed steps (a site's text, a period, an absence reason) are
    about the client: erasing the client erases them."""
    period = started(client, seed)
    h = seed.h("coordinator", **{"Idempotency-Key": "notice-1"})
    notice = client.post(
        f"/periods/{period['id']}/start-notice",
        json={"authority": "TE-palvelut", "sent_on": "2026-01-05"},
        headers=h,
    )
    assert notice.status_code == 201, notice.text
    ill = client.post(
        f"/assignments/{period['assignment_id']}/attendance",
        json={"day": "2026-01-05", "status": "absent", "absence_reason": "own_illness"},
        headers=seed.h("muni1", **{"Idempotency-Key": "day-1"}),
    )
    assert ill.status_code == 201, ill.text
    with sessions_of(app)() as session:
        kept = session.scalars(select(IdempotencyRow).where(IdempotencyRow.client_id == "C1"))
        assert sorted(r.key for r in kept) == ["day-1", "notice-1"]
    assert client.delete("/clients/C1", headers=seed.h("coordinator")).status_code == 204
    with sessions_of(app)() as session:
        left = session.scalars(select(IdempotencyRow.body)).all()
        assert not any("own_illness" in str(b) or "C1" in str(b) for b in left)


# --- meeting and agreement ------------------------------------------------------------------


def test_steps_before_the_sites_confirmation_are_refused(client: TestClient, seed: Seed) -> None:
    h = seed.h("coordinator")
    accept(client, seed)
    meeting = client.post(
        "/start-meetings", json={**MEETING, "proposal_id": seed.proposal_id}, headers=h
    )
    assert meeting.status_code == 409 and meeting.json()["code"] == "not_confirmed"
    drafted = client.post("/agreements", json=agreement(seed), headers=h)
    assert drafted.status_code == 409 and drafted.json()["code"] == "not_confirmed"


def test_meeting_needs_the_three_parties(client: TestClient, seed: Seed) -> None:
    accept(client, seed)
    confirm(client, seed)
    two = {**MEETING, "proposal_id": seed.proposal_id, "participants": MEETING["participants"][:2]}
    bad = client.post("/start-meetings", json=two, headers=seed.h("coordinator"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.participants"


def test_agreement_outside_3_to_24_months_is_refused(client: TestClient, seed: Seed) -> None:
    h = seed.h("coordinator")
    accept(client, seed)
    confirm(client, seed)
    short = client.post("/agreements", json=agreement(seed, end_date="2026-03-31"), headers=h)
    assert short.status_code == 422
    assert [(e["field"], e["type"]) for e in short.json()["errors"]] == [
        ("body.end_date", "period_too_short")
    ]
    long = client.post("/agreements", json=agreement(seed, end_date="2028-01-05"), headers=h)
    assert long.status_code == 422 and long.json()["errors"][0]["type"] == "period_too_long"
    five = client.post(
        "/agreements",
        json=agreement(seed, weekdays=["mon", "tue", "wed", "thu", "fri"], days_per_week=None),
        headers=h,
    )
    assert five.status_code == 422 and five.json()["errors"][0]["field"] == "body.weekdays"
    assert client.post("/agreements", json=agreement(seed), headers=h).status_code == 201


def test_period_only_from_an_agreed_agreement(client: TestClient, seed: Seed) -> None:
    h = seed.h("coordinator")
    accept(client, seed)
    confirm(client, seed)
    drafted = client.post("/agreements", json=agreement(seed), headers=h).json()
    no_meeting = client.post("/periods", json={"agreement_id": drafted["id"]}, headers=h)
    assert no_meeting.status_code == 409 and no_meeting.json()["code"] == "no_meeting"
    client.post("/start-meetings", json={**MEETING, "proposal_id": seed.proposal_id}, headers=h)
    not_agreed = client.post("/periods", json={"agreement_id": drafted["id"]}, headers=h)
    assert not_agreed.status_code == 409 and not_agreed.json()["code"] == "agreement_not_agreed"
    second = client.post("/agreements", json=agreement(seed), headers=h)
    assert second.status_code == 409 and second.json()["code"] == "agreement_exists"
    revised = client.put(
        f"/agreements/{drafted['id']}", json=agreement(seed, hours_per_day=6), headers=h
    )
    assert revised.status_code == 200 and revised.json()["hours_per_day"] == 6
    cancelled = client.post(
        f"/agreements/{drafted['id']}/cancel", json={"reason": "Client moved."}, headers=h
    )
    assert cancelled.json()["status"] == "cancelled"
    again = client.post(
        f"/agreements/{drafted['id']}/agree", json={"agreed_on": "2026-01-02"}, headers=h
    )
    assert again.status_code == 409 and again.json()["code"] == "status_final"


def test_printable_agreement_in_finnish_and_swedish(client: TestClient, seed: Seed) -> None:
    period = started(client, seed)
    url = f"/agreements/{period['agreement_id']}/print"
    fi = client.get(url, headers=seed.h("muni1"))
    sv = client.get(url, params={"lang": "sv"}, headers=seed.h("coordinator"))
    assert fi.status_code == sv.status_code == 200
    assert "text/html" in fi.headers["content-type"]
    assert "Kitchen help" in fi.text and fi.text != sv.text and "@page" in fi.text


# --- the period, attendance and money -------------------------------------------------------


def test_period_follows_the_agreement(client: TestClient, seed: Seed) -> None:
    period = started(client, seed)
    assert (period["start_date"], period["end_date"], period["planned_end_date"]) == (
        "2026-01-05",
        "2027-12-31",
        "2027-12-31",
    )
    assert period["plan_review_date"] == "2028-01-05"
    assert period["commitment_end_date"] == "2026-04-04"
    assignment = client.get(
        f"/assignments/{period['assignment_id']}", headers=seed.h("coordinator")
    ).json()
    assert assignment["client_id"] == "C1" and assignment["start_date"] == "2026-01-05"
    again = client.post(
        "/periods", json={"agreement_id": period["agreement_id"]}, headers=seed.h("coordinator")
    )
    assert again.status_code == 409 and again.json()["code"] == "period_exists"


def test_attendance_beyond_the_agreement_is_refused(client: TestClient, seed: Seed) -> None:
    a = started(client, seed)["assignment_id"]
    assert day(client, seed, a, "2026-01-05", "present").status_code == 201
    holiday = day(client, seed, a, "2026-01-06", "present")  # Epiphany
    assert holiday.status_code == 422 and holiday.json()["errors"][0]["type"] == "holiday"
    assert day(client, seed, a, "2026-01-06", "service_not_arranged").status_code == 201
    thursday = day(client, seed, a, "2026-01-08", "present")
    assert thursday.status_code == 422
    assert thursday.json()["errors"][0]["type"] == "weekday_not_arranged"
    assert thursday.json()["errors"][0]["field"] == "body.day"
    assert day(client, seed, a, "2026-01-12", "present").status_code == 201
    assert day(client, seed, a, "2026-01-13", "present").status_code == 201
    third = day(client, seed, a, "2026-01-14", "present")  # 2 days a week agreed
    assert third.status_code == 422 and third.json()["errors"][0]["type"] == "too_many_days"
    ahead = date.today() + timedelta(days=7)
    monday = ahead + timedelta(days=(7 - ahead.weekday()) % 7)
    if monday <= date(2027, 12, 31):
        future = day(client, seed, a, monday.isoformat(), "present")
        assert future.status_code == 422 and future.json()["errors"][0]["type"] == "future_day"


def test_correcting_a_day_keeps_the_checks_and_the_history(
    client: TestClient, seed: Seed, app: Any
) -> None:

    a = started(client, seed)["assignment_id"]
    h = seed.h("muni1")
    day(client, seed, a, "2026-01-12", "present")
    no_reason = client.put(
        f"/assignments/{a}/attendance",
        json={"day": "2026-01-12", "status": "absent", "absence_reason": "own_illness"},
        headers=h,
    )
    assert no_reason.status_code == 422
    fixed = client.put(
        f"/assignments/{a}/attendance",
        json={
            "day": "2026-01-12",
            "status": "absent",
            "absence_reason": "own_illness",
            "correction_reason": "Phoned in sick.",
        },
        headers=h,
    )
    assert fixed.status_code == 200, fixed.text
    with sessions_of(app)() as session:
        kept = session.scalars(select(AttendanceCorrectionRow)).all()
        assert [(k.old_status, k.new_status, k.corrected_by) for k in kept] == [
            ("present", "absent", "muni1")
        ]


def test_the_month_for_kela_matches_the_hand_computation(client: TestClient, seed: Seed) -> None:
    """January 2026, Mon–Wed, 2 days a week, Kela pays:

    present 5, 12, 26 → 3 days × 9,00 € = 27,00 €; own illness 13, 19, 20 (one run of
    8 calendar days > 3, no certificate: all three flagged); 'other' 28 (benefit lost);
    not arranged: Epiphany 6 (recorded). The absence report owes Kela 6, 13, 19, 20, 28.
    """
    period = started(client, seed)
    a = period["assignment_id"]
    for when, status, reason in [
        ("2026-01-05", "present", None),
        ("2026-01-06", "service_not_arranged", None),
        ("2026-01-12", "present", None),
        ("2026-01-13", "absent", "own_illness"),
        ("2026-01-19", "absent", "own_illness"),
        ("2026-01-20", "absent", "own_illness"),
        ("2026-01-26", "present", None),
        ("2026-01-28", "absent", "other"),
    ]:
        assert day(client, seed, a, when, status, reason).status_code == 201
    h = seed.h("coordinator")
    s = client.get(f"/periods/{period['id']}/months/2026/1", headers=h).json()
    assert (s["present_days"], s["allowance_days"], s["daily_rate_eur"], s["allowance_eur"]) == (
        3,
        3,
        "9.00",
        "27.00",
    )
    assert s["absences"] == {"other": 1, "own_illness": 3}
    assert (s["benefit_kept_days"], s["benefit_lost_days"], s["not_arranged_days"]) == (3, 1, 1)
    assert s["certificate_missing"] == ["2026-01-13", "2026-01-19", "2026-01-20"]
    assert s["refusals"] == []
    listed = client.get(f"/assignments/{a}/attendance", headers=h).json()
    flagged = [d["day"] for d in listed if "certificate_needed" in d["flags"]]
    assert flagged == ["2026-01-13", "2026-01-19", "2026-01-20"]
    site_days = client.get(f"/assignments/{a}/attendance", headers=seed.h("muni1")).json()
    assert all(d["flags"] == [] for d in site_days)
    seen = f"/periods/{period['id']}/certificates"
    not_absent = client.post(seen, json={"day": "2026-01-12"}, headers=h)
    assert not_absent.status_code == 422 and not_absent.json()["errors"][0]["field"] == "body.day"
    assert client.post(seen, json={"day": "2026-01-19"}, headers=seed.h("muni1")).status_code == 403
    assert client.post(seen, json={"day": "2026-01-19"}, headers=h).status_code == 201
    after = client.get(f"/periods/{period['id']}/months/2026/1", headers=h).json()
    assert after["certificate_missing"] == []
    report = client.get("/attendance-reports/2026/1", headers=h).json()
    assert [r["day"] for r in report["absences"]] == [
        "2026-01-06",
        "2026-01-13",
        "2026-01-19",
        "2026-01-20",
        "2026-01-28",
    ]
    assert report["municipalities"] == [
        {
            "municipality_code": "564",
            # C2's imported period (from 1.12.2025, Mon–Thu, payer not recorded) is in the
            # month too: no days recorded, 1.1. and 6.1. not arranged (holidays), nothing paid
            "clients": 2,
            "periods": 2,
            "present_days": 3,
            "absence_days": 4,
            "not_arranged_days": 3,
            "allowance_eur": {"kela": "27.00"},
            "allowance_total_eur": "27.00",
        }
    ]
    site = client.get(f"/periods/{period['id']}/months/2026/1", headers=seed.h("muni1")).json()
    assert site["absences"] == {"absent": 4} and site["certificate_missing"] == []
    csv = client.get("/attendance-reports/2026/1", params={"format": "csv"}, headers=h)
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert b";27,00;" in csv.content
    xlsx = client.get("/attendance-reports/2026/1", params={"format": "xlsx"}, headers=h)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    own = client.get("/attendance-reports/2026/1/municipalities", headers=seed.h("muni2")).json()
    assert own == []  # O2 is in Ii (139): no figures of Oulu's placements


def test_extension_end_and_feedback(client: TestClient, seed: Seed) -> None:
    period = started(client, seed)
    h = seed.h("coordinator")
    pid = period["id"]
    early = client.post(
        f"/periods/{pid}/feedback/client", json={"given_on": "2026-03-01"}, headers=h
    )
    assert early.status_code == 409 and early.json()["code"] == "not_ended"
    too_long = client.post(
        f"/periods/{pid}/extensions",
        json={"end_date": "2028-03-31", "agreed_on": "2026-12-01"},
        headers=h,
    )
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "body.extensions.0.end_date"
    end = {"end_date": "2026-06-30", "reason": "moved_on_early", "onward_path": "work_trial"}
    done = client.post(f"/periods/{pid}/end", json=end, headers=h)
    assert done.status_code == 200 and done.json()["onward_path"] == "work_trial"
    twice = client.post(f"/periods/{pid}/end", json=end, headers=h)
    assert twice.status_code == 409 and twice.json()["code"] == "already_ended"
    assignment = client.get(f"/assignments/{period['assignment_id']}", headers=h).json()
    assert (assignment["status"], assignment["end_date"]) == ("ended", "2026-06-30")
    site_view = client.get(f"/periods/{pid}", headers=seed.h("muni1")).json()
    assert site_view["end_reason"] is None and site_view["onward_path"] == "work_trial"
    answers = {"tasks_suited_me": 5, "felt_welcome": 4}
    mine = client.post(
        f"/periods/{pid}/feedback/client",
        json={"given_on": "2026-06-30", "language": "sv", "answers": answers},
        headers=seed.h("coach"),
    )
    assert mine.status_code == 201, mine.text
    bad = client.post(
        f"/periods/{pid}/feedback/site",
        json={"given_on": "2026-06-30", "answers": {"would_take_again": 6}},
        headers=seed.h("muni1"),
    )
    assert bad.status_code == 422
    site = client.post(
        f"/periods/{pid}/feedback/site",
        json={"given_on": "2026-06-30", "answers": {"would_take_again": 5}},
        headers=seed.h("muni1"),
    )
    assert site.status_code == 201
    kinds = [f["kind"] for f in client.get(f"/periods/{pid}/feedback", headers=h).json()]
    assert kinds == ["client", "site"]
    summary = client.get(
        "/outcomes/feedback", params={"kind": "client"}, headers=seed.h("planner")
    ).json()
    assert summary["rows"] == [
        {"key": "P1", "forms": None, "means": {"felt_welcome": None, "tasks_suited_me": None}}
    ]


def test_unauthorised_absences_interrupt_only_when_repeated(client: TestClient, seed: Seed) -> None:
    period = started(client, seed)
    h = seed.h("coordinator")
    day(client, seed, period["assignment_id"], "2026-01-05", "absent", "other")
    end = {
        "end_date": "2026-01-31",
        "reason": "interrupted_unauthorised_absences",
        "onward_path": "dropped_out",
    }
    once = client.post(f"/periods/{period['id']}/end", json=end, headers=h)
    assert (
        once.status_code == 422
        and once.json()["errors"][0]["type"] == "too_few_unauthorised_absences"
    )
    day(client, seed, period["assignment_id"], "2026-01-12", "absent", "other")
    assert client.post(f"/periods/{period['id']}/end", json=end, headers=h).status_code == 200


def test_start_notice_due_and_recorded(client: TestClient, seed: Seed) -> None:
    period = started(client, seed)
    h = seed.h("coordinator")
    due = client.get("/start-notices/due", headers=h).json()
    assert [d["period_id"] for d in due] == [period["id"]]
    csv = client.get("/start-notices/due", params={"format": "csv"}, headers=h)
    assert csv.status_code == 200 and "text/csv" in csv.headers["content-type"]
    notice = {"authority": "Pohjois-Pohjanmaan työllisyysalue", "sent_on": "2026-01-05"}
    assert (
        client.post(f"/periods/{period['id']}/start-notice", json=notice, headers=h).status_code
        == 201
    )
    assert client.get("/start-notices/due", headers=h).json() == []
    again = client.post(f"/periods/{period['id']}/start-notice", json=notice, headers=h)
    assert again.status_code == 409 and again.json()["code"] == "notice_recorded"
    assert (
        client.get(f"/periods/{period['id']}", headers=h).json()["start_notice_sent_on"]
        == "2026-01-05"
    )


def test_alerts_ahead_of_the_dates(client: TestClient, seed: Seed) -> None:
    started(client, seed)
    alerts = client.get("/periods/alerts", headers=seed.h("coordinator"))
    assert alerts.status_code == 200
    assert all(
        a["kind"] in ("first_review", "commitment_ends", "period_ends", "plan_review")
        for a in alerts.json()
    )


# --- roles ----------------------------------------------------------------------------------


def test_who_sees_the_period(client: TestClient, seed: Seed, app: Any) -> None:

    period = started(client, seed)
    url = f"/periods/{period['id']}"
    assert client.get(url, headers=seed.h("coach")).status_code == 200
    coached = client.get("/periods", headers=seed.h("coach")).json()
    assert [(p["client_id"], p["imported"]) for p in coached] == [("C2", True), ("C1", False)]
    assert coached[-1]["id"] == period["id"]
    assert client.get(url, headers=seed.h("muni1")).status_code == 200
    assert client.get(url, headers=seed.h("muni2")).status_code == 404
    assert client.get(url, headers=seed.h("planner")).status_code == 403
    assert client.get(url, headers=seed.h("admin")).status_code == 403
    attendance = f"/assignments/{period['assignment_id']}/attendance"
    assert client.get(attendance, headers=seed.h("coach")).status_code == 200
    assert (
        client.post(
            "/periods", json={"agreement_id": period["agreement_id"]}, headers=seed.h("coach")
        ).status_code
        == 403
    )
    unstated = client.get("/periods", params={"scope": "all"}, headers=seed.h("coordinator"))
    assert (
        unstated.status_code == 422 and unstated.json()["errors"][0]["field"] == "header.x-purpose"
    )
    stated = client.get(
        "/periods",
        params={"scope": "all"},
        headers=seed.h("coordinator", **{"X-Purpose": "sijaisuus"}),
    )
    assert stated.status_code == 200
    assert [(p["client_id"], p["imported"]) for p in stated.json()] == [
        ("C2", True),  # C2's period from before Paikka
        ("C1", False),
    ]
    with sessions_of(app)() as session:
        reads = session.scalars(
            select(AuditRow).where(AuditRow.resource == "periods", AuditRow.action == "read")
        ).all()
        assert any(
            r.purpose == "sijaisuus" and (r.detail or {}).get("scope") == "all" for r in reads
        )
        assert {r.role for r in reads} >= {"coach", "municipality", "coordinator"}


def test_coach_of_another_client_sees_nothing(client: TestClient, seed: Seed, app: Any) -> None:

    period = started(client, seed)
    with sessions_of(app)() as session:
        other = issue_token(session, Role.COACH, "other coach", "K9")
        session.commit()
    h = {"Authorization": f"Bearer {other}"}
    assert client.get(f"/periods/{period['id']}", headers=h).status_code == 404
    assert client.get("/periods", headers=h).json() == []


# --- outcomes -------------------------------------------------------------------------------


def test_outcomes_hide_small_counts(client: TestClient, seed: Seed) -> None:
    period = started(client, seed)
    end = {"end_date": "2026-06-30", "reason": "agreed_end", "onward_path": "education"}
    client.post(f"/periods/{period['id']}/end", json=end, headers=seed.h("coordinator"))
    for dimension in ("placement", "task_category", "municipality", "age_band"):
        out = client.get("/outcomes", params={"dimension": dimension}, headers=seed.h("planner"))
        assert out.status_code == 200, out.text
        rows = out.json()["rows"]
        assert len(rows) == 1 and rows[0]["periods"] is None
        assert set(rows[0]["paths"].values()) == {None}  # a row under 5 is hidden whole
    keys = client.get(
        "/outcomes", params={"dimension": "age_band"}, headers=seed.h("planner")
    ).json()
    assert keys["rows"][0]["key"] == "under_25"
    assert client.get("/outcomes", headers=seed.h("muni1")).status_code == 403


def test_a_coordinators_caseload_is_the_default_view(
    client: TestClient, seed: Seed, app: Any
) -> None:
    period = started(client, seed)
    own = Principal(0, "kaisa", Role.COORDINATOR, None, caseload=frozenset({"C3"}))
    with sessions_of(app)() as session:
        assert period_store.list_(session, own) == []
        everyone = period_store.list_(session, own, everyone=True)
        assert [(r.client_id, r.imported) for r in everyone] == [("C2", True), ("C1", False)]
        mine = Principal(0, "kaisa", Role.COORDINATOR, None, caseload=frozenset({"C1"}))
        assert [r.id for r in period_store.list_(session, mine)] == [period["id"]]


def _ended_periods(app: Any, seed: Seed, count: int, path: str) -> None:
    """``count`` ended periods of C1–C4 at P1, stored directly (the steps are tested above)."""
    with sessions_of(app)() as session:
        for k in range(count):
            client_id = f"C{k % 4 + 1}"
            assignment = AssignmentRow(
                client_id=client_id,
                placement_id="P1",
                start_date=date(2025, 1, 6),
                end_date=date(2025, 6, 30),
                status="ended",
            )
            agreement_row = AgreementRow(
                proposal_id=seed.proposal_id,
                client_id=client_id,
                placement_id="P1",
                municipality_code="564",
                task_category="kitchen",
                status="agreed",
                tasks="Kitchen help.",
                weekdays=["mon", "tue"],
                hours_per_day=5,
                start_date=date(2025, 1, 6),
                first_review_date=date(2025, 2, 17),
                end_date=date(2025, 6, 30),
                when_absent="Call.",
                agreed_on=date(2025, 1, 2),
                created_by="test",
            )
            session.add_all([assignment, agreement_row])
            session.flush()
            session.add(
                PeriodRow(
                    agreement_id=agreement_row.id,
                    assignment_id=assignment.id,
                    client_id=client_id,
                    placement_id="P1",
                    municipality_code="564",
                    task_category="kitchen",
                    weekdays=["mon", "tue"],
                    days_per_week=2,
                    hours_per_day=5,
                    start_date=date(2025, 1, 6),
                    first_review_date=date(2025, 2, 17),
                    end_date=date(2025, 6, 30),
                    planned_end_date=date(2025, 6, 30),
                    plan_review_date=date(2027, 1, 6),
                    ended_on=date(2025, 6, 30),
                    end_reason="agreed_end",
                    onward_path=path,
                    created_by="test",
                )
            )
        session.commit()


def test_outcomes_show_groups_of_five_or_more(client: TestClient, seed: Seed, app: Any) -> None:
    _ended_periods(app, seed, 6, "education")
    out = client.get("/outcomes", params={"dimension": "placement"}, headers=seed.h("planner"))
    [row] = out.json()["rows"]
    assert (row["key"], row["periods"], row["paths"]["education"], row["paths"]["job"]) == (
        "P1",
        6,
        6,
        0,
    )
    text = out.text
    assert "C1" not in text and "C2" not in text  # pseudonymous: no client ids
    csv = client.get(
        "/outcomes", params={"dimension": "placement", "format": "csv"}, headers=seed.h("planner")
    )
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert b"P1;6;" in csv.content
    forms = client.get("/outcomes/feedback", headers=seed.h("planner"))
    assert forms.status_code == 200 and forms.json()["rows"] == []


def test_the_site_sees_the_clients_name_only_if_shared(
    client: TestClient, seed: Seed, app: Any
) -> None:
    started(client, seed)
    meetings = client.get("/start-meetings", headers=seed.h("muni1")).json()
    names = {p["role"]: p["name"] for p in meetings[0]["participants"]}
    assert names["client"] == "Aino A"  # C1 shares display_name (seed)
    with sessions_of(app)() as session:
        personal = session.get(ClientPersonalRow, "C1")
        assert personal is not None
        personal.shared_fields = []
        session.commit()
    meetings = client.get("/start-meetings", headers=seed.h("muni1")).json()
    names = {p["role"]: p["name"] for p in meetings[0]["participants"]}
    assert names["client"] == "C1" and names["site_supervisor"] == "Sanna S"
    own = client.get("/start-meetings", headers=seed.h("coordinator")).json()
    assert {p["name"] for p in own[0]["participants"]} >= {"Aino A"}
