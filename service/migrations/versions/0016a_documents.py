"""The document store: generated documents stored once with their SHA-256, versioned, a
correction a new version naming the one it replaces; the database refuses an UPDATE of a
stored document (issue #22).

Revision ID: 0016a_documents
Revises: 0016_audit_chain_identity
Create Date: 2026-12-08 05:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016a_documents"
down_revision = "0016_audit_chain_identity"
branch_labels = None
depends_on = None

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION documents_never_changed() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a stored document is never changed (% refused): print a new version', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["documents.id"], name=op.f("fk_documents_replaces_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint(
            "kind", "subject_id", "language", "version", name=op.f("uq_documents_kind")
        ),
    )
    with op.batch_alter_table("documents") as batch:
        batch.create_index(batch.f("ix_documents_client_id"), ["client_id"], unique=False)
        batch.create_index(batch.f("ix_documents_sha256"), ["sha256"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER documents_never_changed BEFORE UPDATE ON documents "
            "FOR EACH ROW EXECUTE FUNCTION documents_never_changed()"
        )
    else:
        op.execute(
            """
CREATE TRIGGER documents_never_changed BEFORE UPDATE ON documents
BEGIN
    SELECT RAISE(ABORT, 'a stored document is never changed (UPDATE refused): print a new version');
END
"""
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS documents_never_changed ON documents")
        op.execute("DROP FUNCTION IF EXISTS documents_never_changed()")
    else:
        op.execute("DROP TRIGGER IF EXISTS documents_never_changed")
    with op.batch_alter_table("documents") as batch:
        batch.drop_index(batch.f("ix_documents_sha256"))
        batch.drop_index(batch.f("ix_documents_client_id"))
    op.drop_table("documents")
