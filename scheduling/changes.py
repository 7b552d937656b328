"""Changes to the timetable that participants must hear about: moved, added, cancelled.

The timetable as participants last heard it is kept in ``session_snapshots``. Every sync
compares the current timetable (programme file plus the coordinator's /sessie changes) with
it, so a change is found once, whether it came from /sessie, from an edited programme file
or from another process. A found change bumps the row's ``revision`` and stays pending until
its notice has gone out to everyone; the delivery log keys notices by that revision, so each
participant hears of each change once, even across restarts.

A session whose kind and times match an earlier snapshot under another key is the same
meeting, not a change (a programme-file entry that was given a fixed ``key`` later, or a
database made before keys were taken from dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.change_notices import ChangeKind, Notice
from bot.database import Database
from bot.models import SessionSnapshot
from bot.programme import Session, SessionKind
from bot.services.sessions import Timetable

Slot = tuple[str, dt.datetime, dt.datetime]


@dataclass(frozen=True, slots=True)
class Known:
    """A session as participants last heard of it."""

    key: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str | None
    cancelled: bool

    @property
    def slot(self) -> Slot:
        return (self.kind, self.starts_at, self.ends_at)


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    key: str
    previous_start: dt.datetime | None


def _slot(session: Session) -> Slot:
    return (session.kind.value, session.starts_at, session.ends_at)


def diff(known: Mapping[str, Known], sessions: Sequence[Session], now: dt.datetime) -> list[Change]:
    """The changes participants should hear of; only sessions that have not started count."""
    active = {key: k for key, k in known.items() if not k.cancelled}
    by_slot = {k.slot: k for k in active.values()}
    new_slots = {_slot(s) for s in sessions}
    accounted: set[str] = set()
    changes: list[Change] = []
    for session in sessions:
        before = active.get(session.key)
        slot = _slot(session)
        if before is not None and before.slot == slot:
            accounted.add(before.key)
            if before.location != session.location and session.starts_at > now:
                changes.append(Change(ChangeKind.MOVED, session.key, before.starts_at))
            continue
        twin = by_slot.get(slot)
        if twin is not None:  # the same meeting under a new key
            accounted.add(twin.key)
            continue
        if before is not None and before.slot not in new_slots:
            accounted.add(before.key)
            if session.starts_at > now:
                changes.append(Change(ChangeKind.MOVED, session.key, before.starts_at))
            continue
        if session.starts_at > now:
            changes.append(Change(ChangeKind.ADDED, session.key, None))
    for gone in active.values():
        if gone.key in accounted or gone.slot in new_slots or gone.starts_at <= now:
            continue
        changes.append(Change(ChangeKind.CANCELLED, gone.key, gone.starts_at))
    return changes


class ConcurrentChangeError(Exception):
    """Another process recorded the same change first."""


def _known(row: SessionSnapshot) -> Known:
    return Known(row.key, row.kind, row.starts_at, row.ends_at, row.location, row.cancelled)


def _session(row: SessionSnapshot, tz: ZoneInfo) -> Session:
    return Session(
        key=row.key,
        kind=SessionKind(row.kind),
        number=row.number,
        title=row.title,
        starts_at=row.starts_at.astimezone(tz),
        ends_at=row.ends_at.astimezone(tz),
        location=row.location,
        description=None,
        preparation=None,
    )


def _fill(row: SessionSnapshot, session: Session) -> None:
    row.kind = session.kind.value
    row.number = session.number
    row.title = session.title
    row.starts_at = session.starts_at
    row.ends_at = session.ends_at
    row.location = session.location
    row.cancelled = False


class ChangeTracker:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def track(self, timetable: Timetable, now: dt.datetime) -> list[Change]:
        """Record the timetable; returns the changes found (none on the very first run).

        Raises :class:`ConcurrentChangeError` when another process recorded a change first;
        nothing is written then, and the next sync sees the state as it is.
        """
        try:
            async with self._db.transaction() as session:
                return await self._track(session, timetable, now)
        except IntegrityError as error:  # another process inserted the same new session
            raise ConcurrentChangeError(str(error)) from None

    async def _track(
        self, session: AsyncSession, timetable: Timetable, now: dt.datetime
    ) -> list[Change]:
        rows = {row.key: row for row in await session.scalars(select(SessionSnapshot))}
        known = {key: _known(row) for key, row in rows.items()}
        changes = diff(known, timetable.sessions, now) if rows else []
        current = {s.key: s for s in timetable.sessions}
        revisions = {key: row.revision for key, row in rows.items()}
        for key, item in current.items():
            row = rows.get(key)
            if row is None:
                row = SessionSnapshot(key=key, revision=0, notice=None)
                session.add(row)
            _fill(row, item)
        for key, row in rows.items():
            if key not in current:
                row.cancelled = True
        await session.flush()
        for change in changes:
            result = await session.execute(
                update(SessionSnapshot)
                .where(
                    SessionSnapshot.key == change.key,
                    SessionSnapshot.revision == revisions.get(change.key, 0),
                )
                .values(
                    revision=revisions.get(change.key, 0) + 1,
                    changed_at=now,
                    notice=change.kind.value,
                    previous_start=change.previous_start,
                    notified_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:
                raise ConcurrentChangeError(change.key)
        return changes

    async def pending(self, tz: ZoneInfo) -> list[Notice]:
        async with self._db.transaction() as session:
            rows = list(
                await session.scalars(
                    select(SessionSnapshot).where(
                        SessionSnapshot.notice.is_not(None), SessionSnapshot.notified_at.is_(None)
                    )
                )
            )
        return [
            Notice(
                ChangeKind(row.notice or ""),
                _session(row, tz),
                row.revision,
                row.previous_start.astimezone(tz) if row.previous_start else None,
            )
            for row in sorted(rows, key=lambda r: r.starts_at)
        ]

    async def done(self, notice: Notice, now: dt.datetime) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(SessionSnapshot)
                .where(
                    SessionSnapshot.key == notice.session.key,
                    SessionSnapshot.revision == notice.revision,
                )
                .values(notified_at=now)
            )

    async def changed_at(self) -> dict[str, dt.datetime]:
        """When each session was last changed (only sessions that ever were)."""
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(SessionSnapshot.key, SessionSnapshot.changed_at).where(
                    SessionSnapshot.changed_at.is_not(None)
                )
            )
            return {key: when for key, when in rows if when is not None}
