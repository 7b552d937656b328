"""Who an announcement goes to: resolved from the database at the moment of sending.

Audiences: everyone approved; applicants (pending); one group; the approved participants
absent at the last session that has ended; the approved participants not yet checked in at
today's session (running now or ended today). The two attendance audiences ask the
attendance feature who checked in (``checked_in_participant_ids(session_key)``).
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from bot.database import Database
from bot.models import GroupMember, Participant, ParticipantGroup, ParticipantStatus
from bot.programme import Session
from bot.services.sessions import SessionService


class AudienceKind(enum.StrEnum):
    APPROVED = "approved"
    APPLICANTS = "applicants"
    GROUP = "group"
    ABSENT_LAST = "absent"
    NOT_CHECKED_IN = "notin"


class AudienceProblem(enum.StrEnum):
    NO_ATTENDANCE = "no_attendance"  # check-in is not available in this bot
    NO_SESSION_ENDED = "no_session_ended"
    NO_SESSION_TODAY = "no_session_today"
    UNKNOWN_GROUP = "unknown_group"


class AudienceUnavailable(Exception):
    def __init__(self, problem: AudienceProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class CheckIns(Protocol):
    """The part of the attendance service the audiences need."""

    def checked_in_participant_ids(
        self, session_key: str
    ) -> Awaitable[set[int]] | set[int]: ...


@dataclass(frozen=True, slots=True)
class Audience:
    kind: AudienceKind
    group_id: int | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    participant_id: int
    chat_id: int | None  # None: added by hand and never linked a Telegram account
    name: str | None
    blocked: bool


@dataclass(frozen=True, slots=True)
class Resolved:
    """An audience at one moment: who is in it, and what it refers to."""

    audience: Audience
    recipients: tuple[Recipient, ...]
    session: Session | None = None  # for the attendance audiences
    group_name: str | None = None
    group_kind: str | None = None

    @property
    def reachable(self) -> int:
        return sum(1 for r in self.recipients if r.chat_id is not None and not r.blocked)


class AudienceService:
    def __init__(
        self,
        database: Database,
        sessions: SessionService,
        check_ins: CheckIns | None,
    ) -> None:
        self._db = database
        self._sessions = sessions
        self._check_ins = check_ins

    @property
    def attendance_available(self) -> bool:
        return self._check_ins is not None

    async def resolve(self, audience: Audience, now: dt.datetime) -> Resolved:
        kind = audience.kind
        if kind is AudienceKind.APPROVED:
            return Resolved(audience, await self._with_status(ParticipantStatus.APPROVED))
        if kind is AudienceKind.APPLICANTS:
            return Resolved(audience, await self._with_status(ParticipantStatus.PENDING))
        if kind is AudienceKind.GROUP:
            return await self._group(audience)
        session = await self._attendance_session(kind, now)
        present = await self._checked_in(session.key)
        approved = await self._with_status(ParticipantStatus.APPROVED)
        absent = tuple(r for r in approved if r.participant_id not in present)
        return Resolved(audience, absent, session=session)

    async def _attendance_session(self, kind: AudienceKind, now: dt.datetime) -> Session:
        if self._check_ins is None:
            raise AudienceUnavailable(AudienceProblem.NO_ATTENDANCE)
        sessions = (await self._sessions.timetable()).sessions
        if kind is AudienceKind.ABSENT_LAST:
            ended = [s for s in sessions if s.ends_at <= now]
            if not ended:
                raise AudienceUnavailable(AudienceProblem.NO_SESSION_ENDED)
            return max(ended, key=lambda s: (s.ends_at, s.starts_at))
        started = [
            s
            for s in sessions
            if s.starts_at <= now
            and s.starts_at.date() == now.astimezone(s.starts_at.tzinfo).date()
        ]
        if not started:
            raise AudienceUnavailable(AudienceProblem.NO_SESSION_TODAY)
        return max(started, key=lambda s: s.starts_at)

    async def _checked_in(self, session_key: str) -> set[int]:
        check_ins = self._check_ins
        if check_ins is None:
            raise AudienceUnavailable(AudienceProblem.NO_ATTENDANCE)
        found = check_ins.checked_in_participant_ids(session_key)
        if inspect.isawaitable(found):
            found = await found
        return set(found)

    async def _with_status(self, status: ParticipantStatus) -> tuple[Recipient, ...]:
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(Participant).where(Participant.status == status).order_by(Participant.id)
            )
            return tuple(_recipient(row) for row in rows)

    async def _group(self, audience: Audience) -> Resolved:
        async with self._db.transaction() as session:
            group = (
                await session.get(ParticipantGroup, audience.group_id)
                if audience.group_id is not None
                else None
            )
            if group is None:
                raise AudienceUnavailable(AudienceProblem.UNKNOWN_GROUP)
            rows = await session.scalars(
                select(Participant)
                .join(GroupMember, GroupMember.participant_id == Participant.id)
                .where(
                    GroupMember.group_id == group.id,
                    Participant.status == ParticipantStatus.APPROVED,
                )
                .order_by(Participant.id)
            )
            recipients = tuple(_recipient(row) for row in rows)
            return Resolved(audience, recipients, group_name=group.name, group_kind=group.kind)


def _recipient(row: Participant) -> Recipient:
    return Recipient(row.id, row.chat_id, row.name, row.blocked_at is not None)
