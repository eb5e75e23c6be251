"""Issue 20's week end to end in Chromium, on SQLite and PostgreSQL.

The coordinator decides the week's proposals on the board (accepts one, leaves one pending
with a note), the site confirms the accepted client, the coordinator records the start
meeting, the agreement and the period through their pages and records days; then a new run
from the board's button (with its confirmation) keeps every decision, the note, the
confirmation and the period, and proposes only for clients still open. The month's Kela report
includes the period imported from before Paikka (C2 at P1 since 1.12.2025), whose days are
checked by the same rules (a holiday refused); the board's unplaced list is the engine's JSON
(``GET /runs/{id}/unassigned``) client by client; and two clients named "Aino A" are told apart
on every list the journey visits.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from models.cooperation import last_day_of_months
from service.db.cooperation import PeriodRow, SiteConfirmationRow
from service.db.tables import ClientPersonalRow, ClientRow, ProposalRow, RunRow
from tests.service.svc_helpers import sessions_of, wait_idle
from tests.web.web_helpers import PASSWORD, WebSeed, assert_accessible

pytestmark = pytest.mark.slow

MONDAY = date.today() - timedelta(days=date.today().weekday() + 7 * 10)
"""The period's first day: a Monday ten weeks ago (days in the future are refused)."""

TWIN = "Aino A"
"""C1 (Oulu) and C4 (Ii) share this display name."""


