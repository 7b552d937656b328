"""What a person's next typed message is for: one stored row per person, for every feature.

Every typed step of the bot (a registration answer, a check-in code, the reason for an
afmelding or a correction, an inbox answer, an announcement's text or time, a group name, the
date of a werksessie) is a :class:`PendingKind`. Starting a step stores a row with what the
step needs in ``payload``; the dispatcher in ``handlers/pending.py`` hands the person's next
message to that feature's step function. Because the row is in the database, a restart in the
middle of any step loses nothing.

Expiry is handled here and nowhere else: a row lives ``timeout(kind)`` after its last change.
:meth:`PendingInputs.take` hands out an expired row once (flagged, and removed) so the
dispatcher can tell the person; :meth:`PendingInputs.expire` sweeps the rest away.

Most messages come from people without a pending step. :meth:`may_be_pending` answers that
from memory (the ids that may have a row, read once), so those messages cost no query.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import PendingInput

log = logging.getLogger(__name__)


class PendingKind(enum.StrEnum):
    REGISTRATION = "registration"
    CHECKIN_CODE = "checkin_code"
    PRESENCE_REASON = "presence_reason"
    ABSENCE_REASON = "absence_reason"
    INBOX_ANSWER = "inbox_answer"
    ANNOUNCEMENT_TEXT = "announcement_text"
    ANNOUNCEMENT_TIME = "announcement_time"
    ANNOUNCEMENT_EDIT = "announcement_edit"
    GROUP_NAME = "group_name"
    GROUP_RENAME = "group_rename"
    SESSIE = "sessie"
    FEEDBACK_COMMENT = "feedback_comment"
    GOAL_TEXT = "goal_text"
    GOAL_NOTE = "goal_note"
    BUDDY_MESSAGE = "buddy_message"
    EDITION = "edition"


# How long each step waits for its answer (3 hours for a kind not listed here); the
# registration and afmelding waits come from the settings.
STEP_TIMEOUT = dt.timedelta(hours=3)
DEFAULT_TIMEOUTS: Mapping[PendingKind, dt.timedelta] = {
    PendingKind.REGISTRATION: dt.timedelta(minutes=60),
    PendingKind.CHECKIN_CODE: dt.timedelta(minutes=15),
    PendingKind.PRESENCE_REASON: dt.timedelta(minutes=15),
    PendingKind.ABSENCE_REASON: dt.timedelta(minutes=30),
    PendingKind.INBOX_ANSWER: dt.timedelta(hours=24),
    PendingKind.ANNOUNCEMENT_TEXT: dt.timedelta(hours=3),
    PendingKind.ANNOUNCEMENT_TIME: dt.timedelta(hours=3),
    PendingKind.ANNOUNCEMENT_EDIT: dt.timedelta(hours=3),
    PendingKind.GROUP_NAME: dt.timedelta(hours=3),
    PendingKind.GROUP_RENAME: dt.timedelta(hours=3),
    PendingKind.SESSIE: dt.timedelta(hours=3),
}
_KINDS = frozenset(kind.value for kind in PendingKind)


@dataclass(frozen=True, slots=True)
class Pending:
    telegram_id: int
    kind: PendingKind
    payload: Mapping[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    expires_at: dt.datetime
    expired: bool = False

    def get_int(self, key: str) -> int | None:
        value = self.payload.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def get_str(self, key: str) -> str | None:
        value = self.payload.get(key)
        return value if isinstance(value, str) else None


def _view(row: PendingInput, *, expired: bool = False) -> Pending:
    return Pending(row.telegram_id, PendingKind(row.kind), dict(row.payload), row.created_at,
                   row.updated_at, row.expires_at, expired)


class PendingInputs:
    def __init__(
        self, database: Database, timeouts: Mapping[PendingKind, dt.timedelta] | None = None
    ) -> None:
        self._db = database
        self._timeouts = {**DEFAULT_TIMEOUTS, **(timeouts or {})}
        self._loaded: set[int] | None = None  # ids with a row at the first look
        self._added: set[int] = set()  # ids given a row since

    def timeout(self, kind: PendingKind) -> dt.timedelta:
        return self._timeouts.get(kind, STEP_TIMEOUT)

    # -- inside a caller's transaction -------------------------------------------------------

    async def row(self, session: AsyncSession, telegram_id: int) -> PendingInput | None:
        """The stored row, expired or not (for services that decide within one transaction)."""
        return await session.get(PendingInput, telegram_id, with_for_update=True)

    async def put(
        self,
        session: AsyncSession,
        telegram_id: int,
        kind: PendingKind,
        payload: Mapping[str, Any],
        now: dt.datetime,
    ) -> Pending:
        """Start or continue a step: this replaces whatever the person had pending."""
        self._added.add(telegram_id)  # before the commit: a miss only costs one query later
        row = await session.get(PendingInput, telegram_id)
        if row is None:
            row = PendingInput(telegram_id=telegram_id, created_at=now)
            session.add(row)
        elif row.kind != kind.value:
            row.created_at = now
        row.kind = kind.value
        row.payload = dict(payload)
        row.updated_at = now
        row.expires_at = now + self.timeout(kind)
        return _view(row)

    async def remove(
        self, session: AsyncSession, telegram_id: int, *kinds: PendingKind
    ) -> Pending | None:
        """Drop the person's step (only of these kinds, when given); returns what was dropped."""
        row = await session.get(PendingInput, telegram_id)
        if row is None or row.kind not in _KINDS or (kinds and row.kind not in kinds):
            return None
        view = _view(row)
        await session.delete(row)
        return view

    # -- one transaction each ----------------------------------------------------------------

    async def start(
        self, telegram_id: int, kind: PendingKind, payload: Mapping[str, Any], now: dt.datetime
    ) -> Pending:
        async with self._db.transaction() as session:
            return await self.put(session, telegram_id, kind, payload, now)

    async def current(
        self, telegram_id: int, now: dt.datetime, *kinds: PendingKind
    ) -> Pending | None:
        """The person's step if it has not expired (and is of one of ``kinds``, when given)."""
        found = await self.take(telegram_id, now)
        if found is None or found.expired or (kinds and found.kind not in kinds):
            return None
        return found

    async def take(self, telegram_id: int, now: dt.datetime) -> Pending | None:
        """The person's step; an expired one is returned once, flagged, and removed."""
        async with self._db.transaction() as session:
            row = await session.get(PendingInput, telegram_id)
            if row is None:
                self._forget(telegram_id)
                return None
            if row.kind not in _KINDS:  # written by a newer version of the bot
                log.warning("pending input of unknown kind %r dropped", row.kind)
                await session.delete(row)
                return None
            if row.expires_at <= now:
                await session.delete(row)
                return _view(row, expired=True)
            return _view(row)

    async def clear(self, telegram_id: int, *kinds: PendingKind) -> Pending | None:
        async with self._db.transaction() as session:
            return await self.remove(session, telegram_id, *kinds)

    async def expire(self, now: dt.datetime) -> list[Pending]:
        """Remove every expired step; returns them, for the notices their features send."""
        async with self._db.transaction() as session:
            rows = list(
                await session.scalars(select(PendingInput).where(PendingInput.expires_at <= now))
            )
            if rows:
                await session.execute(
                    delete(PendingInput).where(
                        PendingInput.telegram_id.in_([row.telegram_id for row in rows])
                    )
                )
        found = [_view(row, expired=True) for row in rows if row.kind in _KINDS]
        if found:
            log.info("%d pending input(s) expired", len(found))
        return found

    async def registration_edition(self, telegram_id: int) -> int | None:
        """The edition of this person's registration in progress, if any (read only: an
        expired one is left for its step to report)."""
        if not await self.may_be_pending(telegram_id):
            return None
        async with self._db.transaction() as session:
            row = await session.get(PendingInput, telegram_id)
        if row is None or row.kind != PendingKind.REGISTRATION:
            return None
        edition = row.payload.get("edition_id")
        return edition if isinstance(edition, int) else None

    # -- the fast path -----------------------------------------------------------------------

    async def may_be_pending(self, telegram_id: int) -> bool:
        """False when this person certainly has no step pending (usually without a query)."""
        if telegram_id in self._added:
            return True
        if self._loaded is None:
            async with self._db.engine.connect() as conn:
                found = await conn.scalars(select(PendingInput.telegram_id))
                loaded = set(found)
            if self._loaded is None:
                self._loaded = loaded
        return telegram_id in self._loaded

    def _forget(self, telegram_id: int) -> None:
        """No row for this person: later messages skip the query (until a step starts)."""
        self._added.discard(telegram_id)
        if self._loaded is not None:
            self._loaded.discard(telegram_id)
