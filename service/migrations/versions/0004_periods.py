"""Periods with dates, and the records a run set aside.

``assignments.planned_end_date``: the agreed last day of a period (3–24 months, 189/2001 § 13),
so the maximum is checked from data; null for periods stored before (the 24-month maximum from
``start_date`` applies). ``runs.set_aside``: the stored records a run left out or changed, with
the reasons, for the coordinator.

Revision ID: 0004_periods
Revises: 0003
Create Date: 2026-11-29 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_periods'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_end_date', sa.Date(), nullable=True))
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_aside', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_column('set_aside')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('planned_end_date')
