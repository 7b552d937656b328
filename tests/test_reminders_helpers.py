"""Helpers for the reminder tests: a bot whose job queue the test can reach, and participants
created directly through the database (approved, pending, ...)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, Job

from bot.app import build_application
from bot.config import Settings
from bot.lifecycle import running
from bot.models import Participant, ParticipantStatus
from bot.services.registry import Services, build_services
from scheduling.reminders import ReminderScheduler, scheduler_of
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser

YES = "✅ Ik kom"
NO = "❌ Ik kan niet"


@dataclass
class ReminderBot:
    fake: FakeTelegram
    services: Services
    app: Application  # type: ignore[type-arg]

    @property
    def scheduler(self) -> ReminderScheduler:
        return scheduler_of(self.app.bot_data)

    def jobs(self, session_key: str, kind: str) -> list[Job[Any]]:
        assert self.app.job_queue is not None
        return list(self.app.job_queue.get_jobs_by_name(f"reminder:{session_key}:{kind}"))

    def job(self, session_key: str, kind: str) -> Job[Any]:
        found = self.jobs(session_key, kind)
        assert len(found) == 1, f"expected one job for {session_key}/{kind}, found {found}"
        return found[0]

    async def fire(self, session_key: str, kind: str) -> None:
        """Run the reminder's job now, as APScheduler does at its moment."""
        await self.job(session_key, kind).run(self.app)


@asynccontextmanager
async def reminder_bot(fake: FakeTelegram, settings: Settings) -> AsyncIterator[ReminderBot]:
    """The real application polling the fake; yields once the start-up sync has finished."""
    services = build_services(settings)
    await services.database.upgrade()
    app = build_application(
        services, request=fake.ptb_request(), get_updates_request=fake.ptb_request()
    )
    async with running(app, poll_timeout=settings.telegram.poll_timeout):
        bot = ReminderBot(fake, services, app)
        await asyncio.wait_for(bot.scheduler.synced.wait(), timeout=10)
        yield bot
    assert not fake.unknown_calls, f"unknown Bot API calls: {fake.unknown_calls}"


async def add_participant(
    services: Services,
    user: SimulatedUser | None,
    *,
    name: str = "Deelnemer",
    status: ParticipantStatus = ParticipantStatus.APPROVED,
    since: dt.datetime | None = None,
) -> int:
    """A participant row as registration leaves it; linked to ``user``'s chat when given."""
    moment = since or services.now()
    async with services.database.transaction() as session:
        row = Participant(
            telegram_id=user.id if user else None,
            chat_id=user.chat_id if user else None,
            status=status.value,
            source="test",
            name=name,
            created_at=moment,
            applied_at=moment,
            decided_at=moment if status is not ParticipantStatus.PENDING else None,
        )
        session.add(row)
        await session.flush()
        return row.id


def reminders_for(user: SimulatedUser, *markers: str) -> list[FakeMessage]:
    """The bot's messages to the user that contain every marker (e.g. "Module 4")."""
    return [m for m in user.messages() if all(marker in m.content for marker in markers)]


def buttons(message: FakeMessage) -> list[str]:
    return [text for row in message.buttons() for text in row]
