"""Participants straight into the database, as registration and the coordinator's decision
leave them: the one place tests (and their helpers) create participant rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.database import Database
from bot.models import Participant, ParticipantStatus


async def add_participants(
    database: Database,
    telegram_ids: Sequence[int | None],
    *,
    names: Sequence[str] | None = None,
    status: ParticipantStatus = ParticipantStatus.APPROVED,
    since: dt.datetime | None = None,
) -> list[int]:
    """One participant per Telegram id (None: added by the coordinator, not linked to a
    chat yet); their private chat id equals their user id. Returns the participant ids."""
    moment = since or dt.datetime.now(dt.UTC)
    decided = None if status is ParticipantStatus.PENDING else moment
    async with database.transaction() as session:
        rows = [
            Participant(
                telegram_id=telegram_id,
                chat_id=telegram_id,
                status=status.value,
                source="test",
                name=names[index] if names else f"Deelnemer {telegram_id or index + 1}",
                created_at=moment,
                applied_at=moment,
                decided_at=decided,
            )
            for index, telegram_id in enumerate(telegram_ids)
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]
