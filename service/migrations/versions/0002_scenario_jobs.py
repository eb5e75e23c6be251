"""Scenario jobs of planners and their output files (stored in the database, so that its
backup holds them).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 03:32:41.565445
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scenario_jobs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('county', sa.String(length=100), nullable=False),
    sa.Column('active_lock', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('base', sa.String(length=16), nullable=False),
    sa.Column('planning_date', sa.Date(), nullable=False),
    sa.Column('base_clients', sa.Integer(), nullable=False),
    sa.Column('base_placements', sa.Integer(), nullable=False),
    sa.Column('scenarios', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('engine_version', sa.String(length=50), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_jobs')),
    sa.UniqueConstraint('active_lock', name=op.f('uq_scenario_jobs_active_lock'))
    )
    with op.batch_alter_table('scenario_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scenario_jobs_status'), ['status'], unique=False)

    op.create_table('scenario_files',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['scenario_jobs.id'], name=op.f('fk_scenario_files_job_id_scenario_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_files')),
    sa.UniqueConstraint('job_id', 'name', name=op.f('uq_scenario_files_job_id'))
    )
    with op.batch_alter_table('scenario_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scenario_files_job_id'), ['job_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('scenario_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scenario_files_job_id'))

    op.drop_table('scenario_files')
    with op.batch_alter_table('scenario_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scenario_jobs_status'))

    op.drop_table('scenario_jobs')
