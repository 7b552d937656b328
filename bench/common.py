"""Shared pieces of the benchmarks: the repository root, percentiles, a temporary bot."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.services.registry import Services
    from tests.faketelegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
TELEGRAM_LIMIT = 30  # messages per second, Telegram's broadcast limit


def use_repository() -> None:
    """Make ``bot``, ``handlers``, ``scheduling``, ``tests`` and ``bench`` importable."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # as `wijkbot run` does


Before = Callable[[str, dict[str, Any]], None]
After = Callable[[str, dict[str, Any], int], None]


def observe_calls(fake: FakeTelegram, before: Before | None = None,
                  after: After | None = None) -> None:
    """Call ``before(method, params)`` and ``after(method, params, status)`` around every
    Bot API call the fake serves (method names as the bot spelled them)."""
    handle = fake.handle

    async def observed(
        method_name: str, token: str, raw: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if before is not None:
            before(method_name, raw)
        status, body = await handle(method_name, token, raw)
        if after is not None:
            after(method_name, raw, status)
        return status, body

    fake.handle = observed  # type: ignore[method-assign]


def cpu_seconds(pid: int) -> float:
    """User and system processor time a (Linux) process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.5 is the median, 0.99 the p99)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


@asynccontextmanager
async def real_bot(
    fake: FakeTelegram, folder: Path, base_url: str | None = None, *, settled: bool = False,
    **overrides: Any,
) -> AsyncIterator[Services]:
    """The real application (handlers, jobs, SQLite in ``folder``) polling the fake: in
    process, or over HTTP when ``base_url`` is where the fake is served (serve_on_loopback).
    ``settled``: yield only once the start-up reminder sync is done."""
    from bot.app import build_application
    from bot.config import Settings
    from bot.lifecycle import running
    from bot.services.registry import build_services

    values: dict[str, Any] = {
        "telegram": {"token": fake.token, "base_url": base_url or fake.base_url,
                     "poll_timeout": 1},
        "database": {"url": f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}"},
        "coordinators": [900001],
        "log_level": "WARNING",
    }
    values.update(overrides)
    services = build_services(Settings(**values))
    await services.database.upgrade()
    if base_url is None:
        application = build_application(
            services, request=fake.ptb_request(), get_updates_request=fake.ptb_request()
        )
    else:
        application = build_application(services)  # the requests `wijkbot run` uses
    async with running(application, poll_timeout=1):
        if settled:
            from scheduling.reminders import scheduler_of

            scheduler = scheduler_of(application.bot_data)
            await scheduler.synced.wait()
            await scheduler.idle()
        yield services


async def add_participants(services: Services, telegram_ids: list[int], since: dt.datetime) -> None:
    """Approved participants, inserted in one go."""
    from sqlalchemy import insert

    from bot.models import Participant

    async with services.database.transaction() as session:
        await session.execute(
            insert(Participant),
            [
                {
                    "telegram_id": i, "chat_id": i, "status": "approved", "source": "bench",
                    "name": f"Deelnemer {i}", "created_at": since, "decided_at": since,
                }
                for i in telegram_ids
            ],
        )
