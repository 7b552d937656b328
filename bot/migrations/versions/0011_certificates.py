"""certificates: the eindopdracht mark, issued certificates and the review list sent once

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.database

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "final_assignments",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("done_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("marked_by", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_final_assignments_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_final_assignments")),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("issued_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("issued_by", sa.BigInteger(), nullable=False),
        sa.Column("delivered_at", bot.database.TZDateTime(), nullable=True),
        sa.Column("revoked_at", bot.database.TZDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_certificates_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_code")),
        sa.UniqueConstraint("participant_id", name=op.f("uq_certificates_participant_id")),
    )
    op.create_table(
        "certificate_reviews",
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("sent_at", bot.database.TZDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_key", name=op.f("pk_certificate_reviews")),
    )


def downgrade() -> None:
    op.drop_table("certificate_reviews")
    op.drop_table("certificates")
    op.drop_table("final_assignments")
