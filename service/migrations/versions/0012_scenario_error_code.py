"""A failed scenario job keeps the code and values of its error, so that the planner reads it
in their own language (``error`` stays the English sentence for programs and the log).

Revision ID: 0012_scenario_error_code
Revises: 0011_idempotency_client
Create Date: 2026-12-07 10:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_scenario_error_code"
down_revision = "0011_idempotency_client"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scenario_jobs") as batch:
        batch.add_column(sa.Column("error_code", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("error_params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scenario_jobs") as batch:
        batch.drop_column("error_params")
        batch.drop_column("error_code")
