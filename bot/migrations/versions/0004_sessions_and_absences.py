"""coordinator session changes, excused absences, participants' blocked mark

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.database

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("blocked_at", bot.database.TZDateTime(), nullable=True))
    op.create_table(
        "session_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("ends_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("cancelled_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_changes")),
        sa.UniqueConstraint("key", name=op.f("uq_session_changes_key")),
    )
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_absences_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absences")),
        sa.UniqueConstraint(
            "participant_id", "session_key", name=op.f("uq_absences_participant_id")
        ),
    )
    with op.batch_alter_table("absences") as batch:
        batch.create_index(batch.f("ix_absences_participant_id"), ["participant_id"])
        batch.create_index(batch.f("ix_absences_session_key"), ["session_key"])


def downgrade() -> None:
    op.drop_table("absences")
    op.drop_table("session_changes")
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("blocked_at")
