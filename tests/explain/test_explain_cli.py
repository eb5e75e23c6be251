"""Command line: explain, rank-clients and report; bad input is one line each, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matching import allocate
from matching.cli import main
from tests.factories import client, make_problem, placement


@pytest.fixture()
def files(tmp_path: Path) -> tuple[str, str, Path]:
    problem = make_problem(
        [client("C1"), client("C2", waiting_since="2025-01-01"), client("C3")],
        [placement("P1", seats=1), placement("P2", seats=1)],
    )
    county = tmp_path / "county.json"
    result = tmp_path / "result.json"
    county.write_text(problem.model_dump_json())
    result.write_text(allocate(problem).model_dump_json())
    return str(county), str(result), tmp_path


def test_explain_text_and_json(files, capsys) -> None:
    county, result, _ = files
    assert main(["explain", county, result, "--lang", "en"]) == 0
    assert "C1" in capsys.readouterr().out
    assert main(["explain", county, result, "--client", "C3", "--json", "--k", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["client"] for c in data["clients"]] == ["C3"]
    assert all(len(c["alternatives"]) <= 1 for c in data["clients"])


def test_rank_clients_existing_and_new(files, capsys) -> None:
    county, result, tmp = files
    assert main(["rank-clients", county, "--placement", "P1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["eligible"] == 3
    new = tmp / "new.json"
    new.write_text(json.dumps(placement("NEW", seats=1)))
    assert main(["rank-clients", county, result, "--placement-json", str(new)]) == 0
    assert "NEW" in capsys.readouterr().out


def test_report(files, capsys) -> None:
    county, result, _ = files
    assert main(["report", county, result, "--lang", "fi"]) == 0
    assert "paikan sai" in capsys.readouterr().out


def test_bad_input_exits_2_with_one_line_per_problem(files, capsys) -> None:
    county, result, tmp = files
    en = ["--lang", "en"]
    assert main(["explain", county, str(tmp / "missing.json"), *en]) == 2
    assert main(["explain", county, result, "--client", "NOPE", *en]) == 2
    assert main(["rank-clients", county, "--placement", "NOPE", *en]) == 2
    assert main(["rank-clients", county, *en]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4 and all(line.startswith("error: ") for line in err)
    assert "client NOPE is not in the file" in err[1]
    assert main(["explain", county, result, "--client", "NOPE", "--lang", "fi"]) == 2
    assert capsys.readouterr().err.strip().endswith("asiakasta NOPE ei ole tiedostossa")


def test_a_result_of_another_county_is_refused(files, capsys) -> None:
    county, _, tmp = files
    other = make_problem([client("X1")], [placement("P1")])
    wrong = tmp / "wrong.json"
    wrong.write_text(allocate(other).model_dump_json())
    assert main(["explain", county, str(wrong), "--lang", "fi"]) == 2
    assert main(["report", county, str(wrong), "--lang", "en"]) == 2
    fi, en = capsys.readouterr().err.strip().splitlines()
    assert fi == (
        f"virhe: {wrong}: tulos on laskettu toiselle aineistolle tai toisilla asetuksilla; "
        "laske tulos uudelleen tälle aineistolle"
    )
    assert en.startswith(f"error: {wrong}: the result was computed for other data")
    assert "hash" not in fi + en


def test_a_pair_the_county_does_not_allow_is_named_in_words(files, capsys) -> None:
    county, result, tmp = files
    data = json.loads(Path(result).read_text())
    data["input_hash"] = ""
    data["assignments"][0]["client"] = "X9"
    wrong = tmp / "pair.json"
    wrong.write_text(json.dumps(data))
    assert main(["explain", county, str(wrong), "--lang", "fi"]) == 2
    placed = data["assignments"][0]["placement"]
    assert capsys.readouterr().err.strip() == (
        f"virhe: {wrong}: asiakasta X9 ei voi sijoittaa paikkaan {placed} tässä aineistossa"
    )
