"""Initial schema: reference data, placements, clients (engine record and personal data
apart), assignments, runs, proposals, attendance, audit log, API tokens, idempotency keys.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 01:04:30.093489
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.String(length=64), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('resource', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.String(length=200), nullable=True),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_resource'), ['resource'], unique=False)

    op.create_table('clients',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('home_municipality', sa.String(length=3), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients'))
    )
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clients_home_municipality'), ['home_municipality'], unique=False)

    op.create_table('coaches',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('caseload_capacity', sa.Integer(), nullable=False),
    sa.Column('municipalities', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaches'))
    )
    op.create_table('commuting_areas',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commuting_areas'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations'))
    )
    op.create_table('runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('county', sa.String(length=100), nullable=False),
    sa.Column('active_lock', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('planning_date', sa.Date(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('engine_version', sa.String(length=50), nullable=True),
    sa.Column('input_hash', sa.String(length=128), nullable=True),
    sa.Column('solve_status', sa.String(length=32), nullable=True),
    sa.Column('objective', sa.JSON(), nullable=True),
    sa.Column('stats', sa.JSON(), nullable=True),
    sa.Column('timings', sa.JSON(), nullable=True),
    sa.Column('unassigned', sa.JSON(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('matches_previous', sa.Boolean(), nullable=True),
    sa.Column('explanation_status', sa.String(length=16), nullable=True),
    sa.Column('unassigned_explanations', sa.JSON(), nullable=True),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('superseded', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs')),
    sa.UniqueConstraint('active_lock', name=op.f('uq_runs_active_lock'))
    )
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_runs_input_hash'), ['input_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_runs_status'), ['status'], unique=False)

    op.create_table('client_personal',
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('shared_fields', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_client_personal_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_client_personal'))
    )
    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=True),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_idempotency_keys_token_id_api_tokens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('token_id', 'key', name=op.f('uq_idempotency_keys_token_id'))
    )
    op.create_table('municipalities',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name_fi', sa.String(length=200), nullable=False),
    sa.Column('name_sv', sa.String(length=200), nullable=True),
    sa.Column('commuting_area_id', sa.String(length=64), nullable=False),
    sa.Column('centre_lat', sa.Float(), nullable=True),
    sa.Column('centre_lon', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['commuting_area_id'], ['commuting_areas.id'], name=op.f('fk_municipalities_commuting_area_id_commuting_areas')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_municipalities'))
    )
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('placement_id', sa.String(length=64), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('breakdown', sa.JSON(), nullable=False),
    sa.Column('travel_minutes', sa.Integer(), nullable=False),
    sa.Column('preference_rank', sa.Integer(), nullable=True),
    sa.Column('kept_ongoing', sa.Boolean(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason_code', sa.String(length=64), nullable=True),
    sa.Column('reason_text', sa.Text(), nullable=True),
    sa.Column('decided_placement_id', sa.String(length=64), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_proposals_run_id_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_proposals_run_placement', ['run_id', 'placement_id'], unique=False)
        batch_op.create_index('ix_proposals_run_status', ['run_id', 'status'], unique=False)

    op.create_table('placements',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.String(length=64), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_placements_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_placements_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placements'))
    )
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placements_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_placements_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('placement_id', sa.String(length=64), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_assignments_client_id_clients')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_assignments_placement_id_placements')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_assignments_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_placement_id'), ['placement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_status'), ['status'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('absence_reason', sa.String(length=32), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_attendance_assignment_id_assignments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('assignment_id', 'day', name=op.f('uq_attendance_assignment_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_assignment_id'), ['assignment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_assignment_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_status'))
        batch_op.drop_index(batch_op.f('ix_assignments_placement_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_client_id'))

    op.drop_table('assignments')
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placements_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_placements_municipality_code'))

    op.drop_table('placements')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_run_status')
        batch_op.drop_index('ix_proposals_run_placement')
        batch_op.drop_index(batch_op.f('ix_proposals_client_id'))

    op.drop_table('proposals')
    op.drop_table('municipalities')
    op.drop_table('idempotency_keys')
    op.drop_table('client_personal')
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_runs_status'))
        batch_op.drop_index(batch_op.f('ix_runs_input_hash'))

    op.drop_table('runs')
    op.drop_table('organisations')
    op.drop_table('commuting_areas')
    op.drop_table('coaches')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clients_home_municipality'))

    op.drop_table('clients')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_resource'))
        batch_op.drop_index(batch_op.f('ix_audit_log_record_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor'))

    op.drop_table('audit_log')
    op.drop_table('api_tokens')
