"""Who has written to the bot, and whether they can still be reached."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import Contact, Participant


class ContactService:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def seen(self, telegram_id: int, chat_id: int, now: dt.datetime) -> bool:
        """Record that this user wrote in a private chat; True when it is their first time.

        Writing again also clears an earlier "blocked" mark: they are reachable again.
        """
        async with self._db.transaction() as session:
            contact = await session.scalar(
                select(Contact).where(Contact.telegram_id == telegram_id)
            )
            if contact is None:
                session.add(
                    Contact(
                        telegram_id=telegram_id,
                        chat_id=chat_id,
                        first_seen_at=now,
                        last_seen_at=now,
                        blocked_at=None,
                    )
                )
                return True
            contact.chat_id = chat_id
            contact.last_seen_at = now
            contact.blocked_at = None
            await _set_participant_blocked(session, chat_id, None)
            return False

    async def mark_blocked(self, chat_id: int, now: dt.datetime) -> None:
        """The user blocked the bot: stop trying to reach them until they write again."""
        async with self._db.transaction() as session:
            await session.execute(
                update(Contact)
                .where(Contact.chat_id == chat_id, Contact.blocked_at.is_(None))
                .values(blocked_at=now)
            )
            await _set_participant_blocked(session, chat_id, now)

    async def get(self, telegram_id: int) -> Contact | None:
        async with self._db.transaction() as session:
            return await session.scalar(select(Contact).where(Contact.telegram_id == telegram_id))

    async def count(self) -> int:
        async with self._db.transaction() as session:
            return int(await session.scalar(select(func.count()).select_from(Contact)) or 0)

    async def mark_reachable(self, chat_id: int) -> None:
        """The user unblocked the bot."""
        async with self._db.transaction() as session:
            await session.execute(
                update(Contact).where(Contact.chat_id == chat_id).values(blocked_at=None)
            )
            await _set_participant_blocked(session, chat_id, None)


async def _set_participant_blocked(
    session: AsyncSession, chat_id: int, when: dt.datetime | None
) -> None:
    """Participants share the mark: reminders and announcements skip blocked people."""
    condition = Participant.blocked_at.is_(None) if when else Participant.blocked_at.is_not(None)
    await session.execute(
        update(Participant)
        .where(Participant.chat_id == chat_id, condition)
        .values(blocked_at=when)
    )
