"""Which accepted proposal ended an assignment, so a site's decline can restore it.

When a coordinator accepts a proposal that moves a client from their current placement to
another, the current assignment ends the day before. If the new site then declines, the
client goes back to where they were: the ended assignment is found by this column and made
active again.

Revision ID: 0010_assignment_ended_by
Revises: 0009_lz4_explanations
Create Date: 2026-12-07 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010_assignment_ended_by'
down_revision = '0009_lz4_explanations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assignments') as batch:
        batch.add_column(sa.Column('ended_by_proposal_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_assignments_ended_by_proposal_id_proposals'),
            'proposals',
            ['ended_by_proposal_id'],
            ['id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('assignments') as batch:
        batch.drop_constraint(
            op.f('fk_assignments_ended_by_proposal_id_proposals'), type_='foreignkey'
        )
        batch.drop_column('ended_by_proposal_id')
