"""Reference geography imported from the county's classification table, with its source."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from matching.cli import main
from matching.geography import GeographyError, apply_geography, read_classification
from matching.sample import load_sample_county
from tests.factories import client, make_problem, problem_dict

TE = "pohjois-pohjanmaa;Pohjois-Pohjanmaan TE-alue"
TABLE = "\n".join(
    [
        "code;name_fi;name_sv;commuting_area;commuting_area_name;employment_area;"
        "employment_area_name;lat;lon",
        f"564;Oulu;Uleåborg;oulu-tsa;Oulun työssäkäyntialue;{TE};;",
        f"244;Kempele;;oulu-tsa;Oulun työssäkäyntialue;{TE};64.9125;25.5083",
        f"678;Raahe;Brahestad;raahe-tsa;Raahen työssäkäyntialue;{TE};64.6833;24.4667",
        "",
    ]
)


def test_the_table_replaces_the_areas_and_says_where_it_came_from() -> None:
    problem = make_problem()
    rows = read_classification(TABLE.encode())
    out = apply_geography(problem, rows, "Tilastokeskus, työssäkäyntialueet 2026", date(2026, 1, 1))
    assert [a.id for a in out.commuting_areas] == ["oulu-tsa", "raahe-tsa"]
    assert [a.name for a in out.employment_areas] == ["Pohjois-Pohjanmaan TE-alue"]
    kempele = next(m for m in out.municipalities if m.code == "244")
    assert (kempele.commuting_area, kempele.employment_area) == ("oulu-tsa", "pohjois-pohjanmaa")
    assert out.geography_source is not None
    assert out.geography_source.as_of == date(2026, 1, 1)
    assert not out.geography_source.synthetic
    assert out.commuting_area_of(out.clients[0]) == "oulu-tsa"


def test_a_client_in_an_area_the_table_does_not_have_is_named() -> None:
    problem = make_problem([client(commuting_area="A")])
    with pytest.raises(GeographyError, match=r"clients\.0\.commuting_area"):
        apply_geography(problem, read_classification(TABLE.encode()), "x", None)


def test_a_table_without_its_columns_is_refused() -> None:
    with pytest.raises(GeographyError, match="columns missing: commuting_area"):
        read_classification(b"code,name_fi\n564,Oulu\n")


def test_the_sample_keeps_its_synthetic_geography_labelled() -> None:
    source = load_sample_county().geography_source
    assert source is not None and source.synthetic
    assert "not Statistics Finland's division" in source.source


def test_the_cli_imports_a_table(tmp_path: Path) -> None:
    county, table, out = tmp_path / "c.json", tmp_path / "t.csv", tmp_path / "o.json"
    county.write_text(json.dumps(problem_dict()), encoding="utf-8")
    table.write_text(TABLE, encoding="utf-8")
    args = ["geography", str(county), str(table), "--source", "TK 2026", "--date", "2026-01-01"]
    assert main([*args, "-o", str(out)]) == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["geography_source"] == {
        "source": "TK 2026",
        "as_of": "2026-01-01",
        "synthetic": False,
    }
    assert main(["geography", str(county), str(tmp_path / "none.csv"), "--source", "x"]) == 2
