"""The county's legal regime as dated versions (status, valid_from, valid_until, sources,
rules), entered and reviewed by admins; without rows the versions Paikka ships apply.

Revision ID: 0014_regime_versions
Revises: 0013_one_story
Create Date: 2026-12-08 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_regime_versions"
down_revision = "0013_one_story"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "regime_versions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("regime", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regime_versions")),
    )
    with op.batch_alter_table("regime_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_regime_versions_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("regime_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regime_versions_status"))
    op.drop_table("regime_versions")
