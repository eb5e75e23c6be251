"""A placement's site address and contact person; a proposal left pending on purpose.

Placements get the site's street address, postal code, post office and contact person (name,
work phone, work e-mail), all optional. Proposals get the note of a coordinator who left the
proposal pending on purpose, with who and when.

Revision ID: 0007_placement_contact
Revises: 0006_users
Create Date: 2026-11-29 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_placement_contact'
down_revision = '0006_users'
branch_labels = None
depends_on = None

PLACEMENT_COLUMNS = (
    ('street_address', 200),
    ('postal_code', 5),
    ('post_office', 200),
    ('contact_person', 200),
    ('contact_phone', 30),
    ('contact_email', 254),
)


def upgrade() -> None:
    with op.batch_alter_table('placements') as batch:
        for name, length in PLACEMENT_COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    with op.batch_alter_table('proposals') as batch:
        batch.add_column(sa.Column('pending_note', sa.Text(), nullable=True))
        batch.add_column(sa.Column('pending_by', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('pending_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('proposals') as batch:
        for name in ('pending_at', 'pending_by', 'pending_note'):
            batch.drop_column(name)
    with op.batch_alter_table('placements') as batch:
        for name, _length in reversed(PLACEMENT_COLUMNS):
            batch.drop_column(name)
