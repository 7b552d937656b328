"""Benchmark: 20 editions of 30 people in one database, on SQLite and PostgreSQL.

Run from the repository root:  python bench/editions.py [--editions 20] [--people 30]

For each database it prints, next to the same figures for one edition of 30 people in the
same run:
- start-up: building the services of every edition and reading their timetables, as
  ``wijkbot run`` does before it polls;
- update handling: the median time of ``/volgende`` from a participant of the last edition,
  through the real application and the fake Telegram, as a ratio to one edition;
- one reminder round across all running editions (the day-before reminder of module 4 of
  every edition, all due at once) against the fake enforcing Telegram's 30 messages a
  second: the rate as a fraction of that limit, 429 answers, duplicates and lost messages.

PostgreSQL is started on 127.0.0.1 from the machine's binaries (as the tests do); without
them that half is left out.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 30
FIRST_ID = 300_000
SAMPLES = 60


@dataclass(frozen=True)
class EditionFigures:
    backend: str
    editions: int
    people: int
    startup_s: float
    startup_one_s: float
    update_ms: float
    update_one_ms: float
    sent: int
    seconds: float
    too_many: int
    duplicates: int
    lost: int

    @property
    def ratio(self) -> float:
        return self.update_ms / self.update_one_ms if self.update_one_ms else float("nan")

    @property
    def fraction(self) -> float:
        counted = max(self.sent - LIMIT, 0)  # the first second's burst is not counted
        return counted / self.seconds / LIMIT if self.seconds else 0.0


def _settings(url: str, token: str = "1:bench", base_url: str = "http://127.0.0.1:9/bot") -> object:
    from bot.config import Settings

    return Settings(telegram={"token": token, "base_url": base_url, "poll_timeout": 1},
                    database={"url": url}, coordinators=[900001], log_level="WARNING")


async def _populate(url: str, editions: int, people: int) -> None:
    """The first edition and ``editions - 1`` parallel groups on the same dates, each with
    ``people`` approved participants."""
    from sqlalchemy import insert

    from bot.config import Settings
    from bot.models import Participant
    from bot.services.edition_programme import new_programme_text
    from bot.services.registry import build_services

    settings = _settings(url)
    assert isinstance(settings, Settings)
    services = build_services(settings)
    await services.database.upgrade()
    now = dt.datetime(2024, 9, 1, 9, 0, tzinfo=settings.tz)
    dates = [m.starts_at.date() for m in services.programme.modules]
    for number in range(2, editions + 1):
        text = new_programme_text(services.programme, "2024-2025", f"groep {number}", dates,
                                  settings.tz)
        await services.editions.create(f"groep {number}", text, now)
    async with services.database.transaction() as session:
        await session.execute(insert(Participant), [
            {"telegram_id": FIRST_ID + edition * 1000 + n, "chat_id": FIRST_ID + edition * 1000 + n,
             "status": "approved", "source": "bench", "name": f"Deelnemer {n}",
             "created_at": now, "decided_at": now, "edition_id": edition}
            for edition in range(1, editions + 1) for n in range(people)
        ])
    await services.close()


async def _startup(url: str) -> float:
    from bot.config import Settings
    from bot.services.registry import build_services

    settings = _settings(url)
    assert isinstance(settings, Settings)
    started = time.perf_counter()
    services = build_services(settings)
    await services.database.upgrade()
    await services.editions.load()
    for edition in services.editions.all():
        await edition.sessions.timetable()
    elapsed = time.perf_counter() - started
    await services.close()
    return elapsed


async def _updates(many: str, one: str, editions: int) -> tuple[float, float]:
    """The median milliseconds of /volgende from someone in the last edition, with many
    editions and with one, the two bots running side by side and asked in turn; on the
    evening after module 4 (no reminder is due then)."""
    import time_machine

    from bench.common import real_bot
    from tests.faketelegram import FakeTelegram

    fakes = FakeTelegram(), FakeTelegram()
    evening = dt.datetime(2024, 12, 12, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second, \
            time_machine.travel(evening, tick=True):
        async with real_bot(fakes[0], Path(first), settled=True, database={"url": many}), \
                real_bot(fakes[1], Path(second), settled=True, database={"url": one}):
            users = (fakes[0].user(FIRST_ID + editions * 1000, first_name="Deelnemer"),
                     fakes[1].user(FIRST_ID + 1000, first_name="Deelnemer"))
            times: tuple[list[float], list[float]] = ([], [])
            for user in users:
                await user.ask("/volgende")  # warm up
            for _ in range(SAMPLES):
                for user, measured in zip(users, times, strict=True):
                    started = time.perf_counter()
                    await user.ask("/volgende")
                    measured.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


async def _round(url: str, editions: int, people: int) -> tuple[int, float, int, int, int]:
    import time_machine

    from bot.app import build_application
    from bot.config import Settings
    from bot.services.registry import build_services
    from scheduling.delivery import DELIVERER_KEY
    from scheduling.reminders import ReminderScheduler
    from tests.faketelegram import FakeTelegram

    fake = FakeTelegram()
    expected = [FIRST_ID + e * 1000 + n for e in range(1, editions + 1) for n in range(people)]
    for chat in expected:  # each participant has a private chat with the bot
        fake.user(chat, first_name=f"Deelnemer {chat}")
    settings = _settings(url, fake.token, fake.base_url)
    assert isinstance(settings, Settings)
    services = build_services(settings)
    await services.editions.load()
    application = build_application(services, request=fake.ptb_request())
    await application.initialize()
    due = dt.datetime(2024, 12, 11, 18, 0, tzinfo=settings.tz)  # the day before module 4
    try:
        scheduler = ReminderScheduler(services, application.bot_data[DELIVERER_KEY], None)
        with time_machine.travel(due - dt.timedelta(minutes=1), tick=False):
            await scheduler.prepare()  # what participants heard: no change notices
        fake.enforce_limits(per_second=LIMIT)
        with time_machine.travel(due, tick=True):
            started = time.perf_counter()
            await scheduler.sync()
            elapsed = time.perf_counter() - started
    finally:
        await application.shutdown()
        await services.close()
    received = collections.Counter(
        call.params.get("chat_id") for call in fake.calls_to("sendMessage") if call.ok)
    return (sum(received.values()), elapsed, sum(1 for c in fake.calls if c.status == 429),
            sum(c - 1 for c in received.values() if c > 1),
            sum(1 for chat in expected if received[chat] == 0))


@asynccontextmanager
async def _databases(backend: str) -> AsyncIterator[tuple[str, str]]:
    """Two empty databases: for many editions and for one."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield (f"sqlite+aiosqlite:///{Path(folder) / 'many.sqlite3'}",
                   f"sqlite+aiosqlite:///{Path(folder) / 'one.sqlite3'}")
        return
    from tests.postgres import PostgresServer

    server = PostgresServer.start()
    try:
        with server.fresh_database(migrated=False) as many, \
                server.fresh_database(migrated=False) as one:
            yield many, one
    finally:
        server.stop()


