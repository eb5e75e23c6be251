"""The cooperation cycle's pages, request by request: the site confirms or declines, the
start meeting, the agreement (refused outside 3–24 months), the period from an agreed
agreement, the start notice, days checked against the agreement (a day beyond the agreed days
refused), extension, end with the onward path, feedback, the month's Kela report and its
files, the coach's page and the planner's outcomes; then one browser journey through it all.

Dates are relative to today: the attendance rules refuse a day in the future.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from matching.cooperation.texts import refusal_text, text
from models.cooperation import last_day_of_months
from service.accounts import AccountError, create_user
from service.auth import Role
from service.db.cooperation import AgreementRow, PeriodRow, SiteConfirmationRow
from service.db.tables import AttendanceRow
from tests.service.svc_helpers import sessions_of
from tests.web.test_sign_in import csrf_of, sign_in
from tests.web.web_helpers import PASSWORD, WebSeed, assert_accessible

MONDAY = date.today() - timedelta(days=date.today().weekday() + 7 * 10)
"""A Monday ten weeks ago: the period starts there, so its first weeks are in the past."""


def d(day: date) -> str:
    """A date as a Finn types it."""
    return f"{day.day}.{day.month}.{day.year}"


def post(client: TestClient, url: str, form_page: str, data: dict[str, Any]) -> Any:
    """Post ``data`` with the CSRF token of ``form_page``, without following redirects."""
    token = csrf_of(client.get(form_page).text)
    return client.post(url, data={"csrf": token, **data}, follow_redirects=False)


def visible(html: str) -> str:
    """The page's text with tags removed (entities decoded)."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


def error_at(html: str, field: str) -> str:
    """The message shown next to ``field`` (its ``err-`` paragraph)."""
    found = re.search(rf'<p class="field-error" id="err-{field}">(.*?)</p>', html, re.S)
    assert found is not None, f"no error at {field}: {visible(html)[:1500]}"
    return unescape(found.group(1))


@pytest.fixture
def people(app: FastAPI, web_seed: WebSeed) -> WebSeed:
    """The seeded county plus a contact of O2 (Ii) and coach K1 (every client's coach)."""
    with sessions_of(app)() as session:
        create_user(
            session,
            username="iida",
            full_name="Iida Iistä",
            role=Role.MUNICIPALITY,
            password=PASSWORD,
            organisations=["O2"],
        )
        create_user(
            session,
            username="ville",
            full_name="Ville Valmentaja",
            role=Role.COACH,
            password=PASSWORD,
            organisations=["K1"],  # the coach they are
        )
        session.commit()
    return web_seed


def accept(client: TestClient, proposal: int) -> None:
    sign_in(client, "kaisa")
    page = f"/coordinator/proposals/{proposal}"
    response = post(client, f"{page}/accept", page, {"reason_code": "client_agreed"})
    assert response.status_code == 303


def answer(client: TestClient, contact: str, proposal: int, **data: str) -> Any:
    sign_in(client, contact)
    return post(
        client,
        f"/municipality/confirmations/{proposal}",
        "/municipality/confirmations",
        data,
    )


AGREEMENT = {
    "tasks": "Keittiön esivalmistelu ja astiahuolto",
    "weekdays": ["mon", "tue", "wed", "thu"],
    "days_per_week": "2",
    "hours_per_day": "5",
    "when_absent": "Soita työpaikkaohjaajalle ennen klo 8.",
    "contact_site_supervisor_name": "Sari Ohjaaja",
    "contact_site_supervisor_phone": "+358 40 555",
    "language": "fi",
}


def agreement_form(**changes: Any) -> dict[str, Any]:
    return {
        **AGREEMENT,
        "start_date": d(MONDAY),
        "first_review_date": d(MONDAY + timedelta(days=42)),
        "end_date": d(last_day_of_months(MONDAY, 6)),
        **changes,
    }


def confirmed_pair(client: TestClient, seed: WebSeed) -> int:
    """C1 → P1 accepted by the coordinator and confirmed by the site; its proposal id."""
    proposal = seed.proposals["C1"]
    accept(client, proposal)
    assert answer(client, "kalle", proposal, decision="confirmed").status_code == 303
    return proposal


