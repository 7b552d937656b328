"""question inbox: unanswered questions and learned answers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.database

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learned_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learned_answers")),
    )
    op.create_table(
        "inbox_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asker_telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("asker_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("asked_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("answering_by", sa.BigInteger(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("answered_by", sa.BigInteger(), nullable=True),
        sa.Column("learned_answer_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["learned_answer_id"],
            ["learned_answers.id"],
            name=op.f("fk_inbox_questions_learned_answer_id_learned_answers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_questions")),
    )
    with op.batch_alter_table("inbox_questions") as batch:
        batch.create_index(
            batch.f("ix_inbox_questions_asker_telegram_id"), ["asker_telegram_id"]
        )
        batch.create_index(batch.f("ix_inbox_questions_status"), ["status"])
        batch.create_index(batch.f("ix_inbox_questions_answering_by"), ["answering_by"])


def downgrade() -> None:
    op.drop_table("inbox_questions")
    op.drop_table("learned_answers")
