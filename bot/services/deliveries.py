"""The outbox's work list, kept in the database: what to send, correct or delete next.

A delivery row is claimed (``attempted_at``) just before its message goes out and settled
right after. After a crash, rows that were claimed but never settled may or may not have
arrived: they are marked failed ("interrupted") instead of being sent a second time.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementState,
    DeliveryStatus,
)
from bot.services.announcement_types import FORGOTTEN, INTERRUPTED, Content, Counts, counts_of

REASON_MAX = 300


class FollowUpKind(enum.StrEnum):
    CORRECTION = "correction"
    WITHDRAWAL = "withdrawal"


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One message to send (``message_id`` None) or one sent message to edit or delete."""

    delivery_id: int
    announcement_id: int
    chat_id: int
    content: Content
    revision: int
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a sending announcement stands, and where its report message is."""

    announcement_id: int
    counts: Counts
    finished: bool
    report_chat_id: int | None
    report_message_id: int | None
    created_by: int
    audience_label: str | None


@dataclass(frozen=True, slots=True)
class FollowUpDone:
    announcement_id: int
    kind: FollowUpKind
    chat_id: int
    done: int
    failed: int


_SENDING = Announcement.state == AnnouncementState.SENDING
_LIVE = (
    Announcement.state.in_((AnnouncementState.SENDING, AnnouncementState.SENT)),
    Announcement.withdrawn_at.is_(None),
)
_HAS_MESSAGE = (
    AnnouncementDelivery.status == DeliveryStatus.DELIVERED,
    AnnouncementDelivery.telegram_message_id.is_not(None),
    AnnouncementDelivery.chat_id.is_not(None),
    AnnouncementDelivery.removed_at.is_(None),
)


class DeliveryQueue:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def recover(self, now: dt.datetime) -> int:
        """At start-up: claimed rows whose outcome was never stored are not sent again."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(AnnouncementDelivery)
                .where(
                    AnnouncementDelivery.status == DeliveryStatus.PENDING,
                    AnnouncementDelivery.attempted_at.is_not(None),
                )
                .values(status=DeliveryStatus.FAILED, reason=INTERRUPTED, finished_at=now)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def pending(self, limit: int, after: int = 0) -> list[WorkItem]:
        """Unclaimed rows of announcements being sent, oldest first (ids above ``after``)."""
        async with self._db.transaction() as session:
            # Plain columns, no ORM objects: this runs while messages are going out.
            rows = await session.execute(
                select(
                    AnnouncementDelivery.id,
                    AnnouncementDelivery.chat_id,
                    Announcement.id,
                    Announcement.html,
                    Announcement.media_kind,
                    Announcement.media_file_id,
                    Announcement.revision,
                )
                .join(Announcement, Announcement.id == AnnouncementDelivery.announcement_id)
                .where(
                    _SENDING,
                    Announcement.withdrawn_at.is_(None),
                    AnnouncementDelivery.status == DeliveryStatus.PENDING,
                    AnnouncementDelivery.attempted_at.is_(None),
                    AnnouncementDelivery.chat_id.is_not(None),
                    AnnouncementDelivery.id > after,
                )
                .order_by(AnnouncementDelivery.id)
                .limit(limit)
            )
            contents: dict[tuple[int, int], Content] = {}
            found = []
            for delivery_id, chat_id, number, html, media, file_id, revision in rows:
                content = contents.setdefault((number, revision), Content(html, media, file_id))
                found.append(WorkItem(delivery_id, number, chat_id or 0, content, revision))
            return found

    async def claim(self, delivery_id: int, now: dt.datetime) -> bool:
        """Mark the row as going out now; False if someone else has it or it was withdrawn."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(AnnouncementDelivery)
                .where(
                    AnnouncementDelivery.id == delivery_id,
                    AnnouncementDelivery.status == DeliveryStatus.PENDING,
                    AnnouncementDelivery.attempted_at.is_(None),
                )
                .values(attempted_at=now)
            )
            return getattr(result, "rowcount", 0) == 1

    async def settle(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        *,
        message_id: int | None,
        reason: str | None,
        revision: int,
        now: dt.datetime,
    ) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(AnnouncementDelivery)
                .where(
                    AnnouncementDelivery.id == delivery_id,
                    AnnouncementDelivery.status == DeliveryStatus.PENDING,
                )
                .values(
                    status=status,
                    telegram_message_id=message_id,
                    reason=reason[:REASON_MAX] if reason else None,
                    revision=revision,
                    finished_at=now,
                )
            )

    async def progress(self, announcement_ids: list[int], now: dt.datetime) -> list[Progress]:
        """Counts of these announcements; one with nothing left to send becomes ``sent``."""
        found = []
        async with self._db.transaction() as session:
            counts = await counts_of(session, announcement_ids)
            for announcement_id in announcement_ids:
                row = await session.get(Announcement, announcement_id)
                if row is None:
                    continue
                finished = False
                if row.state == AnnouncementState.SENDING and counts[row.id].pending == 0:
                    row.state, row.finished_at, row.updated_at = AnnouncementState.SENT, now, now
                    finished = True
                found.append(
                    Progress(
                        row.id,
                        counts[row.id],
                        finished,
                        row.report_chat_id,
                        row.report_message_id,
                        row.created_by,
                        row.audience_label,
                    )
                )
        return found

    async def sending(self) -> list[int]:
        async with self._db.transaction() as session:
            return list(await session.scalars(select(Announcement.id).where(_SENDING)))

    async def corrections(self, limit: int) -> list[WorkItem]:
        """Sent copies that still show an older text than the announcement's."""
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(AnnouncementDelivery, Announcement)
                .join(Announcement, Announcement.id == AnnouncementDelivery.announcement_id)
                .where(*_LIVE, *_HAS_MESSAGE, AnnouncementDelivery.revision < Announcement.revision)
                .order_by(AnnouncementDelivery.id)
                .limit(limit)
            )
            return [_item(d, a) for d, a in rows]

    async def removals(self, limit: int) -> list[WorkItem]:
        """Sent copies of withdrawn announcements that are still in the recipients' chats."""
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(AnnouncementDelivery, Announcement)
                .join(Announcement, Announcement.id == AnnouncementDelivery.announcement_id)
                .where(Announcement.withdrawn_at.is_not(None), *_HAS_MESSAGE)
                .order_by(AnnouncementDelivery.id)
                .limit(limit)
            )
            return [_item(d, a) for d, a in rows]

    async def settle_correction(self, delivery_id: int, revision: int, error: str | None) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(AnnouncementDelivery)
                .where(AnnouncementDelivery.id == delivery_id)
                .values(revision=revision, followup_error=error[:REASON_MAX] if error else None)
            )

    async def settle_removal(self, delivery_id: int, error: str | None, now: dt.datetime) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(AnnouncementDelivery)
                .where(AnnouncementDelivery.id == delivery_id)
                .values(removed_at=now, followup_error=error[:REASON_MAX] if error else None)
            )

    async def followups_done(self) -> list[FollowUpDone]:
        """Corrections and withdrawals with nothing left to do; each is reported once."""
        done: list[FollowUpDone] = []
        async with self._db.transaction() as session:
            rows = list(
                await session.scalars(
                    select(Announcement).where(Announcement.followup_chat_id.is_not(None))
                )
            )
            for row in rows:
                delivery = AnnouncementDelivery
                mine = delivery.announcement_id == row.id
                waiting = and_(mine, delivery.status == DeliveryStatus.PENDING)
                if row.withdrawn_at is not None:
                    open_work = and_(mine, *_HAS_MESSAGE)
                else:
                    open_work = and_(mine, *_HAS_MESSAGE, delivery.revision < row.revision)
                if await session.scalar(select(exists().where(waiting))) or await session.scalar(
                    select(exists().where(open_work))
                ):
                    continue
                kind = (
                    FollowUpKind.WITHDRAWAL
                    if row.withdrawn_at is not None
                    else FollowUpKind.CORRECTION
                )
                touched = and_(mine, delivery.status == DeliveryStatus.DELIVERED)
                total = await session.scalar(select(func.count()).where(touched)) or 0
                failed = (
                    await session.scalar(
                        select(func.count()).where(touched, delivery.followup_error.is_not(None))
                    )
                    or 0
                )
                done.append(
                    FollowUpDone(row.id, kind, row.followup_chat_id or 0, total - failed, failed)
                )
                row.followup_chat_id = None
        return done


