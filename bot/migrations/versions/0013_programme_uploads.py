"""programme uploads: programme files a coordinator sent, applied on confirm

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.database

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("applied_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("withdrawn_at", bot.database.TZDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_uploads")),
    )


def downgrade() -> None:
    op.drop_table("programme_uploads")