def met(client: TestClient, proposal: int) -> None:
    """The pair's start meeting recorded a week before the start."""
    sign_in(client, "kaisa")
    meeting = f"/coordinator/cooperation/pairs/{proposal}/meeting"
    response = post(
        client,
        meeting,
        meeting,
        {
            "held_on": d(MONDAY - timedelta(days=7)),
            "place": "Oulun kaupungintalo",
            "participant_client": "Aino A",
            "participant_coordinator": "Kaisa Koordinaattori",
            "participant_site_supervisor": "Sari Ohjaaja",
        },
    )
    assert response.status_code == 303, visible(response.text)[:800]


def agreed(client: TestClient, seed: WebSeed) -> int:
    """The pair's meeting held and its agreement agreed; the agreement's id."""
    proposal = confirmed_pair(client, seed)
    met(client, proposal)
    form = f"/coordinator/cooperation/pairs/{proposal}/agreement"
    response = post(client, form, form, agreement_form())
    assert response.status_code == 303, visible(response.text)[:1500]
    agreement = int(response.headers["location"].split("/")[-1].split("?")[0])
    page = f"/coordinator/cooperation/agreements/{agreement}"
    response = post(client, f"{page}/agree", page, {"agreed_on": d(MONDAY - timedelta(days=7))})
    assert response.status_code == 303, visible(response.text)[:1500]
    return agreement


def started(client: TestClient, seed: WebSeed, payer: str = "kela") -> int:
    """The agreed agreement's period started; the period's id."""
    agreement = agreed(client, seed)
    page = f"/coordinator/cooperation/agreements/{agreement}"
    response = post(client, f"{page}/start", page, {"payer": payer, "prior_days": "0"})
    assert response.status_code == 303, visible(response.text)[:1500]
    return int(response.headers["location"].split("/")[-1].split("?")[0])


# --- the site's answer ------------------------------------------------------------------------


def test_site_sees_only_shared_fields_and_confirms(
    client: TestClient, app: FastAPI, people: WebSeed
) -> None:
    proposal = people.proposals["C1"]
    accept(client, proposal)
    sign_in(client, "kalle")
    html = client.get("/municipality/confirmations").text
    assert "Aino A" in html and "+358 40 111" in html  # C1 shares name and phone
    assert "melu" in visible(html).lower() or "Melu" in visible(html)  # and limitations
    assert "Bertta" not in html and "Cecilia" not in html
    response = answer(client, "kalle", proposal, decision="confirmed")
    assert response.status_code == 303
    assert response.headers["location"].endswith("done=confirmed")
    with sessions_of(app)() as session:
        row = session.scalar(select(SiteConfirmationRow))
        assert row is not None and row.decision == "confirmed" and row.decided_by == "kalle"
    assert "Vahvistettavia ehdotuksia ei ole" in client.get("/municipality/confirmations").text


def test_site_of_another_unit_does_not_see_the_proposal(
    client: TestClient, people: WebSeed
) -> None:
    accept(client, people.proposals["C1"])
    sign_in(client, "iida")
    assert "Aino" not in client.get("/municipality/confirmations").text
    response = answer(client, "iida", people.proposals["C1"], decision="confirmed")
    assert response.status_code == 409


def test_a_decline_needs_a_reason_and_the_coordinator_sees_why(
    client: TestClient, app: FastAPI, people: WebSeed
) -> None:
    proposal = people.proposals["C3"]
    accept(client, proposal)
    response = answer(client, "iida", proposal, decision="declined")
    assert response.status_code == 422
    assert error_at(response.text, "reason") == refusal_text("reason_required")
    response = answer(client, "iida", proposal, decision="declined", reason="other")
    assert response.status_code == 422
    assert error_at(response.text, "text") == refusal_text("text_required")
    response = answer(client, "iida", proposal)
    assert response.status_code == 422 and "Valitse, vahvistatteko" in response.text
    response = answer(
        client, "iida", proposal, decision="declined", reason="no_free_place", text="Kesätauko."
    )
    assert response.status_code == 303
    with sessions_of(app)() as session:
        row = session.scalar(select(SiteConfirmationRow))
        assert row is not None and row.decision == "declined" and row.reason == "no_free_place"
    sign_in(client, "kaisa")
    html = visible(client.get("/coordinator/cooperation").text)
    declined = html.split("Paikan hylkäämät ehdotukset", 2)[2]
    assert "Cecilia C" in declined and "Dept P3" in declined
    assert f"{text('decline.no_free_place')}: Kesätauko." in declined
    # The site's person by name, not by user name (issue 20).
    assert "Iida Iistä" in declined and "iida," not in declined


