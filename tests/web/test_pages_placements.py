"""A placement's site address and contact person: the municipality's form, its list and import
(Finnish and Swedish headers, in the web import and the API import), and what the coordinator
sees on the board and the proposal page."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from matching.sample import generate_county
from service.accounts import principal
from service.db.accounts import UserRow
from service.db.tables import PlacementRow
from service.web import placement_sheet
from service.web.i18n import Texts
from tests.service.svc_helpers import sessions_of
from tests.web.test_sign_in import csrf_of, sign_in
from tests.web.web_helpers import WebSeed

FORM = {
    "department": "Puistotyöt",
    "municipality": "564",
    "lat": "65,01",
    "lon": "25,47",
    "task_category": "parks",
    "seats": "2",
    "weekdays": ["mon", "tue"],
    "min_hours_per_day": "4",
    "max_hours_per_day": "6",
    "languages": "fi",
    "support_units": "2",
    "available_from": "5.1.2026",
    "street_address": "Puistokatu 4",
    "postal_code": "90100",
    "post_office": "Oulu",
    "contact_person": "Anne Laine, työnohjaaja",
    "contact_phone": "+358 000 123 456",
    "contact_email": "Anne.Laine@oulu.example",
}


def contact_of(app: FastAPI, placement_id: str) -> tuple[object, ...]:
    with sessions_of(app)() as session:
        row = session.get(PlacementRow, placement_id)
        assert row is not None
        return (
            row.street_address,
            row.postal_code,
            row.post_office,
            row.contact_person,
            row.contact_phone,
            row.contact_email,
        )


def test_the_form_saves_address_and_contact_and_refuses_bad_ones(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    sign_in(client, "kalle")
    token = csrf_of(client.get("/municipality/placements/new").text)
    bad = {**FORM, "id": "PUISTO-1", "csrf": token, "postal_code": "9010", "contact_phone": "x"}
    refused = client.post("/municipality/placements/new", data=bad)
    assert refused.status_code == 422
    assert "Postinumerossa on viisi numeroa." in refused.text
    assert "Kirjoita puhelinnumero numeroin" in refused.text
    assert 'aria-describedby="err-postal_code"' in refused.text
    saved = client.post("/municipality/placements/new", data={**bad, **FORM})
    assert saved.status_code == 200, saved.text[:2000]
    assert contact_of(app, "PUISTO-1") == (
        "Puistokatu 4",
        "90100",
        "Oulu",
        "Anne Laine, työnohjaaja",
        "+358 000 123 456",
        "anne.laine@oulu.example",
    )
    listing = client.get("/municipality/placements").text
    assert "Puistokatu 4" in listing and "Anne Laine, työnohjaaja" in listing
    edit = client.get("/municipality/placements/PUISTO-1").text
    assert 'value="Anne Laine, työnohjaaja"' in edit
    cleared = {**FORM, "csrf": token, "contact_phone": "", "contact_email": ""}
    assert client.post("/municipality/placements/PUISTO-1", data=cleared).status_code == 200
    assert contact_of(app, "PUISTO-1")[3:] == ("Anne Laine, työnohjaaja", None, None)


def test_the_coordinator_sees_address_and_contact(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    with sessions_of(app)() as session:
        row = session.get(PlacementRow, "P1")
        assert row is not None
        row.street_address, row.postal_code, row.post_office = "Keittiökuja 3", "90100", "Oulu"
        row.contact_person, row.contact_phone = "Heikki Nieminen, työvalmentaja", "+358 000 1"
        row.contact_email = "heikki@oulu.example"
        session.commit()
    sign_in(client, "kaisa")
    board = client.get("/coordinator/board").text
    assert "Keittiökuja 3, 90100 Oulu" in board and "Heikki Nieminen, työvalmentaja" in board
    proposal = client.get(f"/coordinator/proposals/{web_seed.proposals['C1']}").text
    assert "Keittiökuja 3, 90100 Oulu" in proposal
    assert 'href="mailto:heikki@oulu.example"' in proposal and 'href="tel:+3580001"' in proposal
    # A placement without its own contact shows "not given", never a made-up one.
    other = client.get(f"/coordinator/proposals/{web_seed.proposals['C3']}").text
    assert "osoitetta ei ole ilmoitettu" in other


def test_the_list_reads_address_and_contact_columns(app: FastAPI, web_seed: WebSeed) -> None:
    t = Texts("fi")
    template = placement_sheet.template("fi", t).decode("utf-8-sig").splitlines()
    header = template[0].split(";")
    assert header[-6:] == [
        "Osoite",
        "Postinumero",
        "Postitoimipaikka",
        "Yhteyshenkilö",
        "Puhelin",
        "Sähköposti",
    ]
    swedish = placement_sheet.template("sv", Texts("sv")).decode("utf-8-sig").splitlines()[0]
    assert swedish.endswith(";Kontaktperson;Telefon;E-post")
    row = (
        "OULU-PUISTO-1;Puisto;Oulu;65,01;25,47;viheralueet;Haravointi;2;ma, ti;4;6;;;fi;3;ei;"
        "5.1.2026;;;Puistokatu 4;0100;Oulu;Anne Laine;+358 000 123 456;anne@oulu.example"
    )
    with sessions_of(app)() as session:
        user = session.query(UserRow).filter_by(username="kalle").one()
        who = principal(user)
        text = "\r\n".join([template[0], row])
        preview = placement_sheet.read(session, who, t, "a.csv", text.encode())
        assert preview.refused == []
        ((_number, record),) = preview.added
        assert record.postal_code == "00100"  # the zero a spreadsheet dropped
        assert record.contact_person == "Anne Laine"
        placement_sheet.save(session, who, preview)
        session.commit()
        again = "\r\n".join([template[0], row.replace("anne@oulu", "puisto@oulu")])
        changed = placement_sheet.read(session, who, t, "a.csv", again.encode())
        assert [fields for _n, _k, _c, fields in changed.changed] == [["contact_email"]]
        wrong = "\r\n".join([template[0], row.replace("anne@oulu.example", "anne")])
        refused = placement_sheet.read(session, who, t, "a.csv", wrong.encode())
        assert [(r.row, r.column, r.reason) for r in refused.refused] == [
            (2, "Sähköposti", "Sähköpostiosoite on muotoa nimi@esimerkki.fi.")
        ]


def test_the_api_import_reads_the_municipality_headers(
    client: TestClient, app: FastAPI, web_seed: WebSeed
) -> None:
    header = (
        "Paikan tunnus;organisation;Paikan nimi;Kunta;Leveysaste;Pituusaste;Tehtäväala;Paikkoja;"
        "Päivät;min_hours_per_day;max_hours_per_day;Ohjaajan tukiresurssi;Avoinna alkaen;"
        "Osoite;Postinumero;Postitoimipaikka;Yhteyshenkilö;Puhelin;Sähköposti"
    )
    row = (
        "P40;O1;Puisto;564;65.0;25.5;parks;2;mon tue;4;6;2;2026-01-01;"
        "Puistokatu 4;90100;Oulu;Anne Laine;+358 000 1234;anne@oulu.example"
    )
    response = client.post(
        "/placements/import",
        files={"file": ("p.csv", f"{header}\n{row}".encode(), "text/csv")},
        headers=web_seed.base.h("muni1"),
    )
    assert response.status_code == 201, response.text
    shown = client.get("/placements/P40", headers=web_seed.base.h("muni1")).json()
    assert shown["street_address"] == "Puistokatu 4" and shown["contact_person"] == "Anne Laine"
    bad = row.replace("P40", "P41").replace(";90100;", ";9010;")
    refused = client.post(
        "/placements/import",
        files={"file": ("p.csv", f"{header}\n{bad}".encode(), "text/csv")},
        headers=web_seed.base.h("muni1"),
    )
    assert refused.status_code == 422 and "postal_code" in refused.text


def test_the_sample_county_has_synthetic_addresses_and_contacts() -> None:
    problem = generate_county(200, seed=5)
    emails = [p.contact_email for p in problem.placements if p.contact_email]
    assert all(p.street_address and p.postal_code for p in problem.placements)
    assert all(p.postal_code.startswith("9") for p in problem.placements if p.postal_code)
    assert emails and all(e.endswith(".example") for e in emails)  # RFC 2606: nobody's mailbox
    phones = [p.contact_phone for p in problem.placements if p.contact_phone]
    assert all(phone.startswith("+358 000 ") for phone in phones)  # an unassigned prefix
    assert 0 < len(emails) < len(problem.placements)  # some sites give no contact person
    assert generate_county(200, seed=5) == problem
