"""Announcements from draft to report: preview tokens, schedules, recipients, corrections.

Every recipient gets a row in ``announcement_deliveries`` in the same transaction that
starts the sending, before the first message goes out; the outbox (scheduling/outbox.py)
works through those rows. A confirm button carries the announcement's one-time
``action_token``; confirming clears it, so a replayed or stale button confirms nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementState,
    DeliveryStatus,
)
from bot.services.announcement_reports import AnnouncementReports
from bot.services.announcement_types import (
    BLOCKED_BEFORE,
    NOT_LINKED,
    WITHDRAWN,
    AnnouncementError,
    AnnouncementProblem,
    AnnouncementView,
    Content,
    Counts,
    Labeller,
    counts_of,
    new_token,
)
from bot.services.audiences import Audience, AudienceService, Resolved

log = logging.getLogger(__name__)


class AnnouncementService(AnnouncementReports):
    def __init__(self, database: Database, audiences: AudienceService) -> None:
        self._db = database
        self._audiences = audiences

    # -- drafts ---------------------------------------------------------------------------

    async def new_draft(self, coordinator: int, content: Content, now: dt.datetime) -> int:
        """A draft with this content; the coordinator's earlier drafts are dropped."""
        async with self._db.transaction() as session:
            await session.execute(
                update(Announcement)
                .where(
                    Announcement.created_by == coordinator,
                    Announcement.state == AnnouncementState.DRAFT,
                )
                .values(state=AnnouncementState.CANCELLED, cancelled_at=now, action_token=None)
            )
            row = Announcement(
                state=AnnouncementState.DRAFT,
                html=content.html,
                media_kind=content.media_kind,
                media_file_id=content.file_id,
                created_by=coordinator,
                created_at=now,
                updated_at=now,
                revision=1,
            )
            session.add(row)
            await session.flush()
            return row.id

    async def get(self, announcement_id: int) -> AnnouncementView | None:
        async with self._db.transaction() as session:
            row = await session.get(Announcement, announcement_id)
            return AnnouncementView.of(row) if row else None

    async def choose_audience(
        self, announcement_id: int, audience: Audience, now: dt.datetime
    ) -> tuple[AnnouncementView, Resolved]:
        """Store the audience of a draft and give its preview a fresh one-time id."""
        resolved = await self._audiences.resolve(audience, now)
        async with self._db.transaction() as session:
            row = await self._draft(session, announcement_id)
            row.audience, row.group_id = audience.kind.value, audience.group_id
            row.scheduled_for = None
            row.action_token = new_token()
            row.updated_at = now
            return AnnouncementView.of(row), resolved

    async def valid(self, announcement_id: int, token: str) -> AnnouncementView:
        """The draft the button belongs to, if its one-time id is still the current one."""
        async with self._db.transaction() as session:
            row = await session.get(Announcement, announcement_id)
            if row is None or row.action_token is None or row.action_token != token:
                raise AnnouncementError(AnnouncementProblem.STALE)
            return AnnouncementView.of(row)

    async def confirm_send(
        self,
        announcement_id: int,
        token: str,
        label: Labeller,
        report_chat_id: int,
        report_message_id: int | None,
        now: dt.datetime,
    ) -> tuple[AnnouncementView, Counts]:
        """Draft -> sending, with one delivery row per recipient, once per one-time id."""
        draft = await self.valid(announcement_id, token)
        if draft.state is not AnnouncementState.DRAFT or draft.audience is None:
            raise AnnouncementError(AnnouncementProblem.STALE)
        started = await self._begin_sending(
            announcement_id,
            draft.audience,
            label,
            now,
            state=AnnouncementState.DRAFT,
            token=token,
            action_token=None,
            report_chat_id=report_chat_id,
            report_message_id=report_message_id,
        )
        if started is None:
            raise AnnouncementError(AnnouncementProblem.STALE)
        return started

    async def _begin_sending(
        self,
        announcement_id: int,
        audience: Audience,
        label: Labeller,
        now: dt.datetime,
        *,
        state: AnnouncementState,
        token: str | None = None,
        **values: Any,
    ) -> tuple[AnnouncementView, Counts] | None:
        """``state`` -> sending, with one delivery row per recipient as the audience is now;
        None if the announcement is no longer in ``state`` (or its one-time id was used)."""
        resolved = await self._audiences.resolve(audience, now)
        if not resolved.recipients:
            raise AnnouncementError(AnnouncementProblem.NO_RECIPIENTS)
        conditions = [Announcement.id == announcement_id, Announcement.state == state]
        if token is not None:
            conditions.append(Announcement.action_token == token)
        async with self._db.transaction() as session:
            started = await session.execute(
                update(Announcement)
                .where(*conditions)
                .values(
                    state=AnnouncementState.SENDING,
                    started_at=now,
                    updated_at=now,
                    audience_label=label(resolved)[:300],
                    **values,
                )
            )
            if getattr(started, "rowcount", 0) != 1:
                return None
            counts = await _add_deliveries(session, announcement_id, resolved, now)
            row = await session.get(Announcement, announcement_id)
            assert row is not None
            log.info("announcement #%d (%s): sending to %d recipients", row.id, state.value,
                     counts.total)
            return AnnouncementView.of(row), counts

    async def reopen(self, announcement_id: int, now: dt.datetime) -> bool:
        """Back to choosing the audience: the buttons of the earlier preview stop working."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(Announcement)
                .where(
                    Announcement.id == announcement_id,
                    Announcement.state == AnnouncementState.DRAFT,
                )
                .values(action_token=None, scheduled_for=None, updated_at=now)
            )
            return getattr(result, "rowcount", 0) == 1

    async def cancel_draft(self, announcement_id: int, now: dt.datetime) -> bool:
        return await self._cancel(announcement_id, AnnouncementState.DRAFT, now)

    async def _draft(self, session: AsyncSession, announcement_id: int) -> Announcement:
        row = await session.get(Announcement, announcement_id)
        if row is None or row.state != AnnouncementState.DRAFT:
            raise AnnouncementError(AnnouncementProblem.GONE)
        return row

    async def _cancel(
        self, announcement_id: int, state: AnnouncementState, now: dt.datetime
    ) -> bool:
        async with self._db.transaction() as session:
            result = await session.execute(
                update(Announcement)
                .where(Announcement.id == announcement_id, Announcement.state == state)
                .values(
                    state=AnnouncementState.CANCELLED,
                    cancelled_at=now,
                    updated_at=now,
                    action_token=None,
                )
            )
            return getattr(result, "rowcount", 0) == 1

    # -- scheduling -----------------------------------------------------------------------

    async def propose_time(
        self, announcement_id: int, when: dt.datetime, now: dt.datetime
    ) -> AnnouncementView:
        """The typed moment, waiting for its confirm button (with a fresh one-time id)."""
        async with self._db.transaction() as session:
            row = await self._draft(session, announcement_id)
            if row.audience is None:
                raise AnnouncementError(AnnouncementProblem.GONE)
            row.scheduled_for, row.action_token, row.updated_at = when, new_token(), now
            return AnnouncementView.of(row)

    async def confirm_schedule(
        self, announcement_id: int, token: str, now: dt.datetime
    ) -> AnnouncementView:
        draft = await self.valid(announcement_id, token)
        if draft.scheduled_for is not None and draft.scheduled_for <= now:
            raise AnnouncementError(AnnouncementProblem.PAST)
        async with self._db.transaction() as session:
            result = await session.execute(
                update(Announcement)
                .where(
                    Announcement.id == announcement_id,
                    Announcement.state == AnnouncementState.DRAFT,
                    Announcement.action_token == token,
                    Announcement.scheduled_for.is_not(None),
                )
                .values(state=AnnouncementState.SCHEDULED, action_token=None, updated_at=now)
            )
            if getattr(result, "rowcount", 0) != 1:
                raise AnnouncementError(AnnouncementProblem.STALE)
            row = await session.get(Announcement, announcement_id)
            assert row is not None
            log.info("announcement #%d scheduled", row.id)
            return AnnouncementView.of(row)

    async def cancel_scheduled(self, announcement_id: int, now: dt.datetime) -> bool:
        return await self._cancel(announcement_id, AnnouncementState.SCHEDULED, now)

    async def scheduled(self) -> list[AnnouncementView]:
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(Announcement)
                .where(Announcement.state == AnnouncementState.SCHEDULED)
                .order_by(Announcement.scheduled_for, Announcement.id)
            )
            return [AnnouncementView.of(row) for row in rows]

    async def start_scheduled(
        self, announcement_id: int, label: Labeller, now: dt.datetime
    ) -> tuple[AnnouncementView, Counts] | None:
        """Scheduled -> sending with its recipients as they are now; None if not scheduled.

        Raises AudienceUnavailable or AnnouncementError(NO_RECIPIENTS): the caller cancels.
        """
        found = await self.get(announcement_id)
        if found is None or found.state is not AnnouncementState.SCHEDULED:
            return None
        assert found.audience is not None
        return await self._begin_sending(
            announcement_id, found.audience, label, now, state=AnnouncementState.SCHEDULED
        )

    async def set_report_message(self, announcement_id: int, chat_id: int, message_id: int) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(Announcement)
                .where(Announcement.id == announcement_id)
                .values(report_chat_id=chat_id, report_message_id=message_id)
            )

    # -- corrections and withdrawal -------------------------------------------------------

    async def propose_edit(
        self, announcement_id: int, html: str, now: dt.datetime
    ) -> tuple[AnnouncementView, int]:
        """A corrected text waiting for its confirm button; returns it and the chats to edit."""
        async with self._db.transaction() as session:
            row = await self._sent(session, announcement_id)
            row.pending_html, row.action_token, row.updated_at = html, new_token(), now
            delivered = (await counts_of(session, [row.id]))[row.id].delivered
            return AnnouncementView.of(row), delivered

    async def confirm_edit(
        self, announcement_id: int, token: str, chat_id: int, now: dt.datetime
    ) -> AnnouncementView:
        async with self._db.transaction() as session:
            row = await self._sent(session, announcement_id)
            if row.action_token != token or row.pending_html is None:
                raise AnnouncementError(AnnouncementProblem.STALE)
            row.html, row.pending_html, row.action_token = row.pending_html, None, None
            row.revision += 1
            row.edited_at, row.updated_at, row.followup_chat_id = now, now, chat_id
            await session.execute(
                update(AnnouncementDelivery)
                .where(AnnouncementDelivery.announcement_id == row.id)
                .values(followup_error=None)
            )
            log.info("announcement #%d corrected (revision %d)", row.id, row.revision)
            return AnnouncementView.of(row)

    async def propose_withdraw(self, announcement_id: int, now: dt.datetime) -> AnnouncementView:
        async with self._db.transaction() as session:
            row = await self._sent(session, announcement_id)
            row.pending_html, row.action_token, row.updated_at = None, new_token(), now
            return AnnouncementView.of(row)

    async def confirm_withdraw(
        self, announcement_id: int, token: str, chat_id: int, now: dt.datetime
    ) -> AnnouncementView:
        """Withdrawn: recipients not reached yet are skipped, the others' copies deleted."""
        async with self._db.transaction() as session:
            row = await self._sent(session, announcement_id)
            if row.action_token != token or row.pending_html is not None:
                raise AnnouncementError(AnnouncementProblem.STALE)
            row.withdrawn_at, row.updated_at, row.followup_chat_id = now, now, chat_id
            row.action_token = None
            await session.execute(
                update(AnnouncementDelivery)
                .where(
                    AnnouncementDelivery.announcement_id == row.id,
                    AnnouncementDelivery.status == DeliveryStatus.PENDING,
                    AnnouncementDelivery.attempted_at.is_(None),
                )
                .values(status=DeliveryStatus.SKIPPED, reason=WITHDRAWN, finished_at=now)
            )
            await session.execute(
                update(AnnouncementDelivery)
                .where(AnnouncementDelivery.announcement_id == row.id)
                .values(followup_error=None)
            )
            log.info("announcement #%d withdrawn", row.id)
            return AnnouncementView.of(row)

    async def drop_proposal(self, announcement_id: int, now: dt.datetime) -> None:
        """A correction or withdrawal the coordinator decided against: its button expires."""
        async with self._db.transaction() as session:
            await session.execute(
                update(Announcement)
                .where(
                    Announcement.id == announcement_id,
                    Announcement.state.in_((AnnouncementState.SENDING, AnnouncementState.SENT)),
                )
                .values(action_token=None, pending_html=None, updated_at=now)
            )

    async def _sent(self, session: AsyncSession, announcement_id: int) -> Announcement:
        row = await session.get(Announcement, announcement_id)
        started = (AnnouncementState.SENDING, AnnouncementState.SENT)
        if row is None or row.state not in started or row.withdrawn_at is not None:
            raise AnnouncementError(AnnouncementProblem.GONE)
        return row


async def _add_deliveries(
    session: AsyncSession, announcement_id: int, resolved: Resolved, now: dt.datetime
) -> Counts:
    """One row per recipient; people who cannot be reached are settled at once."""
    rows = []
    for recipient in resolved.recipients:
        status, reason = DeliveryStatus.PENDING, None
        if recipient.chat_id is None:
            status, reason = DeliveryStatus.FAILED, NOT_LINKED
        elif recipient.blocked:
            status, reason = DeliveryStatus.BLOCKED, BLOCKED_BEFORE
        rows.append(
            {
                "announcement_id": announcement_id,
                "participant_id": recipient.participant_id,
                "chat_id": recipient.chat_id,
                "status": status.value,
                "reason": reason,
                "revision": 0,
                "finished_at": None if status is DeliveryStatus.PENDING else now,
            }
        )
    await session.execute(insert(AnnouncementDelivery), rows)
    return (await counts_of(session, [announcement_id]))[announcement_id]
