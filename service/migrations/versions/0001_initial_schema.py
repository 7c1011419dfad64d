"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('custom_themes',
    sa.Column('id', sa.String(length=48), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_themes'))
    )
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('name', name=op.f('uq_users_name'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_keys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_user_id'), ['user_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('target', sa.String(length=128), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_log_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_table('memberships',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_memberships_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'team_id', name=op.f('pk_memberships'))
    )
    op.create_table('notes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('customer_ref', sa.String(length=128), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('verbatim', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('sentiment', sa.String(length=16), nullable=False),
    sa.Column('sentiment_score', sa.Float(), nullable=False),
    sa.Column('keyphrases', sa.JSON(), nullable=False),
    sa.Column('mood', sa.SmallInteger(), nullable=True),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('client_key', sa.Uuid(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('repeat', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_notes_agent_id_users')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_notes_created_by_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_notes_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes')),
    sa.UniqueConstraint('client_key', name=op.f('uq_notes_client_key'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index('ix_notes_customer_captured', ['customer_ref', 'captured_at'], unique=False)
        batch_op.create_index('ix_notes_received', ['received_at', 'id'], unique=False)
        batch_op.create_index('ix_notes_team_received', ['team_id', 'received_at', 'id'], unique=False)

    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_follow_ups_assignee_id_users')),
    sa.ForeignKeyConstraint(['note_id'], ['notes.id'], name=op.f('fk_follow_ups_note_id_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_follow_ups_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups')),
    sa.UniqueConstraint('note_id', name=op.f('uq_follow_ups_note_id'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_follow_ups_status_due', ['status', 'due'], unique=False)

    op.create_table('note_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['notes.id'], name=op.f('fk_note_corrections_note_id_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_note_corrections_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note_corrections'))
    )
    with op.batch_alter_table('note_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_corrections_note_id'), ['note_id'], unique=False)

    op.create_table('note_repeats',
    sa.Column('note_id', sa.Uuid(), nullable=False),
    sa.Column('earlier_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['earlier_id'], ['notes.id'], name=op.f('fk_note_repeats_earlier_id_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['note_id'], ['notes.id'], name=op.f('fk_note_repeats_note_id_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'earlier_id', name=op.f('pk_note_repeats'))
    )
    op.create_table('note_tags',
    sa.Column('note_id', sa.Uuid(), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['notes.id'], name=op.f('fk_note_tags_note_id_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'tag', name=op.f('pk_note_tags'))
    )
    with op.batch_alter_table('note_tags', schema=None) as batch_op:
        batch_op.create_index('ix_note_tags_tag', ['tag', 'note_id'], unique=False)

    op.create_table('note_themes',
    sa.Column('note_id', sa.Uuid(), nullable=False),
    sa.Column('theme_id', sa.String(length=48), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['notes.id'], name=op.f('fk_note_themes_note_id_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'theme_id', name=op.f('pk_note_themes'))
    )
    with op.batch_alter_table('note_themes', schema=None) as batch_op:
        batch_op.create_index('ix_note_themes_theme', ['theme_id', 'note_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('note_themes', schema=None) as batch_op:
        batch_op.drop_index('ix_note_themes_theme')

    op.drop_table('note_themes')
    with op.batch_alter_table('note_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_note_tags_tag')

    op.drop_table('note_tags')
    op.drop_table('note_repeats')
    with op.batch_alter_table('note_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_corrections_note_id'))

    op.drop_table('note_corrections')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_status_due')

    op.drop_table('follow_ups')
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index('ix_notes_team_received')
        batch_op.drop_index('ix_notes_received')
        batch_op.drop_index('ix_notes_customer_captured')
        batch_op.drop_index(batch_op.f('ix_notes_agent_id'))

    op.drop_table('notes')
    op.drop_table('memberships')
    op.drop_table('audit_log')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_user_id'))

    op.drop_table('api_keys')
    op.drop_table('users')
    op.drop_table('teams')
    op.drop_table('custom_themes')
