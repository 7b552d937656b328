"""reminder deliveries and preferences

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.database

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _participant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["participant_id"],
        ["participants.id"],
        name=op.f(f"fk_{table}_participant_id_participants"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "reminder_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurrence", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("finished_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        _participant_fk("reminder_deliveries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_deliveries")),
        sa.UniqueConstraint(
            "participant_id",
            "session_key",
            "kind",
            "occurrence",
            name=op.f("uq_reminder_deliveries_participant_id"),
        ),
    )
    with op.batch_alter_table("reminder_deliveries") as batch:
        batch.create_index(batch.f("ix_reminder_deliveries_participant_id"), ["participant_id"])
        batch.create_index(batch.f("ix_reminder_deliveries_session_key"), ["session_key"])
        batch.create_index(batch.f("ix_reminder_deliveries_status"), ["status"])
    op.create_table(
        "reminder_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        _participant_fk("reminder_preferences"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_preferences")),
        sa.UniqueConstraint(
            "participant_id", "kind", name=op.f("uq_reminder_preferences_participant_id")
        ),
    )
    with op.batch_alter_table("reminder_preferences") as batch:
        batch.create_index(batch.f("ix_reminder_preferences_participant_id"), ["participant_id"])
    op.create_table(
        "absence_prompts",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("asked_at", bot.database.TZDateTime(), nullable=False),
        _participant_fk("absence_prompts"),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_absence_prompts")),
    )
    op.create_table(
        "session_snapshots",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("starts_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("ends_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("notice", sa.String(length=16), nullable=True),
        sa.Column("previous_start", bot.database.TZDateTime(), nullable=True),
        sa.Column("notified_at", bot.database.TZDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_session_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("session_snapshots")
    op.drop_table("absence_prompts")
    op.drop_table("reminder_preferences")
    op.drop_table("reminder_deliveries")
