"""Learning goals (/leerdoelen): each participant writes 1 to 3 goals, edits them and notes
progress. Before every intervisie meeting they get their goals and "wat wil je bespreken?";
after the last module, a short look back. Both questions go out once per person and session
(claimed in ``goal_prompts`` before sending), also across restarts.

Goals are private: only the participant sees them, unless they tap "share", and then only
the members of their own intervisiegroep do (see bot/services/buddies.py). Coordinators never
see them through the bot.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import GoalSettings
from bot.database import Database
from bot.models import GoalNote, GoalPrompt, GoalSharing, LearningGoal, Participant
from bot.models import ParticipantStatus as Status
from bot.programme import Session, SessionKind
from bot.services.sessions import SessionService

MAX_GOALS = 3
TEXT_MAX = 500
NOTE_MAX = 1000


class NoteKind(enum.StrEnum):
    PROGRESS = "progress"  # on one goal
    AGENDA = "agenda"  # what to discuss at an intervisie meeting
    LOOK_BACK = "lookback"  # after the last module


class GoalProblem(enum.StrEnum):
    NOT_PARTICIPANT = "not_participant"
    FULL = "full"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    GONE = "gone"


class GoalError(Exception):
    def __init__(self, problem: GoalProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Note:
    kind: NoteKind
    text: str
    created_at: dt.datetime
    session_key: str | None


@dataclass(frozen=True, slots=True)
class Goal:
    id: int
    number: int  # 1, 2 or 3, in the order they were written
    text: str
    notes: tuple[Note, ...]


@dataclass(frozen=True, slots=True)
class MyGoals:
    participant_id: int
    goals: tuple[Goal, ...]
    shared: bool
    notes: tuple[Note, ...]  # agenda and look-back notes (not on one goal)

    @property
    def full(self) -> bool:
        return len(self.goals) >= MAX_GOALS

    def goal(self, goal_id: int) -> Goal | None:
        return next((g for g in self.goals if g.id == goal_id), None)


@dataclass(frozen=True, slots=True)
class Recipient:
    participant_id: int
    chat_id: int
    goals: tuple[str, ...]


def clean(text: str, limit: int) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise GoalError(GoalProblem.EMPTY)
    if len(cleaned) > limit:
        raise GoalError(GoalProblem.TOO_LONG)
    return cleaned


async def _participant_id(session: AsyncSession, telegram_id: int) -> int:
    found = await session.scalar(
        select(Participant.id).where(Participant.telegram_id == telegram_id,
                                     Participant.status == Status.APPROVED)
    )
    if found is None:
        raise GoalError(GoalProblem.NOT_PARTICIPANT)
    return int(found)


class GoalService:
    def __init__(self, database: Database, sessions: SessionService,
                 settings: GoalSettings, timezone: dt.tzinfo) -> None:
        self._db = database
        self._tz = timezone
        self._sessions = sessions
        self.settings = settings

    async def mine(self, telegram_id: int) -> MyGoals:
        async with self._db.transaction() as session:
            participant_id = await _participant_id(session, telegram_id)
            return await _load(session, participant_id, self._tz)

    async def add(self, telegram_id: int, text: str, now: dt.datetime) -> Goal:
        cleaned = clean(text, TEXT_MAX)
        async with self._db.transaction() as session:
            participant_id = await _participant_id(session, telegram_id)
            count = await session.scalar(
                select(func.count()).select_from(LearningGoal)
                .where(LearningGoal.participant_id == participant_id)
            )
            if (count or 0) >= MAX_GOALS:
                raise GoalError(GoalProblem.FULL)
            row = LearningGoal(participant_id=participant_id, text=cleaned, created_at=now,
                               updated_at=now)
            session.add(row)
            await session.flush()
            return Goal(row.id, (count or 0) + 1, cleaned, ())

    async def change(self, telegram_id: int, goal_id: int, text: str, now: dt.datetime) -> None:
        cleaned = clean(text, TEXT_MAX)
        async with self._db.transaction() as session:
            row = await _own_goal(session, telegram_id, goal_id)
            row.text, row.updated_at = cleaned, now

    async def remove(self, telegram_id: int, goal_id: int) -> None:
        async with self._db.transaction() as session:
            await session.delete(await _own_goal(session, telegram_id, goal_id))

    async def note(
        self, telegram_id: int, kind: NoteKind, text: str, now: dt.datetime,
        *, goal_id: int | None = None, session_key: str | None = None,
    ) -> None:
        cleaned = clean(text, NOTE_MAX)
        async with self._db.transaction() as session:
            participant_id = await _participant_id(session, telegram_id)
            if goal_id is not None:
                await _own_goal(session, telegram_id, goal_id)
            session.add(GoalNote(participant_id=participant_id, goal_id=goal_id, kind=kind.value,
                                 session_key=session_key, text=cleaned, created_at=now))

    async def share(self, telegram_id: int, shared: bool, now: dt.datetime) -> None:
        async with self._db.transaction() as session:
            participant_id = await _participant_id(session, telegram_id)
            await session.execute(
                delete(GoalSharing).where(GoalSharing.participant_id == participant_id)
            )
            if shared:
                session.add(GoalSharing(participant_id=participant_id, shared_at=now))

    async def shared_goals(self, participant_ids: Iterable[int]) -> dict[int, list[str]]:
        """The goals of those among these participants who chose to share them."""
        ids = set(participant_ids)
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(LearningGoal.participant_id, LearningGoal.text)
                .join(GoalSharing, GoalSharing.participant_id == LearningGoal.participant_id)
                .where(LearningGoal.participant_id.in_(ids))
                .order_by(LearningGoal.id)
            )
            found: dict[int, list[str]] = {}
            for participant_id, text in rows:
                found.setdefault(participant_id, []).append(text)
            return found

    # -- the questions before intervisie meetings and after the last module ---------------

    def moment(self, found: Session) -> dt.datetime:
        """When the question about ``found`` goes out: before an intervisie meeting, or the
        look back after the last module."""
        tz = found.starts_at.tzinfo
        if found.kind is SessionKind.INTERVISIE:
            day = found.starts_at.date() - dt.timedelta(days=self.settings.days_before)
            return min(dt.datetime.combine(day, self.settings.at, tzinfo=tz), found.starts_at)
        day = found.ends_at.date() + dt.timedelta(days=self.settings.look_back_days_after)
        return max(dt.datetime.combine(day, self.settings.look_back_at, tzinfo=tz),
                   found.ends_at)

    async def due(self, now: dt.datetime) -> list[Session]:
        """Intervisie meetings and the last module whose question should go out now."""
        if not self.settings.enabled:
            return []
        timetable = await self._sessions.timetable()
        modules = timetable.of_kind(SessionKind.MODULE)
        candidates = [*timetable.of_kind(SessionKind.INTERVISIE), *modules[-1:]]
        late = dt.timedelta(hours=self.settings.send_within_hours)
        return [s for s in candidates if self.moment(s) <= now < self.moment(s) + late]

    async def recipients(self, found: Session) -> list[Recipient]:
        """Approved participants who can be reached and were not asked about it yet."""
        async with self._db.transaction() as session:
            asked = set(await session.scalars(
                select(GoalPrompt.participant_id).where(GoalPrompt.session_key == found.key)
            ))
            people = (await session.execute(
                select(Participant.id, Participant.chat_id)
                .where(Participant.status == Status.APPROVED)
                .where(Participant.chat_id.is_not(None), Participant.blocked_at.is_(None))
                .order_by(Participant.id)
            )).all()
            goals: dict[int, list[str]] = {}
            for participant_id, text in await session.execute(
                select(LearningGoal.participant_id, LearningGoal.text).order_by(LearningGoal.id)
            ):
                goals.setdefault(participant_id, []).append(text)
        return [Recipient(number, chat, tuple(goals.get(number, ())))
                for number, chat in people if chat is not None and number not in asked]

    async def was_asked(self, telegram_id: int, session_key: str) -> bool:
        """Whether this account's participant got the question about this session."""
        async with self._db.transaction() as session:
            found = await session.scalar(
                select(GoalPrompt.id)
                .join(Participant, Participant.id == GoalPrompt.participant_id)
                .where(Participant.telegram_id == telegram_id,
                       GoalPrompt.session_key == session_key)
            )
            return found is not None

    async def claim(self, participant_id: int, session_key: str, now: dt.datetime) -> bool:
        """Record that the question is being sent; False if it was already (never twice)."""
        try:
            async with self._db.transaction() as session:
                session.add(GoalPrompt(participant_id=participant_id, session_key=session_key,
                                       sent_at=now))
        except IntegrityError:
            return False
        return True


