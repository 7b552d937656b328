"""Helpers for the attendance, check-in and export tests (this module holds no tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

from telegram import Bot

from bot.database import Database
from bot.models import Absence
from bot.services.checkin_codes import CODE_LENGTH
from bot.services.registry import SERVICES_KEY, Services
from scheduling.attendance_jobs import tick
from scheduling.delivery import DELIVERER_KEY, Deliverer
from tests.conftest import RunningBot, amsterdam
from tests.people import add_participants

MODULE_4 = "module-4"
# Thursday 12 December 2024, module 4 runs 13:00-19:30; check-in opens at 12:30.
BEFORE_WINDOW = amsterdam(2024, 12, 12, 12, 0)
EARLY = amsterdam(2024, 12, 12, 12, 45)
START = amsterdam(2024, 12, 12, 13, 0)
LATE = amsterdam(2024, 12, 12, 13, 20)
DIGEST = amsterdam(2024, 12, 12, 13, 30)
AFTER = amsterdam(2024, 12, 12, 20, 0)


async def approve(
    services: Services, telegram_id: int, name: str = "Sanne de Vries", *, decide: bool = True
) -> int:
    """A participant registered through the services (as /aanmelden does), then approved."""
    now = services.now()
    rules = services.programme.data.eligibility
    registration = services.registration
    await services.contacts.seen(telegram_id, telegram_id, now)
    await registration.begin(telegram_id, telegram_id, name, now)
    await registration.choose(telegram_id, "consent", "yes", now, rules)
    await registration.choose(telegram_id, "name", "suggested", now, rules)
    await registration.choose(telegram_id, "org", "0", now, rules)
    await registration.answer_text(telegram_id, "Lefier", now, rules)
    await registration.choose(telegram_id, "gr", "1", now, rules)
    await registration.answer_text(telegram_id, "2", now, rules)
    await registration.answer_text(telegram_id, f"p{telegram_id}@example.nl", now, rules)
    done = await registration.choose(telegram_id, "confirm", "ok", now, rules)
    assert done.submission is not None
    number = done.submission.participant.id
    if decide:
        decision = await services.participants.decide(number, True, now)
        assert decision.participant is not None
    return number


async def bulk_participants(
    database: Database, first_telegram_id: int, count: int, now: dt.datetime
) -> list[int]:
    """Many approved participants at once, straight into the table (bursts, benchmarks)."""
    return await add_participants(
        database,
        range(first_telegram_id, first_telegram_id + count),
        names=[f"Deelnemer {i:04d}" for i in range(count)],
        since=now,
    )


async def excuse(database: Database, participant_id: int, key: str, reason: str) -> None:
    """An afmelding, as the reminders feature records it."""
    now = amsterdam(2024, 12, 10, 9, 0)
    async with database.transaction() as session:
        session.add(
            Absence(
                participant_id=participant_id,
                session_key=key,
                reason=reason,
                created_at=now,
                updated_at=now,
            )
        )


async def code_now(services: Services, key: str = MODULE_4) -> str:
    now = services.now()
    codes = await services.attendance.codes(now)
    return codes.code(key, codes.slot(now))


async def token_now(services: Services, key: str = MODULE_4) -> str:
    now = services.now()
    return (await services.attendance.codes(now)).current(key, now).token


def wrong_code(right: str) -> str:
    """A well-formed code that is not the right one."""
    candidate = "ABCDEF"[:CODE_LENGTH]
    return candidate if candidate != right else "ZZZZZZ"


@asynccontextmanager
async def job_context(bot: RunningBot) -> AsyncIterator[Any]:
    """A context for calling the attendance job by hand, as the JobQueue would."""
    async with Bot(
        bot.fake.token, base_url=bot.fake.base_url, request=bot.fake.ptb_request()
    ) as telegram:
        yield SimpleNamespace(
            bot=telegram,
            bot_data={SERVICES_KEY: bot.services, DELIVERER_KEY: Deliverer(telegram)},
        )


async def run_tick(bot: RunningBot) -> None:
    async with job_context(bot) as context:
        await tick(context)
