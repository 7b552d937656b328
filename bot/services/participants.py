"""Applicants and participants as the coordinator sees them: list, look up, decide."""

from __future__ import annotations

import datetime as dt
import enum
import logging
import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import Participant, ParticipantStatus

log = logging.getLogger(__name__)

PAGE_SIZE = 15


@dataclass(frozen=True, slots=True)
class ParticipantView:
    id: int
    telegram_id: int | None
    chat_id: int | None
    status: ParticipantStatus
    source: str
    name: str | None
    organisation_type: str | None
    organisation_name: str | None
    active_in_groningen: bool | None
    experience_years: int | None
    email: str | None
    fits: bool | None
    created_at: dt.datetime
    consent_at: dt.datetime | None
    applied_at: dt.datetime | None
    decided_at: dt.datetime | None

    @classmethod
    def of(cls, row: Participant) -> ParticipantView:
        return cls(
            id=row.id,
            telegram_id=row.telegram_id,
            chat_id=row.chat_id,
            status=ParticipantStatus(row.status),
            source=row.source,
            name=row.name,
            organisation_type=row.organisation_type,
            organisation_name=row.organisation_name,
            active_in_groningen=row.active_in_groningen,
            experience_years=row.experience_years,
            email=row.email,
            fits=row.fits,
            created_at=row.created_at,
            consent_at=row.consent_at,
            applied_at=row.applied_at,
            decided_at=row.decided_at,
        )

    @property
    def linked(self) -> bool:
        return self.telegram_id is not None


class DecisionKind(enum.StrEnum):
    DECIDED = "decided"
    ALREADY = "already"  # someone decided before (another coordinator, a double tap)
    GONE = "gone"  # no such application, or the person asked to be forgotten


@dataclass(frozen=True, slots=True)
class Decision:
    kind: DecisionKind
    participant: ParticipantView | None


@dataclass(frozen=True, slots=True)
class ParticipantPage:
    items: list[ParticipantView]
    page: int  # 0-based, clamped to the pages there are
    pages: int
    total: int


async def linked_participant(session: AsyncSession, telegram_id: int) -> Participant | None:
    """The application or participant linked to this Telegram account (never a forgotten one)."""
    return await session.scalar(select(Participant).where(Participant.telegram_id == telegram_id))


class ParticipantService:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def by_telegram_id(self, telegram_id: int) -> ParticipantView | None:
        async with self._db.transaction() as session:
            row = await linked_participant(session, telegram_id)
            return ParticipantView.of(row) if row else None

    async def get(self, participant_id: int) -> ParticipantView | None:
        async with self._db.transaction() as session:
            row = await session.get(Participant, participant_id)
            return ParticipantView.of(row) if row else None

    async def decide(self, participant_id: int, approve: bool, now: dt.datetime) -> Decision:
        """Approve or reject a pending application; anything else is reported, not changed."""
        async with self._db.transaction() as session:
            row = await session.get(Participant, participant_id)
            if row is None or row.status == ParticipantStatus.FORGOTTEN:
                return Decision(DecisionKind.GONE, None)
            if row.status != ParticipantStatus.PENDING:
                return Decision(DecisionKind.ALREADY, ParticipantView.of(row))
            row.status = ParticipantStatus.APPROVED if approve else ParticipantStatus.REJECTED
            row.decided_at = now
            log.info("application #%d %s by a coordinator", row.id, row.status)
            return Decision(DecisionKind.DECIDED, ParticipantView.of(row))

    async def page(self, page: int, size: int = PAGE_SIZE) -> ParticipantPage:
        """Everyone except the forgotten: pending first, then approved, then rejected."""
        order = {
            ParticipantStatus.PENDING: 0,
            ParticipantStatus.APPROVED: 1,
            ParticipantStatus.REJECTED: 2,
        }
        visible = Participant.status != ParticipantStatus.FORGOTTEN
        async with self._db.transaction() as session:
            rows = list(await session.scalars(select(Participant).where(visible)))
        total = len(rows)
        rows.sort(key=lambda r: (order.get(ParticipantStatus(r.status), 3), (r.name or "").lower()))
        pages = max(1, math.ceil(total / size))
        page = min(max(page, 0), pages - 1)
        chosen = rows[page * size : (page + 1) * size]
        return ParticipantPage([ParticipantView.of(r) for r in chosen], page, pages, total)

