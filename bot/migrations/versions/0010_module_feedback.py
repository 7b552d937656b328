"""module feedback: a score of 1 to 5 and a comment per participant and module

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.database

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "module_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("asked_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", bot.database.TZDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_module_feedback_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module_feedback")),
        sa.UniqueConstraint(
            "participant_id", "session_key", name=op.f("uq_module_feedback_participant_id")
        ),
    )
    with op.batch_alter_table("module_feedback") as batch:
        batch.create_index(batch.f("ix_module_feedback_participant_id"), ["participant_id"])
        batch.create_index(batch.f("ix_module_feedback_session_key"), ["session_key"])


def downgrade() -> None:
    op.drop_table("module_feedback")
