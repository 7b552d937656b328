"""Reports on sent announcements: counts per status, the recent ones, who was not reached."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.database import Database
from bot.models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementState,
    DeliveryStatus,
    Participant,
)
from bot.services.announcement_types import (
    RECENT,
    AnnouncementView,
    Counts,
    RecipientIssue,
    Report,
    counts_of,
)


class AnnouncementReports:
    """The reading side of AnnouncementService."""

    _db: Database

    async def counts(self, announcement_id: int) -> Counts:
        async with self._db.transaction() as session:
            return (await counts_of(session, [announcement_id]))[announcement_id]

    async def recent(self, limit: int = RECENT) -> list[tuple[AnnouncementView, Counts]]:
        started = (AnnouncementState.SENDING, AnnouncementState.SENT)
        async with self._db.transaction() as session:
            rows = list(
                await session.scalars(
                    select(Announcement)
                    .where(Announcement.state.in_(started))
                    .order_by(Announcement.started_at.desc(), Announcement.id.desc())
                    .limit(limit)
                )
            )
            counts = await counts_of(session, [row.id for row in rows])
        return [(AnnouncementView.of(row), counts[row.id]) for row in rows]

    async def report(self, announcement_id: int) -> Report | None:
        problems = (DeliveryStatus.BLOCKED, DeliveryStatus.FAILED)
        async with self._db.transaction() as session:
            row = await session.get(Announcement, announcement_id)
            if row is None or row.state not in (AnnouncementState.SENDING, AnnouncementState.SENT):
                return None
            counts = (await counts_of(session, [row.id]))[row.id]
            issues = await session.execute(
                select(
                    AnnouncementDelivery.participant_id,
                    Participant.name,
                    AnnouncementDelivery.status,
                    AnnouncementDelivery.reason,
                )
                .join(Participant, Participant.id == AnnouncementDelivery.participant_id)
                .where(
                    AnnouncementDelivery.announcement_id == row.id,
                    AnnouncementDelivery.status.in_(problems),
                )
                # NULLs (forgotten people) sort first on SQLite, last on PostgreSQL: say which.
                .order_by(
                    AnnouncementDelivery.status,
                    Participant.name.nulls_last(),
                    AnnouncementDelivery.participant_id,
                )
            )
            followup_failed = await session.scalar(
                select(func.count()).where(
                    AnnouncementDelivery.announcement_id == row.id,
                    AnnouncementDelivery.followup_error.is_not(None),
                )
            )
            return Report(
                AnnouncementView.of(row),
                counts,
                tuple(
                    RecipientIssue(pid, name, DeliveryStatus(status), reason)
                    for pid, name, status, reason in issues
                ),
                int(followup_failed or 0),
            )