# --- the start meeting and the agreement ------------------------------------------------------


def test_meeting_needs_the_three_parties(client: TestClient, people: WebSeed) -> None:
    proposal = confirmed_pair(client, people)
    sign_in(client, "kaisa")
    page = f"/coordinator/cooperation/pairs/{proposal}/meeting"
    response = post(
        client,
        page,
        page,
        {"held_on": d(MONDAY), "place": "Oulu", "participant_client": "Aino A"},
    )
    assert response.status_code == 422
    assert "työpaikkaohjaaja" in error_at(response.text, "participants").lower() or (
        error_at(response.text, "participants") != ""
    )


def test_agreement_outside_3_to_24_months_is_refused_at_the_end_date(
    client: TestClient, app: FastAPI, people: WebSeed
) -> None:
    proposal = confirmed_pair(client, people)
    sign_in(client, "kaisa")
    page = f"/coordinator/cooperation/pairs/{proposal}/agreement"
    for end, code in (
        (last_day_of_months(MONDAY, 2), "period_too_short"),
        (last_day_of_months(MONDAY, 25), "period_too_long"),
    ):
        response = post(client, page, page, agreement_form(end_date=d(end)))
        assert response.status_code == 422
        bound = last_day_of_months(MONDAY, 3 if code == "period_too_short" else 24)
        assert error_at(response.text, "end_date").startswith(refusal_text(code))
        assert d(bound) in error_at(response.text, "end_date")
        assert 'aria-invalid="true" aria-describedby="err-end_date' in response.text
        assert "Korjaa 1 kohta lomakkeessa" in response.text
        assert f'value="{d(end)}"' in response.text  # what was typed stays
    response = post(client, page, page, agreement_form(hours_per_day="9"))
    assert response.status_code == 422
    assert error_at(response.text, "hours_per_day") == refusal_text("hours_per_day_range")
    with sessions_of(app)() as session:
        assert session.scalar(select(AgreementRow.id)) is None


def test_agreement_drafted_agreed_printed_and_cancelled(
    client: TestClient, app: FastAPI, people: WebSeed
) -> None:
    proposal = confirmed_pair(client, people)
    met(client, proposal)
    page = f"/coordinator/cooperation/pairs/{proposal}/agreement"
    response = post(client, page, page, agreement_form())
    assert response.status_code == 303
    url = response.headers["location"].split("?")[0]
    html = client.get(url).text
    assert "luonnos" in html and "Merkitse sovituksi" in html
    printed = client.get(f"{url}/print?lang=sv")
    assert printed.status_code == 200
    assert "Avtal om arbetsverksamhet" in printed.text and "UTKAST" in printed.text.upper()
    assert "style-src 'sha256-" in printed.headers["content-security-policy"]
    assert "Sopimus kuntouttavasta" in client.get(f"{url}/print?lang=fi").text
    # The period cannot start from a draft.
    response = post(client, f"{url}/start", url, {"payer": "kela"})
    assert response.status_code == 409
    assert refusal_text("agreement_not_agreed") in visible(response.text)
    response = post(client, f"{url}/agree", url, {"agreed_on": d(MONDAY - timedelta(days=3))})
    assert response.status_code == 303
    assert "sovittu" in client.get(url).text
    response = post(client, f"{url}/cancel", url, {"cancel_reason": ""})
    assert response.status_code == 422
    response = post(client, f"{url}/cancel", url, {"cancel_reason": "Asiakas muutti."})
    assert response.status_code == 303
    with sessions_of(app)() as session:
        row = session.scalar(select(AgreementRow))
        assert row is not None and row.status == "cancelled"
    assert "Sopimus on peruttu: Asiakas muutti." in client.get(url).text


# --- the period ---------------------------------------------------------------------------


