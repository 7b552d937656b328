"""Module feedback: after each module every participant who attended is asked once for a
score of 1 to 5 and, if they like, a comment; the coordinator sees the answers per module.

The question goes out at ``feedback.days_after`` days after the module at ``feedback.at``
(default the next morning at 9:00). Its row is claimed just before it is sent (unique per
participant and module), so a restart never sends it twice; a score is given once.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import FeedbackSettings
from bot.database import Database
from bot.models import ModuleFeedback, Participant, ParticipantStatus
from bot.programme import Session, SessionKind
from bot.services.attendance_rules import Shown
from bot.services.attendance_views import AttendanceViews
from bot.services.sessions import SessionService

SCORES = range(1, 6)
COMMENT_MAX = 1000


class Answer(enum.StrEnum):
    SAVED = "saved"
    ALREADY = "already"  # this module was scored (or commented on) before
    UNKNOWN = "unknown"  # no question was sent to this person for this module
    INVALID = "invalid"  # not a score of 1 to 5, or an empty or too long comment


@dataclass(frozen=True, slots=True)
class Recipient:
    participant_id: int
    chat_id: int


@dataclass(frozen=True, slots=True)
class Given:
    """One person's answer about one module."""

    score: int
    comment: str | None
    name: str | None  # None unless names are shown (feedback.show_names), or forgotten


@dataclass(frozen=True, slots=True)
class ModuleSummary:
    session: Session
    asked: int
    given: tuple[Given, ...]  # in the order they were given

    @property
    def answers(self) -> int:
        return len(self.given)

    @property
    def average(self) -> float | None:
        return sum(g.score for g in self.given) / len(self.given) if self.given else None

    def count(self, score: int) -> int:
        return sum(1 for g in self.given if g.score == score)

    @property
    def comments(self) -> list[Given]:
        return [g for g in self.given if g.comment]


