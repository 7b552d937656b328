"""Migration 0015 turns a populated database at the revision before editions into the
2024-2025 edition with nothing lost, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from bot.database import Database
from tests.test_migrations import _upgrade_to, empty_database_url  # noqa: F401 (fixture)

NOW = dt.datetime(2024, 12, 10, 8, 0, tzinfo=dt.UTC)
PEOPLE = """
INSERT INTO participants (id, telegram_id, chat_id, status, source, name, created_at)
VALUES (1, 100001, 100001, 'approved', 'registration', 'Sanne', :now);
INSERT INTO participants (id, telegram_id, chat_id, status, source, name, created_at)
VALUES (2, 100002, 100002, 'pending', 'registration', 'Piet', :now);
INSERT INTO attendance (participant_id, session_key, status, method, updated_at)
VALUES (1, 'module-4', 'present', 'code', :now);
INSERT INTO absences (participant_id, session_key, reason, created_at, updated_at)
VALUES (1, 'module-5', 'Ziek', :now, :now);
INSERT INTO session_changes (key, kind, starts_at, ends_at, updated_at)
VALUES ('werksessie-t1', 'werksessie', :now, :now, :now);
INSERT INTO participant_groups (id, kind, name, created_at, updated_at)
VALUES (1, 'intervisie', 'Zilverreigers', :now, :now);
INSERT INTO group_members (group_id, participant_id, kind, added_at)
VALUES (1, 1, 'intervisie', :now);
INSERT INTO registration_window (id, open, updated_at, updated_by)
VALUES (1, false, :now, 900001)
"""
SCOPED = ("participants", "session_changes", "participant_groups")


async def test_existing_data_becomes_the_2024_2025_edition(empty_database_url: str) -> None:  # noqa: F811
    database = Database(empty_database_url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_upgrade_to("0014"))
        async with database.engine.begin() as connection:
            for statement in PEOPLE.split(";"):
                await connection.execute(text(statement), {"now": NOW})
        await database.upgrade()
        async with database.engine.begin() as connection:
            editions = (await connection.execute(text(
                "SELECT id, name, key_prefix, registration_open, programme_text FROM editions"
            ))).all()
            scoped = {table: set((await connection.execute(text(
                f"SELECT edition_id FROM {table}"))).scalars()) for table in SCOPED}
            kept = [await connection.scalar(text(f"SELECT count(*) FROM {table}"))
                    for table in ("participants", "attendance", "absences", "group_members")]
            # A person may now take part in a second edition: one row per edition.
            await connection.execute(text(
                "INSERT INTO editions (id, name, key_prefix, registration_open, created_at) "
                "VALUES (2, '2025-2026', 'e2-', true, :now)"), {"now": NOW})
            await connection.execute(text(
                "INSERT INTO participants (id, telegram_id, status, source, created_at, "
                "edition_id) VALUES (3, 100001, 'pending', 'registration', :now, 2)"),
                {"now": NOW})
            both = await connection.scalar(text(
                "SELECT count(*) FROM participants WHERE telegram_id = 100001"))
    finally:
        await database.close()
    assert [tuple(row) for row in editions] == [(1, "2024-2025", "", False, None)]
    assert scoped == {table: {1} for table in SCOPED}
    assert kept == [2, 1, 1, 1]
    assert both == 2
