"""editions: every edition of the course in one database; existing data is the 2024-2025 one

Everything that belongs to one edition gets an ``edition_id``: participants (a person has one
row per edition they take part in), the coordinator's session changes, the snapshots of what
participants heard, announcements, groups, invites and programme uploads. Rows that hang off a
participant (attendance, afmeldingen, reminders, feedback, certificates, goals) follow their
participant; check-in windows follow their session key, which is unique across editions (the
screens showing a check-in code are scoped, so each edition refreshes its own).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

import bot.database

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SCOPED = ("participants", "invites", "session_changes", "participant_groups", "announcements",
          "session_snapshots", "programme_uploads", "checkin_displays")


def upgrade() -> None:
    editions = op.create_table(
        "editions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("key_prefix", sa.String(length=8), nullable=False),
        sa.Column("programme_text", sa.Text(), nullable=True),
        sa.Column("registration_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("archived_at", bot.database.TZDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editions")),
        sa.UniqueConstraint("key_prefix", name=op.f("uq_editions_key_prefix")),
        sa.UniqueConstraint("name", name=op.f("uq_editions_name")),
    )
    op.create_table(
        "coordinator_editions",
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("chosen_at", bot.database.TZDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"],
            name=op.f("fk_coordinator_editions_edition_id_editions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_coordinator_editions")),
    )
    bind = op.get_bind()
    window = bind.execute(sa.text("SELECT open FROM registration_window WHERE id = 1")).first()
    op.bulk_insert(editions, [{
        "id": 1, "name": "2024-2025", "key_prefix": "", "programme_text": None,
        "registration_open": bool(window[0]) if window is not None else True,
        "created_at": dt.datetime.now(dt.UTC), "archived_at": None,
    }])
    if bind.dialect.name == "postgresql":  # the row above was given its id: move on from it
        op.execute("SELECT setval(pg_get_serial_sequence('editions', 'id'), 1)")
    op.drop_table("registration_window")
    for table in SCOPED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("edition_id", sa.Integer(), nullable=False,
                                       server_default="1"))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("edition_id", server_default=None)
            batch.create_foreign_key(batch.f(f"fk_{table}_edition_id_editions"), "editions",
                                     ["edition_id"], ["id"])
            batch.create_index(batch.f(f"ix_{table}_edition_id"), ["edition_id"])
    with op.batch_alter_table("participants") as batch:
        batch.drop_constraint("uq_participants_telegram_id", type_="unique")
        batch.create_unique_constraint(batch.f("uq_participants_edition_id"),
                                       ["edition_id", "telegram_id"])
        batch.create_index(batch.f("ix_participants_telegram_id"), ["telegram_id"])
    with op.batch_alter_table("participant_groups") as batch:
        batch.drop_constraint("uq_participant_groups_kind", type_="unique")
        batch.create_unique_constraint(batch.f("uq_participant_groups_edition_id"),
                                       ["edition_id", "kind", "name"])


def downgrade() -> None:
    with op.batch_alter_table("participant_groups") as batch:
        batch.drop_constraint("uq_participant_groups_edition_id", type_="unique")
        batch.create_unique_constraint("uq_participant_groups_kind", ["kind", "name"])
    with op.batch_alter_table("participants") as batch:
        batch.drop_index("ix_participants_telegram_id")
        batch.drop_constraint("uq_participants_edition_id", type_="unique")
        batch.create_unique_constraint("uq_participants_telegram_id", ["telegram_id"])
    for table in SCOPED:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_edition_id")
            batch.drop_constraint(f"fk_{table}_edition_id_editions", type_="foreignkey")
            batch.drop_column("edition_id")
    op.create_table(
        "registration_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_window")),
    )
    op.drop_table("coordinator_editions")
    op.drop_table("editions")
