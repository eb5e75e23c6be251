"""The organiser comes from the regime: the printed agreement, the month's files and the
catalogue's words name whoever the regime in force says organises the activity."""

from __future__ import annotations

from datetime import date

from matching.cooperation.printable import agreement_html
from matching.cooperation.report import month_report, month_report_csv
from matching.cooperation.texts import CATALOGUE, LANGUAGES, text
from models.benefits import BenefitPayer, BenefitRules
from tests.cooperation.helpers import agreement, day, period


def test_the_printed_agreement_names_the_regimes_organiser() -> None:
    today = agreement_html(agreement(), "Keskuskeittiö")
    assert "Järjestäjä: hyvinvointialue" in today
    reformed = agreement_html(agreement(), "Keskuskeittiö", organiser="municipality")
    assert "Järjestäjä: kunta" in reformed and "hyvinvointialue" not in reformed
    sv = agreement_html(agreement(), "Köket", "sv", organiser="employment_area")
    assert "Anordnare: sysselsättningsområdet" in sv


def test_the_months_files_name_the_organiser_as_payer_of_the_activity_allowance() -> None:
    p = period(payer=BenefitPayer.WELLBEING_COUNTY)
    entries = {"J1": [day("J1", date(2026, 6, 1))]}
    rules = BenefitRules()
    files = month_report_csv(
        month_report([p], entries, 2026, 6, date(2026, 6, 30), rules, organiser="municipality")
    )
    summary = next(iter(files.values())).decode("utf-8-sig")
    assert "kunta (toimintaraha)" in summary and "hyvinvointialue" not in summary
    default = month_report_csv(month_report([p], entries, 2026, 6, date(2026, 6, 30), rules))
    assert "hyvinvointialue (toimintaraha)" in next(iter(default.values())).decode("utf-8-sig")


def test_no_text_names_the_wellbeing_county_as_organiser_outright() -> None:
    for key in CATALOGUE:
        if key.startswith("organiser."):
            continue
        for lang in LANGUAGES:
            words = text(key, lang, "municipality")
            assert "hyvinvointialue" not in words and "välfärdsområde" not in words, key
