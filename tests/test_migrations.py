"""The migrations build exactly the schema the models describe, and upgrade step by step."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from bot.database import Database, alembic_config
from bot.models import Base


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_creates_the_schema_of_the_models(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'schema.sqlite3'}")
    try:
        await database.upgrade()
        await database.upgrade()  # a second start-up changes nothing
        async with database.engine.connect() as connection:
            differences = await connection.run_sync(_differences)
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await database.close()
    assert differences == []
    assert set(Base.metadata.tables) <= tables


def test_revisions_form_one_line_without_branches() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert len(scripts.get_heads()) == 1
    revisions = list(scripts.walk_revisions())
    assert revisions[-1].down_revision is None
