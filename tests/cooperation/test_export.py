"""Exports: Finnish Excel dialect and XLSX, with formulas made inert."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from matching.cooperation.export import (
    absence_report_table,
    csv_bytes,
    municipality_table,
    neutralise,
    summary_table,
    xlsx_bytes,
)
from matching.cooperation.money import absence_report, monthly_summary, municipality_figures
from matching.cooperation.texts import CATALOGUE, LANGUAGES, text
from models.benefits import BenefitRules
from tests.cooperation.test_worked_example import DAYS_A, DAYS_B, PA, PB, TODAY

RULES = BenefitRules()
CODES = [c.code for c in RULES.absence_categories]


def test_neutralise_only_formula_starts() -> None:
    assert [neutralise(v) for v in ("=SUM(A1)", "+1", "-2", "@x", "\tx", "Oulu")] == [
        "'=SUM(A1)",
        "'+1",
        "'-2",
        "'@x",
        "'\tx",
        "Oulu",
    ]


def test_csv_is_the_finnish_excel_dialect() -> None:
    summary = monthly_summary(PA, DAYS_A, 2026, 5, TODAY, RULES)
    data = csv_bytes(summary_table([summary], CODES))
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    lines = data.decode("utf-8-sig").split("\r\n")
    header, row = lines[0].split(";"), lines[1].split(";")
    assert header[:3] == ["kuukausi", "asiakas", "jakso"] and "läsnäolopäivät" in header
    values = dict(zip(header, row, strict=True))
    assert values["kulukorvaus €"] == "63,00" and values["korvaus €/päivä"] == "9,00"
    assert values["oma sairaus"] == "3" and values["maksaja"] == "Kela"
    assert values["todistus puuttuu"] == "12.5.2026, 18.5.2026, 19.5.2026"


def test_csv_and_xlsx_make_formulas_inert() -> None:
    evil = PA.model_copy(update={"client": '=HYPERLINK("http://x")'})
    summary = monthly_summary(evil, DAYS_A, 2026, 5, TODAY, RULES)
    table = summary_table([summary], CODES)
    line = csv_bytes(table).decode("utf-8-sig").split("\r\n")[1]
    assert ';"\'=HYPERLINK(""http://x"")";' in line
    book = load_workbook(io.BytesIO(xlsx_bytes({"kuukausi": table})))
    cell = book["kuukausi"]["B2"]
    assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://x")'
    money = book["kuukausi"]["J2"]
    assert (money.value, money.data_type, money.number_format) == (63, "n", "0.00")


def test_xlsx_keeps_numbers_and_dates_typed() -> None:
    report = absence_report([PA, PB], {"J-A": DAYS_A, "J-B": DAYS_B}, 2026, 5, RULES)
    figures = municipality_figures(
        [monthly_summary(p, d, 2026, 5, TODAY, RULES) for p, d in ((PA, DAYS_A), (PB, DAYS_B))]
    )
    data = xlsx_bytes(
        {"poissaolot": absence_report_table(report), "kunnat": municipality_table(figures)}
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book["poissaolot"]
    assert sheet["D2"].value.date() == date(2026, 5, 12)
    assert sheet["F2"].value == "oma sairaus" and sheet["G2"].value == "kyllä"
    kunnat = book["kunnat"]
    assert [c.value for c in kunnat[2]][:4] == ["564", 2, 2, 12]
    assert float(kunnat[2][-1].value) == 108.0


def test_swedish_export_and_catalogue_completeness() -> None:
    report = absence_report([PA], {"J-A": DAYS_A}, 2026, 5, RULES)
    lines = csv_bytes(absence_report_table(report, "sv"), "sv").decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("betalare;klient;period;dag")
    assert lines[1] == "FPA;C-A;J-A;12.5.2026;frånvarande;egen sjukdom;ja;nej"
    for key, entry in CATALOGUE.items():
        assert set(entry) == set(LANGUAGES), key
    for code in CODES:
        assert text(f"absence.{code}", "fi") != f"absence.{code}"
    assert text("no.such.key") == "no.such.key"


def test_every_refusal_code_has_words_in_every_language() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = [root / "models" / "cooperation.py", root / "models" / "attendance.py"]
    sources += sorted((root / "matching" / "cooperation").glob("*.py"))
    codes: set[str] = set()
    for path in sources:
        source = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r"issue\(\s*\([^)]*\),\s*\"([a-z_]+)\"", source, re.S))
        codes |= set(re.findall(r"DayIssue\(\s*[^,]+,\s*\"([a-z_]+)\"", source, re.S))
    assert len(codes) >= 30
    for code in codes:
        entry = CATALOGUE.get(f"refusal.{code}")
        assert entry is not None and set(entry) == set(LANGUAGES), code


def test_refusal_words_quote_the_limits_in_force() -> None:
    from matching.cooperation.texts import refusal_text
    from models import LegalRegime

    assert refusal_text("period_too_long") == "Jakso voi kestää enintään 24 kuukautta."
    assert refusal_text("hours_per_day_range", "sv") == "Verksamheten pågår 4–8 timmar om dagen."
    reformed = LegalRegime(max_period_months=12, min_hours_per_day=3.5)
    assert refusal_text("period_too_long", regime=reformed).endswith("12 kuukautta.")
    assert refusal_text("hours_per_day_range", regime=reformed).startswith("Työtoimintaa on 3,5–8")
    assert "3 päivän" in refusal_text("certificate_needed")
    for key in CATALOGUE:
        if key.startswith("refusal."):
            for lang in LANGUAGES:
                assert "{" not in refusal_text(key.removeprefix("refusal."), lang), key
