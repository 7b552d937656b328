"""The migrations build exactly the schema the models describe, and upgrade step by step,
on an empty SQLite database and an empty PostgreSQL database alike."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from bot.database import Database, alembic_config
from bot.models import Base
from tests.postgres import PostgresServer


@pytest.fixture
def empty_database_url(
    database_backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A database without any tables (``database_url`` already has the schema on PostgreSQL)."""
    if database_backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.fresh_database(migrated=False) as url:
        yield url


# Revision -> the tables it replaces (their rows move to a new table).
RETIRED = {
    "0009": {"registration_drafts", "attendance_inputs", "absence_prompts", "coordinator_steps"},
    "0015": {"registration_window"},  # now editions.registration_open
}


def _revisions() -> list[str]:
    """Every revision, oldest first."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _upgrade_to(revision: str) -> Callable[[Connection], None]:
    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    return upgrade


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_creates_the_schema_of_the_models(empty_database_url: str) -> None:
    database = Database(empty_database_url)
    try:
        await database.upgrade()
        await database.upgrade()  # a second start-up changes nothing
        async with database.engine.connect() as connection:
            differences = await connection.run_sync(_differences)
            tables = await connection.run_sync(_tables)
    finally:
        await database.close()
    assert differences == []
    assert set(Base.metadata.tables) <= tables


async def test_upgrade_from_the_first_revision_to_the_last_one_step_at_a_time(
    empty_database_url: str,
) -> None:
    database = Database(empty_database_url)
    seen: list[str | None] = []
    tables: list[set[str]] = []
    try:
        for revision in _revisions():
            # Each step in a transaction of its own, as separate releases would run them.
            async with database.engine.begin() as connection:
                await connection.run_sync(_upgrade_to(revision))
            async with database.engine.connect() as connection:
                seen.append(await connection.run_sync(_current))
                tables.append(await connection.run_sync(_tables))
        async with database.engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await database.close()
    assert seen == _revisions()
    # Tables only come, except those a revision retires on purpose.
    steps = zip(_revisions()[1:], itertools.pairwise(tables), strict=True)
    assert all(before - RETIRED.get(rev, set()) <= after for rev, (before, after) in steps)
    assert not any(RETIRED.get(rev, set()) & after for rev, (_, after) in
                   zip(_revisions()[1:], itertools.pairwise(tables), strict=True))
    assert differences == []


def test_revisions_form_one_line_without_branches() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert len(scripts.get_heads()) == 1
    revisions = list(scripts.walk_revisions())
    assert revisions[-1].down_revision is None


PEOPLE = """
INSERT INTO participants (id, telegram_id, chat_id, status, source, name, created_at)
VALUES (1, 5123456789, 5123456789, 'approved', 'test', 'Sanne', :now);
INSERT INTO invites (id, token_hash, max_uses, uses, expires_at, created_at, participant_id)
VALUES (1, 'hash', 1, 0, :now, :now, 1);
INSERT INTO absences (id, participant_id, session_key, reason, created_at, updated_at)
VALUES (1, 1, 'module-4', 'Ziek', :now, :now);
INSERT INTO attendance (id, participant_id, session_key, status, method, updated_at)
VALUES (1, 1, 'module-3', 'present', 'code', :now)
"""


async def test_rows_survive_the_upgrade_to_the_last_revision(empty_database_url: str) -> None:
    """Data written under an older schema is still there, references intact, afterwards."""
    database = Database(empty_database_url)
    revisions = _revisions()
    now = dt.datetime(2024, 12, 10, 8, 0, tzinfo=dt.UTC)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_upgrade_to("0007"))
        async with database.engine.begin() as connection:
            for statement in PEOPLE.split(";"):
                await connection.execute(text(statement), {"now": now})
        await database.upgrade()
        async with database.engine.begin() as connection:
            counts = [
                await connection.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("participants", "invites", "absences", "attendance")
            ]
            # The widened column takes the longest typed organisation type (150 characters).
            await connection.execute(
                text("UPDATE participants SET organisation_type = :long"), {"long": "o" * 150}
            )
            current = await connection.run_sync(_current)
    finally:
        await database.close()
    assert revisions.index("0007") < len(revisions) - 1
    assert counts == [1, 1, 1, 1]
    assert current == revisions[-1]
