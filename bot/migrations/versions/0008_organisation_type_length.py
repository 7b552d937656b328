"""participants.organisation_type holds the typed "anders" answer: 200 characters

Registration accepts up to 150 characters for an organisation type typed after "anders", but
the column was VARCHAR(100). SQLite never enforces the length; PostgreSQL refused the insert.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On SQLite this copies the table (batch mode); bot.database turns foreign keys off around
    # migrations, so the copy does not cascade into the rows that refer to participants.
    with op.batch_alter_table("participants") as batch:
        batch.alter_column(
            "organisation_type",
            existing_type=sa.String(length=100),
            type_=sa.String(length=200),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.alter_column(
            "organisation_type",
            existing_type=sa.String(length=200),
            type_=sa.String(length=100),
            existing_nullable=True,
        )
