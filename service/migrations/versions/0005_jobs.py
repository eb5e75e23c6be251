"""Jobs queued in the database with leases; an append-only audit log enforced by the database.

Runs and scenario jobs get the lease of the solver worker executing them (``lease_owner``,
``lease_until``, ``heartbeat_at``) and the number of ``attempts``; scenario jobs keep the
checked, pseudonymised ``work`` a worker executes. The audit log refuses UPDATE and DELETE by a
trigger, on PostgreSQL and SQLite alike.

Revision ID: 0005_jobs
Revises: 0004_periods
Create Date: 2026-11-29 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_jobs'
down_revision = '0004_periods'
branch_labels = None
depends_on = None

JOBS = ('runs', 'scenario_jobs')

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = """
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()
"""
SQLITE_TRIGGERS = [
    f"""
CREATE TRIGGER audit_log_no_{op_name.lower()} BEFORE {op_name} ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only ({op_name} refused)');
END
"""
    for op_name in ('UPDATE', 'DELETE')
]


def upgrade() -> None:
    for table in JOBS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('lease_owner', sa.String(length=200), nullable=True))
            batch_op.add_column(
                sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True)
            )
            batch_op.add_column(
                sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True)
            )
            batch_op.add_column(
                sa.Column('attempts', sa.Integer(), nullable=False, server_default='0')
            )
            batch_op.create_index(batch_op.f(f'ix_{table}_lease_until'), ['lease_until'])
    with op.batch_alter_table('scenario_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work', sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log')
        op.execute('DROP FUNCTION IF EXISTS audit_log_append_only()')
    else:
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_update')
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_delete')
    with op.batch_alter_table('scenario_jobs', schema=None) as batch_op:
        batch_op.drop_column('work')
    for table in JOBS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_lease_until'))
            batch_op.drop_column('attempts')
            batch_op.drop_column('heartbeat_at')
            batch_op.drop_column('lease_until')
            batch_op.drop_column('lease_owner')
