"""The client a stored idempotent response is about, so that erasure removes it.

A creating request's stored answer can hold a client's data: an attendance day with its
absence reason, a site's decline with its text, the client's own feedback. Erasing the client
deletes every stored answer marked with their id (before this, only the answer stored under
the client's own address was found).

Revision ID: 0011_idempotency_client
Revises: 0010_assignment_ended_by
Create Date: 2026-12-07 09:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_idempotency_client"
down_revision = "0010_assignment_ended_by"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(sa.Column("client_id", sa.String(length=64), nullable=True))
        batch.create_index(op.f("ix_idempotency_keys_client_id"), ["client_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_index(op.f("ix_idempotency_keys_client_id"))
        batch.drop_column("client_id")
