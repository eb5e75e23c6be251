"""The core knows nothing of the domain: its modules import only the standard library,
numpy, scipy, OR-Tools and each other."""

import ast
import sys
from pathlib import Path

import matching.core

ALLOWED = {"numpy", "scipy", "ortools"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_core_modules_import_nothing_of_the_domain() -> None:
    folder = Path(matching.core.__file__).parent
    modules = sorted(folder.glob("*.py"))
    assert len(modules) > 10
    for path in modules:
        for name in _imports(path):
            top = name.split(".")[0]
            inside = name == "matching.core" or name.startswith("matching.core.")
            allowed = inside or top in ALLOWED or top in sys.stdlib_module_names
            assert allowed, f"{path.name} imports {name}"


def test_the_check_catches_a_domain_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from matching.tables import Tables\nimport models\n")
    assert _imports(module) == {"matching.tables", "models"}