def d(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def sign_in(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu", exact=True).click()


def twins_told_apart(locator: Any, clients: int | None = None) -> None:
    """Every "Aino A" in ``locator``'s rows carries what tells them apart ("Aino A (s. 1990,
    Oulu)"), and the ``clients`` of that name shown (by default one a row) read differently."""
    hints: set[str] = set()
    rows = [row for row in locator.all_inner_texts() if TWIN in row]
    for row in rows:
        found = re.findall(rf"{TWIN} \(([^)]+)\)", row)
        assert found, f"{TWIN} shown without what tells them apart: {row!r}"
        hints.update(found)
    assert len(hints) == (len(rows) if clients is None else clients), (hints, rows)


def newest_run(app: FastAPI) -> RunRow:
    with sessions_of(app)() as session:
        run = session.scalars(select(RunRow).order_by(RunRow.id.desc())).first()
        assert run is not None
        session.expunge(run)
        return run


def test_the_week_survives_a_new_run(
    page: Any, client: TestClient, web_seed: WebSeed, app: FastAPI, database_url: str
) -> None:
    from playwright.sync_api import expect

    kind = database_url.split(":")[0].split("+")[0]
    with sessions_of(app)() as session:  # C4 (Ii) has the same name as C1 (Oulu)
        twin = session.get(ClientPersonalRow, "C4")
        assert twin is not None
        twin.display_name = TWIN
        session.commit()
    first_run = web_seed.base.run_id
    c1, c3 = web_seed.proposals["C1"], web_seed.proposals["C3"]

    # --- the coordinator decides: C1 accepted, C3 pending with a note, C4 left open ------------
    sign_in(page, "kaisa")
    expect(page.get_by_role("heading", name="Viikon ehdotukset", level=1)).to_be_visible()
    expect(page.locator("tbody tr", has_text=TWIN)).to_have_count(2)
    twins_told_apart(page.locator("tbody tr"), 2)
    page.goto(f"/coordinator/proposals/{c1}")
    page.get_by_role("button", name="Hyväksy", exact=True).click()
    expect(page.get_by_role("status")).to_be_visible()
    page.goto(f"/coordinator/proposals/{c3}")
    page.get_by_label("Lisätieto (vapaaehtoinen)").nth(2).fill("Odotetaan tapaamista torstaina")
    page.get_by_role("button", name="Jätä odottamaan").click()
    expect(page.get_by_role("status")).to_contain_text("Ehdotus jätetty odottamaan")
    assert_accessible(page, f"week-01-decided-{kind}")

    # --- the site confirms the accepted client ----------------------------------------------
    sign_in(page, "kalle")
    page.get_by_role("navigation").get_by_role("link", name="Vahvistettavat ehdotukset").click()
    expect(page.get_by_role("heading", name=re.compile(TWIN))).to_have_count(1)  # not C4 yet
    page.get_by_label("Vahvistamme: asiakas voi aloittaa").check()
    page.get_by_role("button", name="Lähetä vastaus").click()
    expect(page.get_by_role("status")).to_contain_text("Vahvistus on lähetetty")

    # --- the coordinator: meeting, agreement, period, days (all by pages) --------------------
    sign_in(page, "kaisa")
    page.get_by_role("navigation").get_by_role("link", name="Jaksot ja sopimukset").click()
    twins_told_apart(page.locator("main li, main tr"), 1)
    page.get_by_role("link", name=re.compile("Kirjaa aloituspalaveri")).click()
    page.get_by_label("Päivämäärä").fill(d(MONDAY - timedelta(days=7)))
    page.get_by_label("Paikka", exact=True).fill("Oulun kaupungintalo")
    page.get_by_label("Työpaikkaohjaaja").fill("Sari Ohjaaja")
    page.get_by_role("button", name="Tallenna aloituspalaveri").click()
    expect(page.get_by_role("status")).to_contain_text("Aloituspalaveri tallennettu")
    page.goto("/coordinator/cooperation")
    page.get_by_role("link", name=re.compile("Laadi sopimus")).click()
    page.get_by_label("Tehtävät").fill("Keittiön esivalmistelu ja astiahuolto")
    page.get_by_label("Päiviä viikossa").fill("2")
    page.get_by_label("Alkamispäivä").fill(d(MONDAY))
    page.get_by_label("Ensimmäinen arviointi").fill(d(MONDAY + timedelta(days=42)))
    page.get_by_label("Päättymispäivä").fill(d(last_day_of_months(MONDAY, 6)))
    page.get_by_label("Kun asiakas on poissa").fill("Soita työpaikkaohjaajalle ennen klo 8.")
    page.get_by_role("button", name="Tallenna luonnos").click()
    expect(page.get_by_role("status")).to_contain_text("Sopimusluonnos tallennettu")
    page.get_by_label("Sovittu päivänä").fill(d(MONDAY - timedelta(days=7)))
    page.get_by_role("button", name="Merkitse sovituksi").click()
    expect(page.get_by_role("status")).to_contain_text("Sopimus merkitty sovituksi")
    page.get_by_label("Kulukorvauksen maksaja").select_option("kela")
    page.get_by_role("button", name="Aloita jakso").click()
    expect(page.get_by_role("status")).to_contain_text("Jakso aloitettu")
    period_url = page.url.split("?")[0]
    for day in (MONDAY, MONDAY + timedelta(days=1)):
        page.get_by_label("Päivä", exact=True).fill(d(day))
        page.get_by_label("Merkintä").select_option("present")
        page.get_by_role("button", name="Tallenna merkintä").click()
        expect(page.get_by_role("status")).to_contain_text("Merkintä tallennettu")
    assert_accessible(page, f"week-02-period-{kind}")
    with sessions_of(app)() as session:
        periods_before = {
            (p.id, p.client_id, p.placement_id, p.start_date, p.planned_end_date, p.imported)
            for p in session.scalars(select(PeriodRow))
        }
        confirmations_before = {
            (c.proposal_id, c.decision) for c in session.scalars(select(SiteConfirmationRow))
        }
    assert {(p[1], p[5]) for p in periods_before} == {("C1", False), ("C2", True)}

    # C4 now needs 8 hours a day, which no placement offers: the new run cannot place them.
    with sessions_of(app)() as session:
        c4 = session.get_one(ClientRow, "C4")
        c4.attributes = {**c4.attributes, "hours_per_day": 8}
        session.commit()

    # --- run again, from the board's button and its confirmation ----------------------------
    page.goto("/coordinator/board")
    page.get_by_text("Laske uudet ehdotukset").click()
    page.get_by_role("button", name="Käynnistä laskenta").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Uusi laskenta korvaa viikon 2 avointa ehdotusta")
    expect(dialog).to_contain_text("1 niistä odottaa merkinnän kanssa")
    assert_accessible(page, f"week-03-run-confirm-{kind}")
    assert newest_run(app).id == first_run  # nothing started before the confirmation
    dialog.get_by_role("button", name="Korvaa avoimet ehdotukset ja laske").click()
    wait_idle(app)
    second = newest_run(app)
    assert second.id != first_run and second.status == "succeeded", second.status
    page.goto("/coordinator/board")

    with sessions_of(app)() as session:
        first_rows = {
            p.client_id: p
            for p in session.scalars(select(ProposalRow).where(ProposalRow.run_id == first_run))
        }
        new_rows = list(session.scalars(select(ProposalRow).where(ProposalRow.run_id == second.id)))
        periods_after = {
            (p.id, p.client_id, p.placement_id, p.start_date, p.planned_end_date, p.imported)
            for p in session.scalars(select(PeriodRow))
        }
        confirmations_after = {
            (c.proposal_id, c.decision) for c in session.scalars(select(SiteConfirmationRow))
        }
    # Every decision kept: C1 accepted, C3's note carried; period and confirmation intact.
    assert first_rows["C1"].status == "accepted" and first_rows["C1"].id == c1
    assert periods_after == periods_before
    assert confirmations_after == confirmations_before
    # New proposals only for the clients still open: C1 (period) and C2 (imported) are not.
    proposed_again = {p.client_id for p in new_rows}
    assert proposed_again == {"C3"}, proposed_again
    notes = [p for p in [*first_rows.values(), *new_rows] if p.client_id == "C3"]
    assert any("Odotetaan tapaamista torstaina" in (p.pending_note or "") for p in notes), [
        (p.run_id, p.status, p.pending_note) for p in notes
    ]
    board = page.locator("main")
    expect(board).to_contain_text("Odotetaan tapaamista torstaina")
    page.get_by_label("Tila").select_option("all")
    page.get_by_role("button", name="Näytä").click()
    twins_told_apart(page.locator("tbody tr"))
    assert_accessible(page, f"week-04-board-after-run-{kind}")

    # --- the unplaced list is the engine's JSON, client by client ----------------------------
    engine = client.get(
        f"/runs/{second.id}/unassigned",
        headers={
            "Authorization": f"Bearer {web_seed.base.tokens['coordinator']}",
            "X-Purpose": "viikon tarkistus",
        },
    )
    assert engine.status_code == 200, engine.text
    unplaced_ids = list(engine.json())
    assert unplaced_ids == ["C4"], engine.json()  # C3 placed again, its note carried
    items = page.locator("#unplaced li.unplaced-item")
    expect(items).to_have_count(len(unplaced_ids))
    shown = [
        (items.nth(i).locator("a.who").get_attribute("href") or "").split("/")[-1].split("?")[0]
        for i in range(len(unplaced_ids))
    ]
    assert sorted(shown) == sorted(unplaced_ids)
    for i, cid in enumerate(shown):
        explanation = engine.json()[cid]
        if explanation:
            expect(items.nth(i)).not_to_contain_text("Perusteluja ei ole tälle laskennalle")
        expect(items.nth(i)).to_contain_text(TWIN)
    twins_told_apart(page.locator("#unplaced li.unplaced-item"))

    # --- the period is on the cooperation page after the run ---------------------------------
    page.goto(period_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(TWIN)
    expect(page.locator("main")).to_contain_text(d(MONDAY))

    # --- the month's Kela report includes the imported period, same day rules ----------------
    page.get_by_role("link", name="Omat asiakkaat").click()
    twins_told_apart(page.locator("main tr"), 2)  # the caseload: C1 and C4
    page.get_by_role("link", name="Läsnäolot: Bertta B").click()
    attendance = page.url.split("?")[0] + "?month=2025-12"
    page.goto(attendance)
    page.get_by_label("Päivä", exact=True).fill("25.12.2025")  # Christmas Day
    page.get_by_label("Merkintä").select_option(label="läsnä")
    page.get_by_role("button", name="Tallenna merkintä").click()
    expect(page.get_by_role("alert")).to_contain_text("Päivä on arkipyhä")
    assert_accessible(page, f"week-05-holiday-refused-{kind}")
    page.goto(attendance)
    page.get_by_label("Päivä", exact=True).fill("2.12.2025")
    page.get_by_label("Merkintä").select_option(label="läsnä")
    page.get_by_role("button", name="Tallenna merkintä").click()
    totals = page.locator("section", has_text="Kuukauden yhteenveto")
    expect(totals).to_contain_text("Kulukorvaukseen oikeuttavat päivät1 päivä")
    page.goto("/coordinator/cooperation/report?month=12.2025")
    report = page.get_by_role("table").first
    expect(report).to_contain_text("Bertta B")
    bertta = page.locator("tr", has_text="Bertta B").first
    cells = bertta.locator("td")  # after the client, a row header
    expect(cells.nth(2)).to_have_text("1")  # the present day of 2.12; Christmas Day refused
    expect(bertta).to_contain_text("Maksaja puuttuu")  # the import knew no payer: flagged
    assert_accessible(page, f"week-06-report-imported-{kind}")
