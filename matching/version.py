"""The engine's version: the one place it is written.

``pyproject.toml`` reads it (``[tool.setuptools.dynamic]``); results record it as
``engine_version``, the service's OpenAPI document and ``/health`` show it.
"""

__version__ = "0.1.0"
