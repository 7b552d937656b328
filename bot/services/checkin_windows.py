"""Check-in windows: opened and closed by a coordinator, the QR messages on their screens,
and the once-only bookkeeping of the timed job (the "Ik ben er" prompt and the digest).

Check-in is possible in every session's window (``window_before_minutes`` before the start
until the end) unless a coordinator closed it; ``/opencheckin`` shows the code and reopens a
closed window. Everything lives in the database, so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import dataclass
from types import ModuleType

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import (
    Attendance,
    CheckinDisplay,
    CheckinWindow,
    Participant,
    ParticipantStatus,
)
from bot.programme import Session, SessionKind
from bot.services.attendance_views import AbsenceReader
from bot.services.sessions import Timetable

_KIND_WORDS = {
    "module": SessionKind.MODULE,
    "m": SessionKind.MODULE,
    "werksessie": SessionKind.WERKSESSIE,
    "ws": SessionKind.WERKSESSIE,
    "intervisie": SessionKind.INTERVISIE,
    "iv": SessionKind.INTERVISIE,
}
_SESSION_TEXT = re.compile(r"^([a-z]*)\s*[-#]?\s*(\d{1,3})$")


@dataclass(frozen=True, slots=True)
class Display:
    id: int
    session_key: str
    chat_id: int
    message_id: int
    slot: int
    shown_count: int


@dataclass(frozen=True, slots=True)
class Recipient:
    participant_id: int
    chat_id: int


def dialect_of(database: Database) -> ModuleType:
    """The dialect module whose ``insert`` has ``on_conflict_do_nothing``."""
    return postgresql if database.engine.dialect.name == "postgresql" else sqlite


def find_session(timetable: Timetable, text: str) -> Session | None:
    """``4``, ``module 4``, ``module-4``, ``werksessie 2``, ``ws2``, ``intervisie 1`` or a key."""
    cleaned = " ".join(text.lower().split())
    exact = timetable.get(cleaned)
    if exact is not None:
        return exact
    match = _SESSION_TEXT.match(cleaned)
    if match is None:
        return None
    word, number = match.group(1) or "module", int(match.group(2))
    kind = _KIND_WORDS.get(word)
    if kind is None:
        return None
    return next((s for s in timetable.of_kind(kind) if s.number == number), None)


def latest_started(timetable: Timetable, now: dt.datetime) -> Session | None:
    started = [s for s in timetable.sessions if s.starts_at <= now]
    return started[-1] if started else None


def _display(row: CheckinDisplay) -> Display:
    return Display(row.id, row.session_key, row.chat_id, row.message_id, row.slot, row.shown_count)


class CheckinWindows:
    def __init__(self, database: Database, absences: AbsenceReader) -> None:
        self._db = database
        self._absences = absences
        # Sessions whose check-in a coordinator closed: read once, then kept up to date here
        # (only this class opens and closes), so a check-in needs no query for it.
        self._closed: set[str] | None = None
        self._closed_lock = asyncio.Lock()

    async def closed_keys(self) -> frozenset[str]:
        if self._closed is None:
            async with self._closed_lock:
                if self._closed is None:
                    async with self._db.transaction() as session:
                        self._closed = set(
                            await session.scalars(
                                select(CheckinWindow.session_key).where(
                                    CheckinWindow.closed_at.is_not(None)
                                )
                            )
                        )
        return frozenset(self._closed)

    async def _window(self, session: AsyncSession, key: str) -> CheckinWindow:
        statement = (
            dialect_of(self._db)
            .insert(CheckinWindow)
            .values(session_key=key)
            .on_conflict_do_nothing(index_elements=["session_key"])
        )
        await session.execute(statement)
        row = await session.get(CheckinWindow, key, populate_existing=True)
        assert row is not None
        return row

    async def open(self, key: str, by: int, now: dt.datetime) -> None:
        await self.closed_keys()
        async with self._db.transaction() as session:
            row = await self._window(session, key)
            row.opened_at, row.opened_by = now, by
            row.closed_at, row.closed_by = None, None
        assert self._closed is not None
        self._closed.discard(key)

    async def close(self, key: str, by: int, now: dt.datetime) -> list[Display]:
        """Close check-in; returns the QR messages to take off the screens."""
        await self.closed_keys()
        async with self._db.transaction() as session:
            row = await self._window(session, key)
            row.closed_at, row.closed_by = now, by
        assert self._closed is not None
        self._closed.add(key)
        return await self.drop_displays(key)

    async def is_closed(self, key: str) -> bool:
        return key in await self.closed_keys()

    async def claim(self, key: str, what: str, now: dt.datetime) -> bool:
        """Mark the prompt (``prompted_at``) or digest (``digest_at``) as sent; True only for
        the first caller, so it goes out once even across restarts."""
        column = {"prompt": CheckinWindow.prompted_at, "digest": CheckinWindow.digest_at}[what]
        async with self._db.transaction() as session:
            await self._window(session, key)
            result = await session.execute(
                update(CheckinWindow)
                .where(CheckinWindow.session_key == key, column.is_(None))
                .values({column: now})
            )
            return getattr(result, "rowcount", 0) == 1

    # -- QR messages on the coordinators' screens ----------------------------------------------

    async def save_display(
        self, key: str, chat_id: int, message_id: int, slot: int, count: int, now: dt.datetime
    ) -> Display | None:
        """Remember the QR message shown in a chat; returns the one it replaces, if any."""
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(CheckinDisplay).where(
                    CheckinDisplay.session_key == key, CheckinDisplay.chat_id == chat_id
                )
            )
            previous = _display(row) if row else None
            if row is None:
                row = CheckinDisplay(session_key=key, chat_id=chat_id)
                session.add(row)
            row.message_id, row.slot, row.shown_count, row.updated_at = (
                message_id, slot, count, now,
            )
        return previous

    async def displays(self) -> list[Display]:
        async with self._db.transaction() as session:
            rows = await session.scalars(select(CheckinDisplay).order_by(CheckinDisplay.id))
            return [_display(row) for row in rows]

    async def set_count(self, display_id: int, count: int, now: dt.datetime) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(CheckinDisplay)
                .where(CheckinDisplay.id == display_id)
                .values(shown_count=count, updated_at=now)
            )

    async def drop_displays(self, key: str) -> list[Display]:
        async with self._db.transaction() as session:
            rows = list(
                await session.scalars(
                    select(CheckinDisplay).where(CheckinDisplay.session_key == key)
                )
            )
            await session.execute(delete(CheckinDisplay).where(CheckinDisplay.session_key == key))
            return [_display(row) for row in rows]

    # -- counts and recipients -----------------------------------------------------------------

    async def count(self, key: str) -> tuple[int, int, int]:
        """(checked in, approved participants, excused) for the live count on the screen."""
        excused = await self._absences.for_session(key)
        async with self._db.transaction() as session:
            checked_in = set(
                await session.scalars(
                    select(Attendance.participant_id).where(
                        Attendance.session_key == key,
                        Attendance.status.in_(["present", "late"]),
                    )
                )
            )
            approved = set(
                await session.scalars(
                    select(Participant.id).where(Participant.status == ParticipantStatus.APPROVED)
                )
            )
        excused_only = {pid for pid in excused if pid in approved and pid not in checked_in}
        return len(checked_in), len(approved | checked_in), len(excused_only)

    async def prompt_recipients(self, key: str) -> list[Recipient]:
        """Approved, reachable participants without an afmelding or a check-in."""
        excused = await self._absences.for_session(key)
        async with self._db.transaction() as session:
            recorded = select(Attendance.participant_id).where(Attendance.session_key == key)
            rows = await session.execute(
                select(Participant.id, Participant.chat_id)
                .where(
                    Participant.status == ParticipantStatus.APPROVED,
                    Participant.chat_id.is_not(None),
                    Participant.blocked_at.is_(None),
                    Participant.id.not_in(recorded),
                )
                .order_by(Participant.id)
            )
            return [
                Recipient(pid, chat_id)
                for pid, chat_id in rows
                if chat_id is not None and pid not in excused
            ]
