"""Questions the bot could not answer, passed to the coordinators and answered by them.

A question is stored as a draft when the bot offers to pass it on, becomes ``open`` when
the asker agrees, and ``answered`` when a coordinator replies. A coordinator may turn an
answered question into a learned knowledge-base entry, matched from then on.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import delete, select

from bot.database import Database
from bot.models import InboxQuestion, LearnedAnswer

MAX_QUESTION_LENGTH = 1000
MAX_ANSWER_LENGTH = 3000
DRAFT_LIFETIME = dt.timedelta(days=2)


class QuestionStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    ANSWERED = "answered"


@dataclass(frozen=True, slots=True)
class QuestionView:
    id: int
    asker_chat_id: int | None
    text: str
    status: QuestionStatus
    asked_at: dt.datetime
    answer: str | None
    learned: bool


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    question: QuestionView
    already_answered: bool


@dataclass(frozen=True, slots=True)
class LearnedView:
    entry_id: str
    question: str
    answer: str


def _view(row: InboxQuestion) -> QuestionView:
    return QuestionView(
        id=row.id,
        asker_chat_id=row.asker_chat_id,
        text=row.text,
        status=QuestionStatus(row.status),
        asked_at=row.asked_at,
        answer=row.answer,
        learned=row.learned_answer_id is not None,
    )


class InboxService:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def draft(self, telegram_id: int, chat_id: int, text: str, now: dt.datetime) -> int:
        """Keep an unanswerable question so the asker can choose to pass it on."""
        async with self._db.transaction() as session:
            await session.execute(
                delete(InboxQuestion).where(
                    InboxQuestion.status == QuestionStatus.DRAFT,
                    InboxQuestion.asked_at < now - DRAFT_LIFETIME,
                )
            )
            row = InboxQuestion(
                asker_telegram_id=telegram_id,
                asker_chat_id=chat_id,
                text=text[:MAX_QUESTION_LENGTH],
                status=QuestionStatus.DRAFT,
                asked_at=now,
            )
            session.add(row)
            await session.flush()
            return row.id

    async def submit(self, question_id: int, telegram_id: int) -> QuestionView | None:
        """The asker passes the question on. None when it is not theirs or gone.

        Submitting twice (a double tap) returns the same open question.
        """
        async with self._db.transaction() as session:
            row = await session.get(InboxQuestion, question_id, with_for_update=True)
            if row is None or row.asker_telegram_id != telegram_id:
                return None
            if row.status == QuestionStatus.DRAFT:
                row.status = QuestionStatus.OPEN
            return _view(row)

    async def open_questions(self) -> list[QuestionView]:
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(InboxQuestion)
                .where(InboxQuestion.status == QuestionStatus.OPEN)
                .order_by(InboxQuestion.asked_at, InboxQuestion.id)
            )
            return [_view(row) for row in rows]

    async def get(self, question_id: int) -> QuestionView | None:
        async with self._db.transaction() as session:
            row = await session.get(InboxQuestion, question_id)
            return _view(row) if row else None

    async def answerable(self, question_id: int) -> QuestionView | None:
        """A question a coordinator may answer (open, or answered already); None for a draft.

        Which question a coordinator's next message answers is a pending input of kind
        ``inbox_answer`` (bot/services/pending.py), started by the handler."""
        async with self._db.transaction() as session:
            row = await session.get(InboxQuestion, question_id)
            if row is None or row.status == QuestionStatus.DRAFT:
                return None
            return _view(row)

    async def answer(
        self, question_id: int, coordinator_id: int, answer: str, now: dt.datetime
    ) -> AnswerOutcome | None:
        """Store a coordinator's answer; a question answered meanwhile keeps the first answer."""
        async with self._db.transaction() as session:
            row = await session.get(InboxQuestion, question_id, with_for_update=True)
            if row is None or row.status == QuestionStatus.DRAFT:
                return None
            if row.status == QuestionStatus.ANSWERED:
                return AnswerOutcome(_view(row), already_answered=True)
            row.status = QuestionStatus.ANSWERED
            row.answer = answer[:MAX_ANSWER_LENGTH]
            row.answered_at = now
            row.answered_by = coordinator_id
            return AnswerOutcome(_view(row), already_answered=False)

    async def learn(
        self, question_id: int, coordinator_id: int, now: dt.datetime
    ) -> LearnedView | None:
        """Add an answered question to the knowledge base (once; a second call returns it)."""
        async with self._db.transaction() as session:
            row = await session.get(InboxQuestion, question_id, with_for_update=True)
            if row is None or row.status != QuestionStatus.ANSWERED or row.answer is None:
                return None
            if row.learned_answer_id is not None:
                learned = await session.get(LearnedAnswer, row.learned_answer_id)
                return _learned(learned) if learned else None
            learned = LearnedAnswer(
                question=row.text,
                answer=row.answer,
                created_at=now,
                created_by=coordinator_id,
            )
            session.add(learned)
            await session.flush()
            row.learned_answer_id = learned.id
            return _learned(learned)

    async def learned_answers(self) -> list[LearnedView]:
        async with self._db.transaction() as session:
            rows = await session.scalars(select(LearnedAnswer).order_by(LearnedAnswer.id))
            return [_learned(row) for row in rows]

    async def forget_asker(self, telegram_id: int) -> int:
        """Privacy: remove every question this person asked; returns how many."""
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(InboxQuestion).where(InboxQuestion.asker_telegram_id == telegram_id)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]


def _learned(row: LearnedAnswer) -> LearnedView:
    return LearnedView(entry_id=f"learned-{row.id}", question=row.question, answer=row.answer)
