"""Texts people read that come from the engine: in the reader's language, in the glossary's
words, dates d.m.yyyy, and other clients by name (the caller's resolver) or counted, never by
their ids.

The override preview's capacity lines ("placement 'P0067': 2 seats needed with 'C00033', 1
available (in use by C00093)") were the engine's English; explanations listed other clients
as "C00077, C00189 ja C00236"; a day outside a period read "2026-11-24 is outside the
assignment's period".
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from matching.decision import Breach, check_decision
from matching.explain.documents import Message
from matching.explain.messages import LANGUAGES, catalogue, render_text
from matching.explain.notices import breach_text, located_text, note_text
from matching.screen import CountyRecords, screen
from models import LegalRegime, SolveOptions
from tests.factories import client, make_problem, placement, problem_dict

ROOT = Path(__file__).resolve().parents[2]
NAMES = {"P1": "Keskuskeittiö, Oulun kaupunki"}
PEOPLE = {
    "C00093": "Noora Heikkilä (1985, Oulu)",
    "C00094": "Noora Heikkilä (1990, Kempele)",
}
ID = re.compile(r"\bC\d{5}\b|\bP\d\b")


def _full_seat() -> Breach:
    """C00033 overridden into P1, whose only seat C00093 holds."""
    problem = make_problem(
        [client("C00033"), client("C00093")], [placement("P1", seats=1), placement("P2")]
    )
    verdict = check_decision(problem, {"C00093": "P1"}, "C00033", "P1")
    [breach] = verdict.breaches
    assert breach.rule == "seats" and breach.code == "breach.seats"
    return breach


def test_the_preview_s_capacity_line_in_finnish_and_swedish_names_the_holder() -> None:
    breach = _full_seat()
    assert "seats needed" in breach.message  # the engine's English stays for the logs only
    fi = breach_text(breach, "fi", NAMES, PEOPLE.get)
    assert fi == (
        "Keskuskeittiö, Oulun kaupunki: vapaata paikkaa ei ole (tarvittaisiin 2, paikkoja on "
        "1); paikalla on Noora Heikkilä (1985, Oulu)"
    )
    sv = breach_text(breach, "sv", NAMES, PEOPLE.get)
    assert sv == (
        "Keskuskeittiö, Oulun kaupunki: ingen ledig plats (2 skulle behövas, det finns 1); "
        "platserna har Noora Heikkilä (1985, Oulu)"
    )
    for lang in LANGUAGES:
        assert not ID.search(breach_text(breach, lang, NAMES, PEOPLE.get))


def test_without_names_the_engine_counts_the_others() -> None:
    breach = _full_seat()
    assert breach_text(breach, "fi", NAMES).endswith("; paikalla on 1 muu asiakas")
    assert breach_text(breach, "sv", NAMES).endswith("; platserna har 1 annan klient")
    # A person the resolver does not know is not shown by id either.
    unknown = breach_text(breach, "fi", NAMES, {}.get)
    assert unknown.endswith("paikalla on asiakas, jonka nimeä ei ole kirjattu")


def test_support_and_kept_apart_lines() -> None:
    problem = make_problem(
        [
            client("C00033", support_units=3, avoid_clients=["C00094"]),
            client("C00093", support_units=2),
            client("C00094"),
        ],
        [placement("P1", seats=5, support_units=4)],
    )
    verdict = check_decision(problem, {"C00093": "P1", "C00094": "P1"}, "C00033", "P1")
    texts = {b.rule: breach_text(b, "fi", NAMES, PEOPLE.get) for b in verdict.breaches}
    assert texts["support_units"] == (
        "Keskuskeittiö, Oulun kaupunki: ohjaajan tukiresurssi ei riitä (tuen tarve olisi "
        "yhteensä 6, tukiresurssia on 4); tukea saavat nyt Noora Heikkilä (1985, Oulu) ja "
        "Noora Heikkilä (1990, Kempele)"
    )
    assert texts["avoided_clients"] == (
        "Keskuskeittiö, Oulun kaupunki: paikassa on Noora Heikkilä (1990, Kempele), jonka "
        "kanssa asiakasta ei sijoiteta samaan paikkaan"
    )
    sv = {b.rule: breach_text(b, "sv", NAMES) for b in verdict.breaches}
    assert sv["avoided_clients"].endswith(
        "där finns en annan klient, som klienten inte placeras tillsammans med"
    )
    assert "stöd får nu 2 andra klienter" in sv["support_units"]


def test_a_refused_decision_s_api_error_is_worded_from_its_code() -> None:
    breach = _full_seat()
    error = {
        "loc": ["body", "placement"],
        "msg": breach.message,
        "type": breach.rule,
        "rule": breach.rule,
        "clients": list(breach.clients),
        "code": breach.code,
        "params": breach.params,
    }
    assert located_text(error, "fi") == (
        "P1: vapaata paikkaa ei ole (tarvittaisiin 2, paikkoja on 1); paikalla on 1 muu asiakas"
    )
    assert "C00" not in located_text(error, "sv")


def test_a_day_outside_the_period_in_finnish_and_swedish() -> None:
    error = {
        "loc": ["body", "day"],
        "msg": "2026-11-24 is outside the assignment's period",
        "type": "day_outside_period",
        "input": "2026-11-24",
        "ctx": {"date": "2026-11-24", "since": "2026-12-01", "until": "2027-05-31"},
    }
    assert located_text(error, "fi") == (
        "päivä: 24.11.2026 ei ole jakson aikana (1.12.2026–31.5.2027)"
    )
    assert located_text(error, "sv").endswith(
        "24.11.2026 ligger inte inom perioden (1.12.2026–31.5.2027)"
    )
    assert catalogue("fi")["api.day_outside_assignment"]["coordinator"] == (
        "Päivä {date} ei ole jakson aikana."
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_alternatives_name_other_clients_or_count_them(lang: str) -> None:
    held = Message(
        code="blocked.seats",
        params={
            "placement": "P1",
            "used": 3,
            "capacity": 3,
            "holders": ["C00077", "C00189", "C00236"],
            "holders_total": 3,
        },
    )
    counted = render_text(held, lang, NAMES).coordinator
    assert not ID.search(counted.replace("(P1)", ""))
    assert {"fi": "3 muuta asiakasta", "sv": "3 andra klienter", "en": "3 other clients"}[
        lang
    ] in counted
    named = render_text(held, lang, NAMES, {"C00077": "Aino A (1970, Ii)"}.get).coordinator
    assert "Aino A (1970, Ii)" in named and "C00189" not in named


def test_a_kept_period_that_no_longer_fits_counts_the_others() -> None:
    data = problem_dict(clients=[client("C00001"), client("C00002")], placements=[placement()])
    data["placements"][0]["seats"] = 1
    records = CountyRecords(
        name="t",
        planning_date=date(2026, 11, 30),
        regime=LegalRegime(),
        options=SolveOptions(),
        commuting_areas=data["commuting_areas"],
        municipalities=data["municipalities"],
        organisations=data["organisations"],
        placements=data["placements"],
        clients=data["clients"],
        ongoing=[
            {"client": "C00001", "placement": "P1", "start_date": "2026-10-01"},
            {"client": "C00002", "placement": "P1", "start_date": "2026-10-02"},
        ],
    )
    [note] = screen(records).set_aside
    text = note_text(note, "fi")
    assert "samaa käyttää 1 muu asiakas" in text
    assert "C00001" not in text
    named = note_text(note, "fi", people={"C00001": "Aino A (1970, Ii)"}.get)
    assert "Aino A (1970, Ii)" in named


# ---- no English or ids on the paths people read -------------------------------------------


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_the_web_never_shows_an_engine_message() -> None:
    """``.message`` is the engine's (or a service error's) English for logs: no page of
    ``service/web`` reads it; pages word codes from the catalogues."""
    found = []
    for path in sorted((ROOT / "service" / "web").rglob("*.py")):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Attribute) and node.attr == "message":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_every_breach_has_a_catalogue_text() -> None:
    """Every ``Breach(...)`` the engine makes carries ``code=``, and every code has a text in
    fi, sv and en: its English f-string message is never the only wording."""
    codes = []
    for path in (ROOT / "matching" / "decision.py",):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Breach":
                keywords = {k.arg: k.value for k in node.keywords}
                assert "code" in keywords, f"{path.name}:{node.lineno}"
                code = keywords["code"]
                if isinstance(code, ast.Constant):
                    codes.append(code.value)
                else:  # f"breach.{family.rule}"
                    codes += [f"breach.{r}" for r in ("seats", "support_units", "coach_caseload")]
    assert len(codes) >= 5
    for lang in LANGUAGES:
        assert set(codes) <= set(catalogue(lang)), lang


def test_no_english_breach_sentence_is_left_on_the_preview_path() -> None:
    """The English phrases of the old preview lines occur only where logs keep them."""
    phrases = ("seats needed", "in use by", "outside the assignment's period")
    for path in (ROOT / "service" / "web").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not any(p in text for p in phrases), path
    for path in [*(ROOT / "service" / "web" / "templates").rglob("*.html")]:
        text = path.read_text(encoding="utf-8")
        assert not any(p in text for p in phrases), path
