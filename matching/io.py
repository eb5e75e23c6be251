"""Reading and writing the command line's files: one clear line per problem in bad input.

Every sub-command (``matching.cli``, ``matching.explain.cli``, ``matching.scenario.cli``) reads
its JSON through :func:`load` and reports bad input by raising :class:`InputError`; the top
command prints its lines on stderr and exits with status 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class InputError(Exception):
    """Bad input: each line of ``lines`` is one problem, printed as it is.

    ``problems`` holds the same problems as data for a text in the user's language (the CLI
    words them from the catalogues): ``{"file", "reason"}`` for a file that cannot be read
    (``missing``, ``denied``, ``unreadable``, ``text``), or ``{"file", "error", "data"}`` with a
    pydantic error entry and the file's parsed JSON (to name records by their ids).
    """

    def __init__(self, lines: list[str], problems: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
        self.problems = list(problems)


def field_path(loc: Sequence[int | str]) -> str:
    """A pydantic error location as a reader writes it: ``clients[3].weekdays``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load(model: type[M], path: str, prepare: Callable[[Any], Any] | None = None) -> M:
    """Read and validate the JSON file at ``path``, turning every failure into readable lines.

    ``prepare`` reads the parsed JSON first (a county file is read as known on its planning
    date, ``matching.screen.county_as_of``); it must leave data it does not understand as it
    is, for validation to name the problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        reason = (
            "missing"
            if isinstance(error, FileNotFoundError)
            else "denied"
            if isinstance(error, PermissionError)
            else "unreadable"
        )
        raise InputError(
            [f"{path}: cannot read: {error.strerror or error}"], [{"file": path, "reason": reason}]
        ) from error
    except UnicodeDecodeError as error:
        raise InputError(
            [f"{path}: cannot read: not UTF-8 text"], [{"file": path, "reason": "text"}]
        ) from error
    parsed: Any = None
    if prepare is not None:
        try:
            parsed = prepare(json.loads(text))
        except ValueError:
            parsed = None  # not JSON: validating the text names the problem
    try:
        if parsed is not None:
            return model.model_validate(parsed)
        return model.model_validate_json(text)
    except ValidationError as error:
        try:
            data = parsed if parsed is not None else json.loads(text)
        except ValueError:
            data = None
        lines, problems = [], []
        for e in error.errors(include_url=False):
            if e["type"] == "json_invalid":
                lines.append(f"{path}: not valid JSON: {e['msg']}")
            else:
                lines.append(f"{path}: {field_path(e['loc'])}: {e['msg']}")
            problems.append({"file": path, "error": dict(e), "data": data})
        raise InputError(lines, problems) from error


def write(text: str, output: str | None) -> None:
    """Write ``text`` to the file ``output``, or to stdout when it is ``None`` or ``-``."""
    if output in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
