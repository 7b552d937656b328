"""learning goals with notes, their prompts and sharing; buddy introductions and consent

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.database


def _participant(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["participant_id"], ["participants.id"],
        name=op.f(f"fk_{table}_participant_id_participants"), ondelete="CASCADE",
    )


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learning_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        _participant("learning_goals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_goals")),
    )
    op.create_index(op.f("ix_learning_goals_participant_id"), "learning_goals",
                    ["participant_id"])
    op.create_table(
        "goal_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("session_key", sa.String(length=40), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", bot.database.TZDateTime(), nullable=False),
        _participant("goal_notes"),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["learning_goals.id"],
            name=op.f("fk_goal_notes_goal_id_learning_goals"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_notes")),
    )
    op.create_index(op.f("ix_goal_notes_participant_id"), "goal_notes", ["participant_id"])
    op.create_index(op.f("ix_goal_notes_goal_id"), "goal_notes", ["goal_id"])
    op.create_table(
        "goal_prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("sent_at", bot.database.TZDateTime(), nullable=False),
        _participant("goal_prompts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_prompts")),
        sa.UniqueConstraint("participant_id", "session_key",
                            name=op.f("uq_goal_prompts_participant_id")),
    )
    op.create_index(op.f("ix_goal_prompts_participant_id"), "goal_prompts", ["participant_id"])
    op.create_table(
        "goal_sharing",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("shared_at", bot.database.TZDateTime(), nullable=False),
        _participant("goal_sharing"),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_goal_sharing")),
    )
    op.create_table(
        "buddy_introductions",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("introduced_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("contact_shared_at", bot.database.TZDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["participant_groups.id"],
            name=op.f("fk_buddy_introductions_group_id_participant_groups"), ondelete="CASCADE",
        ),
        _participant("buddy_introductions"),
        sa.PrimaryKeyConstraint("group_id", "participant_id",
                                name=op.f("pk_buddy_introductions")),
    )
    op.create_index(op.f("ix_buddy_introductions_participant_id"), "buddy_introductions",
                    ["participant_id"])


def downgrade() -> None:
    op.drop_table("buddy_introductions")
    op.drop_table("goal_sharing")
    op.drop_table("goal_prompts")
    op.drop_table("goal_notes")
    op.drop_table("learning_goals")
