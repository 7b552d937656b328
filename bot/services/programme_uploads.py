"""A programme file sent by a coordinator as a Telegram document: checked like
``wijkbot programme check``, compared with the edition's programme in force, stored, and
applied only after the coordinator confirms (once). An applied upload becomes the edition's
programme (stored with the edition, so it stays in force across restarts); for the first
edition /herladen goes back to the file on the server.

What participants hear of a change (a module moved, a session added or dropped) comes from
the timetable sync (scheduling/changes.py), as for /sessie: the upload only swaps the
programme. Changes that touch a session that has already started are refused, with the
sessions named, and the programme in force stays.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.database import Database
from bot.models import ProgrammeUpload
from bot.programme import Problem, Programme, ProgrammeError, Session, parse_programme

MAX_BYTES = 256 * 1024


class Change(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"
    PLACE = "place"
    TITLE = "title"
    DESCRIPTION = "description"


@dataclass(frozen=True, slots=True)
class SessionChange:
    change: Change
    before: Session | None
    after: Session | None

    @property
    def session(self) -> Session:
        found = self.after or self.before
        assert found is not None
        return found

    def touches_past(self, now: dt.datetime) -> bool:
        """A change of time, or a session added or dropped, where either end has started."""
        if self.change not in (Change.ADDED, Change.REMOVED, Change.MOVED):
            return False
        return any(s is not None and s.starts_at <= now for s in (self.before, self.after))


@dataclass(frozen=True, slots=True)
class Comparison:
    course_before: str
    course_after: str
    sessions: tuple[SessionChange, ...]

    @property
    def unchanged(self) -> bool:
        return self.course_before == self.course_after and not self.sessions


def compare(old: Programme, new: Programme) -> Comparison:
    """What differs per session key, in the new programme's order (dropped ones last)."""
    changes: list[SessionChange] = []
    for after in new.sessions:
        before = old.session(after.key)
        if before is None:
            changes.append(SessionChange(Change.ADDED, None, after))
            continue
        for change, differs in (
            (Change.MOVED, (before.starts_at, before.ends_at) != (after.starts_at, after.ends_at)),
            (Change.PLACE, before.location != after.location),
            (Change.TITLE, before.title != after.title),
            (Change.DESCRIPTION, (before.description, before.preparation)
             != (after.description, after.preparation)),
        ):
            if differs:
                changes.append(SessionChange(change, before, after))
    changes += [SessionChange(Change.REMOVED, before, None)
                for before in old.sessions if new.session(before.key) is None]
    return Comparison(old.data.course.name, new.data.course.name, tuple(changes))


def decode(content: bytes, file_name: str) -> str:
    """The file's text; a ProgrammeError (as the CLI reports it) when it is not UTF-8."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProgrammeError(file_name, [Problem("", "not_utf8", {})]) from None


class ProgrammeUploads:
    def __init__(self, database: Database, timezone: ZoneInfo, key_prefix: str) -> None:
        self._db = database
        self._timezone = timezone
        self._prefix = key_prefix

    def parse(self, text: str, file_name: str) -> Programme:
        """The programme in the text, for this edition; raises ProgrammeError with every
        problem."""
        return parse_programme(text, source_of(file_name), self._timezone, self._prefix)

    async def store(self, file_name: str, text: str, by: int, now: dt.datetime) -> int:
        async with self._db.transaction() as session:
            row = ProgrammeUpload(file_name=file_name[:200], text=text, uploaded_by=by,
                                  uploaded_at=now)
            session.add(row)
            await session.flush()
            return row.id

    async def apply(self, upload_id: int, now: dt.datetime) -> tuple[Programme, str] | None:
        """Mark the upload applied and return its programme and text; None if it was applied
        or dropped already (the confirm button works once)."""
        async with self._db.transaction() as session:
            row = await session.get(ProgrammeUpload, upload_id, with_for_update=True)
            if row is None or row.applied_at is not None or row.withdrawn_at is not None:
                return None
            programme = self.parse(row.text, row.file_name)
            row.applied_at = now
            return programme, row.text

    async def drop(self, upload_id: int, now: dt.datetime) -> bool:
        """Cancel an upload that was not applied; False if it was handled already."""
        async with self._db.transaction() as session:
            row = await session.get(ProgrammeUpload, upload_id, with_for_update=True)
            if row is None or row.applied_at is not None or row.withdrawn_at is not None:
                return False
            row.withdrawn_at = now
            return True


def source_of(file_name: str) -> str:
    return f"Telegram: {file_name}"
