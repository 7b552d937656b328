"""A throw-away PostgreSQL server for the tests: Debian's postgresql package on 127.0.0.1.

``PostgresServer.start()`` runs initdb (trust authentication) in a temporary directory, starts
the server on a free loopback port with its unix socket in that directory, and waits until it
accepts connections; ``stop()`` shuts it down and removes the directory. PostgreSQL refuses to
run as root, so as root every server command runs as the ``postgres`` user (``runuser``).
If the binaries are missing and we are root on a machine with apt-get, they are installed.

Each test gets its own database, cloned from a template that already has the migrated schema:
``CREATE DATABASE ... TEMPLATE`` takes milliseconds, running the migrations takes much longer.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from bot.database import Database

HOST = "127.0.0.1"
SUPERUSER = "postgres"
TEMPLATE = "wijkbot_template"
START_TIMEOUT = 60  # seconds
# Durability is worthless for a database that is deleted after the run; speed is not.
SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=300 -c shared_buffers=64MB -c log_min_messages=warning"
)

T = TypeVar("T")


def _binaries() -> Path | None:
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/N/bin)."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def find_or_install_binaries() -> Path:
    found = _binaries()
    if found is not None:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "postgresql"],
            check=True, env=env, capture_output=True,
        )
        found = _binaries()
    if found is None:
        raise RuntimeError(
            "PostgreSQL is not installed (apt-get install postgresql); "
            "or run only the SQLite tests with: python -m pytest --database=sqlite"
        )
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _run_in_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a loop of its own: callable from sync code and from inside a loop."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class PostgresServer:
    """One server for the whole test session, with a fresh database per test."""

    def __init__(self, binaries: Path, root: Path, port: int) -> None:
        self.binaries = binaries
        self.root = root
        self.port = port
        self.data = root / "data"
        self.sockets = root / "sockets"
        self._names = itertools.count(1)
        self._running = False

    @classmethod
    def start(cls) -> PostgresServer:
        binaries = find_or_install_binaries()
        # As root the server runs as "postgres", which must reach the directory: /tmp always.
        parent = "/tmp" if os.geteuid() == 0 else None
        root = Path(tempfile.mkdtemp(prefix="wijkbot-postgres-", dir=parent))
        server = cls(binaries, root, 0)
        try:
            server._init_and_start()
            server._create_template()
        except BaseException:
            server.stop()
            raise
        atexit.register(server.stop)  # also when the session ends without the fixture's teardown
        return server

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{SUPERUSER}@{HOST}:{self.port}/{database}"

    @contextmanager
    def fresh_database(self, *, migrated: bool = True) -> Iterator[str]:
        """A new database for one test: with the schema, or empty (``migrated=False``)."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        template = TEMPLATE if migrated else "template0"
        # FILE_COPY: a copy of the template's files, several times faster than WAL_LOG here.
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        try:
            yield self.url(name)
        finally:
            if self._running:
                self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def execute(self, *statements: str, database: str = "postgres") -> None:
        async def run() -> None:
            connection = await asyncpg.connect(
                host=HOST, port=self.port, user=SUPERUSER, database=database
            )
            try:
                for statement in statements:
                    await connection.execute(statement)
            finally:
                await connection.close()

        _run_in_thread(run())

    def stop(self) -> None:
        if self._running:
            self._running = False
            self._command("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        shutil.rmtree(self.root, ignore_errors=True)

    def _init_and_start(self) -> None:
        self.sockets.mkdir()
        if os.geteuid() == 0:
            owner = pwd.getpwnam(SUPERUSER)
            for path in (self.root, self.sockets):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._command(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust",
            "-E", "UTF8", "--no-locale", "--no-sync",
        )
        for attempt in range(3):  # another process may take the free port before we do
            self.port = _free_port()
            try:
                self._command(
                    "pg_ctl", "start", "-D", str(self.data), "-l", str(self.root / "server.log"),
                    "-w", "-t", str(START_TIMEOUT),
                    "-o", f"-h {HOST} -p {self.port} -k {self.sockets} {SERVER_OPTIONS}",
                )
            except RuntimeError:
                if attempt == 2:
                    raise
            else:
                self._running = True
                return

    def _create_template(self) -> None:
        self.execute(f'CREATE DATABASE "{TEMPLATE}" TEMPLATE template0')

        async def migrate() -> None:
            database = Database(self.url(TEMPLATE))
            try:
                await database.upgrade()
            finally:
                await database.close()

        _run_in_thread(migrate())
        self.execute(f"ALTER DATABASE \"{TEMPLATE}\" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")

    def _command(self, program: str, *args: str) -> None:
        command = [str(self.binaries / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        result = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{program} failed ({result.returncode}): {result.stdout}{result.stderr}{detail}"
            )

    def stored_bytes(self, url: str) -> bytes:
        """Every byte of a database's files on disk, after a checkpoint wrote them out."""
        name = url.rsplit("/", 1)[1]

        async def files() -> list[Path]:
            connection = await asyncpg.connect(host=HOST, port=self.port, user=SUPERUSER)
            try:
                await connection.execute("CHECKPOINT")
                oid = await connection.fetchval(
                    "SELECT oid FROM pg_database WHERE datname = $1", name
                )
            finally:
                await connection.close()
            return sorted((self.data / "base" / str(oid)).iterdir())

        return b"".join(path.read_bytes() for path in _run_in_thread(files()) if path.is_file())


async def dump_rows(database: Database) -> str:
    """Every row of every table as text, on either backend (like sqlite3's iterdump)."""
    lines: list[str] = []
    async with database.engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        for name in sorted(names):
            result = await connection.execute(text(f'SELECT * FROM "{name}"'))
            lines.extend(f"{name}: {tuple(row)}" for row in result)
    return "\n".join(lines)


def stored_bytes(url: str, request: pytest.FixtureRequest) -> bytes:
    """The database's files as stored on disk: the SQLite file, or the PostgreSQL files."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(str(parsed.database))
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.stored_bytes(url)
