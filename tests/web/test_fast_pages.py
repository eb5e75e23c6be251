"""The roles' weeks of ``test_journeys.py``, request by request without a browser.

The Chromium journeys are slow tests (the full suite runs them on both databases); these go
through the same pages and forms with the in-process client, so that the short loop
(``pytest -m "not slow"``) checks every page's rules and refusals in seconds: what each page
shows, what a form refuses and why, and what it saves.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.db.cooperation import PeriodRow
from service.db.tables import (
    AttendanceRow,
    ClientRow,
    PlacementRow,
    ProposalRow,
    ScenarioFileRow,
    ScenarioJobRow,
)
from tests.service.svc_helpers import PLANNING, sessions_of
from tests.web.web_helpers import PASSWORD, WebSeed, totp_now

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, html[:500]
    return found.group(1)


def signed_in(client: TestClient, username: str) -> str:
    """Sign ``username`` in; the CSRF token of their session."""
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"csrf": token, "username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    home = client.get(response.headers["location"])
    return csrf_of(home.text)


def post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=data, follow_redirects=False)


# --- signing in and out -----------------------------------------------------------------


def test_the_start_page_sends_to_sign_in_and_then_to_the_roles_page(
    client: TestClient, web_seed: WebSeed
) -> None:
    client.cookies.clear()
    first = client.get("/", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/login"
    signed_in(client, "kalle")
    again = client.get("/", follow_redirects=False)
    assert again.headers["location"] == "/municipality/placements"


def test_a_wrong_password_is_refused_and_the_name_kept(
    client: TestClient, web_seed: WebSeed
) -> None:
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    wrong = post(client, "/login", {"csrf": token, "username": "kaisa", "password": "väärin-123"})
    assert wrong.status_code == 401
    assert "Käyttäjätunnus tai salasana on väärin." in wrong.text
    assert 'value="kaisa"' in wrong.text


def test_sign_out_needs_the_token_and_ends_the_session(
    client: TestClient, web_seed: WebSeed
) -> None:
    token = signed_in(client, "kaisa")
    assert post(client, "/logout", {"csrf": "vanha"}).status_code == 403
    assert client.get("/coordinator/board").status_code == 200
    done = post(client, "/logout", {"csrf": token})
    assert done.status_code == 303 and done.headers["location"] == "/login?signed_out=1"
    after = client.get("/coordinator/board", follow_redirects=False)
    # To sign in, then back to the page asked for (issue 20).
    assert after.status_code == 303
    assert after.headers["location"] == "/login?next=%2Fcoordinator%2Fboard"


def test_the_language_sticks_to_the_account_and_before_sign_in_to_a_cookie(
    client: TestClient, web_seed: WebSeed
) -> None:
    client.cookies.clear()
    prelogin = csrf_of(client.get("/login").text)
    assert post(client, "/language", {"csrf": prelogin, "language": "xx"}).status_code == 422
    assert post(client, "/language", {"csrf": "x", "language": "sv"}).status_code == 403
    chosen = post(client, "/language", {"csrf": prelogin, "language": "sv", "next": "//evil"})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/"
    token = signed_in(client, "kaisa")
    assert post(client, "/language", {"csrf": "x", "language": "sv"}).status_code == 403
    swedish = post(
        client,
        "/language",
        {"csrf": token, "language": "sv", "next": "/coordinator/clients/C1"},
    )
    assert swedish.headers["location"] == "/coordinator/clients/C1"
    client.cookies.delete("paikka_lang")
    assert 'lang="sv"' in client.get("/coordinator/clients").text  # the account's setting
    post(client, "/language", {"csrf": token, "language": "fi"})
    assert 'lang="fi"' in client.get("/coordinator/clients").text


def test_the_admins_code_is_checked_and_five_wrong_codes_lock_the_account(
    client: TestClient, web_seed: WebSeed
) -> None:
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    first = post(client, "/login", {"csrf": token, "username": "pasi", "password": PASSWORD})
    assert first.headers["location"] == "/login/code"
    form = client.get("/login/code")
    assert form.status_code == 200
    pending = csrf_of(form.text)
    assert post(client, "/login/code", {"csrf": "x", "code": "1"}).status_code == 403
    right = totp_now(web_seed.admin_totp)
    wrong = "000000" if right != "000000" else "111111"
    refused = post(client, "/login/code", {"csrf": pending, "code": wrong})
    assert refused.status_code == 401 and "Koodi ei kelpaa" in refused.text
    for _ in range(3):
        post(client, "/login/code", {"csrf": pending, "code": wrong})
    locked = post(client, "/login/code", {"csrf": pending, "code": wrong})
    assert locked.status_code == 303 and locked.headers["location"] == "/login"
    assert client.get("/login/code", follow_redirects=False).status_code == 303
    token = csrf_of(client.get("/login").text)
    again = post(client, "/login", {"csrf": token, "username": "pasi", "password": PASSWORD})
    assert again.status_code == 401 and "Tunnus on lukittu" in again.text


# --- the coordinator ---------------------------------------------------------------------


def test_the_board_shows_names_and_filters_by_municipality_placement_and_status(
    client: TestClient, web_seed: WebSeed
) -> None:
    signed_in(client, "kaisa")
    board = client.get("/coordinator/board").text
    for shown in (
        "Aino A",
        "Dept P1",
        "Oulu catering",
        "Heikki Nieminen, työvalmentaja",
        "Keittiökuja 3, 90100 Oulu",
        "5.1.2026",
    ):
        assert shown in board
    assert ">C1<" not in board
    ii = client.get("/coordinator/board", params={"municipality": "139"}).text
    assert "Aino A" not in ii and "Dept P3" in ii
    at_p1 = client.get("/coordinator/board", params={"placement": "P1"}).text
    assert "Aino A" in at_p1 and "Cecilia C" not in at_p1
    accepted = client.get("/coordinator/board", params={"status": "accepted"}).text
    assert "Aino A" not in accepted


def test_accepting_several_needs_a_tick_and_accepts_the_ticked(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    token = signed_in(client, "kaisa")
    none = post(client, "/coordinator/board/accept", {"csrf": token})
    assert none.status_code == 422 and "Valitse ensin hyväksyttävät ehdotukset." in none.text
    ticked = [str(web_seed.proposals["C3"]), str(web_seed.proposals["C4"])]
    done = post(
        client,
        "/coordinator/board/accept",
        {"csrf": token, "proposal": ticked, "reason_code": "client_agreed"},
    )
    assert done.status_code == 303 and done.headers["location"].endswith("accepted=2")
    with sessions_of(app)() as session:
        statuses = set(
            session.scalars(
                select(ProposalRow.status).where(ProposalRow.client_id.in_(["C3", "C4"]))
            )
        )
    assert statuses == {"accepted"}
    everything = client.get("/coordinator/board", params={"status": "all"}).text
    assert "Cecilia C" in everything and "Aino A" in everything


def test_an_override_that_breaks_a_rule_is_refused_before_and_at_confirming(
    client: TestClient, web_seed: WebSeed
) -> None:
    token = signed_in(client, "kaisa")
    proposal = web_seed.proposals["C1"]
    page = client.get(f"/coordinator/proposals/{proposal}").text
    assert "Miksi tämä paikka" in page and "Ei vapaata paikkaa: 2/2 paikkaa käytössä." in page
    preview = post(
        client,
        f"/coordinator/proposals/{proposal}/preview",
        {"csrf": token, "placement": "P2", "reason_code": "client_wish"},
    )
    assert preview.status_code == 422
    assert "Tätä paikkaa ei voi valita" in preview.text
    assert "työssä on vaatimus, jota asiakkaan tulee välttää" in preview.text
    assert "Vahvista valinta" not in preview.text
    forced = post(
        client,
        f"/coordinator/proposals/{proposal}/override",
        {"csrf": token, "placement": "P2", "reason_code": "client_wish"},
    )
    assert forced.status_code == 409
    assert "Paikka ei sovi asiakkaalle" in forced.text


def test_accept_and_override_are_saved_once(client: TestClient, web_seed: WebSeed) -> None:
    token = signed_in(client, "kaisa")
    first = web_seed.proposals["C1"]
    done = post(client, f"/coordinator/proposals/{first}/accept", {"csrf": token})
    assert done.headers["location"] == f"/coordinator/proposals/{first}?done=accepted"
    assert "hyväksytty" in client.get(done.headers["location"]).text
    twice = post(client, f"/coordinator/proposals/{first}/accept", {"csrf": token})
    assert twice.status_code == 409

    other = web_seed.proposals["C3"]
    choice = {"csrf": token, "placement": "P2", "reason_code": "client_wish", "text": "Siivous."}
    preview = post(client, f"/coordinator/proposals/{other}/preview", choice)
    assert preview.status_code == 200
    assert "Paikassa on 2 paikkaa" in preview.text
    assert "Muut viikon ehdotukset eivät muutu" in preview.text
    assert "Vahvista valinta" in preview.text
    confirmed = post(client, f"/coordinator/proposals/{other}/override", choice)
    assert confirmed.headers["location"] == f"/coordinator/proposals/{other}?done=overridden"
    again = post(client, f"/coordinator/proposals/{other}/override", choice)
    assert again.status_code == 409
    assert client.get("/coordinator/proposals/999999").status_code == 404


def test_the_client_record_refuses_bad_values_and_warns_of_a_broken_rule(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    token = signed_in(client, "kaisa")
    page = client.get("/coordinator/clients/C2")
    assert page.status_code == 200 and "Bertta B" in page.text
    assert client.get("/coordinator/clients/C99").status_code == 404
    form = {
        "csrf": token,
        "referral_basis": "activation_plan",
        "days_per_week": "9",
        "hours_per_day": "5",
        "available_weekdays": ["mon", "tue", "wed"],
        "max_travel_minutes": "60",
        "languages": "fi",
        "support_units": "1",
        "coach": "K1",
    }
    refused = post(client, "/coordinator/clients/C2", form)
    assert refused.status_code == 422
    assert 'id="err-days_per_week">Suurin sallittu arvo on 7.' in refused.text
    # C2 is at P1, which offers 4–6 hours a day: 7,5 breaks its rule.
    form["days_per_week"], form["hours_per_day"] = "3", "7,5"
    warned = post(client, "/coordinator/clients/C2", form)
    assert warned.status_code == 409
    assert "paikka ei tarjoa asiakkaan tuntimäärää päivässä" in warned.text
    assert 'value="7,5"' in warned.text  # what was typed is kept
    saved = post(client, "/coordinator/clients/C2", {**form, "confirm": "yes"})
    assert saved.headers["location"] == "/coordinator/clients/C2?saved=1"
    form["hours_per_day"] = "6"
    assert post(client, "/coordinator/clients/C2", form).status_code == 303
    assert "Tiedot tallennettu." in client.get("/coordinator/clients/C2?saved=1").text
    with sessions_of(app)() as session:
        row = session.get(ClientRow, "C2")
        assert row is not None and row.attributes["hours_per_day"] == 6
    # A client without an ongoing period has no rule to break.
    assert post(client, "/coordinator/clients/C4", form).status_code == 303


def test_own_clients_are_listed_and_searched_by_name(client: TestClient, web_seed: WebSeed) -> None:
    signed_in(client, "kaisa")
    listing = client.get("/coordinator/clients").text
    assert "Aino A" in listing and "Bertta B" in listing and "Dept P1" in listing
    found = client.get("/coordinator/clients", params={"q": "bert"}).text
    assert "Bertta B" in found and "Aino A" not in found


def test_attendance_is_marked_corrected_with_a_reason_and_summed(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    token = signed_in(client, "kaisa")
    period = web_seed.base.assignment_id
    url = f"/coordinator/assignments/{period}/attendance"
    month = client.get(url, params={"month": "2025-12"})
    assert month.status_code == 200 and "Joulukuu 2025" in month.text
    assert client.get(url, params={"month": "joulukuu"}).status_code == 200  # this month
    assert client.get("/coordinator/assignments/999999/attendance").status_code == 404
    bad = post(client, url, {"csrf": token, "day": "31.2.2025", "status": "present"})
    assert bad.status_code == 422 and "Merkintää ei voitu tallentaa" in bad.text
    marked = post(client, url, {"csrf": token, "day": "2.12.2025", "status": "present"})
    assert marked.headers["location"] == f"{url}?month=2025-12"
    summed = client.get(marked.headers["location"]).text
    assert "1 päivä" in summed
    absent = {
        "csrf": token,
        "day": "2.12.2025",
        "status": "absent",
        "absence_reason": "own_illness",
    }
    needs_reason = post(client, url, absent)
    assert needs_reason.status_code == 422
    assert "Päivä on jo merkitty. Kirjoita korjauksen syy." in needs_reason.text
    corrected = post(client, url, {**absent, "correction_reason": "Sairastui aamulla."})
    assert corrected.status_code == 303
    page = client.get(corrected.headers["location"]).text
    assert "Sairastui aamulla." in page and "Kaisa Koordinaattori" in page
    with sessions_of(app)() as session:
        carried = session.scalar(select(PeriodRow.id).where(PeriodRow.assignment_id == period))
        day = session.scalar(select(AttendanceRow).where(AttendanceRow.period_id == carried))
        assert day is not None and (day.status, day.absence_reason) == ("absent", "own_illness")


# --- the municipality --------------------------------------------------------------------

HEADER = (
    "Paikan tunnus;Paikan nimi;Kunta;Leveysaste;Pituusaste;Tehtäväala;Tehtävät;Paikkoja;"
    "Päivät;Tunteja päivässä vähintään;Tunteja päivässä enintään;Työn vaatimukset;Taidot;"
    "Työkielet;Ohjaajan tukiresurssi;Nuorten työpaja (kyllä/ei);Avoinna alkaen;Avoinna asti;"
    "Vahvistus ettei korvaa palkkatyötä (pvm)"
)
GOOD = (
    "OULU-KIRJASTO-1;Pääkirjasto;Oulu;65,01;25,47;kirjasto;Kirjojen hyllytys;2;"
    "ma, ti, ke;4;6;;;fi;3;ei;5.1.2026;;1.12.2025"
)
BAD = (
    "OULU-PIHA-1;Pihatyöt;Atlantis;65,01;25,47;viheralueet;Haravointi;-1;"
    "ma, ti;4;6;;;fi;2;ehkä;5.1.2026;;1.12.2025"
)


def sheet(*rows: str) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


def test_our_placements_only_and_fewer_seats_than_periods_need_a_confirmation(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    token = signed_in(client, "kalle")
    listing = client.get("/municipality/placements").text
    assert "Työtoimintapaikkamme" in listing and "Dept P1" in listing
    assert "Dept P3" not in listing  # another organisation's
    form = client.get("/municipality/placements/P1")
    assert form.status_code == 200 and "Dept P1" in form.text
    assert client.get("/municipality/placements/P3").status_code == 404
    values = {
        "csrf": token,
        "department": "Dept P1",
        "municipality": "564",
        "lat": "65,01",
        "lon": "25,47",
        "task_category": "kitchen",
        "seats": "0",
        "weekdays": ["mon", "tue", "wed", "thu"],
        "min_hours_per_day": "4",
        "max_hours_per_day": "6",
        "support_units": "4",
        "available_from": "1.1.2025",
    }
    fewer = post(client, "/municipality/placements/P1", values)
    assert fewer.status_code == 409
    assert "käynnissä on 1 jakso" in fewer.text and "jakso alkanut 1.12.2025" in fewer.text
    refused = post(client, "/municipality/placements/P1", {**values, "seats": "-3"})
    assert refused.status_code == 422
    with sessions_of(app)() as session:
        row = session.get(PlacementRow, "P1")
        assert row is not None and row.attributes["seats"] == 2  # nothing saved
    saved = post(client, "/municipality/placements/P1", {**values, "seats": "3"})
    assert saved.headers["location"] == "/municipality/placements?saved=P1"
    assert post(client, "/municipality/placements/P3", values).status_code == 404


def test_a_placement_is_closed_and_reopened(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    token = signed_in(client, "kalle")
    assert post(client, "/municipality/placements/P2/close", {"csrf": "x"}).status_code == 403
    closed = post(client, "/municipality/placements/P2/close", {"csrf": token})
    assert closed.headers["location"] == "/municipality/placements"
    assert "suljettu" in client.get("/municipality/placements").text
    assert post(client, "/municipality/placements/P2/reopen", {"csrf": token}).status_code == 303
    with sessions_of(app)() as session:
        row = session.get(PlacementRow, "P2")
        assert row is not None and not row.closed
    assert post(client, "/municipality/placements/P3/close", {"csrf": token}).status_code == 409
    assert post(client, "/municipality/placements/P3/reopen", {"csrf": token}).status_code == 404


def test_a_contact_acts_only_for_their_own_units(client: TestClient, web_seed: WebSeed) -> None:
    token = signed_in(client, "kalle")
    refused = post(client, "/municipality/unit", {"csrf": token, "organisation": "O2"})
    assert refused.status_code == 403
    chosen = post(client, "/municipality/unit", {"csrf": token, "organisation": "O1"})
    assert chosen.status_code == 303 and "paikka_org=O1" in chosen.headers["set-cookie"]


def test_the_import_refuses_by_cell_previews_and_saves_from_the_preview(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    token = signed_in(client, "kalle")
    assert "Tuo paikat" in client.get("/municipality/import").text
    template = client.get("/municipality/import/template-fi.csv")
    assert template.status_code == 200
    text = template.content.decode("utf-8-sig")
    assert text.startswith("Paikan tunnus;Paikan nimi;Kunta") and "65,012" in text
    swedish = client.get("/municipality/import/template-sv.csv")
    assert "arbetsverksamhetsplatser.csv" in swedish.headers["content-disposition"]
    assert client.get("/municipality/import/template-de.csv").status_code == 404
    assert post(client, "/municipality/import", {"csrf": token}).status_code == 422
    assert post(client, "/municipality/import", {"csrf": token, "payload": "%%"}).status_code == 422

    def upload(content: bytes) -> Any:
        return client.post(
            "/municipality/import",
            data={"csrf": token},
            files={"file": ("paikat.csv", content, "text/csv")},
        )

    refused = upload(sheet(GOOD, BAD))
    assert refused.status_code == 422
    assert "tuntematon kunta ”Atlantis”" in refused.text
    assert "kirjoita kyllä tai ei" in refused.text
    assert "Tallenna paikat" not in refused.text
    fixed = BAD.replace("Atlantis", "Oulu").replace(";-1;", ";1;").replace("ehkä", "ei")
    preview = upload(sheet(GOOD, fixed))
    assert preview.status_code == 200 and "2 uutta paikkaa" in preview.text
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text)
    assert payload is not None
    saved = post(
        client,
        "/municipality/import",
        {"csrf": token, "payload": payload.group(1), "filename": "paikat.csv", "confirm": "yes"},
    )
    assert saved.headers["location"] == "/municipality/placements?added=2&changed=0"
    assert "Pääkirjasto" in client.get("/municipality/placements").text
    again = upload(sheet(GOOD, fixed.replace(";1;ma, ti;", ";3;ma, ti;")))
    assert "1 muuttuva paikka" in again.text and "1 ennallaan" in again.text
    with sessions_of(app)() as session:
        assert session.get(PlacementRow, "OULU-PIHA-1") is not None


def test_our_clients_show_only_what_each_agreed_to_share(
    client: TestClient, web_seed: WebSeed
) -> None:
    signed_in(client, "kalle")
    table = client.get("/municipality/clients").text
    # Aino is only proposed at the site: nothing of her shows before the coordinator's
    # decision (issue 20); Bertta works there already.
    assert "Aino A" not in table and "+358 40 111" not in table
    assert "Bertta B" in table and "+358 40 222" not in table  # Bertta did not share it
    token = signed_in(client, "kaisa")
    done = post(
        client, f"/coordinator/proposals/{web_seed.proposals['C1']}/accept", {"csrf": token}
    )
    assert done.status_code == 303
    signed_in(client, "kalle")
    table = client.get("/municipality/clients").text
    assert "Aino A" in table and "+358 40 111" in table  # Aino shared her phone
    assert "Bertta B" in table and "+358 40 222" not in table
    # Nothing the consent does not cover tells them apart: no birth year or age, no home.
    assert "v., Oulu" not in table and "s. 19" not in table


# --- the planner -------------------------------------------------------------------------


def _job(app: FastAPI, status: str, **fields: Any) -> int:
    """A scenario job as the worker leaves it (no engine run)."""
    with sessions_of(app)() as session:
        job = ScenarioJobRow(
            county="testcounty",
            status=status,
            base="county",
            name="Lisää keittiöpaikkoja",
            planning_date=PLANNING,
            base_clients=4,
            base_placements=3,
            scenarios=[{"name": "lisaa", "description": "Lisää keittiöpaikkoja"}],
            options={"time_limit_s": 1, "seat_values": 0, "workers": 1, "distributed": False},
            created_by="sirpa",
            **fields,
        )
        session.add(job)
        session.flush()
        if status == "succeeded":
            content = b"PK\x03\x04 a workbook"
            session.add(
                ScenarioFileRow(
                    job_id=job.id,
                    name="comparison.xlsx",
                    media_type="application/vnd.ms-excel",
                    size=len(content),
                    content=content,
                )
            )
        session.commit()
        return job.id


SUMMARY = [
    {"scenario": "base", "clients": 4, "placed": 3, "placement_rate": 0.75, "top3_share": 0.5},
    {"scenario": "lisaa", "clients": 4, "placed": 4, "placement_rate": 1.0, "top3_share": 0.75},
]


def test_a_finished_scenario_shows_its_table_chart_and_downloads(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    signed_in(client, "sirpa")
    job = _job(app, "succeeded", summary=SUMMARY)
    page = client.get(f"/planner/scenarios/{job}").text
    assert "Vertailu" in page and "nykytilanne" in page and "Lisää keittiöpaikkoja" in page
    assert "Paikan saavien osuus skenaarioittain" in page and "/4 (" in page
    workbook = client.get(f"/planner/scenarios/{job}/files/comparison.xlsx")
    assert workbook.content.startswith(b"PK")
    assert client.get(f"/planner/scenarios/{job}/files/nothing.txt").status_code == 404
    csv = client.get(f"/planner/scenarios/{job}/summary.csv").content
    assert csv.startswith("\ufeff".encode())
    text = csv.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Skenaario;Asiakkaita;Saa paikan;Osuus")
    assert ";75,0;" in text  # decimal comma
    assert client.get("/planner/scenarios/999999").status_code == 404
    assert client.get("/planner/scenarios/999999/summary.csv").status_code == 404


def test_a_running_scenario_shows_progress_and_a_failed_one_its_reason(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    signed_in(client, "sirpa")
    running = client.get(f"/planner/scenarios/{_job(app, 'running', summary=SUMMARY[:1])}").text
    assert "laskee" in running and "1/1 skenaariota valmiina" in running
    failed = client.get(f"/planner/scenarios/{_job(app, 'failed', error='aikaraja ylittyi')}").text
    assert "epäonnistui: aikaraja ylittyi" in failed


def test_the_scenario_form_refuses_what_the_api_would(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    token = signed_in(client, "sirpa")
    page = client.get("/planner/scenarios")
    assert page.status_code == 200 and "Skenaariot" in page.text
    for kind, extra in (
        ("regime", {"rule": "no_such_rule"}),
        ("nonsense", {}),
    ):
        refused = post(
            client, "/planner/scenarios", {"csrf": token, "name": "x", "kind": kind, **extra}
        )
        assert refused.status_code == 422, kind
    too_long = post(
        client,
        "/planner/scenarios",
        {
            "csrf": token,
            "name": "Pitkä",
            "kind": "remove",
            "municipality": "564",
            "time_limit_s": "100000",
        },
    )
    assert too_long.status_code == 422
    # A job already running: the next one waits its turn and the form says so.
    _job(app, "running", active_lock="testcounty")
    busy = post(
        client,
        "/planner/scenarios",
        {
            "csrf": token,
            "name": "Kysyntä",
            "kind": "scale_demand",
            "amount": "1,2",
            "organisation": "O1",
        },
    )
    assert busy.status_code == 409
    with sessions_of(app)() as session:
        names = set(session.scalars(select(ScenarioJobRow.name)))
    assert names.isdisjoint({"x", "Pitkä", "Kysyntä"})  # nothing refused was queued


def test_an_imported_period_is_a_period_on_every_page(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    """C2 (Bertta B) has worked at P1 since 1.12.2025, before Paikka: the period page opens
    (no agreement to link to), a day is recorded there by the period's rules (Independence
    Day only as not arranged) and counts on the month's Kela report."""
    token = signed_in(client, "kaisa")
    with sessions_of(app)() as session:
        period = session.scalars(select(PeriodRow).where(PeriodRow.client_id == "C2")).one()
        assert period.imported and period.agreement_id is None
    url = f"/coordinator/cooperation/periods/{period.id}"
    page = client.get(url)
    assert page.status_code == 200 and "agreements/None" not in page.text
    holiday = post(client, f"{url}/days", {"csrf": token, "day": "8.12.2025", "status": "present"})
    assert holiday.status_code == 303  # a Monday: recorded
    refused = post(client, f"{url}/days", {"csrf": token, "day": "6.12.2025", "status": "present"})
    assert refused.status_code == 422  # Independence Day (a Saturday): refused
    with sessions_of(app)() as session:
        days = session.scalars(
            select(AttendanceRow.day).where(AttendanceRow.period_id == period.id)
        ).all()
        assert [d.isoformat() for d in days] == ["2025-12-08"]
    report = client.get("/coordinator/cooperation/report", params={"month": "12.2025"})
    assert report.status_code == 200 and "Bertta B" in report.text
