"""Command-line round trips: sample → solve → check, errors as one line each with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matching.cli import main
from tests.factories import client, problem_dict


@pytest.fixture
def county(tmp_path: Path) -> Path:
    path = tmp_path / "county.json"
    assert main(["sample", "--clients", "60", "--seed", "3", "-o", str(path)]) == 0
    return path


def test_sample_solve_check_round_trip(county: Path, tmp_path: Path, capsys) -> None:
    result = tmp_path / "result.json"
    assert main(["solve", str(county), "-o", str(result), "--time-limit", "5"]) == 0
    data = json.loads(result.read_text())
    assert data["status"] in {"optimal", "feasible"}
    assert {"objective", "bound", "gap", "timings", "assignments", "unassigned"} <= set(data)
    first = data["assignments"][0]
    assert first["score"] == sum(first["breakdown"].values())
    capsys.readouterr()
    assert main(["check", str(county), str(result), "--lang", "en"]) == 0
    assert "Every rule is met; 20 placements checked" in capsys.readouterr().out


def test_sample_is_deterministic(county: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.json"
    assert main(["sample", "--clients", "60", "--seed", "3", "-o", str(again)]) == 0
    assert again.read_bytes() == county.read_bytes()


def test_solve_without_timings_is_byte_identical(county: Path, tmp_path: Path) -> None:
    outputs = []
    for name in ("a.json", "b.json"):
        out = tmp_path / name
        assert main(["solve", str(county), "-o", str(out), "--no-timings"]) == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b'"timings"' not in outputs[0]


def test_check_reports_a_tampered_result(county: Path, tmp_path: Path, capsys) -> None:
    result = tmp_path / "result.json"
    assert main(["solve", str(county), "-o", str(result)]) == 0
    data = json.loads(result.read_text())
    placements = [p["id"] for p in json.loads(county.read_text())["placements"]]
    victim = data["assignments"][0]
    crowd = [a for a in data["assignments"] if a["placement"] == victim["placement"]]
    # Put every unassigned client on the first assignment's placement: seats break.
    for cid in data["unassigned"]:
        data["assignments"].append({**crowd[0], "client": cid})
    data["unassigned"] = []
    result.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["check", str(county), str(result), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert f"({victim['placement']}): " in out and "but only" in out
    assert victim["placement"] in placements
    assert main(["check", str(county), str(result), "--json"]) == 1
    found = json.loads(capsys.readouterr().out)["violations"]
    assert any(
        v["rule"] == "seats"
        and v["placement"] == victim["placement"]
        and v["params"]["count"] > v["params"]["limit"]
        for v in found
    )


def test_bad_input_gives_one_line_per_problem_and_exit_2(tmp_path: Path, capsys) -> None:
    data = problem_dict(clients=[client("C1", days_per_week=5), client("C2", hours_per_day=3)])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    assert main(["solve", str(path), "--lang", "en"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        f"error: {path}: client C1, days a week: 5 is above the legal maximum of 4",
        f"error: {path}: client C2, hours a day: 3 is below the legal minimum of 4",
    ]
    assert main(["solve", str(path), "--lang", "fi"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == (
        f"virhe: {path}: asiakas C1, päiviä viikossa: 5 on yli lain salliman enimmäismäärän 4"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [("{not json", "not readable JSON text: error on line 1"), (None, "does not exist")],
)
def test_unreadable_input(tmp_path: Path, capsys, content: str | None, expected: str) -> None:
    path = tmp_path / "county.json"
    if content is not None:
        path.write_text(content)
    assert main(["solve", str(path), "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0]


def test_schema(capsys) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "AllocationProblem"
    assert main(["schema", "result"]) == 0
    assert "assignments" in json.loads(capsys.readouterr().out)["properties"]
