"""contacts: Telegram users who wrote to the bot

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.database

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("first_seen_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("last_seen_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("blocked_at", bot.database.TZDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("telegram_id", name=op.f("uq_contacts_telegram_id")),
    )


def downgrade() -> None:
    op.drop_table("contacts")