def test_period_starts_from_the_agreed_agreement_and_its_notice_is_due(
    client: TestClient, app: FastAPI, people: WebSeed
) -> None:
    period = started(client, people)
    url = f"/coordinator/cooperation/periods/{period}"
    html = visible(client.get(url).text)
    assert "Aino A" in html and "Dept P1" in html
    assert d(MONDAY + timedelta(days=42)) in html  # first review
    assert "Kirjaa ilmoitus" in html
    overview = visible(client.get("/coordinator/cooperation").text)
    assert "Aloitusilmoitukset" in overview and "Aino A" in overview
    csv = client.get("/coordinator/cooperation/notices.csv")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    lines = csv.content.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith(text("col.client")) and ";" in lines[0]
    # The name with what tells the client apart (age, home municipality; issue 20).
    assert "Aino A (24 v., Oulu);" in lines[1] and d(MONDAY) in lines[1]
    book = load_workbook(io.BytesIO(client.get("/coordinator/cooperation/notices.xlsx").content))
    assert book.active["A2"].value == "Aino A (24 v., Oulu)"
    response = post(client, f"{url}/notice", url, {"authority": "", "sent_on": d(MONDAY)})
    assert response.status_code == 422 and error_at(response.text, "authority")
    response = post(
        client, f"{url}/notice", url, {"authority": "Oulun työllisyysalue", "sent_on": d(MONDAY)}
    )
    assert response.status_code == 303
    assert "Ilmoitettu: Oulun työllisyysalue" in client.get(url).text
    assert client.get("/coordinator/cooperation/notices.csv").content.count(b"\r\n") == 1


def test_a_day_beyond_the_agreed_days_is_refused(
    client: TestClient, app: FastAPI, people: WebSeed
) -> None:
    period = started(client, people)
    url = f"/coordinator/cooperation/periods/{period}"
    for day in (MONDAY, MONDAY + timedelta(days=1)):
        response = post(client, f"{url}/days", url, {"day": d(day), "status": "present"})
        assert response.status_code == 303, visible(response.text)[:1500]
    third = MONDAY + timedelta(days=2)
    response = post(client, f"{url}/days", url, {"day": d(third), "status": "present"})
    assert response.status_code == 422
    assert error_at(response.text, "day") == refusal_text("too_many_days")
    friday = MONDAY + timedelta(days=11)  # the agreement arranges Mon–Thu
    response = post(client, f"{url}/days", url, {"day": d(friday), "status": "present"})
    assert response.status_code == 422
    assert error_at(response.text, "day") == refusal_text("weekday_not_arranged")
    future = date.today() + timedelta(days=7)
    response = post(client, f"{url}/days", url, {"day": d(future), "status": "present"})
    assert response.status_code == 422
    assert error_at(response.text, "day") == refusal_text("future_day")
    # A correction needs a reason; with one, the day changes and the history stays.
    data = {"day": d(MONDAY), "status": "absent", "absence_reason": "own_illness"}
    response = post(client, f"{url}/days", url, data)
    assert response.status_code == 422
    response = post(
        client, f"{url}/days", url, {**data, "correction_reason": "Soitti aamulla sairaana."}
    )
    assert response.status_code == 303
    with sessions_of(app)() as session:
        days = session.scalars(select(AttendanceRow).order_by(AttendanceRow.day)).all()
        assert [(a.day, a.status) for a in days] == [
            (MONDAY, "absent"),
            (MONDAY + timedelta(days=1), "present"),
        ]
    history = visible(client.get(url).text).split("Korjaushistoria", 1)[1]
    assert "Soitti aamulla sairaana." in history and "Kaisa Koordinaattori" in history


def test_the_month_calendar_page_keeps_to_the_agreement_too(
    client: TestClient, app: FastAPI, people: WebSeed
) -> None:
    period = started(client, people)
    with sessions_of(app)() as session:
        row = session.get(PeriodRow, period)
        assert row is not None
        assignment = row.assignment_id
    url = f"/coordinator/assignments/{assignment}/attendance"
    for day in (MONDAY, MONDAY + timedelta(days=1)):
        response = post(client, url, url, {"day": d(day), "status": "present"})
        assert response.status_code == 303
    third = {"day": d(MONDAY + timedelta(days=2)), "status": "present"}
    response = post(client, url, url, third)
    assert response.status_code == 422
    assert refusal_text("too_many_days") in visible(response.text)
    # A Friday is not arranged; a correction of Monday with a reason is kept.
    friday = {"day": d(MONDAY + timedelta(days=4)), "status": "present"}
    assert post(client, url, url, friday).status_code == 422
    fix = {"day": d(MONDAY), "status": "absent", "absence_reason": "own_illness"}
    response = post(client, url, url, {**fix, "correction_reason": "Sairastui."})
    assert response.status_code == 303