def _content(row: Announcement) -> Content:
    return Content(row.html, row.media_kind, row.media_file_id)


def _item(delivery: AnnouncementDelivery, announcement: Announcement) -> WorkItem:
    return WorkItem(
        delivery.id,
        announcement.id,
        delivery.chat_id or 0,
        _content(announcement),
        announcement.revision,
        delivery.telegram_message_id,
    )


async def received(session: AsyncSession, participant_id: int) -> list[dict[str, Any]]:
    """For /mijngegevens: the announcements meant for this participant and what became of them."""
    rows = await session.execute(
        select(AnnouncementDelivery, Announcement.started_at)
        .join(Announcement, Announcement.id == AnnouncementDelivery.announcement_id)
        .where(AnnouncementDelivery.participant_id == participant_id)
        .order_by(AnnouncementDelivery.id)
    )
    return [
        {
            "announcement": delivery.announcement_id,
            "sent_at": started.isoformat() if started else None,
            "status": delivery.status,
            "chat_id": delivery.chat_id,
            "message_id": delivery.telegram_message_id,
        }
        for delivery, started in rows
    ]


async def forget_recipient(session: AsyncSession, participant_id: int, now: dt.datetime) -> None:
    """For /vergeetmij: nothing more goes out; chat and message ids are cleared, the counts of
    the coordinator's reports stay."""
    await session.execute(
        update(AnnouncementDelivery)
        .where(
            AnnouncementDelivery.participant_id == participant_id,
            AnnouncementDelivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.SKIPPED, reason=FORGOTTEN, finished_at=now)
    )
    await session.execute(
        update(AnnouncementDelivery)
        .where(AnnouncementDelivery.participant_id == participant_id)
        .values(chat_id=None, telegram_message_id=None)
    )
