"""Personal user accounts of the web app, their sign-in sessions, and attendance corrections.

Revision ID: 0006_users
Revises: 0005_jobs
Create Date: 2026-11-29 12:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_users'
down_revision = '0005_jobs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.Column('full_name', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.Column('organisations', sa.JSON(), nullable=False),
        sa.Column('caseload', sa.JSON(), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=False),
        sa.Column('totp_secret', sa.String(length=64), nullable=True),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
        sa.UniqueConstraint('username', name=op.f('uq_users_username')),
    )
    op.create_table(
        'web_sessions',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('second_factor_pending', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_web_sessions_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_web_sessions_token_hash')),
    )
    op.create_index(op.f('ix_web_sessions_user_id'), 'web_sessions', ['user_id'])
    op.create_table(
        'attendance_corrections',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('attendance_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('old_status', sa.String(length=32), nullable=False),
        sa.Column('old_reason', sa.String(length=32), nullable=True),
        sa.Column('new_status', sa.String(length=32), nullable=False),
        sa.Column('new_reason', sa.String(length=32), nullable=True),
        sa.Column('reason_text', sa.Text(), nullable=False),
        sa.Column('corrected_by', sa.String(length=200), nullable=False),
        sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['attendance_id'], ['attendance.id'],
            name=op.f('fk_attendance_corrections_attendance_id_attendance'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_corrections')),
    )
    op.create_index(
        op.f('ix_attendance_corrections_attendance_id'), 'attendance_corrections',
        ['attendance_id'],
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_attendance_corrections_attendance_id'), 'attendance_corrections')
    op.drop_table('attendance_corrections')
    op.drop_index(op.f('ix_web_sessions_user_id'), 'web_sessions')
    op.drop_table('web_sessions')
    op.drop_table('users')
