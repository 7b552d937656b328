"""Shared fixtures: a fake Telegram, a real bot polling it, frozen time, strict logging."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from telegram.ext import Application, Job

from bot.app import build_application
from bot.config import Settings
from bot.database import Database
from bot.lifecycle import running
from bot.services.registry import Services, build_services
from scheduling.outbox import Outbox, outbox_of
from scheduling.reminders import ReminderScheduler, scheduler_of
from tests.faketelegram import FakeTelegram, SimulatedUser
from tests.postgres import PostgresServer

# As `wijkbot run` does: PTB reports durations as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
COORDINATOR_ID = 900001
PARTICIPANT_ID = 100001


DATABASES = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=(*DATABASES, "both"),
        default=os.environ.get("TEST_DATABASE", "both"),
        help="run the database tests on sqlite, postgresql or both (default; env TEST_DATABASE)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses a database (fixture ``database_url``) runs once per backend."""
    if "database_backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("database")
        backends = DATABASES if chosen == "both" else (chosen,)
        metafunc.parametrize("database_backend", backends, indirect=True)


def amsterdam(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's config.toml or WIJKBOT_* variables."""
    import os

    for name in list(os.environ):
        if name.startswith("WIJKBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_error_logs() -> Iterator[_ErrorCollector]:
    """Normal user behaviour never logs at ERROR: a test fails if anything does."""
    collector = _ErrorCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    yield collector
    root.removeHandler(collector)
    if collector.records:
        lines = [f"{r.name}: {r.getMessage()}" for r in collector.records]
        pytest.fail("ERROR logged during the test:\n" + "\n".join(lines))


@pytest.fixture
def frozen_time() -> Iterator[time_machine.Coordinates]:
    """Tuesday 10 December 2024, 09:00 in Groningen: between module 3 and module 4."""
    with time_machine.travel(amsterdam(2024, 12, 10, 9, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
def database_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server on 127.0.0.1 for the session, started only when a test needs it."""
    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture
def database_url(
    database_backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A database of the test's own: a new SQLite file, or a new PostgreSQL database (which
    already has the schema; upgrading it at start-up is then a no-op)."""
    if database_backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'wijkbot.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.fresh_database() as url:
        yield url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """The test's own database, upgraded to the newest schema (for services used directly)."""
    db = Database(database_url)
    await db.upgrade()
    yield db
    await db.close()


def make_settings(fake: FakeTelegram, database: Path | str, **overrides: Any) -> Settings:
    """Settings for a bot against ``fake``; ``database`` is a URL or a SQLite file path."""
    url = database if isinstance(database, str) else f"sqlite+aiosqlite:///{database}"
    values: dict[str, Any] = {
        "telegram": {"token": fake.token, "base_url": fake.base_url, "poll_timeout": 1},
        "database": {"url": url},
        "coordinators": [COORDINATOR_ID],
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class RunningBot:
    """The real application polling the fake, with what tests reach into: its services,
    the Application (jobs, the outbox, the reminder scheduler) and the simulated people."""

    fake: FakeTelegram
    services: Services
    application: Application  # type: ignore[type-arg]

    def user(self, user_id: int = PARTICIPANT_ID, first_name: str = "Sanne") -> SimulatedUser:
        return self.fake.user(user_id, first_name=first_name)

    @property
    def coordinator(self) -> SimulatedUser:
        return self.fake.user(COORDINATOR_ID, first_name="Coby")

    @property
    def outbox(self) -> Outbox:
        return outbox_of(self.application.bot_data)

    @property
    def scheduler(self) -> ReminderScheduler:
        return scheduler_of(self.application.bot_data)

    def jobs(self, session_key: str, kind: str) -> list[Job[Any]]:
        """The reminder jobs of one session and kind (``week``, ``day``, ...)."""
        assert self.application.job_queue is not None
        queue = self.application.job_queue
        return list(queue.get_jobs_by_name(f"reminder:{session_key}:{kind}"))

    def job(self, session_key: str, kind: str) -> Job[Any]:
        found = self.jobs(session_key, kind)
        assert len(found) == 1, f"expected one job for {session_key}/{kind}, found {found}"
        return found[0]

    async def fire(self, session_key: str, kind: str) -> None:
        """Run the reminder's job now, as APScheduler does at its moment."""
        await self.job(session_key, kind).run(self.application)


@asynccontextmanager
async def run_bot(fake: FakeTelegram, settings: Settings) -> AsyncIterator[RunningBot]:
    """Start the real application against the fake, polling, and stop it afterwards.

    Yields once the start-up work is done: the reminder sync (it sends what is due *now*; a
    test that moves the clock before it has finished would race it) and the outbox's
    recovery. The fake watches the application, so ``expect_no_message`` knows when the
    bot is idle."""
    services = build_services(settings)
    await services.database.upgrade()
    application = build_application(
        services, request=fake.ptb_request(), get_updates_request=fake.ptb_request()
    )
    with fake.watch(application):
        async with running(application, poll_timeout=settings.telegram.poll_timeout):
            bot = RunningBot(fake=fake, services=services, application=application)
            await asyncio.wait_for(bot.scheduler.synced.wait(), timeout=10)
            await asyncio.wait_for(bot.outbox.started.wait(), timeout=10)
            yield bot
    assert not fake.unknown_calls, f"the bot called unknown Bot API methods: {fake.unknown_calls}"


@pytest.fixture
def settings(fake: FakeTelegram, database_url: str) -> Settings:
    return make_settings(fake, database_url)


@pytest.fixture
async def bot(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> AsyncIterator[RunningBot]:
    async with run_bot(fake, settings) as running_bot:
        yield running_bot