def test_extension_of_any_length_within_24_months_and_the_end_has_an_onward_path(
    client: TestClient, app: FastAPI, people: WebSeed
) -> None:
    period = started(client, people)
    url = f"/coordinator/cooperation/periods/{period}"
    planned = last_day_of_months(MONDAY, 6)
    too_long = last_day_of_months(MONDAY, 25)
    data = {"extension_end_date": d(too_long), "extension_agreed_on": d(date.today())}
    response = post(client, f"{url}/extend", url, data)
    assert response.status_code == 422
    assert error_at(response.text, "extension_end_date") == refusal_text("period_too_long")
    earlier = planned - timedelta(days=1)
    response = post(client, f"{url}/extend", url, {**data, "extension_end_date": d(earlier)})
    assert error_at(response.text, "extension_end_date") == refusal_text("extension_not_later")
    longer = last_day_of_months(MONDAY, 12)
    response = post(client, f"{url}/extend", url, {**data, "extension_end_date": d(longer)})
    assert response.status_code == 303
    assert f"jatkettu {d(longer)} asti" in client.get(url).text
    last = date.today() - timedelta(days=1)
    end = {"end_date": d(last), "reason": "moved_on_early", "onward_path": "other"}
    response = post(client, f"{url}/end", url, end)
    assert response.status_code == 422
    assert error_at(response.text, "note") == refusal_text("text_required")
    response = post(client, f"{url}/end", url, {**end, "onward_path": "education"})
    assert response.status_code == 303
    with sessions_of(app)() as session:
        row = session.get(PeriodRow, period)
        assert row is not None and row.onward_path == "education" and row.ended_on == last
    html = visible(client.get(url).text)
    assert text("path.education") in html and "Asiakkaan palautelomake" in html
    # Interruption for repeated unauthorised absences needs them recorded.
    response = post(client, f"{url}/end", url, {**end, "onward_path": "education"})
    assert response.status_code == 409


def test_feedback_in_the_clients_language_and_from_the_site(
    client: TestClient, app: FastAPI, people: WebSeed
) -> None:
    period = started(client, people)
    url = f"/coordinator/cooperation/periods/{period}"
    early = client.get(f"{url}/feedback?lang=sv")
    assert early.status_code == 200  # the form shows; saving waits for the end
    end = {"end_date": d(date.today()), "reason": "agreed_end", "onward_path": "work_trial"}
    assert post(client, f"{url}/end", url, end).status_code == 303
    form = client.get(f"{url}/feedback?lang=sv").text
    assert '<div lang="sv">' in form and text("feedback.client.title", "sv") in form
    assert "1 – inte alls" in form
    answers = {q: "4" for q in re.findall(r'name="([a-z_]+)" value="1"', form)}
    assert len(answers) == 5
    partial = dict(list(answers.items())[:2])
    response = post(client, f"{url}/feedback", f"{url}/feedback?lang=sv", {**partial, "lang": "sv"})
    assert response.status_code == 422 and "Svara på alla frågor." in response.text
    response = post(client, f"{url}/feedback", f"{url}/feedback?lang=sv", {**answers, "lang": "sv"})
    assert response.status_code == 303
    assert "Asiakas antoi palautteen" in client.get(url).text
    sign_in(client, "kalle")
    listed = client.get("/municipality/feedback").text
    assert "Aino A" in listed
    site = client.get(f"/municipality/feedback/{period}").text
    site_answers = {q: "5" for q in re.findall(r'name="([a-z_]+)" value="1"', site)}
    response = post(
        client,
        f"/municipality/feedback/{period}",
        f"/municipality/feedback/{period}",
        {**site_answers, "lang": "fi", "comment": "Hyvä yhteistyö."},
    )
    assert response.status_code == 303
    assert "Palautetta odottavia jaksoja ei ole." in client.get("/municipality/feedback").text


