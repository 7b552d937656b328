"""Helpers for the reminder tests: participants created directly through the database
(approved, pending, ...) and the reminders they received (the running bot, whose jobs a
test can fire, is tests.conftest.run_bot)."""

from __future__ import annotations

import datetime as dt

from bot.models import Participant, ParticipantStatus
from bot.services.registry import Services
from tests.faketelegram import FakeMessage, SimulatedUser

YES = "✅ Ik kom"
NO = "❌ Ik kan niet"


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
