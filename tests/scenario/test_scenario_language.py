"""Planners' own words in, their language out: names, age bands, ineligible clients beside
the rate, CSV in the Finnish Excel dialect, formula-safe exports, charts in words."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from pydantic import ValidationError

from matching import allocate
from matching.scenario import ScenarioError, apply_changes, parse_scenarios
from matching.scenario.compare import flat_figures, scenario_metrics
from matching.scenario.definition import Scenario
from matching.scenario.output import neutralise, summary_line, write_outputs
from matching.scenario.run import run_scenario
from models import AllocationProblem
from tests.explain.test_plain_language import identifiers, wrong_plurals
from tests.factories import client, make_problem, placement

README = Path(__file__).resolve().parents[2] / "matching" / "scenario" / "README.md"


def _scenario(*changes: dict[str, Any], name: str = "s") -> Scenario:
    return Scenario.model_validate({"name": name, "changes": list(changes)})


def tiny() -> AllocationProblem:
    return make_problem(
        [client("C1"), client("C2", referral_basis="multidisciplinary_employment_plan")],
        [
            placement("P1", seats=1),
            placement("P2", municipality="244", organisation="O3"),
            placement("P3", municipality="678", task_category="elderly_care"),
        ],
        organisations=[
            {"id": "O1", "name": "Oulu city", "type": "municipal_department"},
            # a producer's name a spreadsheet would run as a formula
            {"id": "O3", "name": "=HYPERLINK(1)", "type": "association"},
        ],
    )


def test_the_readme_example_parses() -> None:
    text = README.read_text(encoding="utf-8")
    [block] = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    scenarios = parse_scenarios(yaml.safe_load(block))
    names = [s.name for s in scenarios]
    assert names[0] == "base" and "Kaksi lisäpaikkaa Oulun keittiöihin" in names
    young = next(s for s in scenarios if s.name == "Nuorten kysyntä kasvaa Oulussa")
    assert young.changes[0].age_band == ("under_25", "25_28")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("written", "band"),
    [
        ("25_28", "25_28"),  # YAML 1.1 reads this as the integer 2528
        ('"25_28"', "25_28"),
        ("25-28", "25_28"),
        ('"25–28"', "25_28"),
        ("under 25", "under_25"),
        ("45+", "45_plus"),
        ("29-44", "29_44"),
    ],
)
def test_age_bands_yaml_cannot_misread(written: str, band: str) -> None:
    data = yaml.safe_load(
        f"{{name: nuoret, changes: [{{kind: scale_demand, factor: 2, age_band: [{written}]}}]}}"
    )
    [_, s] = parse_scenarios(data)
    assert s.changes[0].age_band == (band,)  # type: ignore[union-attr]


def test_support_levels_read_as_numbers_are_understood() -> None:
    data = yaml.safe_load(
        "{name: tuki, changes: [{kind: scale_demand, factor: 2, support_level: [0, 3+]}]}"
    )
    [_, s] = parse_scenarios(data)
    assert s.changes[0].support_level == ("0", "3_plus")  # type: ignore[union-attr]


def test_scenario_names_with_any_letters() -> None:
    for name in ("Lisää paikkoja Ylivieskaan", "Åbo – två nya platser", "Ikäraja 25 (kokeilu)"):
        assert _scenario(name=name).name == name
    for bad in ("", " alkaa välilyönnillä", "_x", "a/b", "x\ny"):
        with pytest.raises(ValidationError):
            _scenario(name=bad)


@pytest.mark.parametrize("value", ["Oulu", "oulu", "Uleåborg", "564"])
def test_selectors_take_municipality_names_or_codes(value: str) -> None:
    changed = apply_changes(
        tiny(),
        _scenario(
            {"kind": "resize_placements", "select": {"municipality": [value]}, "add_seats": 2}
        ),
    )
    assert {p.id: p.seats for p in changed.placements}["P1"] == 3


def test_selectors_take_commuting_area_names() -> None:
    changed = apply_changes(
        tiny(),
        _scenario({"kind": "remove_placements", "select": {"commuting_area": ["Raahe"]}}),
    )
    assert {p.id for p in changed.placements} == {"P1", "P2"}


def test_an_unknown_municipality_is_named() -> None:
    with pytest.raises(ScenarioError, match="'Olu'"):
        apply_changes(
            tiny(),
            _scenario({"kind": "remove_placements", "select": {"municipality": ["Olu"]}}),
        )


def test_demand_scaling_takes_municipality_names() -> None:
    changed = apply_changes(
        tiny(), _scenario({"kind": "scale_demand", "factor": 2, "municipality": ["Oulu"]})
    )
    assert len(changed.clients) == 4


REFORM = {"kind": "regime", "set": {"referral_bases": ["multidisciplinary_employment_plan"]}}


def _reform_metrics() -> tuple[Any, Any]:
    base = tiny()
    base_m = scenario_metrics("base", base, allocate(base))
    reform = run_scenario(base, _scenario(REFORM, name="Uudistus"))
    return base_m, reform


def test_clients_made_ineligible_are_counted_beside_the_rate() -> None:
    base_m, reform = _reform_metrics()
    assert (reform.clients, reform.ineligible, reform.ineligible_clients) == (1, 1, ["C1"])
    assert reform.population == 2
    assert reform.population_placement_rate == pytest.approx(reform.placed / 2)
    figures = flat_figures(reform)
    assert figures[("overall", "all", "ineligible")] == 1
    assert figures[("overall", "all", "population")] == 2
    assert flat_figures(base_m)[("overall", "all", "ineligible")] == 0
    for lang, words in (("fi", "ei enää kuulu"), ("sv", "inte längre"), ("en", "no longer")):
        line = summary_line(reform, lang)
        assert words in line and not identifiers(line) and not wrong_plurals(line, lang)
        assert words not in summary_line(base_m, lang)


@pytest.mark.slow  # writes every chart and workbook twice: ~5 s of CPU
def test_exports_in_the_finnish_excel_dialect_and_formula_safe(tmp_path: Path) -> None:
    base_m, reform = _reform_metrics()
    write_outputs([base_m, reform], tmp_path / "fi", "fi")
    raw = (tmp_path / "fi" / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel reads ä and ö
    with (tmp_path / "fi" / "summary.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0][:3] == ["Osa", "Ryhmä", "Luku"]
    by_metric = {r[2]: r for r in rows[1:] if r[0] == "Kokonaisuus"}
    ineligible = by_metric["Ei enää palvelun piirissä sääntömuutoksen vuoksi"]
    assert ineligible[3:5] == ["0", "1"]
    rate = by_metric["Paikan saaneita, % palvelun piirissä olevista"]
    assert rate[3] == "100" and "," not in rate[3]  # a percentage, not a share of 1
    assert any("," in c for r in rows[1:] for c in r[3:])  # decimal comma
    text = raw.decode("utf-8-sig")
    assert not re.search(r"\b\d+\.\d+\b", text)  # no decimal points
    assert "elderly_care" not in text and "vanhustyö" in (
        tmp_path / "fi" / "utilisation.csv"
    ).read_text(encoding="utf-8-sig")
    util = (tmp_path / "fi" / "utilisation.csv").read_text(encoding="utf-8-sig")
    assert ";'=HYPERLINK(1)" in util and ";=HYPERLINK" not in util
    book = load_workbook(tmp_path / "fi" / "comparison.xlsx")
    cells = [c.value for row in book["utilisation"].iter_rows() for c in row]
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in cells)
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)
    write_outputs([base_m, reform], tmp_path / "en", "en")
    english = (tmp_path / "en" / "summary.csv").read_bytes()
    assert not english.startswith(b"\xef\xbb\xbf") and b"Section,Group,Figure" in english


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_prefixes_are_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert neutralise("Kahvila") == "Kahvila"


def test_charts_are_in_words_with_counts_and_legends_outside(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # matplotlib takes a second of CPU to import: only this test of the module draws charts,
    # so an xdist worker that does not run it does not pay for it at collection.
    import matplotlib.pyplot as plt

    from matching.scenario import charts as charts_module

    figures: list[Any] = []

    def keep(fig: Any, out: Path, name: str) -> list[Path]:
        figures.append(fig)
        return []

    monkeypatch.setattr(charts_module, "_save", keep)
    base_m, reform = _reform_metrics()
    charts_module.write_charts([base_m, reform], tmp_path, "fi")
    assert len(figures) == 5
    for fig in figures:
        fig.canvas.draw()
        texts = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]
        texts = [t for t in texts if t]
        assert not [t for t in texts if identifiers(t)], [t for t in texts if identifiers(t)]
        renderer = fig.canvas.get_renderer()
        legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
        assert legends
        for ax in fig.axes:
            assert ax.get_ylabel() or ax.get_xlabel()
            ticks = [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.xaxis.label, ax.title]
            for legend in legends:
                box = legend.get_window_extent(renderer)
                # never over the bars, the tick labels, the axis labels or a title
                assert not box.overlaps(ax.get_window_extent(renderer))
                assert not any(
                    t.get_text() and box.overlaps(t.get_window_extent(renderer)) for t in ticks
                )
        plt.close(fig)
    comparison = figures[-1]
    words = " ".join(t.get_text() for t in comparison.findobj(lambda o: hasattr(o, "get_text")))
    assert "Ei enää palvelun piirissä (sääntömuutos)" in words
    assert " %" in words  # percent ticks, not 0–1
    by_municipality = figures[0]
    labels = [t.get_text() for t in by_municipality.findobj(lambda o: hasattr(o, "get_text"))]
    assert any(re.fullmatch(r"\d+/\d+", t) for t in labels)  # counts beside the rates
    utilisation = figures[1]
    ticks = [t.get_text() for ax in utilisation.axes for t in ax.get_xticklabels()]
    assert "vanhustyö" in ticks and "elderly_care" not in ticks