# --- money, roles, outcomes -------------------------------------------------------------------


def test_monthly_report_page_and_files(client: TestClient, people: WebSeed) -> None:
    period = started(client, people)
    url = f"/coordinator/cooperation/periods/{period}"
    week = MONDAY + timedelta(days=7)
    for day, status, reason in (
        (week, "present", ""),
        (week + timedelta(days=1), "absent", "own_illness"),
    ):
        data = {"day": d(day), "status": status, "absence_reason": reason}
        assert post(client, f"{url}/days", url, data).status_code == 303
    month = f"{week.month}.{week.year}"
    html = visible(client.get(f"/coordinator/cooperation/report?month={month}").text)
    assert "Aino A" in html and "9,00 €" in html
    assert text("absence.own_illness") in html
    summary = client.get(f"/coordinator/cooperation/report-summary.csv?month={month}")
    rows = summary.content.decode("utf-8-sig").split("\r\n")
    assert rows[0].split(";")[0] == text("col.month")
    assert f"{week.month}/{week.year};Aino A (24 v., Oulu);" in rows[1] and ";9,00;" in rows[1]
    absences = client.get(f"/coordinator/cooperation/report-absences.csv?month={month}")
    assert text("absence.own_illness") in absences.content.decode("utf-8-sig")
    book = load_workbook(
        io.BytesIO(client.get(f"/coordinator/cooperation/report.xlsx?month={month}").content)
    )
    assert len(book.sheetnames) == 3
    assert client.get("/coordinator/cooperation/report?month=13.2026").status_code == 422


def test_a_coach_user_names_a_known_coach(app: FastAPI, web_seed: WebSeed) -> None:
    with sessions_of(app)() as session:
        for organisations in ([], ["K9"], ["K1", "K1x"]):
            with pytest.raises(AccountError):
                create_user(
                    session,
                    username="valle",
                    full_name="Valle",
                    role=Role.COACH,
                    password=PASSWORD,
                    organisations=organisations,
                )


def test_coach_sees_own_clients_periods_only(client: TestClient, people: WebSeed) -> None:
    period = started(client, people)
    url = f"/coordinator/cooperation/periods/{period}"
    post(client, f"{url}/days", url, {"day": d(MONDAY), "status": "present"})
    response = sign_in(client, "ville")
    assert response.headers["location"] == "/coach/periods"  # type: ignore[attr-defined]
    html = visible(client.get("/coach/periods").text)
    assert "Aino A" in html and "Dept P1" in html and text("status.present") in html
    assert client.get("/coordinator/cooperation").status_code == 403
    assert client.get(url).status_code == 403


def test_planner_sees_outcomes_with_small_counts_hidden(
    client: TestClient, people: WebSeed
) -> None:
    period = started(client, people)
    url = f"/coordinator/cooperation/periods/{period}"
    end = {"end_date": d(date.today()), "reason": "agreed_end", "onward_path": "job"}
    assert post(client, f"{url}/end", url, end).status_code == 303
    sign_in(client, "sirpa")
    html = client.get("/planner/outcomes").text
    shown = visible(html)
    assert "Jaksojen tulokset" in shown and "Aino" not in shown
    hidden = f'<span aria-hidden="true">{text("word.hidden")}</span>'
    assert f"<td>{hidden}" in html and "<td>1</td>" not in html  # one ended period: hidden
    assert "Ehdotuksia" in shown


# --- the browser journey ------------------------------------------------------------------


