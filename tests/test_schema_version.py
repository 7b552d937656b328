"""The start-up shortcut past Alembic agrees with Alembic about the newest migration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from bot.database import Database, alembic_config
from bot.schema_version import newest_revision

ROOT = Path(__file__).resolve().parents[1]


def test_the_newest_revision_read_from_the_files_is_alembics_head() -> None:
    assert newest_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_a_database_behind_is_still_upgraded(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")

    def first_revision_only(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")

    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(first_revision_only)
        await database.upgrade()  # not at the newest revision: no shortcut, Alembic upgrades
        async with database.engine.connect() as connection:
            stored = await connection.execute(text("SELECT version_num FROM alembic_version"))
            assert stored.scalar_one() == newest_revision()
    finally:
        await database.close()


def test_starting_on_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    script = (
        "import asyncio, sys\n"
        "from bot.database import Database\n"
        f"database = Database('sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}')\n"
        "asyncio.run(database.upgrade())\n"
        "first = 'alembic' in sys.modules\n"
        "asyncio.run(database.upgrade())\n"
        "print(first)\n"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert fresh.stdout.strip() == "True"  # a new database needs Alembic
    again = subprocess.run(
        [sys.executable, "-c", script.replace("print(first)", "print('alembic' in sys.modules)")],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert again.stdout.strip() == "False"
