"""Sign-in through the county's OpenID Connect provider: the provider's session lifetime
and ID token of each web session opened that way (``oidc_sessions``).

Revision ID: 0017_oidc_sessions
Revises: 0016a_documents
Create Date: 2026-12-08 05:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_oidc_sessions"
down_revision = "0016a_documents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oidc_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("web_session_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id_token", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["web_session_id"],
            ["web_sessions.id"],
            name=op.f("fk_oidc_sessions_web_session_id_web_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_sessions")),
        sa.UniqueConstraint("web_session_id", name=op.f("uq_oidc_sessions_web_session_id")),
    )


def downgrade() -> None:
    op.drop_table("oidc_sessions")
