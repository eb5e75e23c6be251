"""The short test loop keeps covering the code: line coverage at least the floor.

Coverage would slow every run and fail every partial one, so it is not in the default options;
this test measures it in the full run (the README's test command, which CI runs): it runs the
short loop as the README gives it (``-m "not slow" -n 2``) once more under ``pytest-cov`` and
needs the floor, ``[tool.coverage.report] fail_under`` in pyproject.toml.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REACHED = r"Required test coverage of ([\d.]+)% reached\. Total coverage: ([\d.]+)%"


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_short_loop_covers_at_least_the_floor(tmp_path: Path) -> None:
    floor = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["coverage"]["report"][
        "fail_under"
    ]
    assert floor >= 90, "the floor only moves up"
    env = {**os.environ, "COVERAGE_FILE": str(tmp_path / ".coverage")}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-m",
            "not slow",
            "-n",
            "2",
            "-p",
            "no:cacheprovider",
            "--cov",
            "--cov-report=term",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    reached = re.search(REACHED, run.stdout)
    assert reached, run.stdout[-2000:]
    assert float(reached.group(1)) == floor
    assert float(reached.group(2)) >= floor
