"""All database tables. Schema changes go through a migration in bot/migrations/versions."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, ForeignKey, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.database import TZDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: TZDateTime()}


class Contact(Base):
    """A Telegram user who wrote to the bot in a private chat. Holds no name: only ids."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    first_seen_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    blocked_at: Mapped[dt.datetime | None]


class ParticipantStatus(enum.StrEnum):
    """Where someone stands with the course. Stored as text; shown in Dutch via the catalogue."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    FORGOTTEN = "forgotten"


class Participant(Base):
    """An applicant or participant. Later tables (attendance) reference ``participants.id``.

    ``/vergeetmij`` never deletes the row: it clears every personal column, sets ``telegram_id``
    to NULL and the status to ``forgotten``, so rows that refer to it stay valid but anonymous.
    A participant added by hand has no ``telegram_id`` until they open their personal invite.
    """

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    organisation_type: Mapped[str | None] = mapped_column(String(100))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    active_in_groningen: Mapped[bool | None]
    experience_years: Mapped[int | None]
    email: Mapped[str | None] = mapped_column(String(254))
    fits: Mapped[bool | None]
    consent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    applied_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    forgotten_at: Mapped[dt.datetime | None]
    # Set when Telegram says the person blocked the bot; cleared when they write again.
    blocked_at: Mapped[dt.datetime | None]


class RegistrationDraft(Base):
    """The answers of a registration in progress: survives a restart, removed when done."""

    __tablename__ = "registration_drafts"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    step: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime] = mapped_column(index=True)


class Invite(Base):
    """An invite deep link. Only a hash of the token is stored; the link is shown once."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    max_uses: Mapped[int]
    uses: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    # A personal invite (participant added by hand) links that participant's row.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )


class LearnedAnswer(Base):
    """A coordinator's answer added to the knowledge base; matched like any intent."""

    __tablename__ = "learned_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[int] = mapped_column(BigInteger)


class InboxQuestion(Base):
    """A question the bot could not answer: draft, open in the coordinators' inbox, answered."""

    __tablename__ = "inbox_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    asker_telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    asker_chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    asked_at: Mapped[dt.datetime]
    answering_by: Mapped[int | None] = mapped_column(BigInteger, index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None]
    answered_by: Mapped[int | None] = mapped_column(BigInteger)
    learned_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("learned_answers.id", ondelete="SET NULL")
    )


class SessionChange(Base):
    """A session set or changed by the coordinator (/sessie), on top of the programme file.

    A row with the key of a programme session moves or cancels that session; a row with a
    new key (``werksessie-t<id>``) adds a werksessie or intervisie meeting.
    """

    __tablename__ = "session_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    title: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[int | None] = mapped_column(BigInteger)


class Absence(Base):
    """An excused absence (afmelding) of a participant for one session, with the reason."""

    __tablename__ = "absences"
    __table_args__ = (UniqueConstraint("participant_id", "session_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    session_key: Mapped[str] = mapped_column(String(40), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
