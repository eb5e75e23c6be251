"""The import layers hold: import-linter's contracts (``[tool.importlinter]`` in pyproject.toml)
and no import inside a function that could hide a cycle from them.

import-linter sees imports inside functions too, so a cycle hidden that way still breaks the
contract; the second test keeps such imports from coming back at all, except the few listed
below, each for a stated reason.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("matching", "models", "service")

# (module, imported module): imports inside a function that may stay, each with its reason.
LAZY_IMPORTS_ALLOWED = {
    # matplotlib takes about a second to import; charts are drawn only when it is installed.
    ("matching.scenario.output", "matching.scenario.charts"),
    # `python -m service --help` stays fast: the demo's data, the app and the engine load only
    # when the command needs them; the demo's generator is optional in a wheel without it.
    ("service.__main__", "service.db.tables"),
    ("service.__main__", "service.demo"),
    ("service.__main__", "service.auth"),
    ("service.__main__", "service.crud"),
    ("service.__main__", "service.schemas.runs"),
    ("service.demo", "matching.sample"),
}


def test_import_contracts_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout


# (module, private name it imports from another module of ours).
PRIVATE_IMPORTS_ALLOWED = {
    # KNOWN, owned by i13 (#13, scenario/apply.py): rename `_State` (the working copy a
    # scenario's changes edit) to a public name that horizon.py can import.
    ("matching.scenario.horizon", "matching.scenario.apply._State"),
}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_imports(node: ast.Import | ast.ImportFrom, packages: tuple[str, ...]) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        names = [node.module or ""] if node.level == 0 else []
    else:
        names = [alias.name for alias in node.names]
    return [n for n in names if n.split(".")[0] in packages]


@functools.cache
def _trees(root: Path, packages: tuple[str, ...]) -> list[tuple[str, ast.Module]]:
    out = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.parts:
                out.append((_module_name(path, root), ast.parse(path.read_text(encoding="utf-8"))))
    return out


def function_level_imports(root: Path, packages: tuple[str, ...]) -> set[tuple[str, str]]:
    """(module, imported project module) for every import inside a function of ``packages``."""
    found = set()
    for module, tree in _trees(root, packages):
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(func):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        found |= {(module, name) for name in _project_imports(node, packages)}
    return found


def private_imports(root: Path, packages: tuple[str, ...]) -> set[tuple[str, str]]:
    """(module, ``other.module._name``) for every private name imported from another module."""
    found = set()
    for module, tree in _trees(root, packages):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _project_imports(node, packages):
                found |= {
                    (module, f"{node.module}.{alias.name}")
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                }
    return found


def test_no_project_import_inside_a_function() -> None:
    found = function_level_imports(ROOT, PACKAGES)
    assert found - LAZY_IMPORTS_ALLOWED == set(), "import these at the top of the module"
    # The allowlist shrinks as the imports go: a stale entry is an error too.
    assert LAZY_IMPORTS_ALLOWED - found == set(), "remove these from LAZY_IMPORTS_ALLOWED"


def test_no_private_name_imported_from_another_module() -> None:
    found = private_imports(ROOT, PACKAGES)
    assert found - PRIVATE_IMPORTS_ALLOWED == set(), "give these a public name"
    assert PRIVATE_IMPORTS_ALLOWED - found == set(), "remove these from PRIVATE_IMPORTS_ALLOWED"


def test_the_scans_find_what_they_look_for(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text(
        "from pkg.b import _hidden, shown\n"
        "import numpy\n\n"
        "def f():\n    from pkg.b import shown\n    import numpy\n\n"
        "class C:\n    def g(self):\n        import pkg.c\n"
    )
    assert function_level_imports(tmp_path, ("pkg",)) == {("pkg.a", "pkg.b"), ("pkg.a", "pkg.c")}
    assert private_imports(tmp_path, ("pkg",)) == {("pkg.a", "pkg.b._hidden")}