@pytest.mark.slow
def test_a_period_from_proposal_to_onward_path(
    page: Any, client: TestClient, people: WebSeed, database_url: str
) -> None:
    # Playwright only for this (slow) journey: the short loop's collection skips its import.
    from playwright.sync_api import expect

    kind = database_url.split(":")[0].split("+")[0]
    proposal = people.proposals["C1"]
    accept(client, proposal)

    def browser_sign_in(username: str) -> None:
        page.context.clear_cookies()
        page.goto("/login")
        page.get_by_label("Käyttäjätunnus").fill(username)
        page.get_by_label("Salasana").fill(PASSWORD)
        page.get_by_role("button", name="Kirjaudu", exact=True).click()

    browser_sign_in("kalle")
    page.get_by_role("navigation").get_by_role("link", name="Vahvistettavat ehdotukset").click()
    expect(page.get_by_role("heading", name=re.compile("Aino A"))).to_be_visible()
    assert_accessible(page, f"coop-01-site-confirms-{kind}")
    page.get_by_label("Vahvistamme: asiakas voi aloittaa").check()
    page.get_by_role("button", name="Lähetä vastaus").click()
    expect(page.get_by_role("status")).to_contain_text("Vahvistus on lähetetty")

    browser_sign_in("kaisa")
    page.get_by_role("navigation").get_by_role("link", name="Jaksot ja sopimukset").click()
    assert_accessible(page, f"coop-02-overview-{kind}")
    page.get_by_role("link", name=re.compile("Kirjaa aloituspalaveri")).click()
    page.get_by_label("Päivämäärä").fill(d(MONDAY - timedelta(days=7)))
    page.get_by_label("Paikka", exact=True).fill("Oulun kaupungintalo")
    page.get_by_label("Työpaikkaohjaaja").fill("Sari Ohjaaja")
    page.get_by_role("button", name="Tallenna aloituspalaveri").click()
    expect(page.get_by_role("status")).to_contain_text("Aloituspalaveri tallennettu")
    assert_accessible(page, f"coop-03-meeting-{kind}")

    page.goto("/coordinator/cooperation")
    page.get_by_role("link", name=re.compile("Laadi sopimus")).click()
    page.get_by_label("Tehtävät").fill(AGREEMENT["tasks"])
    page.get_by_label("Päiviä viikossa").fill("2")
    page.get_by_label("Alkamispäivä").fill(d(MONDAY))
    page.get_by_label("Ensimmäinen arviointi").fill(d(MONDAY + timedelta(days=42)))
    page.get_by_label("Päättymispäivä").fill(d(last_day_of_months(MONDAY, 30)))
    page.get_by_label("Kun asiakas on poissa").fill(AGREEMENT["when_absent"])
    page.get_by_role("button", name="Tallenna luonnos").click()
    expect(page.locator("#err-end_date")).to_contain_text(refusal_text("period_too_long"))
    expect(page.locator("#err-end_date")).to_contain_text(d(last_day_of_months(MONDAY, 24)))
    assert_accessible(page, f"coop-04-agreement-refused-{kind}")
    page.get_by_label("Päättymispäivä").fill(d(last_day_of_months(MONDAY, 6)))
    page.get_by_role("button", name="Tallenna luonnos").click()
    expect(page.get_by_role("status")).to_contain_text("Sopimusluonnos tallennettu")
    page.get_by_label("Sovittu päivänä").fill(d(MONDAY - timedelta(days=7)))
    page.get_by_role("button", name="Merkitse sovituksi").click()
    expect(page.get_by_role("status")).to_contain_text("Sopimus merkitty sovituksi")
    assert_accessible(page, f"coop-05-agreement-agreed-{kind}")
    page.get_by_label("Kulukorvauksen maksaja").select_option("kela")
    page.get_by_role("button", name="Aloita jakso").click()
    expect(page.get_by_role("status")).to_contain_text("Jakso aloitettu")
    assert_accessible(page, f"coop-06-period-{kind}")
    page.get_by_label("Päivä", exact=True).fill(d(MONDAY))
    page.get_by_label("Merkintä").select_option("present")
    page.get_by_role("button", name="Tallenna merkintä").click()
    expect(page.get_by_role("status")).to_contain_text("Merkintä tallennettu")
    page.get_by_label("Viimeinen päivä").fill(d(date.today()))
    page.get_by_label("Päättymisen syy").select_option("agreed_end")
    page.get_by_label("Jatkopolku").select_option("education")
    page.get_by_role("button", name="Päätä jakso").click()
    expect(page.get_by_role("status")).to_contain_text("Jakso päätetty")
    expect(page.get_by_text(text("path.education"), exact=True)).to_be_visible()
    assert_accessible(page, f"coop-07-period-ended-{kind}")

    # The client's feedback in Swedish, then the month's report.
    page.get_by_role("link", name="svenska").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text("feedback.client.title", "sv"))
    assert_accessible(page, f"coop-08-client-feedback-sv-{kind}")
    for question in page.locator("fieldset").all():
        question.get_by_label("4 – mycket").check()
    page.get_by_role("button", name="Skicka responsen").click()
    expect(page.get_by_role("status")).to_contain_text("Kiitos palautteesta")
    page.goto(f"/coordinator/cooperation/report?month={MONDAY.month}.{MONDAY.year}")
    expect(page.get_by_role("table").first).to_contain_text("Aino A")
    assert_accessible(page, f"coop-09-report-{kind}")

    # The site's feedback, the coach's page and the planner's outcomes.
    browser_sign_in("kalle")
    page.get_by_role("navigation").get_by_role("link", name="Jaksojen palaute").click()
    page.get_by_role("link", name="Aino A").click()
    assert_accessible(page, f"coop-10-site-feedback-{kind}")
    browser_sign_in("ville")
    expect(page.get_by_role("heading", name=re.compile("Aino A"))).to_be_visible()
    assert_accessible(page, f"coop-11-coach-{kind}")
    browser_sign_in("sirpa")
    page.get_by_role("navigation").get_by_role("link", name="Jaksojen tulokset").click()
    expect(page.get_by_role("heading", name="Ikäryhmittäin")).to_be_visible()
    assert_accessible(page, f"coop-12-outcomes-{kind}")


