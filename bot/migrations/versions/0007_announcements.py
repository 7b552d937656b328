"""announcements and their deliveries

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.database

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "participant_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("created_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_groups")),
        sa.UniqueConstraint("kind", "name", name=op.f("uq_participant_groups_kind")),
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("added_at", bot.database.TZDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["participant_groups.id"],
            name=op.f("fk_group_members_group_id_participant_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_group_members_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "participant_id", name=op.f("pk_group_members")),
        sa.UniqueConstraint(
            "participant_id", "kind", name=op.f("uq_group_members_participant_id")
        ),
    )
    with op.batch_alter_table("group_members") as batch:
        batch.create_index(batch.f("ix_group_members_participant_id"), ["participant_id"])
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("media_kind", sa.String(length=16), nullable=True),
        sa.Column("media_file_id", sa.String(length=255), nullable=True),
        sa.Column("audience", sa.String(length=16), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("audience_label", sa.String(length=300), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("scheduled_for", bot.database.TZDateTime(), nullable=True),
        sa.Column("started_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("finished_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("cancelled_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("edited_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("withdrawn_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("pending_html", sa.Text(), nullable=True),
        sa.Column("action_token", sa.String(length=32), nullable=True),
        sa.Column("report_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("report_message_id", sa.BigInteger(), nullable=True),
        sa.Column("followup_chat_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["participant_groups.id"],
            name=op.f("fk_announcements_group_id_participant_groups"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    with op.batch_alter_table("announcements") as batch:
        batch.create_index(batch.f("ix_announcements_state"), ["state"])
    op.create_table(
        "announcement_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("attempted_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("finished_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("followup_error", sa.String(length=300), nullable=True),
        sa.Column("removed_at", bot.database.TZDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_deliveries_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_announcement_deliveries_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_deliveries")),
        sa.UniqueConstraint(
            "announcement_id",
            "participant_id",
            name=op.f("uq_announcement_deliveries_announcement_id"),
        ),
    )
    with op.batch_alter_table("announcement_deliveries") as batch:
        batch.create_index(
            batch.f("ix_announcement_deliveries_announcement_id"), ["announcement_id"]
        )
        batch.create_index(
            batch.f("ix_announcement_deliveries_participant_id"), ["participant_id"]
        )
        batch.create_index(batch.f("ix_announcement_deliveries_status"), ["status"])
    op.create_table(
        "coordinator_steps",
        sa.Column("coordinator_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_coordinator_steps_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["participant_groups.id"],
            name=op.f("fk_coordinator_steps_group_id_participant_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("coordinator_id", name=op.f("pk_coordinator_steps")),
    )


def downgrade() -> None:
    op.drop_table("coordinator_steps")
    op.drop_table("announcement_deliveries")
    op.drop_table("announcements")
    op.drop_table("group_members")
    op.drop_table("participant_groups")
