"""The README's layout table matches the tree: every path it names exists, and every module
and package of ``matching`` and every top-level package is in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def layout_paths() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {path for row in rows for path in re.findall(r"`([\w./]+)`", row.split(" | ")[0])}


def test_every_path_in_the_layout_table_exists() -> None:
    paths = layout_paths()
    assert len(paths) > 10
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []


def test_every_part_of_the_engine_is_in_the_layout_table() -> None:
    paths = layout_paths()
    engine = {
        f"matching/{p.name}" + ("/" if p.is_dir() else "")
        for p in (ROOT / "matching").iterdir()
        if p.name != "__init__.py" and not p.name.startswith((".", "__pycache__"))
    }
    top = {f"{name}/" for name in ("models", "matching", "service", "benchmarks", "tests")}
    assert sorted(engine - paths) == []
    assert sorted(top - {"matching/"} - paths) == []