def test_a_period_starting_later_is_not_running_yet(client: TestClient, people: WebSeed) -> None:
    """Issue 20: a period whose first day is ahead reads 'alkaa d.m.yyyy', not 'käynnissä',
    on the period page, the cooperation page and the client list."""
    period = started(client, people)
    ahead = timedelta(weeks=12)
    with sessions_of(client.app)() as session:  # type: ignore[arg-type]
        row = session.get(PeriodRow, period)
        assert row is not None
        row.start_date += ahead
        row.first_review_date += ahead
        row.end_date += ahead
        start = row.start_date
        from service.db.tables import AssignmentRow

        assignment = session.get(AssignmentRow, row.assignment_id)
        assert assignment is not None
        assignment.start_date = start
        session.commit()
    starts = f"alkaa {d(start)}"
    html = client.get(f"/coordinator/cooperation/periods/{period}").text
    lead = html.split('<p class="lead">', 1)[1].split("</p>", 1)[0]
    assert lead.endswith(starts) and "käynnissä" not in lead
    overview = visible(client.get("/coordinator/cooperation").text)
    assert starts in overview
    listed = visible(client.get("/coordinator/clients").text)
    assert f"({starts})" in listed and f"alkaen {d(start)}" not in listed


def test_a_period_outside_the_caseload_asks_the_purpose(
    client: TestClient, app: FastAPI, people: WebSeed
) -> None:
    """Issue 20: the period, agreement and attendance pages of a client outside the
    coordinator's caseload ask why first, and the read is audited with the answer."""
    from service.db.accounts import UserRow
    from service.db.tables import AuditRow

    period = started(client, people)
    with sessions_of(app)() as session:
        row = session.get(PeriodRow, period)
        assert row is not None
        assignment, agreement = row.assignment_id, row.agreement_id
        kaisa = session.scalar(select(UserRow).where(UserRow.username == "kaisa"))
        assert kaisa is not None
        kaisa.caseload = ["C2"]
        session.commit()
    urls = (
        f"/coordinator/cooperation/periods/{period}",
        f"/coordinator/cooperation/agreements/{agreement}",
        f"/coordinator/assignments/{assignment}/attendance",
    )
    for url in urls:
        asked = client.get(url)
        assert asked.status_code == 403 and "Miksi tarvitset" in asked.text, url
        assert "Aino A" not in asked.text
    why = "Kelan kysely jakson päivistä"
    shown = client.get(urls[0], params={"purpose": why})
    assert shown.status_code == 200 and "Aino A" in shown.text
    for url in urls[1:]:  # the purpose holds for the same client for half an hour
        assert client.get(url).status_code == 200, url
    with sessions_of(app)() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.purpose == why)).all()
        assert {r.resource for r in rows} >= {"outside_caseload", "periods", "attendance"}
