"""The Alembic migrations build exactly the schema the ORM declares, and go down again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.command import downgrade, upgrade
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from service.db.session import alembic_config
from service.db.tables import Base


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    upgrade(alembic_config(database_url), "head")
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/m.db"
    config = alembic_config(url)
    upgrade(config, "head")
    downgrade(config, "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(config, "head")
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
