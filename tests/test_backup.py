"""`wijkbot backup` and `wijkbot db upgrade`, as an operator runs them next to a running bot."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from bot.cli import app
from bot.database import alembic_config
from tests.conftest import make_settings, run_bot
from tests.faketelegram import FakeTelegram

DEFAULT_NAME = "wijkbot-backup-20241210-090000.sqlite3"  # the frozen time: 10 Dec 2024 09:00


def cli(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> Any:
    monkeypatch.setenv("WIJKBOT_DATABASE__URL", url)
    return CliRunner().invoke(app, list(args))


def rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


async def test_a_backup_taken_while_the_bot_runs_and_writes_is_complete_and_consistent(
    fake: FakeTelegram,
    tmp_path: Path,
    frozen_time: time_machine.Coordinates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = tmp_path / "wijkbot.sqlite3"
    url = f"sqlite+aiosqlite:///{database}"
    async with run_bot(fake, make_settings(fake, database)):
        for user_id in (4001, 4002, 4003):
            await fake.user(user_id, first_name="Sanne").ask("/start")
        # The welcome goes out first; the contact is written right after it.
        await fake.wait_until(
            lambda: len(rows(database, "SELECT telegram_id FROM contacts")) == 3,
            timeout=10, what="three contacts",
        )
        # The bot's writes are still in the write-ahead log, not in the main file yet.
        wal = database.with_name(database.name + "-wal")
        assert wal.is_file()
        assert wal.stat().st_size > 0
        # Someone else is in the middle of a write transaction.
        writer = sqlite3.connect(database, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO contacts (telegram_id, chat_id, first_seen_at, last_seen_at) "
            "VALUES (9999, 9999, '2024-12-10 08:00:00', '2024-12-10 08:00:00')"
        )
        try:
            result = cli(monkeypatch, url, "backup")
        finally:
            writer.execute("COMMIT")
            writer.close()
        assert result.exit_code == 0, result.output
        # The bot keeps working after the backup.
        assert (await fake.user(4004, first_name="Piet").ask("/start")).text is not None

    assert DEFAULT_NAME in result.output
    check_copy(tmp_path / DEFAULT_NAME, database)


def check_copy(copy: Path, database: Path) -> None:
    assert rows(copy, "PRAGMA integrity_check") == [("ok",)]
    contacts = [telegram_id for (telegram_id,) in rows(copy, "SELECT telegram_id FROM contacts")]
    assert sorted(contacts) == [4001, 4002, 4003]  # committed data, not the open transaction
    assert rows(copy, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert not copy.with_name(copy.name + "-wal").exists()
    assert not list(copy.parent.glob(".*.partial"))
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert rows(copy, "SELECT version_num FROM alembic_version") == [(head,)]
    assert 9999 in [row[0] for row in rows(database, "SELECT telegram_id FROM contacts")]


def test_a_backup_goes_into_a_folder_and_never_overwrites(
    tmp_path: Path, frozen_time: time_machine.Coordinates, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "wijkbot.sqlite3"
    url = f"sqlite+aiosqlite:///{database}"
    assert cli(monkeypatch, url, "db", "upgrade").exit_code == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    first = cli(monkeypatch, url, "backup", str(folder))
    assert first.exit_code == 0, first.output
    made = folder / DEFAULT_NAME
    before = made.read_bytes()
    again = cli(monkeypatch, url, "backup", str(folder))
    assert again.exit_code == 1
    assert "bestaat al" in again.output
    assert made.read_bytes() == before
    named = cli(monkeypatch, url, "backup", str(tmp_path / "voor-de-upgrade.sqlite3"))
    assert named.exit_code == 0, named.output
    assert rows(tmp_path / "voor-de-upgrade.sqlite3", "PRAGMA integrity_check") == [("ok",)]


def test_a_backup_of_a_missing_database_fails_without_creating_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "elders" / "wijkbot.sqlite3"
    missing.parent.mkdir()
    result = cli(monkeypatch, f"sqlite+aiosqlite:///{missing}", "backup")
    assert result.exit_code == 1
    assert "bestaat niet" in result.output
    assert not missing.exists()
    assert not list(tmp_path.glob("wijkbot-backup-*"))
    no_folder = cli(monkeypatch, "sqlite+aiosqlite:///x.sqlite3", "backup", "geen/map/b.sqlite3")
    assert no_folder.exit_code == 1
    assert "bestaat niet" in no_folder.output


def test_db_upgrade_creates_the_schema_and_can_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "nieuw.sqlite3"
    url = f"sqlite+aiosqlite:///{database}"
    for _ in range(2):
        result = cli(monkeypatch, url, "db", "upgrade")
        assert result.exit_code == 0, result.output
        assert "bijgewerkt" in result.output
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert rows(database, "SELECT version_num FROM alembic_version") == [(head,)]
    assert rows(database, "SELECT count(*) FROM participants") == [(0,)]


@pytest.fixture
def postgres(request: pytest.FixtureRequest) -> Iterator[tuple[Any, str]]:
    """A fresh PostgreSQL database (with the schema) when a server can be had; else skip."""
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed")
    if request.config.getoption("database", default="both") == "sqlite":
        pytest.skip("PostgreSQL tests switched off (--database=sqlite)")
    try:
        server = request.getfixturevalue("postgres_server")
    except pytest.FixtureLookupError:
        pytest.skip("no PostgreSQL server fixture")
    with server.fresh_database() as url:
        yield server, url


async def test_a_postgresql_backup_is_a_pg_dump_that_restores(
    fake: FakeTelegram,
    tmp_path: Path,
    frozen_time: time_machine.Coordinates,
    monkeypatch: pytest.MonkeyPatch,
    postgres: tuple[Any, str],
) -> None:
    server, url = postgres
    async with run_bot(fake, make_settings(fake, url)):
        sanne = fake.user(4001, first_name="Sanne")
        await sanne.ask("/start")
        await sanne.ask("/help")  # handled once /start (which records the contact) has finished
        result = cli(monkeypatch, url, "backup")
    assert result.exit_code == 0, result.output
    check_restore(server, tmp_path / "wijkbot-backup-20241210-090000.pgdump")


def check_restore(server: Any, dump: Path) -> None:
    listing = subprocess.run(
        ["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE DATA public contacts" in listing
    restored = "restored_backup"
    connection = ["--host=127.0.0.1", f"--port={server.port}", "--username=postgres"]
    server.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
    server.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", *connection, f"--dbname={restored}", str(dump)],
            capture_output=True, text=True, check=True,
        )
        query = "SELECT telegram_id FROM contacts"
        found = subprocess.run(
            ["psql", *connection, f"--dbname={restored}", "-tAc", query],
            capture_output=True, text=True, check=True,
        ).stdout
        assert found.split() == ["4001"]
    finally:
        server.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')


def test_pg_dump_gets_the_password_in_its_environment_not_on_its_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy.engine import make_url

    from bot import backup

    monkeypatch.setattr(backup.shutil, "which", lambda name: f"/usr/bin/{name}")
    url = make_url("postgresql+asyncpg://wijkbot:ge%40heim@db.internal:5433/leergang?ssl=require")
    command, env = backup.pg_dump_command(url, Path("/tmp/x.pgdump"))
    assert command == [
        "/usr/bin/pg_dump", "--format=custom", "--file=/tmp/x.pgdump", "--host=db.internal",
        "--port=5433", "--username=wijkbot", "--dbname=leergang",
    ]
    assert env == {"PGPASSWORD": "ge@heim", "PGSSLMODE": "require"}
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError) as missing:
        backup.pg_dump_command(url, Path("/tmp/x.pgdump"))
    assert missing.value.key == "no_pg_dump"
