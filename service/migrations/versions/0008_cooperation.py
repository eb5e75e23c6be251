"""The cooperation cycle: site confirmations, start meetings, activity agreements, periods,
start notices, end-of-period feedback and certificates seen for absences.

Revision ID: 0008_cooperation
Revises: 0007_placement_contact
Create Date: 2026-11-29 15:57:41.842930
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_cooperation'
down_revision = '0007_placement_contact'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('site_confirmations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('placement_id', sa.String(length=64), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_site_confirmations_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_confirmations')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_site_confirmations_proposal_id'))
    )
    with op.batch_alter_table('site_confirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_confirmations_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_site_confirmations_placement_id'), ['placement_id'], unique=False)

    op.create_table('start_meetings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('placement_id', sa.String(length=64), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('participants', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_start_meetings_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_start_meetings'))
    )
    with op.batch_alter_table('start_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_start_meetings_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_start_meetings_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('activity_agreements',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('placement_id', sa.String(length=64), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('task_category', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('tasks', sa.Text(), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('support', sa.Text(), nullable=False),
    sa.Column('weekdays', sa.JSON(), nullable=False),
    sa.Column('days_per_week', sa.Integer(), nullable=True),
    sa.Column('hours_per_day', sa.Float(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('first_review_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('contact_persons', sa.JSON(), nullable=False),
    sa.Column('when_absent', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['start_meetings.id'], name=op.f('fk_activity_agreements_meeting_id_start_meetings')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_activity_agreements_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_agreements'))
    )
    with op.batch_alter_table('activity_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_agreements_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_agreements_placement_id'), ['placement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_agreements_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_agreements_status'), ['status'], unique=False)

    op.create_table('periods',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('placement_id', sa.String(length=64), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('task_category', sa.String(length=32), nullable=True),
    sa.Column('weekdays', sa.JSON(), nullable=False),
    sa.Column('days_per_week', sa.Integer(), nullable=False),
    sa.Column('hours_per_day', sa.Float(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('first_review_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('planned_end_date', sa.Date(), nullable=False),
    sa.Column('plan_review_date', sa.Date(), nullable=False),
    sa.Column('payer', sa.String(length=32), nullable=True),
    sa.Column('prior_days', sa.Integer(), nullable=False),
    sa.Column('extensions', sa.JSON(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=48), nullable=True),
    sa.Column('onward_path', sa.String(length=32), nullable=True),
    sa.Column('end_note', sa.Text(), nullable=False),
    sa.Column('ended_by', sa.String(length=200), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['activity_agreements.id'], name=op.f('fk_periods_agreement_id_activity_agreements')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_periods_assignment_id_assignments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_periods')),
    sa.UniqueConstraint('agreement_id', name=op.f('uq_periods_agreement_id')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_periods_assignment_id'))
    )
    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_periods_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_periods_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_periods_placement_id'), ['placement_id'], unique=False)

    op.create_table('period_feedback',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('given_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_period_feedback_period_id_periods')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_feedback')),
    sa.UniqueConstraint('period_id', 'kind', name=op.f('uq_period_feedback_period_id'))
    )
    with op.batch_alter_table('period_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_feedback_period_id'), ['period_id'], unique=False)

    op.create_table('start_notices',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('authority', sa.String(length=200), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('sent_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_start_notices_period_id_periods')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_start_notices')),
    sa.UniqueConstraint('period_id', name=op.f('uq_start_notices_period_id'))
    )
    with op.batch_alter_table('start_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_start_notices_client_id'), ['client_id'], unique=False)

    op.create_table('attendance_certificates',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('attendance_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attendance_id'], ['attendance.id'], name=op.f('fk_attendance_certificates_attendance_id_attendance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_certificates')),
    sa.UniqueConstraint('attendance_id', name=op.f('uq_attendance_certificates_attendance_id'))
    )


def downgrade() -> None:
    op.drop_table('attendance_certificates')
    with op.batch_alter_table('start_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_start_notices_client_id'))

    op.drop_table('start_notices')
    with op.batch_alter_table('period_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_feedback_period_id'))

    op.drop_table('period_feedback')
    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_periods_placement_id'))
        batch_op.drop_index(batch_op.f('ix_periods_municipality_code'))
        batch_op.drop_index(batch_op.f('ix_periods_client_id'))

    op.drop_table('periods')
    with op.batch_alter_table('activity_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_agreements_status'))
        batch_op.drop_index(batch_op.f('ix_activity_agreements_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_activity_agreements_placement_id'))
        batch_op.drop_index(batch_op.f('ix_activity_agreements_client_id'))

    op.drop_table('activity_agreements')
    with op.batch_alter_table('start_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_start_meetings_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_start_meetings_client_id'))

    op.drop_table('start_meetings')
    with op.batch_alter_table('site_confirmations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_confirmations_placement_id'))
        batch_op.drop_index(batch_op.f('ix_site_confirmations_client_id'))

    op.drop_table('site_confirmations')
