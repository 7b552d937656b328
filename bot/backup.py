"""``wijkbot backup``: a consistent copy of the database, safe while the bot is running.

SQLite: the online backup API copies the database as one snapshot (in WAL mode the bot goes
on writing meanwhile), into a temporary file next to the destination that is checked with
``PRAGMA integrity_check`` and only then renamed, so a half-written backup never carries the
final name. The copy is one self-contained file (journal mode DELETE).

PostgreSQL: ``pg_dump --format=custom`` (restore with ``pg_restore``), with the host, port,
user and database of the URL; the password goes to pg_dump in the environment, not on its
command line.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

BUSY_TIMEOUT_SECONDS = 15.0


class BackupError(Exception):
    """The backup could not be made: catalogue key ``backup.<key>`` says why, in Dutch."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params


def default_name(url: str, now: dt.datetime) -> str:
    extension = "sqlite3" if is_sqlite(url) else "pgdump"
    return f"wijkbot-backup-{now:%Y%m%d-%H%M%S}.{extension}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def destination(url: str, given: Path | None, now: dt.datetime) -> Path:
    """Where the backup goes: ``given``, inside ``given`` if it is a folder, or the default
    name in the current directory. An existing file is never overwritten."""
    if given is None:
        target = Path(default_name(url, now))
    elif given.is_dir():
        target = given / default_name(url, now)
    else:
        target = given
    if target.exists():
        raise BackupError("exists", path=str(target))
    if not target.parent.is_dir():
        raise BackupError("no_folder", folder=str(target.parent))
    return target


def backup(url: str, target: Path) -> None:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        backup_sqlite(parsed, target)
    elif backend == "postgresql":
        backup_postgres(parsed, target)
    else:
        raise BackupError("unsupported", backend=backend)


def backup_sqlite(url: URL, target: Path) -> None:
    name = url.database or ""
    if name in ("", ":memory:") or name.startswith("file::memory:"):
        raise BackupError("in_memory")
    source_path = Path(name)
    if not source_path.is_file():
        raise BackupError("no_file", path=str(source_path))
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        # mode=rw: never create an empty database where the real one was expected.
        source = sqlite3.connect(
            f"{source_path.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_SECONDS
        )
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # all pages in one step: one consistent snapshot
                copy.execute("PRAGMA journal_mode=DELETE")
                result = copy.execute("PRAGMA integrity_check").fetchall()
            finally:
                copy.close()
        finally:
            source.close()
        if result != [("ok",)]:
            raise BackupError("integrity", result=str(result[:3]))
        partial.replace(target)
    except sqlite3.Error as error:
        raise BackupError("sqlite_failed", error=str(error)) from error
    finally:
        partial.unlink(missing_ok=True)


def pg_dump_command(url: URL, target: Path) -> tuple[list[str], dict[str, str]]:
    """The pg_dump command line and extra environment for ``url`` (password in the env)."""
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError("no_pg_dump")
    command = [program, "--format=custom", f"--file={target}"]
    env: dict[str, str] = {}
    query = dict(url.query)
    host = url.host or _first(query.get("host"))
    if host:
        command.append(f"--host={host}")
    if url.port:
        command.append(f"--port={url.port}")
    if url.username:
        command.append(f"--username={url.username}")
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    ssl = _first(query.get("sslmode") or query.get("ssl"))
    if ssl:
        env["PGSSLMODE"] = "require" if ssl == "true" else ssl
    if not url.database:
        raise BackupError("no_database")
    command.append(f"--dbname={url.database}")
    return command, env


def _first(value: str | tuple[str, ...] | None) -> str | None:
    if isinstance(value, tuple):
        return value[0] if value else None
    return value


def backup_postgres(url: URL, target: Path) -> None:
    partial = target.with_name(f".{target.name}.partial")
    command, extra = pg_dump_command(url, partial)
    try:
        result = subprocess.run(
            command,
            env={**os.environ, **extra, "PGCONNECT_TIMEOUT": "15"},
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise BackupError("pg_dump_failed", error=" ".join(detail[-3:]))
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
