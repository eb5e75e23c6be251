"""Settings of the service, read from ``PAIKKA_*`` environment variables.

A plain pydantic model instead of ``pydantic-settings`` keeps the runtime dependencies to what
``pyproject.toml`` lists; ``Settings.from_env`` does the little that package would do here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

ENV_PREFIX = "PAIKKA_"


class Settings(BaseModel):
    """Everything an operator may configure. Every field can be set as ``PAIKKA_<NAME>``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str = Field(
        default="sqlite:///./paikka.db",
        description="SQLAlchemy URL; e.g. postgresql+psycopg://user@host/paikka in production.",
    )
    migration_database_url: str = Field(
        default="",
        description=(
            "SQLAlchemy URL of the role that owns the schema and runs the migrations "
            "(PostgreSQL); the service then connects as the role of database_url, which may "
            "only read and write the data, and only insert into the audit log. Empty: "
            "database_url does both (the demo, SQLite)."
        ),
    )
    identity_keys: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Keys of the personal identity codes: 'id:base64key' pairs, comma-separated, the "
            "current key first (service/identity.py). Never in the repository."
        ),
    )
    identity_key_file: str = Field(
        default="",
        max_length=1000,
        description="Or a file of 'id base64key' lines, the current key first.",
    )
    county: str = Field(
        default="county",
        min_length=1,
        description="Name of the wellbeing county served; one weekly run at a time per county.",
    )
    run_executor: Literal["process", "thread"] = Field(
        default="process",
        description=(
            "'process' runs the engine in a child process that cancel and the timeout can "
            "terminate; 'thread' cannot stop a solve in progress (it is only marked)."
        ),
    )
    run_timeout_s: float = Field(
        default=900.0, gt=0, le=24 * 3600, description="Wall-clock limit of a whole run."
    )
    max_time_limit_s: float = Field(
        default=300.0, gt=0, le=3600, description="Cap on the solver time limit a request asks."
    )
    explain_runs: bool = Field(
        default=True,
        description="Attach explanations (alternatives, reasons) to proposals after a run.",
    )
    scenario_timeout_s: float = Field(
        default=3600.0, gt=0, le=24 * 3600, description="Wall-clock limit of a scenario job."
    )
    scenario_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Processes a scenario job solves its scenarios on (1: one after another).",
    )
    dask_scheduler: str = Field(
        default="",
        max_length=500,
        description=(
            "Address of a Dask scheduler (e.g. tcp://10.0.0.5:8786) that scenario jobs run on "
            "instead of local processes; empty: none."
        ),
    )
    no_replacement_attestation_months: int | None = Field(
        default=None,
        ge=1,
        le=60,
        description=(
            "THL: the activity must not replace paid work. When set, a placement takes new "
            "clients only with a written no-replacement attestation at most this many months "
            "old on the planning date; empty: no attestation required."
        ),
    )
    embedded_worker: Literal["all", "own", "off"] = Field(
        default="all",
        description=(
            "Solver worker loops inside the web process: 'all' takes every queued job (the "
            "demo, one SQLite process), 'own' only the jobs this process queued, 'off' none "
            "(production: run `python -m service.worker` processes beside the web workers)."
        ),
    )
    lease_s: float = Field(
        default=30.0,
        ge=1,
        le=3600,
        description=(
            "A solver worker's lease on a job, renewed every third of it; a job whose lease "
            "expired (its worker died) is queued again or failed."
        ),
    )
    max_attempts: int = Field(
        default=2, ge=1, le=10, description="How often a job whose worker died is tried in all."
    )
    worker_poll_s: float = Field(
        default=1.0, gt=0, le=60, description="How often an idle solver worker looks for jobs."
    )
    worker_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description=(
            "CPU niceness a solver worker adds to itself at start (its engine processes "
            "inherit it), so that web processes answering people win the CPU; 0 keeps it."
        ),
    )
    token_cache_s: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description=(
            "How long a web process keeps a verified bearer token in memory; a token revoked "
            "in the database stops working within this time (0: look every token up)."
        ),
    )
    default_page_size: int = Field(default=50, ge=1, le=1000)
    max_upload_bytes: int = Field(
        default=5_000_000, ge=1_000, description="Largest upload; refused (413) while streaming."
    )
    max_json_bytes: int = Field(
        default=20_000_000,
        ge=1_000,
        description="Largest JSON request body (a scenario job's base problem is the largest).",
    )
    metrics_token: str = Field(
        default="",
        max_length=500,
        description=(
            "Bearer token a Prometheus scrape of /metrics must send; empty: /metrics answers "
            "only scrapes from this machine (127.0.0.1, ::1)."
        ),
    )
    log_format: Literal["json", "text"] = Field(
        default="json",
        description="Log lines as JSON objects (request, job and error ids) or plain text.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="The lowest level logged."
    )
    oidc_issuer: str = Field(
        default="",
        max_length=500,
        description=(
            "Issuer URL of the county's OpenID Connect provider (staff sign-in at "
            "/login/oidc); empty: local accounts only."
        ),
    )
    oidc_client_id: str = Field(default="", max_length=500, description="Paikka's client id.")
    oidc_client_secret: str = Field(
        default="", max_length=500, description="Paikka's client secret (from a secret store)."
    )
    oidc_scopes: str = Field(
        default="openid profile email", max_length=500, description="Scopes asked for."
    )
    oidc_role_map: str = Field(
        default="",
        max_length=1000,
        description="Path of the YAML/JSON file mapping the provider's groups to roles.",
    )
    migrate_on_start: bool = Field(
        default=True, description="Upgrade the schema with Alembic when the app starts."
    )
    max_feed_bytes: int = Field(
        default=200_000_000, ge=1_000, description="Largest GTFS zip taken in, bytes."
    )
    transit_dir: str = Field(
        default="",
        max_length=1000,
        description=(
            "Directory of the GTFS feed store and its cached trips (read by the engine, "
            "``matching.transit``); empty: ~/.cache/paikka/transit."
        ),
    )

    @field_validator("no_replacement_attestation_months", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """An empty environment variable means "not required"."""
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def owner_url(self) -> str:
        """The URL migrations run with: the owner role's, or the service's own."""
        return self.migration_database_url or self.database_url

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``PAIKKA_*`` variables; unknown ``PAIKKA_`` names are an error."""
        env = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for name, value in env.items():
            if name.startswith(ENV_PREFIX) and not name.startswith(ENV_PREFIX + "TEST_"):
                values[name[len(ENV_PREFIX) :].lower()] = value
        return cls.model_validate(values)
