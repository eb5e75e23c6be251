"""The Alembic migrations build exactly the schema the ORM declares, and go down again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.command import downgrade, upgrade
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from service.db import accounts as _accounts  # noqa: F401  (registers the account tables)
from service.db import cooperation as _cooperation  # noqa: F401  (the cooperation tables)
from service.db import documents as _documents  # noqa: F401  (the document store)
from service.db import oidc as _oidc  # noqa: F401  (sessions of the identity provider)
from service.db import regimes as _regimes  # noqa: F401  (the regime versions)
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


SCENARIO_TABLES = {"scenario_jobs", "scenario_files"}


def test_scenario_jobs_revision_keeps_earlier_data(tmp_path: object) -> None:
    """0002 adds the scenario tables to a database at 0001 without touching its rows, and
    going back to 0001 removes only them."""
    url = f"sqlite:///{tmp_path}/s.db"
    config = alembic_config(url)
    upgrade(config, "0001")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO commuting_areas (id, name) VALUES ('A1', 'Oulu')"))
    assert not SCENARIO_TABLES & set(inspect(engine).get_table_names())
    upgrade(config, "0002")
    assert set(inspect(engine).get_table_names()) >= SCENARIO_TABLES
    columns = {c["name"] for c in inspect(engine).get_columns("scenario_files")}
    assert {"job_id", "name", "media_type", "size", "content"} <= columns
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM commuting_areas")).scalar() == "Oulu"
    downgrade(config, "0001")
    tables = set(inspect(engine).get_table_names())
    assert not SCENARIO_TABLES & tables and "commuting_areas" in tables
    engine.dispose()


def test_attestation_revision_adds_a_nullable_column_and_drops_it_again(tmp_path: object) -> None:
    """0003 adds ``placements.no_replacement_attested_on`` (empty for existing placements);
    going back to 0002 drops only that column and keeps the placement."""
    url = f"sqlite:///{tmp_path}/a.db"
    config = alembic_config(url)
    upgrade(config, "0002")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO commuting_areas (id, name) VALUES ('A1', 'Oulu')"))
        connection.execute(
            text(
                "INSERT INTO municipalities (code, name_fi, commuting_area_id) "
                "VALUES ('564', 'Oulu', 'A1')"
            )
        )
        connection.execute(
            text("INSERT INTO organisations (id, name, type) VALUES ('O1', 'Oulu', 'x')")
        )
        connection.execute(
            text(
                "INSERT INTO placements (id, organisation_id, municipality_code, closed, "
                "attributes, created_at, updated_at) VALUES ('P1', 'O1', '564', false, '{}', "
                "'2026-01-01', '2026-01-01')"
            )
        )

    def columns() -> dict[str, dict]:
        return {c["name"]: c for c in inspect(engine).get_columns("placements")}

    assert "no_replacement_attested_on" not in columns()
    upgrade(config, "0003")
    assert columns()["no_replacement_attested_on"]["nullable"] is True
    with engine.begin() as connection:
        assert connection.execute(
            text("SELECT no_replacement_attested_on FROM placements WHERE id = 'P1'")
        ).one() == (None,)
        connection.execute(text("UPDATE placements SET no_replacement_attested_on = '2026-06-01'"))
    downgrade(config, "0002")
    assert "no_replacement_attested_on" not in columns()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id FROM placements")).scalar() == "P1"
    engine.dispose()


def test_proposals_json_is_compressed_with_lz4_on_postgresql(database_url: str) -> None:
    """0009: explanations and breakdowns are written LZ4-compressed on a PostgreSQL server
    that has LZ4 (the page reads decompress 50 of them); SQLite has nothing to change."""
    upgrade(alembic_config(database_url), "head")
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name != "postgresql":
                assert "explanation" in {
                    c["name"] for c in inspect(connection).get_columns("proposals")
                }
                return
            lz4 = connection.scalar(
                text(
                    "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                    "WHERE name = 'default_toast_compression'"
                )
            )
            methods = dict(
                connection.execute(
                    text(
                        "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = "
                        "'proposals'::regclass AND attname IN ('explanation', 'breakdown')"
                    )
                ).all()
            )
        if lz4:
            assert methods == {"explanation": "l", "breakdown": "l"}
        else:  # a server built without LZ4 keeps its default
            assert set(methods.values()) <= {"", "p"}
    finally:
        engine.dispose()
