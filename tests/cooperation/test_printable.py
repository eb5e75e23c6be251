"""The printable agreement in Finnish and Swedish."""

from __future__ import annotations

from decimal import Decimal

from matching.cooperation.printable import agreement_html
from models.benefits import BenefitRules
from tests.cooperation.helpers import agreement, meeting


def test_finnish_agreement_has_the_terms_and_dates() -> None:
    page = agreement_html(agreement(goals="Päivärytmi"), "Keskuskeittiö", meeting=meeting())
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fi">' in page
    assert "Sopimus kuntouttavasta työtoiminnasta" in page
    assert "maanantai, tiistai, torstai · 3 päivää viikossa · 6 tuntia päivässä" in page
    assert "<dt>Alkaa</dt><dd>1.6.2026</dd>" in page
    assert "<dt>Ensimmäinen arviointi</dt><dd>1.8.2026</dd>" in page
    assert "<dt>Päättyy</dt><dd>30.11.2026</dd>" in page
    assert "Kulukorvaus 9,00 €" in page and "Yli 3 päivän sairaudesta" in page
    assert "Ohjaaja O (työpaikkaohjaaja)" in page and "Sovittu: 20.5.2026" in page
    assert "LUONNOS" not in page and "@media print" in page


def test_swedish_agreement() -> None:
    page = agreement_html(agreement(language="sv"), "Centralköket", lang="sv")
    assert '<html lang="sv">' in page
    assert "Avtal om arbetsverksamhet i rehabiliteringssyfte" in page
    assert "måndag, tisdag, torsdag · 3 dagar i veckan" in page
    assert "Kostnadsersättning 9,00 €" in page and "arbetsplatshandledare" in page


def test_draft_is_marked_values_are_escaped_and_rates_come_from_the_rules() -> None:
    draft = agreement(status="drafted", agreed_on=None, tasks="<script>alert(1)</script>")
    page = agreement_html(draft, "A & B", rules=BenefitRules(expense_allowance_eur=Decimal("9.50")))
    assert "LUONNOS" in page and "Sovittu:" not in page
    assert "<script>" not in page and "&lt;script&gt;" in page and "A &amp; B" in page
    assert "Kulukorvaus 9,50 €" in page
