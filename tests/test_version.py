"""The version is written once (``matching/version.py``) and read everywhere else."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import matching
from matching.solve import ENGINE_VERSION
from service.app import create_app
from tests.service.svc_helpers import settings_for


def test_one_version_everywhere(tmp_path: Path) -> None:
    assert version("paikka") == matching.__version__ == ENGINE_VERSION
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'version.db'}"))
    assert app.version == matching.__version__
