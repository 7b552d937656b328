"""check-ins and attendance

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.database

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("checked_in_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_attendance_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint(
            "participant_id", "session_key", name=op.f("uq_attendance_participant_id")
        ),
    )
    with op.batch_alter_table("attendance") as batch:
        batch.create_index(batch.f("ix_attendance_participant_id"), ["participant_id"])
        batch.create_index(batch.f("ix_attendance_session_key"), ["session_key"])
    op.create_table(
        "attendance_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("old_status", sa.String(length=16), nullable=True),
        sa.Column("new_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", bot.database.TZDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_attendance_audit_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_audit")),
    )
    with op.batch_alter_table("attendance_audit") as batch:
        batch.create_index(batch.f("ix_attendance_audit_participant_id"), ["participant_id"])
    op.create_table(
        "checkin_windows",
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("opened_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("opened_by", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("closed_by", sa.BigInteger(), nullable=True),
        sa.Column("prompted_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("digest_at", bot.database.TZDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("session_key", name=op.f("pk_checkin_windows")),
    )
    op.create_table(
        "checkin_displays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.BigInteger(), nullable=False),
        sa.Column("shown_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_displays")),
        sa.UniqueConstraint(
            "session_key", "chat_id", name=op.f("uq_checkin_displays_session_key")
        ),
    )
    op.create_table(
        "checkin_secrets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", bot.database.TZDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_secrets")),
    )
    op.create_table(
        "attendance_inputs",
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("created_at", bot.database.TZDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_attendance_inputs")),
    )


def downgrade() -> None:
    op.drop_table("attendance_inputs")
    op.drop_table("checkin_secrets")
    op.drop_table("checkin_displays")
    op.drop_table("checkin_windows")
    op.drop_table("attendance_audit")
    op.drop_table("attendance")
