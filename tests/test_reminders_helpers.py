"""Helpers for the reminder tests: participants created directly through the database
(approved, pending, ...) and the reminders they received (the running bot, whose jobs a
test can fire, is tests.conftest.run_bot)."""

from __future__ import annotations

import datetime as dt

from bot.models import ParticipantStatus
from bot.services.registry import Services
from tests.faketelegram import FakeMessage, SimulatedUser
from tests.people import add_participants

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
    [number] = await add_participants(
        services.database,
        [user.id if user else None],
        names=[name],
        status=status,
        since=since or services.now(),
    )
    return number


def reminders_for(user: SimulatedUser, *markers: str) -> list[FakeMessage]:
    """The bot's messages to the user that contain every marker (e.g. "Module 4")."""
    return [m for m in user.messages() if all(marker in m.content for marker in markers)]


def buttons(message: FakeMessage) -> list[str]:
    return [text for row in message.buttons() for text in row]
