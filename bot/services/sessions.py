"""All sessions as participants experience them: the programme file plus the coordinator's
changes made in Telegram (werksessies and intervisie meetings added, moved or cancelled;
modules moved to another date, time or place; modules are never cancelled).

A change never makes two sessions overlap, and a module stays on the programme's weekday.

Reminders, check-in and announcements read sessions here, never from the file directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import SessionChange
from bot.programme import WEEKDAYS_NL, Programme, Session, SessionKind


class SessionChangeError(Exception):
    """A change that cannot be made; ``code`` names the reason for the catalogue and
    ``details`` what its sentence names (the other session, the weekday)."""

    def __init__(self, code: str, **details: str) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True, slots=True)
class Timetable:
    """The sessions in force (time order) and the ones cancelled by the coordinator."""

    sessions: tuple[Session, ...]
    cancelled: tuple[Session, ...]

    def get(self, key: str) -> Session | None:
        return next((s for s in self.sessions if s.key == key), None)

    def next_session(self, now: dt.datetime) -> Session | None:
        return next((s for s in self.sessions if now < s.ends_at), None)

    def running(self, now: dt.datetime) -> Session | None:
        return next((s for s in self.sessions if s.is_running(now)), None)

    def of_kind(self, kind: SessionKind) -> list[Session]:
        return [s for s in self.sessions if s.kind is kind]


class SessionService:
    """Reads and writes the coordinator's changes.

    Only this service writes ``session_changes``, so it keeps the rows in memory after the
    first read (every check-in and reminder round needs the timetable) and reads them again
    after each of its own writes.
    """

    def __init__(self, database: Database, programme: Callable[[], Programme]) -> None:
        self._db = database
        self._programme = programme
        self._changes: tuple[SessionChange, ...] | None = None
        self._writes = 0  # a read that overlapped a write is not kept

    async def timetable(self) -> Timetable:
        return merge(self._programme(), list(await self._changes_in_force()))

    async def _changes_in_force(self) -> tuple[SessionChange, ...]:
        changes = self._changes
        if changes is None:
            writes = self._writes
            async with self._db.transaction() as session:
                changes = tuple(await session.scalars(select(SessionChange)))
            if writes == self._writes:
                self._changes = changes
        return changes

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        """A transaction that changes sessions; the kept rows are dropped once it ends."""
        self._writes += 1
        self._changes = None
        try:
            async with self._db.transaction() as session:
                yield session
        finally:
            self._writes += 1
            self._changes = None

    async def add(
        self,
        kind: SessionKind,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        *,
        location: str | None,
        title: str | None,
        by: int,
        now: dt.datetime,
    ) -> Session:
        if kind is SessionKind.MODULE:
            raise SessionChangeError("modules_are_fixed")
        await self.check(None, kind, starts_at, ends_at, now)
        async with self._writing() as session:
            row = SessionChange(
                key="pending",
                kind=kind.value,
                starts_at=starts_at,
                ends_at=ends_at,
                title=title,
                location=location,
                note=None,
                cancelled_at=None,
                updated_at=now,
                updated_by=by,
            )
            session.add(row)
            await session.flush()
            row.key = f"{kind.value}-t{row.id}"
            key = row.key
        found = (await self.timetable()).get(key)
        assert found is not None
        return found

    async def move(
        self,
        key: str,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        *,
        by: int,
        now: dt.datetime,
        location: str | None = None,
    ) -> tuple[Session, Session]:
        """Move a session (a module too) and optionally change its place; returns
        (before, after)."""
        before = (await self.timetable()).get(key)
        if before is None:
            raise SessionChangeError("unknown_session")
        await self.check(key, before.kind, starts_at, ends_at, now)
        async with self._writing() as session:
            row = await _row_for(session, before, now, by)
            row.starts_at, row.ends_at = starts_at, ends_at
            if location is not None:
                row.location = location
            row.updated_at, row.updated_by = now, by
        after = (await self.timetable()).get(key)
        assert after is not None
        return before, after

    async def check(
        self,
        key: str | None,
        kind: SessionKind,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        now: dt.datetime,
    ) -> None:
        """Raise SessionChangeError unless session ``key`` (None: a new one) of ``kind`` may
        take place then: in the future, ending after it starts, a module on the programme's
        weekday, and overlapping no other session."""
        _check_times(starts_at, ends_at, now)
        if kind is SessionKind.MODULE:
            weekday = self._programme().data.modules.weekday
            actual = WEEKDAYS_NL[starts_at.weekday()]
            if actual != weekday:
                raise SessionChangeError("module_weekday", weekday=weekday, actual=actual)
        for other in (await self.timetable()).sessions:
            if other.key != key and other.starts_at < ends_at and starts_at < other.ends_at:
                raise SessionChangeError("overlap", session=other.key)

    async def relocate(
        self, key: str, location: str, *, by: int, now: dt.datetime
    ) -> tuple[Session, Session]:
        """Change where a session (a module too) takes place; returns (before, after)."""
        return await self._amend(key, by, now, location=location)

    async def describe(
        self, key: str, description: str, *, by: int, now: dt.datetime
    ) -> Session:
        """Replace what a session (a module too) is about; it must not have started."""
        return (await self._amend(key, by, now, note=description))[1]

    async def _amend(
        self, key: str, by: int, now: dt.datetime, **values: str
    ) -> tuple[Session, Session]:
        """Set columns of a session's change row (not its time); it must not have started."""
        before = (await self.timetable()).get(key)
        if before is None:
            raise SessionChangeError("unknown_session")
        if before.starts_at <= now:
            raise SessionChangeError("already_started")
        async with self._writing() as session:
            row = await _row_for(session, before, now, by)
            for column, value in values.items():
                setattr(row, column, value)
            row.updated_at, row.updated_by = now, by
        after = (await self.timetable()).get(key)
        assert after is not None
        return before, after

    async def cancel(self, key: str, *, by: int, now: dt.datetime) -> Session:
        timetable = await self.timetable()
        found = timetable.get(key)
        if found is None:
            raise SessionChangeError("unknown_session")
        if found.kind is SessionKind.MODULE:
            raise SessionChangeError("modules_are_fixed")
        if found.starts_at <= now:
            raise SessionChangeError("already_started")
        async with self._writing() as session:
            row = await _row_for(session, found, now, by)
            row.cancelled_at, row.updated_at, row.updated_by = now, now, by
        return found


