"""Persistence: typed SQLAlchemy 2 tables, engine and session factory, Alembic upgrades."""