class FeedbackService:
    def __init__(
        self,
        database: Database,
        sessions: SessionService,
        attendance: AttendanceViews,
        settings: FeedbackSettings,
    ) -> None:
        self._db = database
        self._sessions = sessions
        self._attendance = attendance
        self.settings = settings

    def moment(self, module: Session) -> dt.datetime:
        """When the question about ``module`` goes out."""
        tz = module.ends_at.tzinfo
        day = module.ends_at.date() + dt.timedelta(days=self.settings.days_after)
        moment = dt.datetime.combine(day, self.settings.at, tzinfo=tz)
        return max(moment, module.ends_at)

    async def due(self, now: dt.datetime) -> list[Session]:
        """Modules whose question should go out now (not ones long past: the bot was down)."""
        if not self.settings.enabled:
            return []
        late = dt.timedelta(hours=self.settings.send_within_hours)
        return [
            module
            for module in (await self._sessions.timetable()).of_kind(SessionKind.MODULE)
            if self.moment(module) <= now < self.moment(module) + late
        ]

    async def recipients(self, module: Session, now: dt.datetime) -> list[Recipient]:
        """Who attended ``module`` (present or late), can be reached and was not asked yet."""
        overview = await self._attendance.overview(module, now)
        attended = {line.participant_id for line in overview.with_status(Shown.PRESENT, Shown.LATE)}
        if not attended:
            return []
        async with self._db.transaction() as session:
            asked = set(
                await session.scalars(
                    select(ModuleFeedback.participant_id).where(
                        ModuleFeedback.session_key == module.key
                    )
                )
            )
            rows = await session.execute(
                select(Participant.id, Participant.chat_id)
                .where(Participant.id.in_(attended - asked))
                .where(Participant.status == ParticipantStatus.APPROVED)
                .where(Participant.chat_id.is_not(None), Participant.blocked_at.is_(None))
                .order_by(Participant.id)
            )
            return [Recipient(number, chat) for number, chat in rows if chat is not None]

    async def claim(self, participant_id: int, session_key: str, now: dt.datetime) -> bool:
        """Record that the question is being sent; False if it was already (never twice)."""
        try:
            async with self._db.transaction() as session:
                session.add(ModuleFeedback(participant_id=participant_id, session_key=session_key,
                                           asked_at=now))
        except IntegrityError:
            return False
        return True

    async def sent(self, participant_id: int, session_key: str, message_id: int) -> None:
        async with self._db.transaction() as session:
            row = await _row(session, participant_id, session_key)
            if row is not None:
                row.message_id = message_id

    async def score(
        self, telegram_id: int, session_key: str, score: int, now: dt.datetime
    ) -> Answer:
        if score not in SCORES:
            return Answer.INVALID
        async with self._db.transaction() as session:
            row = await _asked(session, telegram_id, session_key)
            if row is None:
                return Answer.UNKNOWN
            if row.score is not None:
                return Answer.ALREADY
            row.score, row.answered_at = score, now
            return Answer.SAVED

    async def comment(
        self, telegram_id: int, session_key: str, text: str, now: dt.datetime
    ) -> Answer:
        text = text.strip()
        if not text or len(text) > COMMENT_MAX:
            return Answer.INVALID
        async with self._db.transaction() as session:
            row = await _asked(session, telegram_id, session_key)
            if row is None or row.score is None:
                return Answer.UNKNOWN
            if row.comment is not None:
                return Answer.ALREADY
            row.comment, row.answered_at = text, now
            return Answer.SAVED

    async def summaries(self) -> list[ModuleSummary]:
        """Per module that was asked about, in programme order: the scores and comments."""
        timetable = await self._sessions.timetable()
        async with self._db.transaction() as session:
            rows = (
                await session.execute(
                    select(ModuleFeedback, Participant.name)
                    .join(Participant, Participant.id == ModuleFeedback.participant_id)
                    .order_by(ModuleFeedback.answered_at, ModuleFeedback.id)
                )
            ).all()
        by_key: dict[str, list[tuple[ModuleFeedback, str | None]]] = {}
        for row, name in rows:
            by_key.setdefault(row.session_key, []).append((row, name))
        summaries = []
        for module in timetable.of_kind(SessionKind.MODULE):
            found = by_key.get(module.key)
            if not found:
                continue
            given = tuple(
                Given(row.score, row.comment, name if self.settings.show_names else None)
                for row, name in found
                if row.score is not None
            )
            summaries.append(ModuleSummary(module, len(found), given))
        return summaries


async def _row(session: AsyncSession, participant_id: int, key: str) -> ModuleFeedback | None:
    found: ModuleFeedback | None = await session.scalar(
        select(ModuleFeedback).where(
            ModuleFeedback.participant_id == participant_id, ModuleFeedback.session_key == key
        )
    )
    return found


async def _asked(session: AsyncSession, telegram_id: int, key: str) -> ModuleFeedback | None:
    """The question sent to this Telegram account about this module, locked for the answer."""
    found: ModuleFeedback | None = await session.scalar(
        select(ModuleFeedback)
        .join(Participant, Participant.id == ModuleFeedback.participant_id)
        .where(Participant.telegram_id == telegram_id, ModuleFeedback.session_key == key)
        .with_for_update()
    )
    return found


async def export_feedback(session: AsyncSession, participant_id: int) -> list[dict[str, object]]:
    """One participant's feedback, for /mijngegevens."""
    rows = await session.scalars(
        select(ModuleFeedback)
        .where(ModuleFeedback.participant_id == participant_id)
        .order_by(ModuleFeedback.id)
    )
    return [
        {
            "session": row.session_key,
            "asked_at": row.asked_at.isoformat(),
            "score": row.score,
            "comment": row.comment,
            "answered_at": row.answered_at.isoformat() if row.answered_at else None,
        }
        for row in rows
    ]


async def forget_feedback(session: AsyncSession, participant_id: int) -> None:
    """/vergeetmij: the scores stay, anonymous (the participant row is); comments go."""
    await session.execute(
        update(ModuleFeedback)
        .where(ModuleFeedback.participant_id == participant_id)
        .values(comment=None, message_id=None)
    )
