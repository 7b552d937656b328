"""one pending_inputs table for every typed step, instead of four tables and a column

What a person's next typed message is for used to be kept in ``registration_drafts``,
``attendance_inputs``, ``absence_prompts``, ``coordinator_steps`` and
``inbox_questions.answering_by``. Their rows move to ``pending_inputs`` (one per person: where
one person had several, the most recent wins), then the old tables and the column go.
Expiry moves into the row (``expires_at``), computed with the default timeouts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

import bot.database

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TS = bot.database.TZDateTime()
# The defaults of bot/services/pending.py at the time of this migration.
_REGISTRATION = dt.timedelta(minutes=60)
_ATTENDANCE = dt.timedelta(minutes=15)
_ABSENCE = dt.timedelta(minutes=30)
_COORDINATOR = dt.timedelta(hours=3)
_INBOX = dt.timedelta(hours=24)

pending = sa.table(
    "pending_inputs",
    sa.column("telegram_id", sa.BigInteger()),
    sa.column("kind", sa.String()),
    sa.column("payload", sa.JSON()),
    sa.column("created_at", _TS),
    sa.column("updated_at", _TS),
    sa.column("expires_at", _TS),
)
drafts = sa.table(
    "registration_drafts",
    sa.column("telegram_id", sa.BigInteger()),
    sa.column("chat_id", sa.BigInteger()),
    sa.column("step", sa.String()),
    sa.column("answers", sa.JSON()),
    sa.column("started_at", _TS),
    sa.column("updated_at", _TS),
)
attendance_inputs = sa.table(
    "attendance_inputs",
    sa.column("telegram_id", sa.BigInteger()),
    sa.column("kind", sa.String()),
    sa.column("session_key", sa.String()),
    sa.column("participant_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("created_at", _TS),
)
absence_prompts = sa.table(
    "absence_prompts",
    sa.column("participant_id", sa.Integer()),
    sa.column("session_key", sa.String()),
    sa.column("asked_at", _TS),
)
participants = sa.table(
    "participants", sa.column("id", sa.Integer()), sa.column("telegram_id", sa.BigInteger())
)
steps = sa.table(
    "coordinator_steps",
    sa.column("coordinator_id", sa.BigInteger()),
    sa.column("step", sa.String()),
    sa.column("announcement_id", sa.Integer()),
    sa.column("group_id", sa.Integer()),
    sa.column("payload", sa.JSON()),
    sa.column("updated_at", _TS),
)
questions = sa.table(
    "inbox_questions", sa.column("id", sa.Integer()), sa.column("answering_by", sa.BigInteger())
)

Row = dict[str, Any]


def _row(telegram_id: int, kind: str, payload: Row, at: dt.datetime, ttl: dt.timedelta) -> Row:
    return {"telegram_id": telegram_id, "kind": kind, "payload": payload, "created_at": at,
            "updated_at": at, "expires_at": at + ttl}


def _old_rows(connection: sa.Connection, now: dt.datetime) -> list[Row]:
    rows: list[Row] = []
    for d in connection.execute(sa.select(drafts)).mappings():
        payload = {"chat_id": d["chat_id"], "step": d["step"], "answers": dict(d["answers"]),
                   "started_at": d["started_at"].isoformat()}
        rows.append(_row(d["telegram_id"], "registration", payload, d["updated_at"],
                         _REGISTRATION))
    for a in connection.execute(sa.select(attendance_inputs)).mappings():
        if a["kind"] == "code":
            kind, payload = "checkin_code", {"session_key": a["session_key"]}
        else:
            kind = "presence_reason"
            payload = {"session_key": a["session_key"], "participant_id": a["participant_id"],
                       "status": a["status"]}
        rows.append(_row(a["telegram_id"], kind, payload, a["created_at"], _ATTENDANCE))
    prompts = sa.select(absence_prompts, participants.c.telegram_id).join(
        participants, participants.c.id == absence_prompts.c.participant_id
    ).where(participants.c.telegram_id.is_not(None))
    for p in connection.execute(prompts).mappings():
        payload = {"participant_id": p["participant_id"], "session_key": p["session_key"]}
        rows.append(_row(p["telegram_id"], "absence_reason", payload, p["asked_at"], _ABSENCE))
    for s in connection.execute(sa.select(steps)).mappings():
        payload = dict(s["payload"] or {})
        payload.update(announcement_id=s["announcement_id"], group_id=s["group_id"])
        rows.append(_row(s["coordinator_id"], s["step"], payload, s["updated_at"], _COORDINATOR))
    answering = sa.select(questions).where(questions.c.answering_by.is_not(None))
    for q in connection.execute(answering).mappings():
        # No time was kept: these count as the oldest, so any other step of theirs wins.
        row = _row(q["answering_by"], "inbox_answer", {"question_id": q["id"]}, now, _INBOX)
        row["updated_at"] = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        rows.append(row)
    newest: dict[int, Row] = {}
    for row in rows:
        kept = newest.get(row["telegram_id"])
        if kept is None or row["updated_at"] > kept["updated_at"]:
            newest[row["telegram_id"]] = row
    return list(newest.values())


def upgrade() -> None:
    op.create_table(
        "pending_inputs",
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("expires_at", bot.database.TZDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_pending_inputs")),
    )
    op.create_index(op.f("ix_pending_inputs_expires_at"), "pending_inputs", ["expires_at"])
    connection = op.get_bind()
    rows = _old_rows(connection, dt.datetime.now(dt.UTC))
    if rows:
        connection.execute(sa.insert(pending), rows)
    op.drop_index(op.f("ix_registration_drafts_updated_at"), table_name="registration_drafts")
    for table in ("registration_drafts", "attendance_inputs", "absence_prompts",
                  "coordinator_steps"):
        op.drop_table(table)
    with op.batch_alter_table("inbox_questions") as batch:
        batch.drop_index(batch.f("ix_inbox_questions_answering_by"))
        batch.drop_column("answering_by")


def downgrade() -> None:
    with op.batch_alter_table("inbox_questions") as batch:
        batch.add_column(sa.Column("answering_by", sa.BigInteger(), nullable=True))
        batch.create_index(batch.f("ix_inbox_questions_answering_by"), ["answering_by"])
    _create_old_tables()
    connection = op.get_bind()
    for row in connection.execute(sa.select(pending)).mappings():
        _restore(connection, row)
    op.drop_index(op.f("ix_pending_inputs_expires_at"), table_name="pending_inputs")
    op.drop_table("pending_inputs")


def _restore(connection: sa.Connection, row: sa.RowMapping) -> None:
    kind, payload, who = row["kind"], dict(row["payload"]), row["telegram_id"]
    if kind == "registration":
        connection.execute(sa.insert(drafts).values(
            telegram_id=who, chat_id=payload["chat_id"], step=payload["step"],
            answers=payload["answers"], updated_at=row["updated_at"],
            started_at=dt.datetime.fromisoformat(payload["started_at"])))
    elif kind in ("checkin_code", "presence_reason"):
        connection.execute(sa.insert(attendance_inputs).values(
            telegram_id=who, kind="code" if kind == "checkin_code" else "reason",
            session_key=payload["session_key"], participant_id=payload.get("participant_id"),
            status=payload.get("status"), created_at=row["created_at"]))
    elif kind == "absence_reason":
        connection.execute(sa.insert(absence_prompts).values(
            participant_id=payload["participant_id"], session_key=payload["session_key"],
            asked_at=row["updated_at"]))
    elif kind == "inbox_answer":
        connection.execute(sa.update(questions).where(questions.c.id == payload["question_id"])
                           .values(answering_by=who))
    elif kind.startswith(("announcement_", "group_")):
        announcement_id = payload.pop("announcement_id", None)
        group_id = payload.pop("group_id", None)
        connection.execute(sa.insert(steps).values(
            coordinator_id=who, step=kind, announcement_id=announcement_id, group_id=group_id,
            payload=payload, updated_at=row["updated_at"]))
    # A /sessie step was never stored before this revision: it is dropped.


def _create_old_tables() -> None:
    op.create_table(
        "registration_drafts",
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("started_at", bot.database.TZDateTime(), nullable=False),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_registration_drafts")),
    )
    op.create_index(
        op.f("ix_registration_drafts_updated_at"), "registration_drafts", ["updated_at"]
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
    op.create_table(
        "absence_prompts",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("asked_at", bot.database.TZDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"],
            name=op.f("fk_absence_prompts_participant_id_participants"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_absence_prompts")),
    )
    op.create_table(
        "coordinator_steps",
        sa.Column("coordinator_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("updated_at", bot.database.TZDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"], ["announcements.id"],
            name=op.f("fk_coordinator_steps_announcement_id_announcements"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["participant_groups.id"],
            name=op.f("fk_coordinator_steps_group_id_participant_groups"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("coordinator_id", name=op.f("pk_coordinator_steps")),
    )
