"""Attendance: check-in (see :mod:`bot.services.checkin`), corrections with an audit trail,
and the typed answers the bot waits for.

Overviews, personal records and the course matrix for the export are built in
:mod:`bot.services.attendance_views`; check-in windows, QR displays and the job's bookkeeping
in :mod:`bot.services.checkin_windows`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select

from bot.config import AttendanceSettings
from bot.database import Database
from bot.models import Attendance, AttendanceAudit, Participant
from bot.programme import Session
from bot.services.attendance_rules import Mark
from bot.services.attendance_views import AbsenceReader, AttendanceViews
from bot.services.checkin import CheckinDesk, CheckinResult, Method, insert_once
from bot.services.checkin_codes import CheckinCodes, load_secret
from bot.services.checkin_windows import CheckinWindows
from bot.services.sessions import SessionService

log = logging.getLogger(__name__)

REASON_MAX = 500


@dataclass(frozen=True, slots=True)
class Correction:
    participant_id: int
    name: str | None
    session: Session
    old: Mark | None
    new: Mark


class CorrectionError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # unknown_session, unknown_participant, no_reason, reason_too_long


class AttendanceService:
    def __init__(
        self,
        database: Database,
        sessions: SessionService,
        settings: AttendanceSettings,
        absences: AbsenceReader,
    ) -> None:
        self._db = database
        self._sessions = sessions
        self.settings = settings
        self.views = AttendanceViews(database, sessions, settings, absences)
        self.windows = CheckinWindows(database, absences)
        self._codes: CheckinCodes | None = None
        self._codes_lock = asyncio.Lock()
        self.desk = CheckinDesk(database, settings, sessions.timetable, self.codes, self.windows)

    async def codes(self, now: dt.datetime) -> CheckinCodes:
        if self._codes is None:
            async with self._codes_lock:
                if self._codes is None:
                    configured = self.settings.secret
                    secret = await load_secret(
                        self._db, configured.get_secret_value() if configured else None, now
                    )
                    self._codes = CheckinCodes(
                        secret,
                        dt.timedelta(minutes=self.settings.code_rotation_minutes),
                        dt.timedelta(seconds=self.settings.code_grace_seconds),
                    )
        return self._codes

    # -- checking in ---------------------------------------------------------------------------

    async def prepare(self, telegram_id: int, now: dt.datetime) -> CheckinResult:
        """May this person check in now? READY (with the session) when only the code is missing."""
        return await self.desk.prepare(telegram_id, now)

    async def check_in(
        self, telegram_id: int, given: str, method: Method, now: dt.datetime
    ) -> CheckinResult:
        """Check in with a typed code (CODE, BUTTON) or a QR token (LINK)."""
        return await self.desk.check_in(telegram_id, given, method, now)

    async def checked_in_participant_ids(self, session_key: str) -> set[int]:
        """Participants present or late at a session (for announcements and reminders)."""
        async with self._db.transaction() as session:
            found = await session.scalars(
                select(Attendance.participant_id).where(
                    Attendance.session_key == session_key,
                    Attendance.status.in_([Mark.PRESENT, Mark.LATE]),
                )
            )
            return set(found)

    # -- corrections ---------------------------------------------------------------------------

    async def correct(
        self,
        participant_id: int,
        session_key: str,
        new: Mark,
        reason: str,
        *,
        by: int,
        now: dt.datetime,
    ) -> Correction:
        """Set a status by hand; the reason and who did it go into the audit trail."""
        reason = reason.strip()
        if not reason:
            raise CorrectionError("no_reason")
        if len(reason) > REASON_MAX:
            raise CorrectionError("reason_too_long")
        found = (await self._sessions.timetable()).get(session_key)
        if found is None:
            raise CorrectionError("unknown_session")
        async with self._db.transaction() as session:
            person = await session.get(Participant, participant_id)
            if person is None:
                raise CorrectionError("unknown_participant")
            created = await insert_once(
                session, self._db, participant_id, session_key, new, Method.MANUAL, now,
                checked_in=False,
            )
            row = await session.scalar(
                select(Attendance)
                .where(
                    Attendance.participant_id == participant_id,
                    Attendance.session_key == session_key,
                )
                .with_for_update()
            )
            assert row is not None
            old = None if created else row.status
            row.status, row.method = new, Method.MANUAL
            row.updated_at, row.updated_by, row.note = now, by, reason
            session.add(
                AttendanceAudit(
                    participant_id=participant_id,
                    session_key=session_key,
                    old_status=old,
                    new_status=new,
                    reason=reason,
                    changed_by=by,
                    changed_at=now,
                )
            )
            name = person.name
        log.info("attendance of participant #%d for %s set to %s by a coordinator",
                 participant_id, session_key, new)
        return Correction(participant_id, name, found, Mark(old) if old else None, new)

    async def audit_trail(self, session_key: str | None = None) -> list[AttendanceAudit]:
        async with self._db.transaction() as session:
            query = select(AttendanceAudit).order_by(AttendanceAudit.id)
            if session_key is not None:
                query = query.where(AttendanceAudit.session_key == session_key)
            return list(await session.scalars(query))