async def _own_goal(session: AsyncSession, telegram_id: int, goal_id: int) -> LearningGoal:
    """The goal, if it belongs to this account's participant; else GONE (never another's)."""
    participant_id = await _participant_id(session, telegram_id)
    row = await session.get(LearningGoal, goal_id)
    if row is None or row.participant_id != participant_id:
        raise GoalError(GoalProblem.GONE)
    return row


async def _load(
    session: AsyncSession, participant_id: int, tz: dt.tzinfo = dt.UTC
) -> MyGoals:
    """The goals and notes, with the notes' moments in ``tz``."""
    goals = list(await session.scalars(
        select(LearningGoal).where(LearningGoal.participant_id == participant_id)
        .order_by(LearningGoal.id)
    ))
    notes = list(await session.scalars(
        select(GoalNote).where(GoalNote.participant_id == participant_id)
        .order_by(GoalNote.created_at, GoalNote.id)
    ))
    shared = await session.get(GoalSharing, participant_id) is not None

    def of(goal_id: int | None) -> tuple[Note, ...]:
        return tuple(Note(NoteKind(n.kind), n.text, n.created_at.astimezone(tz), n.session_key)
                     for n in notes if n.goal_id == goal_id)

    return MyGoals(
        participant_id,
        tuple(Goal(g.id, index + 1, g.text, of(g.id)) for index, g in enumerate(goals)),
        shared,
        of(None),
    )


async def export_goals(session: AsyncSession, participant_id: int) -> dict[str, object]:
    """For /mijngegevens: the goals with their notes, the other notes, and sharing."""
    mine = await _load(session, participant_id)

    def notes(found: Iterable[Note]) -> list[dict[str, object]]:
        return [{"kind": n.kind.value, "session": n.session_key, "text": n.text,
                 "written_at": n.created_at.isoformat()} for n in found]

    return {
        "learning_goals": [{"goal": g.text, "notes": notes(g.notes)} for g in mine.goals]
        + ([{"goal": None, "notes": notes(mine.notes)}] if mine.notes else []),
        "learning_goals_shared": mine.shared,
    }


async def forget_goals(session: AsyncSession, participant_id: int) -> None:
    """/vergeetmij: goals, notes, questions sent and sharing all go."""
    for table in (GoalNote, LearningGoal, GoalPrompt, GoalSharing):
        await session.execute(delete(table).where(table.participant_id == participant_id))
