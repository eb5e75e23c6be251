"""Alembic environment: upgrades the database the service (or PAIKKA_DATABASE_URL) names.

On PostgreSQL the upgrade holds a transaction-level advisory lock, so that several web
workers (or workers and a ``migrate`` step) starting at once upgrade the schema once: the
others wait for the lock, then find the schema at head and do nothing.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine, text

from service.db import accounts as _accounts  # noqa: F401  (registers the account tables)
from service.db import cooperation as _cooperation  # noqa: F401  (the cooperation tables)
from service.db import documents as _documents  # noqa: F401  (the document store)
from service.db import oidc as _oidc  # noqa: F401  (sessions of the identity provider)
from service.db import regimes as _regimes  # noqa: F401  (the regime versions)
from service.db.roles import grant_service_role
from service.db.tables import Base

config = context.config
url = config.attributes.get("database_url") or os.environ.get(
    "PAIKKA_DATABASE_URL", "sqlite:///./paikka.db"
)
MIGRATION_LOCK = 0x5041494B  # "PAIK": the advisory lock key of schema upgrades


def run_offline() -> None:
    """Emit SQL instead of connecting (``alembic upgrade head --sql``)."""
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Connect and upgrade; SQLite needs batch mode for ALTERs in later revisions."""
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            context.run_migrations()
            role = config.attributes.get("service_role")
            if role and connection.dialect.name == "postgresql":
                grant_service_role(connection, role)
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
