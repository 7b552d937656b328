"""Excused absences (afmeldingen): set, change, clear and list them.

A participant can send or change an afmelding until the session starts (after "Ik kan
niet" under a reminder, or with /afmelden); the reason is optional. The attendance feature
and the coordinator read afmeldingen through :meth:`AbsenceService.for_session` and
:meth:`AbsenceService.for_participant`.

While the bot waits for the typed reason after "Ik kan niet", the person's pending input
(kind ``absence_reason``, see bot/services/pending.py) says so; it is kept in the database,
so a restart in between loses nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import Absence, Participant, ParticipantStatus
from bot.programme import Session
from bot.services.sessions import SessionService

log = logging.getLogger(__name__)

REASON_MAX = 300


class AbsenceError(Exception):
    """An afmelding that cannot be made or changed; ``code`` names the reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class AbsenceView:
    participant_id: int
    session_key: str
    reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SessionAbsence:
    """An afmelding as the coordinator sees it: who, and why."""

    participant_id: int
    name: str | None
    reason: str | None


def clean_reason(text: str) -> str | None:
    """A reason as stored: trimmed, ``None`` when empty; raises when too long."""
    reason = " ".join(text.split())
    if len(reason) > REASON_MAX:
        raise AbsenceError("reason_too_long")
    return reason or None


class AbsenceService:
    def __init__(self, database: Database, sessions: SessionService) -> None:
        self._db = database
        self._sessions = sessions

    async def _open_session(self, session_key: str, now: dt.datetime) -> Session:
        found = (await self._sessions.timetable()).get(session_key)
        if found is None:
            raise AbsenceError("unknown_session")
        if found.starts_at <= now:
            raise AbsenceError("already_started")
        return found

    @staticmethod
    async def _participant(session: AsyncSession, participant_id: int) -> Participant:
        row = await session.get(Participant, participant_id)
        if row is None or row.status != ParticipantStatus.APPROVED:
            raise AbsenceError("not_a_participant")
        return row

    async def set(
        self,
        participant_id: int,
        session_key: str,
        now: dt.datetime,
        *,
        reason: str | None = None,
        keep_reason: bool = False,
    ) -> Session:
        """Send (or change) an afmelding; returns the session. ``keep_reason`` leaves an
        earlier reason in place instead of replacing it with ``reason``."""
        found = await self._open_session(session_key, now)
        async with self._db.transaction() as session:
            await self._participant(session, participant_id)
            row = await session.scalar(
                select(Absence).where(
                    Absence.participant_id == participant_id, Absence.session_key == session_key
                )
            )
            if row is None:
                session.add(
                    Absence(
                        participant_id=participant_id,
                        session_key=session_key,
                        reason=reason,
                        created_at=now,
                        updated_at=now,
                    )
                )
                log.info("participant #%d sent an afmelding for %s", participant_id, session_key)
            else:
                if not keep_reason:
                    row.reason = reason
                row.updated_at = now
        return found

    async def set_reason(
        self, participant_id: int, session_key: str, reason: str | None, now: dt.datetime
    ) -> Session:
        return await self.set(participant_id, session_key, now, reason=reason)

    async def clear(self, participant_id: int, session_key: str, now: dt.datetime) -> bool:
        """Withdraw an afmelding ("Ik kom" after all); True when there was one."""
        await self._open_session(session_key, now)
        async with self._db.transaction() as session:
            await self._participant(session, participant_id)
            result = await session.execute(
                delete(Absence).where(
                    Absence.participant_id == participant_id, Absence.session_key == session_key
                )
            )
        cleared = bool(getattr(result, "rowcount", 0))
        if cleared:
            log.info("participant #%d withdrew the afmelding for %s", participant_id, session_key)
        return cleared

    async def get(self, participant_id: int, session_key: str) -> AbsenceView | None:
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(Absence).where(
                    Absence.participant_id == participant_id, Absence.session_key == session_key
                )
            )
        if row is None:
            return None
        return AbsenceView(
            row.participant_id, row.session_key, row.reason, row.created_at, row.updated_at
        )

    async def for_session(self, session_key: str) -> dict[int, str | None]:
        """Participant id -> reason (``None``: no reason given) for one session."""
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(Absence.participant_id, Absence.reason)
                .where(Absence.session_key == session_key)
                .order_by(Absence.created_at, Absence.id)
            )
            return {pid: reason for pid, reason in rows}

    async def for_participant(self, participant_id: int) -> dict[str, str | None]:
        """Session key -> reason for every afmelding of one participant."""
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(Absence.session_key, Absence.reason)
                .where(Absence.participant_id == participant_id)
                .order_by(Absence.created_at, Absence.id)
            )
            return {key: reason for key, reason in rows}

    async def listed(self, session_key: str) -> list[SessionAbsence]:
        """The afmeldingen of a session with the participants' names, for the coordinator."""
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(Absence.participant_id, Participant.name, Absence.reason)
                .join(Participant, Participant.id == Absence.participant_id)
                .where(Absence.session_key == session_key)
                .order_by(Absence.created_at, Absence.id)
            )
            return [SessionAbsence(pid, name, reason) for pid, name, reason in rows]
