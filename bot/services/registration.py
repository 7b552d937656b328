"""Registration: the /aanmelden questions, kept as a draft in the database, then an application.

A draft (a pending input of kind ``registration``, see bot/services/pending.py) holds the
chat, the current step and the answers so far, so a restart in the middle loses nothing.
Every answer is one short transaction. Confirming turns the draft into a row in
``participants``: ``pending`` for the coordinator to decide, or ``approved`` at once when
the person came through a valid invite link.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import Participant, ParticipantStatus, PendingInput
from bot.programme_file import EligibilitySection
from bot.services.eligibility import EligibilityAssessment, assess
from bot.services.invites import InviteCheck, consume_invite
from bot.services.participants import ParticipantView, linked_participant
from bot.services.pending import PendingInputs, PendingKind
from bot.services.registration_steps import (
    Problem,
    Step,
    Transition,
    advance,
    apply_choice,
    apply_text,
    check_name,
)

log = logging.getLogger(__name__)


class OutcomeKind(enum.StrEnum):
    NEXT = "next"  # answer taken: ask draft.step
    RETRY = "retry"  # answer not usable (see problem): ask draft.step again
    STALE = "stale"  # a button of another step (double tap, old message): nothing changed
    EXPIRED = "expired"  # the draft had timed out and is gone
    CANCELLED = "cancelled"  # the person declined consent
    SUBMITTED = "submitted"  # application stored (see submission)
    ALREADY = "already"  # this account already has an application (see participant)


@dataclass(frozen=True, slots=True)
class Draft:
    telegram_id: int
    chat_id: int
    step: Step
    answers: Mapping[str, Any]
    updated_at: dt.datetime  # the last answer (or resumption)

    @property
    def suggested_name(self) -> str | None:
        value = self.answers.get("suggested_name")
        return value if isinstance(value, str) else None

    @property
    def has_invite(self) -> bool:
        return self.answers.get("invite_id") is not None


@dataclass(frozen=True, slots=True)
class Submission:
    participant: ParticipantView
    assessment: EligibilityAssessment
    via_invite: bool


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: OutcomeKind
    draft: Draft | None = None
    problem: Problem | None = None
    submission: Submission | None = None
    participant: ParticipantView | None = None


class BeginKind(enum.StrEnum):
    STARTED = "started"
    RESUMED = "resumed"
    REGISTERED = "registered"  # already applied: show the status
    APPROVED_BY_INVITE = "approved_by_invite"  # a pending application approved by an invite


@dataclass(frozen=True, slots=True)
class Begin:
    kind: BeginKind
    draft: Draft | None = None
    participant: ParticipantView | None = None


@dataclass(slots=True)
class _Row:
    """A registration draft as stored in its pending input."""

    telegram_id: int
    chat_id: int
    step: str
    answers: dict[str, Any]
    started_at: str
    updated_at: dt.datetime
    expires_at: dt.datetime

    @classmethod
    def of(cls, row: PendingInput) -> _Row | None:
        payload = row.payload
        if row.kind != PendingKind.REGISTRATION or not isinstance(payload.get("answers"), dict):
            return None
        return cls(row.telegram_id, int(payload["chat_id"]), str(payload["step"]),
                   dict(payload["answers"]), str(payload.get("started_at", "")),
                   row.updated_at, row.expires_at)

    def payload(self) -> dict[str, Any]:
        return {"chat_id": self.chat_id, "step": self.step, "answers": self.answers,
                "started_at": self.started_at}


def _view(row: _Row) -> Draft:
    return Draft(
        row.telegram_id, row.chat_id, Step(row.step), dict(row.answers), row.updated_at
    )


class RegistrationService:
    def __init__(self, database: Database, pending: PendingInputs) -> None:
        self._db = database
        self._pending = pending
        self.timeout = pending.timeout(PendingKind.REGISTRATION)

    async def _load(self, session: AsyncSession, telegram_id: int) -> _Row | None:
        stored = await self._pending.row(session, telegram_id)
        return _Row.of(stored) if stored is not None else None

    async def _save(self, session: AsyncSession, row: _Row, now: dt.datetime) -> None:
        payload = row.payload() | {"edition_id": self._db.edition_id}  # resumed there
        saved = await self._pending.put(
            session, row.telegram_id, PendingKind.REGISTRATION, payload, now
        )
        row.updated_at, row.expires_at = saved.updated_at, saved.expires_at

    async def begin(
        self,
        telegram_id: int,
        chat_id: int,
        suggested_name: str,
        now: dt.datetime,
        invite: InviteCheck | None = None,
    ) -> Begin:
        """Start (or resume) a registration; an existing application is shown instead."""
        usable = invite if invite is not None and invite.usable else None
        async with self._db.transaction() as session:
            existing = await linked_participant(session, telegram_id)
            if existing is not None:
                await self._drop(session, telegram_id)
                if (
                    usable is not None
                    and usable.invite_id is not None
                    and usable.participant_id is None
                    and existing.status == ParticipantStatus.PENDING
                    and await consume_invite(session, usable.invite_id, now)
                ):
                    existing.status = ParticipantStatus.APPROVED
                    existing.decided_at = now
                    log.info("application #%d approved by an invite", existing.id)
                    view = ParticipantView.of(existing)
                    return Begin(BeginKind.APPROVED_BY_INVITE, participant=view)
                return Begin(BeginKind.REGISTERED, participant=ParticipantView.of(existing))
            row = await self._load(session, telegram_id)
            if row is not None and not self._expired(row, now):
                if usable is not None:
                    row.answers.update(_invite_answers(usable))
                row.chat_id = chat_id
                await self._save(session, row, now)
                return Begin(BeginKind.RESUMED, draft=_view(row))
            answers = {"suggested_name": _suggestion(suggested_name)}
            if usable is not None:
                answers.update(_invite_answers(usable))
            row = _Row(telegram_id, chat_id, Step.CONSENT, answers, now.isoformat(), now, now)
            await self._save(session, row, now)
            return Begin(BeginKind.STARTED, draft=_view(row))

    async def current(self, telegram_id: int, now: dt.datetime) -> Draft | None:
        """The registration in progress, if any and not timed out."""
        async with self._db.transaction() as session:
            row = await self._load(session, telegram_id)
            if row is None or self._expired(row, now):
                return None
            return _view(row)

    async def has_draft(self, telegram_id: int) -> bool:
        """Whether a draft exists at all (also a timed-out one not yet swept away)."""
        async with self._db.transaction() as session:
            return await self._load(session, telegram_id) is not None

    async def cancel(self, telegram_id: int) -> bool:
        """Stop the registration and forget its answers; False when none was running."""
        async with self._db.transaction() as session:
            return await self._drop(session, telegram_id)

    async def answer_text(
        self, telegram_id: int, text: str, now: dt.datetime, rules: EligibilitySection
    ) -> Outcome | None:
        """A typed answer to the current question; None when no registration is running."""
        async with self._db.transaction() as session:
            row = await self._load(session, telegram_id)
            if row is None:
                return None
            if self._expired(row, now):
                await self._drop(session, telegram_id)
                return Outcome(OutcomeKind.EXPIRED)
            transition = apply_text(Step(row.step), row.answers, text, rules)
            return await self._apply(session, row, transition, now)

    async def choose(
        self,
        telegram_id: int,
        step: str,
        choice: str,
        now: dt.datetime,
        rules: EligibilitySection,
    ) -> Outcome:
        """A button tap; a tap for another step than the current one changes nothing.

        A stale tap comes with the draft, or without one with the application, if any."""
        async with self._db.transaction() as session:
            row = await self._load(session, telegram_id)
            if row is None:
                existing = await linked_participant(session, telegram_id)
                view = ParticipantView.of(existing) if existing is not None else None
                return Outcome(OutcomeKind.STALE, participant=view)
            if self._expired(row, now):
                await self._drop(session, telegram_id)
                return Outcome(OutcomeKind.EXPIRED)
            if step != row.step:
                return Outcome(OutcomeKind.STALE, draft=_view(row))
            if row.step == Step.CONSENT:
                if choice != "yes":
                    await self._drop(session, telegram_id)
                    return Outcome(OutcomeKind.CANCELLED)
                transition = advance(Step.CONSENT, row.answers, consent_at=now.isoformat())
                return await self._apply(session, row, transition, now)
            if row.step == Step.CONFIRM and choice == "ok":
                return await self._submit(session, row, now, rules)
            transition = apply_choice(Step(row.step), row.answers, choice, rules)
            return await self._apply(session, row, transition, now)

    async def _submit(
        self,
        session: AsyncSession,
        row: _Row,
        now: dt.datetime,
        rules: EligibilitySection,
    ) -> Outcome:
        answers = dict(row.answers)
        existing = await linked_participant(session, row.telegram_id)
        await self._drop(session, row.telegram_id)
        if existing is not None:
            return Outcome(OutcomeKind.ALREADY, participant=ParticipantView.of(existing))
        assessment = assess(
            answers["active_in_groningen"],
            answers["experience_years"],
            answers["organisation_type"],
            rules,
        )
        invite_id = answers.get("invite_id")
        participant: Participant | None = None
        via_invite = False
        if isinstance(invite_id, int) and await consume_invite(session, invite_id, now):
            via_invite = True
            placeholder_id = answers.get("placeholder_id")
            if isinstance(placeholder_id, int):
                participant = await _unlinked_placeholder(session, placeholder_id)
        if participant is None:
            source = "invite" if via_invite else "application"
            participant = Participant(source=source, created_at=now)
            session.add(participant)
        participant.telegram_id = row.telegram_id
        participant.chat_id = row.chat_id
        participant.status = ParticipantStatus.APPROVED if via_invite else ParticipantStatus.PENDING
        participant.name = answers["name"]
        participant.organisation_type = answers["organisation_type"]
        participant.organisation_name = answers["organisation_name"]
        participant.active_in_groningen = answers["active_in_groningen"]
        participant.experience_years = answers["experience_years"]
        participant.email = answers.get("email")
        participant.fits = assessment.fits
        participant.consent_at = dt.datetime.fromisoformat(answers["consent_at"])
        participant.applied_at = now
        participant.decided_at = now if via_invite else None
        await session.flush()
        log.info(
            "application #%d stored (%s%s)",
            participant.id,
            participant.status,
            ", by invite" if via_invite else "",
        )
        return Outcome(
            OutcomeKind.SUBMITTED,
            submission=Submission(ParticipantView.of(participant), assessment, via_invite),
        )

    async def _drop(self, session: AsyncSession, telegram_id: int) -> bool:
        dropped = await self._pending.remove(session, telegram_id, PendingKind.REGISTRATION)
        return dropped is not None

    def _expired(self, row: _Row, now: dt.datetime) -> bool:
        return row.expires_at < now

    async def _apply(
        self, session: AsyncSession, row: _Row, transition: Transition, now: dt.datetime
    ) -> Outcome:
        if transition.stale:
            return Outcome(OutcomeKind.STALE, draft=_view(row))
        row.step = transition.step
        row.answers = dict(transition.answers)
        await self._save(session, row, now)
        kind = OutcomeKind.RETRY if transition.problem else OutcomeKind.NEXT
        return Outcome(kind, draft=_view(row), problem=transition.problem)


def _suggestion(name: str) -> str | None:
    checked = check_name(name)
    return None if isinstance(checked, Problem) else checked


def _invite_answers(invite: InviteCheck) -> dict[str, Any]:
    answers: dict[str, Any] = {"invite_id": invite.invite_id}
    if invite.participant_id is not None:
        answers["placeholder_id"] = invite.participant_id
        if invite.name:
            answers["suggested_name"] = invite.name
    return answers


async def _unlinked_placeholder(session: AsyncSession, participant_id: int) -> Participant | None:
    row = await session.get(Participant, participant_id)
    if row is None or row.telegram_id is not None or row.status != ParticipantStatus.APPROVED:
        return None
    return row

