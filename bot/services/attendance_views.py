"""Read models of attendance: one session's overview, one person's record, the whole course.

Excused absences (afmeldingen) are read through an :class:`AbsenceReader`: the absences
service of the reminders feature (:class:`bot.services.absences.AbsenceService`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import or_, select

from bot.config import AttendanceSettings
from bot.database import Database
from bot.models import Attendance, Participant, ParticipantStatus
from bot.programme import Session, SessionKind
from bot.services.attendance_rules import (
    Progress,
    Shown,
    missed_modules,
    progress,
    shown_status,
)
from bot.services.sessions import SessionService


class AbsenceReader(Protocol):
    async def for_session(self, session_key: str) -> Mapping[int, str | None]: ...

    async def for_participant(self, participant_id: int) -> Mapping[str, str | None]: ...


@dataclass(frozen=True, slots=True)
class PersonLine:
    """One participant at one session."""

    participant_id: int
    name: str | None  # None once the person asked to be forgotten
    shown: Shown
    at: dt.datetime | None  # check-in time
    note: str | None  # the afmelding's reason, or the reason of a correction
    corrected: bool


@dataclass(frozen=True, slots=True)
class SessionOverview:
    session: Session
    people: list[PersonLine]

    def with_status(self, *shown: Shown) -> list[PersonLine]:
        return [p for p in self.people if p.shown in shown]

    @property
    def checked_in(self) -> int:
        return len(self.with_status(Shown.PRESENT, Shown.LATE))

    @property
    def excused(self) -> int:
        return len(self.with_status(Shown.EXCUSED))

    @property
    def expected(self) -> int:
        return len(self.people)


@dataclass(frozen=True, slots=True)
class RecordLine:
    session: Session
    shown: Shown
    at: dt.datetime | None
    note: str | None


@dataclass(frozen=True, slots=True)
class PersonalRecord:
    participant_id: int
    lines: list[RecordLine]  # every session in time order
    progress: Progress


@dataclass(frozen=True, slots=True)
class MatrixRow:
    participant_id: int
    name: str | None
    status: ParticipantStatus
    cells: list[Shown]  # one per session of the matrix
    progress: Progress


@dataclass(frozen=True, slots=True)
class CourseMatrix:
    sessions: list[Session]
    rows: list[MatrixRow]


@dataclass(frozen=True, slots=True)
class AbsenceWarning:
    participant_id: int
    name: str | None
    missed: int


@dataclass(frozen=True, slots=True)
class Digest:
    overview: SessionOverview
    warnings: list[AbsenceWarning] = field(default_factory=list)


@dataclass
class _Loaded:
    people: dict[int, Participant]
    rows: dict[tuple[int, str], Attendance]
    absences: dict[tuple[int, str], str | None]


class AttendanceViews:
    def __init__(
        self,
        database: Database,
        sessions: SessionService,
        settings: AttendanceSettings,
        absences: AbsenceReader,
    ) -> None:
        self._db = database
        self._sessions = sessions
        self._settings = settings
        self._absences = absences

    async def _load(self, sessions: Iterable[Session], only: int | None = None) -> _Loaded:
        """Approved participants (or just ``only``), everyone with a row, rows and absences."""
        keys = [s.key for s in sessions]
        async with self._db.transaction() as session:
            row_query = select(Attendance).where(Attendance.session_key.in_(keys))
            if only is not None:
                row_query = row_query.where(Attendance.participant_id == only)
            rows = list(await session.scalars(row_query))
            with_rows = {r.participant_id for r in rows}
            if only is not None:
                people_query = select(Participant).where(Participant.id == only)
            else:
                people_query = select(Participant).where(
                    or_(
                        Participant.status == ParticipantStatus.APPROVED,
                        Participant.id.in_(with_rows),
                    )
                )
            people = {p.id: p for p in await session.scalars(people_query)}
        absences: dict[tuple[int, str], str | None] = {}
        if only is not None:
            for key, reason in (await self._absences.for_participant(only)).items():
                absences[(only, key)] = reason
        else:
            for key in keys:
                for pid, reason in (await self._absences.for_session(key)).items():
                    absences[(pid, key)] = reason
        return _Loaded(people, {(r.participant_id, r.session_key): r for r in rows}, absences)

    def _line(
        self, loaded: _Loaded, person: Participant, session: Session, now: dt.datetime
    ) -> PersonLine:
        row = loaded.rows.get((person.id, session.key))
        excused = (person.id, session.key) in loaded.absences
        shown = shown_status(row.status if row else None, excused, session, now, self._settings)
        note = row.note if row and row.note else loaded.absences.get((person.id, session.key))
        return PersonLine(
            participant_id=person.id,
            name=person.name,
            shown=shown,
            at=row.checked_in_at if row else None,
            note=note,
            corrected=bool(row and row.updated_by is not None),
        )

    async def overview(self, found: Session, now: dt.datetime) -> SessionOverview:
        loaded = await self._load([found])
        people = [
            self._line(loaded, person, found, now)
            for person in loaded.people.values()
            if person.status == ParticipantStatus.APPROVED
            or (person.id, found.key) in loaded.rows
        ]
        people.sort(key=lambda p: ((p.name or "").lower(), p.participant_id))
        return SessionOverview(found, people)

    async def record(self, participant_id: int, now: dt.datetime) -> PersonalRecord:
        sessions = list((await self._sessions.timetable()).sessions)
        loaded = await self._load(sessions, only=participant_id)
        person = loaded.people[participant_id]
        lines = [self._record_line(loaded, person, s, now) for s in sessions]
        statuses = {line.session.key: line.shown for line in lines}
        return PersonalRecord(participant_id, lines, progress(statuses, sessions, self._settings))

    def _record_line(
        self, loaded: _Loaded, person: Participant, session: Session, now: dt.datetime
    ) -> RecordLine:
        line = self._line(loaded, person, session, now)
        return RecordLine(session, line.shown, line.at, line.note)

    async def matrix(self, now: dt.datetime) -> CourseMatrix:
        """Every participant against every session, for the export."""
        sessions = list((await self._sessions.timetable()).sessions)
        loaded = await self._load(sessions)
        rows = []
        for person in loaded.people.values():
            cells = [self._line(loaded, person, s, now).shown for s in sessions]
            statuses = {s.key: shown for s, shown in zip(sessions, cells, strict=True)}
            rows.append(
                MatrixRow(
                    participant_id=person.id,
                    name=person.name,
                    status=ParticipantStatus(person.status),
                    cells=cells,
                    progress=progress(statuses, sessions, self._settings),
                )
            )
        rows.sort(key=lambda r: (r.name is None, (r.name or "").lower(), r.participant_id))
        return CourseMatrix(sessions, rows)

    async def digest(self, found: Session, now: dt.datetime) -> Digest:
        """The session's overview, and who has now missed ``absence_warning`` modules.

        A warning comes when the count is reached or passed at this very module, so a
        coordinator hears it once per missed module, not at every session after.
        """
        overview = await self.overview(found, now)
        if found.kind is not SessionKind.MODULE:
            return Digest(overview)
        sessions = [
            s for s in (await self._sessions.timetable()).sessions if s.starts_at <= now
        ]
        loaded = await self._load(sessions)
        warnings = []
        for line in overview.people:
            if line.shown not in (Shown.WAITING, Shown.EXCUSED, Shown.ABSENT):
                continue
            person = loaded.people.get(line.participant_id)
            if person is None or person.status != ParticipantStatus.APPROVED:
                continue
            statuses = {s.key: self._line(loaded, person, s, now).shown for s in sessions}
            missed = missed_modules(statuses, sessions, now)
            if missed >= self._settings.absence_warning:
                warnings.append(AbsenceWarning(person.id, person.name, missed))
        return Digest(overview, warnings)
