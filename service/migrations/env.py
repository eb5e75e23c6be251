"""Alembic environment: upgrades the database the service (or PAIKKA_DATABASE_URL) names."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from service.db import accounts as _accounts  # noqa: F401  (registers the account tables)
from service.db.tables import Base

config = context.config
url = config.attributes.get("database_url") or os.environ.get(
    "PAIKKA_DATABASE_URL", "sqlite:///./paikka.db"
)


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
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
