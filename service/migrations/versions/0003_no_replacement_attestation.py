"""The no-replacement attestation of placements: the date the producer last attested in writing
that the clients' tasks replace no paid work (THL). Nullable: existing placements have none on
record, which matters only where the county's regime requires an attestation.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 04:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_replacement_attested_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_column('no_replacement_attested_on')
