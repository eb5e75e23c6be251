"""The version is written once (``matching/version.py``) and read everywhere else."""

from __future__ import annotations

from importlib.metadata import version

import matching
from matching.solve import ENGINE_VERSION


def test_one_version_everywhere() -> None:
    assert version("paikka") == matching.__version__ == ENGINE_VERSION