async def _row_for(
    session: AsyncSession, found: Session, now: dt.datetime, by: int
) -> SessionChange:
    """The change row of a session, created from the programme's version when there is none."""
    row = await session.scalar(select(SessionChange).where(SessionChange.key == found.key))
    if row is None:
        row = SessionChange(
            key=found.key,
            kind=found.kind.value,
            starts_at=found.starts_at,
            ends_at=found.ends_at,
            title=found.title,
            location=found.location,
            note=found.description,
            cancelled_at=None,
            updated_at=now,
            updated_by=by,
        )
        session.add(row)
    return row


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise SessionChangeError("end_before_start")
    if starts_at <= now:
        raise SessionChangeError("in_the_past")


def merge(programme: Programme, changes: list[SessionChange]) -> Timetable:
    """Apply the coordinator's changes to the programme's sessions and renumber the extras."""
    tz = programme.timezone
    by_key = {change.key: change for change in changes}
    sessions: dict[str, Session] = {s.key: s for s in programme.sessions}
    cancelled: list[Session] = []
    for key, change in by_key.items():
        base = sessions.get(key)
        updated = Session(
            key=key,
            kind=SessionKind(change.kind),
            number=base.number if base else 0,
            title=change.title if change.title is not None else (base.title if base else None),
            starts_at=change.starts_at.astimezone(tz),
            ends_at=change.ends_at.astimezone(tz),
            location=change.location,
            description=change.note if change.note is not None else (
                base.description if base else None
            ),
            preparation=base.preparation if base else None,
        )
        if change.cancelled_at is not None:
            sessions.pop(key, None)
            cancelled.append(updated)
        else:
            sessions[key] = updated
    ordered = sorted(sessions.values(), key=lambda s: (s.starts_at, s.key))
    counters: dict[SessionKind, int] = {}
    numbered: list[Session] = []
    for session in ordered:
        if session.kind is SessionKind.MODULE:
            numbered.append(session)
            continue
        counters[session.kind] = counters.get(session.kind, 0) + 1
        numbered.append(replace(session, number=counters[session.kind]))
    return Timetable(tuple(numbered), tuple(sorted(cancelled, key=lambda s: s.starts_at)))
