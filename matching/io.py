"""Reading and writing the command line's files: one clear line per problem in bad input.

Every sub-command (``matching.cli``, ``matching.explain.cli``, ``matching.scenario.cli``) reads
its JSON through :func:`load` and reports bad input by raising :class:`InputError`; the top
command prints its lines on stderr and exits with status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class InputError(Exception):
    """Bad input: each line of ``lines`` is one problem, printed as it is."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def field_path(loc: Sequence[int | str]) -> str:
    """A pydantic error location as a reader writes it: ``clients[3].weekdays``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load(model: type[M], path: str) -> M:
    """Read and validate the JSON file at ``path``, turning every failure into readable lines."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InputError([f"{path}: cannot read: {error.strerror or error}"]) from error
    try:
        return model.model_validate_json(text)
    except ValidationError as error:
        lines = []
        for e in error.errors(include_url=False):
            if e["type"] == "json_invalid":
                lines.append(f"{path}: not valid JSON: {e['msg']}")
            else:
                lines.append(f"{path}: {field_path(e['loc'])}: {e['msg']}")
        raise InputError(lines) from error


def write(text: str, output: str | None) -> None:
    """Write ``text`` to the file ``output``, or to stdout when it is ``None`` or ``-``."""
    if output in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
