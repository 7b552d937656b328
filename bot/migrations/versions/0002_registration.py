"""registration: participants, registration drafts and invites

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.database

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("organisation_type", sa.String(length=100), nullable=True),
        sa.Column("organisation_name", sa.String(length=200), nullable=True),
        sa.Column("active_in_groningen", sa.Boolean(), nullable=True),
        sa.Column("experience_years", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("fits", sa.Boolean(), nullable=True),
        sa.Column("consent_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("created_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("applied_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("decided_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("forgotten_at", bot.database.TZDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("telegram_id", name=op.f("uq_participants_telegram_id")),
    )
    op.create_index(op.f("ix_participants_status"), "participants", ["status"])
    op.create_table(
        "registration_drafts",
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("started_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_registration_drafts")),
    )
    op.create_index(
        op.f("ix_registration_drafts_updated_at"), "registration_drafts", ["updated_at"]
    )
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("expires_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("created_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_invites_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invites_token_hash")),
    )
    op.create_index(op.f("ix_invites_participant_id"), "invites", ["participant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_invites_participant_id"), table_name="invites")
    op.drop_table("invites")
    op.drop_index(op.f("ix_registration_drafts_updated_at"), table_name="registration_drafts")
    op.drop_table("registration_drafts")
    op.drop_index(op.f("ix_participants_status"), table_name="participants")
    op.drop_table("participants")
