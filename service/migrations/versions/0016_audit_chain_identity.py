"""An audit log the service cannot rewrite: every row chained by a hash of the one before, a
chain head kept by the database, rows numbered and stamped by the database; SQLite refuses
replace and back-dated rows as well as updates and deletes (issue #23). The existing rows are
chained in id order. Also the client's personal identity code, encrypted (issue #22).

Revision ID: 0016_audit_chain_identity
Revises: 0014_regime_versions
Create Date: 2026-12-08 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.audit_chain import (
    GENESIS,
    SQLITE_HASH_FUNCTION,
    register_sqlite_functions,
    row_hash,
    stamp,
)

revision = "0016_audit_chain_identity"
down_revision = "0014_regime_versions"
branch_labels = None
depends_on = None

PG_CHAIN = f"""
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    head_id bigint;
    head_hash text;
    canonical text;
    part text;
BEGIN
    SELECT last_id, last_hash INTO head_id, head_hash
        FROM audit_chain_head WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, 0, '{GENESIS}')
            ON CONFLICT (id) DO NOTHING;
        SELECT last_id, last_hash INTO head_id, head_hash
            FROM audit_chain_head WHERE id = 1 FOR UPDATE;
    END IF;
    NEW.id := head_id + 1;
    NEW.at := clock_timestamp();
    canonical := head_hash || E'\\n';
    FOREACH part IN ARRAY ARRAY[
        NEW.id::text,
        to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        NEW.actor, NEW.role, NEW.action, NEW.resource, NEW.record_id, NEW.purpose,
        NEW.detail::text
    ] LOOP
        IF part IS NULL THEN
            canonical := canonical || '~|';
        ELSE
            canonical := canonical || length(part)::text || ':' || part || '|';
        END IF;
    END LOOP;
    NEW.chain_hash := encode(sha256(convert_to(canonical, 'UTF8')), 'hex');
    UPDATE audit_chain_head SET last_id = NEW.id, last_hash = NEW.chain_hash WHERE id = 1;
    RETURN NEW;
END;
$$
"""
PG_TRIGGER = """
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_chain()
"""
PG_HEAD_TRIGGER = """
CREATE TRIGGER audit_chain_head_kept BEFORE DELETE OR TRUNCATE ON audit_chain_head
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()
"""

SQLITE_FIELDS = "NEW.id, NEW.at, NEW.actor, NEW.role, NEW.action, NEW.resource, " + (
    "NEW.record_id, NEW.purpose, NEW.detail"
)
SQLITE_HEAD_ID = "coalesce((SELECT last_id FROM audit_chain_head WHERE id = 1), 0)"
SQLITE_HEAD_HASH = f"coalesce((SELECT last_hash FROM audit_chain_head WHERE id = 1), '{GENESIS}')"
SQLITE_TRIGGERS = {
    # INSERT OR REPLACE deletes the old row without the DELETE trigger (unless
    # recursive_triggers is on, which the service also sets): refuse any id that exists.
    "audit_log_no_replace": """
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only (REPLACE refused)');
END
""",
    "audit_log_no_backdating": f"""
CREATE TRIGGER audit_log_no_backdating BEFORE INSERT ON audit_log
WHEN NEW.at IS NULL
    OR NEW.at < strftime('%Y-%m-%d %H:%M:%f', 'now', '-5 seconds')
    OR NEW.at > strftime('%Y-%m-%d %H:%M:%f', 'now', '+5 seconds')
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only (a row must carry the time of its insert)');
END
""",
    "audit_log_chained": f"""
CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log
WHEN NEW.id IS NOT {SQLITE_HEAD_ID} + 1
    OR NEW.chain_hash IS NOT {SQLITE_HASH_FUNCTION}({SQLITE_HEAD_HASH}, {SQLITE_FIELDS})
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only (a row must continue the hash chain)');
END
""",
    "audit_log_head": """
CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log
BEGIN
    INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, NEW.id, NEW.chain_hash)
        ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id,
            last_hash = excluded.last_hash;
END
""",
}


def _chain_existing_rows() -> tuple[int, str]:
    """Hash the rows already logged, in id order (the triggers that refuse updates are lifted
    by the caller); returns the last id and hash."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        register_sqlite_functions(bind.connection.dbapi_connection)  # type: ignore[arg-type]
    previous, last_id = GENESIS, 0
    rows = bind.execute(
        sa.text(
            "SELECT id, at, actor, role, action, resource, record_id, purpose, "
            "CAST(detail AS TEXT) FROM audit_log ORDER BY id"
        )
    ).all()
    for row in rows:
        fields = (row[0], stamp(row[1]), *row[2:])
        previous, last_id = row_hash(previous, fields), row[0]
        bind.execute(
            sa.text("UPDATE audit_log SET chain_hash = :h WHERE id = :id"),
            {"h": previous, "id": row[0]},
        )
    return last_id, previous


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("chain_hash", sa.String(length=64), nullable=True))
    if postgres:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    else:
        for name in ("audit_log_no_update",):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    last_id, last_hash = _chain_existing_rows()
    op.execute(
        sa.text(
            "INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, :id, :hash)"
        ).bindparams(id=last_id, hash=last_hash)
    )
    if postgres:
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
        op.execute(PG_CHAIN)
        op.execute(PG_TRIGGER)
        op.execute(PG_HEAD_TRIGGER)
        op.execute("REVOKE ALL ON FUNCTION audit_log_chain() FROM PUBLIC")
    else:
        op.execute(_sqlite_refusal("UPDATE"))
        for trigger in SQLITE_TRIGGERS.values():
            op.execute(trigger)
    _identity_code_columns()


def _identity_code_columns() -> None:
    """The client's personal identity code: ciphertext and key id, and the masked form
    (``010190-***X``) for lists; never the code in clear."""
    with op.batch_alter_table("client_personal") as batch:
        batch.add_column(sa.Column("identity_code_sealed", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("identity_code_key", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("identity_code_masked", sa.String(length=11), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("client_personal") as batch:
        batch.drop_column("identity_code_masked")
        batch.drop_column("identity_code_key")
        batch.drop_column("identity_code_sealed")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_chain ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_chain()")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_head_kept ON audit_chain_head")
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("chain_hash")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    else:
        # dropping a column rebuilds the table on SQLite, and its triggers with it
        for name in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{name}")
            op.execute(_sqlite_refusal(name.upper()))
    op.drop_table("audit_chain_head")


def _sqlite_refusal(statement: str) -> str:
    return f"""
CREATE TRIGGER audit_log_no_{statement.lower()} BEFORE {statement} ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only ({statement} refused)');
END
"""