async def measure_async(backend: str, editions: int, people: int) -> EditionFigures:
    async with _databases(backend) as (many, one):
        await _populate(many, editions, people)
        await _populate(one, 1, people)
        startup, startup_one = await _startup(many), await _startup(one)
        sent, seconds, too_many, duplicates, lost = await _round(many, editions, people)
        update, update_one = await _updates(many, one, editions)
    return EditionFigures(backend, editions, people, startup, startup_one, update, update_one,
                          sent, seconds, too_many, duplicates, lost)


def measure(backend: str, editions: int = 20, people: int = 30) -> EditionFigures:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    return asyncio.run(measure_async(backend, editions, people))


def describe(f: EditionFigures) -> str:
    return "\n".join([
        f"{f.backend}: {f.editions} editions of {f.people} people",
        f"  start-up:        {f.startup_s:.2f} s (one edition: {f.startup_one_s:.2f} s)",
        f"  /volgende:       {f.update_ms:.1f} ms median, {f.ratio:.2f}× one edition "
        f"({f.update_one_ms:.1f} ms)",
        f"  reminder round:  {f.sent} messages to {f.editions} editions in {f.seconds:.1f} s, "
        f"{f.fraction:.3f} of Telegram's {LIMIT}/s; 429 answers {f.too_many}, "
        f"duplicates {f.duplicates}, lost {f.lost}",
    ])


def main(argv: list[str] | None = None) -> int:
    import logging

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--editions", type=int, default=20)
    parser.add_argument("--people", type=int, default=30)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for backend in (args.only,) if args.only else ("sqlite", "postgresql"):
        try:
            print(describe(measure(backend, args.editions, args.people)), flush=True)
        except (OSError, RuntimeError) as error:
            print(f"{backend}: not measured ({error})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
