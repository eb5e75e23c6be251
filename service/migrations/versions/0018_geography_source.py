"""Reference geography as the county's data: employment areas (``employment_areas``), each
municipality's employment area, and where the geography comes from (``geography_sources``,
one row per imported classification, the latest in force).

Revision ID: 0018_geography_source
Revises: 0017_oidc_sessions
Create Date: 2026-12-08 06:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_geography_source"
down_revision = "0017_oidc_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employment_areas",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employment_areas")),
    )
    op.create_table(
        "geography_sources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_date", sa.Date(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geography_sources")),
    )
    with op.batch_alter_table("municipalities") as batch:
        batch.add_column(sa.Column("employment_area_id", sa.String(length=64), nullable=True))
        batch.create_foreign_key(
            op.f("fk_municipalities_employment_area_id_employment_areas"),
            "employment_areas",
            ["employment_area_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("municipalities") as batch:
        batch.drop_constraint(
            op.f("fk_municipalities_employment_area_id_employment_areas"), type_="foreignkey"
        )
        batch.drop_column("employment_area_id")
    op.drop_table("geography_sources")
    op.drop_table("employment_areas")
