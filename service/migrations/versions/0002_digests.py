"""weekly digests: running counts per week, subscriptions, deliveries, instance secrets; notes by capture time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:17:55.850825
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('digest_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_deliveries')),
    sa.UniqueConstraint('scope', 'week', 'email', name=op.f('uq_digest_deliveries_scope'))
    )
    with op.batch_alter_table('digest_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_digest_deliveries_status', ['status', 'next_attempt_at'], unique=False)

    op.create_table('instance_secrets',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_instance_secrets'))
    )
    op.create_table('week_counts',
    sa.Column('scope', sa.Integer(), nullable=False),
    sa.Column('dim', sa.String(length=16), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=160), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'dim', 'week', 'value', name=op.f('pk_week_counts'))
    )
    with op.batch_alter_table('week_counts', schema=None) as batch_op:
        batch_op.create_index(
            'ix_week_counts_lemma', ['scope', 'value', 'week'], unique=False,
            sqlite_where=sa.text("dim = 'lemma'"), postgresql_where=sa.text("dim = 'lemma'"),
        )

    op.create_table('digest_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_subscriptions_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_subscriptions')),
    sa.UniqueConstraint('scope', 'email', name=op.f('uq_digest_subscriptions_scope'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index('ix_notes_captured', ['captured_at', 'id'], unique=False)
        batch_op.create_index('ix_notes_team_captured', ['team_id', 'captured_at', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index('ix_notes_team_captured')
        batch_op.drop_index('ix_notes_captured')

    op.drop_table('digest_subscriptions')
    with op.batch_alter_table('week_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_week_counts_lemma', sqlite_where=sa.text("dim = 'lemma'"), postgresql_where=sa.text("dim = 'lemma'"))

    op.drop_table('week_counts')
    op.drop_table('instance_secrets')
    with op.batch_alter_table('digest_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_digest_deliveries_status')

    op.drop_table('digest_deliveries')
