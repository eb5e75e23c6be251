"""Reading a municipality's placement list: Finnish headers, dd.mm.yyyy, decimal comma,
municipality names, kyllä/ei; a preview of added, changed and refused; the same list again
updates instead of failing."""

from __future__ import annotations

from fastapi import FastAPI

from service.accounts import principal
from service.db.accounts import UserRow
from service.db.tables import PlacementRow
from service.web import placement_sheet
from service.web.i18n import Texts
from tests.service.svc_helpers import sessions_of
from tests.web.web_helpers import WebSeed

HEADER = placement_sheet.template("fi", Texts("fi")).decode("utf-8-sig").splitlines()[0]


def csv(*rows: str) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *rows])).encode("utf-8")


ROW = (
    "OULU-KIRJASTO-1;Pääkirjasto;Oulu;65,01;25,47;kirjasto;Hyllytys;2;ma, ti, ke;4,5;6;melu;;"
    "fi;3;kyllä;5.1.2026;31.12.2027;1.12.2025"
)


def test_template_round_trips_and_a_list_updates_on_the_second_upload(
    app: FastAPI, web_seed: WebSeed
) -> None:
    t = Texts("fi")
    with sessions_of(app)() as session:
        user = session.query(UserRow).filter_by(username="kalle").one()
        who = principal(user)
        preview = placement_sheet.read(session, who, t, "a.csv", csv(ROW))
        assert preview.refused == []
        ((number, record),) = preview.added
        assert number == 2
        assert record.municipality == "564" and record.task_category == "library"
        assert record.min_hours_per_day == 4.5 and record.location.lat == 65.01
        assert record.youth_workshop is True and record.demands == ["noise"]
        assert record.available_until is not None and record.available_until.year == 2027
        assert [d.value for d in record.weekdays] == ["mon", "tue", "wed"]
        assert placement_sheet.save(session, who, preview) == (1, 0)
        session.commit()

        same = placement_sheet.read(session, who, t, "a.csv", csv(ROW))
        assert same.added == [] and same.changed == [] and same.unchanged == ["OULU-KIRJASTO-1"]
        more = placement_sheet.read(session, who, t, "a.csv", csv(ROW.replace(";2;ma", ";5;ma")))
        assert [(n, key, fields) for n, key, _c, fields in more.changed] == [
            (2, "OULU-KIRJASTO-1", ["seats"])
        ]
        placement_sheet.save(session, who, more)
        session.commit()
        row = session.get(PlacementRow, "OULU-KIRJASTO-1")
        assert row is not None and row.attributes["seats"] == 5


def test_refusals_name_row_column_and_reason(app: FastAPI, web_seed: WebSeed) -> None:
    bad = ROW.replace("Oulu;", "Atlantis;").replace(";2;ma", ";-1;ma").replace("kyllä", "ehkä")
    other_org = ROW.replace("OULU-KIRJASTO-1", "P3")
    with sessions_of(app)() as session:
        user = session.query(UserRow).filter_by(username="kalle").one()
        preview = placement_sheet.read(
            session, principal(user), Texts("fi"), "a.csv", csv(ROW, bad, other_org)
        )
    found = {(r.row, r.column): r.reason for r in preview.refused}
    assert found[(3, "Kunta")] == "tuntematon kunta ”Atlantis”"
    assert found[(3, "Paikkoja")] == "Pienin sallittu arvo on 0."
    assert "kyllä tai ei" in found[(3, "Nuorten työpaja (kyllä/ei)")]
    assert found[(4, "Paikan tunnus")] == "tunnus P3 on toisen organisaation paikka"
