"""Checking in: one short transaction per check-in, one row per participant and session.

The common case, an approved participant with a valid code who has not checked in yet, is
one statement: ``INSERT ... SELECT`` from the participant row, ``ON CONFLICT DO NOTHING
RETURNING``. Anything else (a wrong code, someone not approved, already checked in, no
session open) takes the full path, which reads who is asking with their attendance rows and
says exactly what is the matter. Either way double taps, retries and simultaneous check-ins
leave exactly one row, and the losers of a race get "already checked in" with the winner's
time. Plain SQL (no ORM objects) and the timetable kept in memory by the session service
keep a check-in cheap under a rush.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.config import AttendanceSettings
from bot.database import Database
from bot.models import Attendance, Participant, ParticipantStatus
from bot.programme import Session
from bot.services.attendance_rules import Mark, in_window, mark_for, window_opens
from bot.services.checkin_codes import CheckinCodes, GuessLimiter, Verdict
from bot.services.checkin_windows import CheckinWindows, dialect_of
from bot.services.sessions import Timetable

log = logging.getLogger(__name__)


class Method(enum.StrEnum):
    CODE = "code"  # /checkin CODE
    LINK = "link"  # the QR code's deep link
    BUTTON = "button"  # "Ik ben er", then the code typed
    MANUAL = "manual"  # set by a coordinator


class Outcome(enum.StrEnum):
    CHECKED_IN = "checked_in"
    LATE = "late"
    ALREADY = "already"
    READY = "ready"  # may check in: the code is asked next
    WRONG_CODE = "wrong_code"
    EXPIRED_CODE = "expired_code"
    THROTTLED = "throttled"
    NO_SESSION = "no_session"
    CLOSED = "closed"
    PENDING = "pending"  # application not decided yet
    REJECTED = "rejected"
    UNKNOWN = "unknown"  # not registered at all


@dataclass(frozen=True, slots=True)
class CheckinResult:
    outcome: Outcome
    session: Session | None = None
    at: dt.datetime | None = None  # the check-in (for ALREADY: the earlier one)
    mark: Mark | None = None
    tries_left: int | None = None
    retry_at: dt.datetime | None = None
    next_session: Session | None = None  # NO_SESSION: the next one, if any

    @property
    def recorded(self) -> bool:
        return self.outcome in (Outcome.CHECKED_IN, Outcome.LATE)


@dataclass(frozen=True, slots=True)
class _Row:
    status: str
    checked_in_at: dt.datetime | None


@dataclass
class _Situation:
    decided: CheckinResult | None
    participant_id: int = 0
    candidates: list[Session] = field(default_factory=list)
    rows: dict[str, _Row] = field(default_factory=dict)


_PERSON_REFUSALS = {
    ParticipantStatus.PENDING: Outcome.PENDING,
    ParticipantStatus.REJECTED: Outcome.REJECTED,
    ParticipantStatus.FORGOTTEN: Outcome.UNKNOWN,
}


def _already(found: Session, row: _Row) -> CheckinResult:
    return CheckinResult(Outcome.ALREADY, session=found, at=row.checked_in_at,
                         mark=Mark(row.status))


class CheckinDesk:
    def __init__(
        self,
        database: Database,
        settings: AttendanceSettings,
        timetable: Callable[[], Awaitable[Timetable]],
        codes: Callable[[dt.datetime], Awaitable[CheckinCodes]],
        windows: CheckinWindows,
    ) -> None:
        self._db = database
        self._settings = settings
        self._timetable = timetable
        self._codes = codes
        self._windows = windows
        self.guesses = GuessLimiter(
            settings.max_wrong_guesses, dt.timedelta(minutes=settings.wrong_guess_window_minutes)
        )
        # One writer at a time from this process: SQLite allows one anyway, and waiting here
        # (in order) is much faster than SQLite's busy-wait sleeps when a rush comes in.
        self._write = asyncio.Lock()

    async def _situation(
        self, conn: AsyncConnection, telegram_id: int, now: dt.datetime
    ) -> _Situation:
        """Who is asking and which sessions take check-ins now; ``decided`` when that settles
        it. One query on the check-in's own connection: the person with all their attendance
        rows."""
        timetable = await self._timetable()
        found = (
            await conn.execute(
                select(
                    Participant.id,
                    Participant.status,
                    Attendance.session_key,
                    Attendance.status.label("mark"),
                    Attendance.checked_in_at,
                )
                .select_from(Participant)
                .outerjoin(Attendance, Attendance.participant_id == Participant.id)
                .where(Participant.telegram_id == telegram_id)
            )
        ).all()
        if not found:
            return _Situation(CheckinResult(Outcome.UNKNOWN))
        refusal = _PERSON_REFUSALS.get(ParticipantStatus(found[0].status))
        if refusal is not None:
            return _Situation(CheckinResult(refusal))
        windowed = [s for s in timetable.sessions if in_window(s, now, self._settings)]
        if not windowed:
            upcoming = next((s for s in timetable.sessions if s.starts_at > now), None)
            return _Situation(CheckinResult(Outcome.NO_SESSION, next_session=upcoming))
        closed = await self._windows.closed_keys()
        candidates = [s for s in windowed if s.key not in closed]
        if not candidates:
            return _Situation(CheckinResult(Outcome.CLOSED, session=windowed[0]))
        rows = {
            r.session_key: _Row(r.mark, r.checked_in_at) for r in found if r.session_key
        }
        situation = _Situation(None, found[0].id, candidates, rows)
        if all(s.key in rows for s in candidates):
            situation.decided = _already(candidates[0], rows[candidates[0].key])
        return situation

    async def prepare(self, telegram_id: int, now: dt.datetime) -> CheckinResult:
        """May this person check in now? READY (with the session) when only the code is missing."""
        async with self._db.engine.connect() as conn:
            situation = await self._situation(conn, telegram_id, now)
        if situation.decided is not None:
            return situation.decided
        blocked = self.guesses.blocked_until(telegram_id, now)
        if blocked is not None:
            return CheckinResult(Outcome.THROTTLED, retry_at=blocked)
        waiting = next(s for s in situation.candidates if s.key not in situation.rows)
        return CheckinResult(Outcome.READY, session=waiting)

    def _verdicts(
        self, codes: CheckinCodes, given: str, method: Method, candidates: list[Session],
        now: dt.datetime,
    ) -> dict[str, Verdict]:
        check = codes.check_token if method is Method.LINK else codes.check_code
        return {s.key: check(given, s.key, window_opens(s, self._settings), now)
                for s in candidates}

    async def check_in(
        self, telegram_id: int, given: str, method: Method, now: dt.datetime
    ) -> CheckinResult:
        """Check in with a typed code (CODE, BUTTON) or a QR token (LINK)."""
        codes = await self._codes(now)
        quick = await self._valid_code_at_once(telegram_id, given, method, codes, now)
        if quick is not None:
            return quick
        await self._windows.closed_keys()  # loaded before the transaction, once
        async with self._db.engine.connect() as conn:  # one transaction, committed below
            situation = await self._situation(conn, telegram_id, now)
            if situation.decided is not None:
                return situation.decided
            # From here to recording a wrong guess there is no await: a burst of guesses
            # cannot get past the limit.
            blocked = self.guesses.blocked_until(telegram_id, now)
            if blocked is not None:
                return CheckinResult(Outcome.THROTTLED, retry_at=blocked)
            verdicts = self._verdicts(codes, given, method, situation.candidates, now)
            match = next(
                (s for s in situation.candidates if verdicts[s.key] is Verdict.VALID), None
            )
            if match is None:
                if Verdict.EXPIRED in verdicts.values():
                    return CheckinResult(Outcome.EXPIRED_CODE)
                self.guesses.record_wrong(telegram_id, now)
                log.info("wrong check-in code from participant #%d", situation.participant_id)
                return CheckinResult(
                    Outcome.WRONG_CODE,
                    tries_left=self.guesses.tries_left(telegram_id, now),
                    retry_at=self.guesses.blocked_until(telegram_id, now),
                )
            if match.key in situation.rows:
                return _already(match, situation.rows[match.key])
            mark = mark_for(match, now, self._settings)
            participant_id = situation.participant_id
            async with self._write:
                inserted = await insert_once(
                    conn, self._db, participant_id, match.key, mark, method, now
                )
                await conn.commit()
            if not inserted:
                winner = (
                    await conn.execute(
                        select(Attendance.status, Attendance.checked_in_at).where(
                            Attendance.participant_id == participant_id,
                            Attendance.session_key == match.key,
                        )
                    )
                ).one()
                return _already(match, _Row(winner.status, winner.checked_in_at))
        return self._checked_in(telegram_id, participant_id, match, mark, now)

    async def _valid_code_at_once(
        self, telegram_id: int, given: str, method: Method, codes: CheckinCodes,
        now: dt.datetime,
    ) -> CheckinResult | None:
        """The common case in one statement, or None when the full path must say more."""
        if self.guesses.blocked_until(telegram_id, now) is not None:
            return None
        closed = await self._windows.closed_keys()
        candidates = [
            s for s in (await self._timetable()).sessions
            if in_window(s, now, self._settings) and s.key not in closed
        ]
        verdicts = self._verdicts(codes, given, method, candidates, now)
        match = next((s for s in candidates if verdicts[s.key] is Verdict.VALID), None)
        if match is None:
            return None
        mark = mark_for(match, now, self._settings)
        async with self._write, self._db.engine.connect() as conn:
            participant_id = await insert_for_approved(
                conn, self._db, telegram_id, match.key, mark, method, now
            )
            await conn.commit()
        if participant_id is None:  # unknown, not approved, or already checked in
            return None
        return self._checked_in(telegram_id, participant_id, match, mark, now)

    def _checked_in(
        self, telegram_id: int, participant_id: int, match: Session, mark: Mark, now: dt.datetime
    ) -> CheckinResult:
        self.guesses.forget(telegram_id)
        log.info("participant #%d checked in for %s (%s)", participant_id, match.key, mark)
        outcome = Outcome.LATE if mark is Mark.LATE else Outcome.CHECKED_IN
        return CheckinResult(outcome, session=match, at=now, mark=mark)


async def insert_for_approved(
    conn: AsyncConnection,
    database: Database,
    telegram_id: int,
    session_key: str,
    mark: Mark,
    method: Method,
    now: dt.datetime,
) -> int | None:
    """Check in the approved participant with this Telegram id unless they already are;
    their participant id when this call inserted the row."""
    moment = Attendance.checked_in_at.type
    person = select(
        Participant.id,
        literal(session_key),
        literal(mark.value),
        literal(method.value),
        literal(now, moment),
        literal(now, moment),
    ).where(
        Participant.telegram_id == telegram_id,
        Participant.status == ParticipantStatus.APPROVED.value,
    )
    statement = (
        dialect_of(database)
        .insert(Attendance)
        .from_select(
            ["participant_id", "session_key", "status", "method", "checked_in_at", "updated_at"],
            person,
        )
        .on_conflict_do_nothing(index_elements=["participant_id", "session_key"])
        .returning(Attendance.participant_id)
    )
    inserted: int | None = (await conn.execute(statement)).scalar_one_or_none()
    return inserted


async def insert_once(
    executor: AsyncConnection | AsyncSession,
    database: Database,
    participant_id: int,
    session_key: str,
    mark: Mark,
    method: Method,
    now: dt.datetime,
    *,
    checked_in: bool = True,
) -> bool:
    """Insert the attendance row unless one exists; True when this call inserted it."""
    statement = (
        dialect_of(database)
        .insert(Attendance)
        .values(
            participant_id=participant_id,
            session_key=session_key,
            status=mark.value,
            method=method.value,
            checked_in_at=now if checked_in else None,
            updated_at=now,
            updated_by=None,
            note=None,
        )
        .on_conflict_do_nothing(index_elements=["participant_id", "session_key"])
        .returning(Attendance.id)
    )
    result = await executor.execute(statement)
    return result.scalar_one_or_none() is not None
