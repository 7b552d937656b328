"""The person's own data: everything stored about them (/mijngegevens) and erasing it (/vergeetmij).

Erasing never deletes a ``participants`` row: later tables (attendance, absences) refer to
its id and the coordinator needs those for certificates. The row keeps its id, dates and a
``forgotten`` status; every personal column is cleared and ``telegram_id`` is set to NULL, so
the same account registering again is a new person. Absences keep their session but lose the
reason; questions put to the coordinators are deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import (
    Absence,
    Attendance,
    AttendanceAudit,
    Contact,
    InboxQuestion,
    Invite,
    Participant,
    ParticipantStatus,
    PendingInput,
)
from bot.services.buddies import export_buddies, forget_buddies
from bot.services.certificates import export_certificate, forget_certificate
from bot.services.deliveries import forget_recipient, received
from bot.services.feedback import export_feedback, forget_feedback
from bot.services.goals import export_goals, forget_goals
from bot.services.groups import forget_memberships, memberships
from bot.services.participants import linked_participant
from bot.services.pending import PendingKind
from bot.services.reminders import ReminderService

log = logging.getLogger(__name__)

# The parts of an export that hold something stored about the person.
STORED_PARTS = (
    "contact", "participant", "registration_in_progress", "questions", "absences", "attendance",
    "groups", "announcements", "reminders", "module_feedback", "final_assignment_done_at",
    "certificate", "learning_goals", "buddy_introductions",
)


@dataclass(frozen=True, slots=True)
class Forgotten:
    erased: bool  # anything was stored at all
    participant_id: int | None  # the anonymised participant row, if there was one
    previous_status: ParticipantStatus | None


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _registration(pending: PendingInput | None) -> dict[str, Any] | None:
    """A registration in progress, as the person would recognise it."""
    if pending is None or pending.kind != PendingKind.REGISTRATION:
        return None
    payload = pending.payload
    answers = payload.get("answers") or {}
    return {
        "step": payload.get("step"),
        "answers": {k: v for k, v in answers.items() if k not in {"invite_id", "editing"}},
        "started_at": payload.get("started_at"),
        "updated_at": _when(pending.updated_at),
    }


def _absence_reason(pending: PendingInput | None) -> str | None:
    if pending is None or pending.kind != PendingKind.ABSENCE_REASON:
        return None
    key = pending.payload.get("session_key")
    return key if isinstance(key, str) else None


class PrivacyService:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def export(self, telegram_id: int) -> dict[str, Any]:
        """Everything stored about this Telegram account, as JSON-ready data."""
        async with self._db.transaction() as session:
            contact = await session.scalar(
                select(Contact).where(Contact.telegram_id == telegram_id)
            )
            participant = await linked_participant(session, telegram_id)
            pending = await session.get(PendingInput, telegram_id)
            questions = list(
                await session.scalars(
                    select(InboxQuestion)
                    .where(InboxQuestion.asker_telegram_id == telegram_id)
                    .order_by(InboxQuestion.asked_at)
                )
            )
            absences = (
                list(
                    await session.scalars(
                        select(Absence)
                        .where(Absence.participant_id == participant.id)
                        .order_by(Absence.created_at)
                    )
                )
                if participant
                else []
            )
            attendance = await _attendance(session, participant.id) if participant else []
            groups = await memberships(session, participant.id) if participant else []
            announcements = await received(session, participant.id) if participant else []
            feedback = await export_feedback(session, participant.id) if participant else []
            certificate = (await export_certificate(session, participant.id) if participant
                           else {"final_assignment_done_at": None, "certificate": None})
            goals = (await export_goals(session, participant.id) if participant
                     else {"learning_goals": [], "learning_goals_shared": False})
            buddies = await export_buddies(session, participant.id) if participant else []
        data: dict[str, Any] = {"telegram_id": telegram_id}
        data["contact"] = (
            {
                "chat_id": contact.chat_id,
                "first_seen_at": _when(contact.first_seen_at),
                "last_seen_at": _when(contact.last_seen_at),
                "blocked_at": _when(contact.blocked_at),
            }
            if contact
            else None
        )
        data["participant"] = (
            {
                "number": participant.id,
                "status": participant.status,
                "source": participant.source,
                "name": participant.name,
                "organisation_type": participant.organisation_type,
                "organisation_name": participant.organisation_name,
                "active_in_groningen": participant.active_in_groningen,
                "experience_years": participant.experience_years,
                "email": participant.email,
                "fits_criteria": participant.fits,
                "consent_at": _when(participant.consent_at),
                "applied_at": _when(participant.applied_at),
                "decided_at": _when(participant.decided_at),
            }
            if participant
            else None
        )
        data["registration_in_progress"] = _registration(pending)
        data["questions"] = [
            {
                "question": q.text,
                "status": q.status,
                "asked_at": _when(q.asked_at),
                "answer": q.answer,
                "answered_at": _when(q.answered_at),
            }
            for q in questions
        ]
        data["absences"] = [
            {"session": a.session_key, "reason": a.reason, "reported_at": _when(a.created_at)}
            for a in absences
        ]
        data.update(
            await ReminderService(self._db).export(participant.id)
            if participant
            else {"reminder_preferences": None, "reminders": []}
        )
        data["waiting_for_absence_reason"] = _absence_reason(pending) if participant else None
        data["attendance"] = attendance
        data["groups"] = groups
        data["announcements"] = announcements
        data["module_feedback"] = feedback
        data.update(certificate)
        data.update(goals)
        data["buddy_introductions"] = buddies
        return data

    async def has_data(self, telegram_id: int) -> bool:
        data = await self.export(telegram_id)
        return any(data[key] for key in STORED_PARTS)

    async def forget(self, telegram_id: int, now: dt.datetime) -> Forgotten:
        """Delete this person's personal data; a participant row stays, anonymised."""
        async with self._db.transaction() as session:
            draft = await session.execute(
                delete(PendingInput).where(PendingInput.telegram_id == telegram_id)
            )
            contact = await session.execute(
                delete(Contact).where(Contact.telegram_id == telegram_id)
            )
            questions = await session.execute(
                delete(InboxQuestion).where(InboxQuestion.asker_telegram_id == telegram_id)
            )
            erased = any(getattr(result, "rowcount", 0) for result in (draft, contact, questions))
            participant = await linked_participant(session, telegram_id)
            if participant is None:
                return Forgotten(erased, None, None)
            previous = ParticipantStatus(participant.status)
            _anonymise(participant, now)
            await session.execute(delete(Invite).where(Invite.participant_id == participant.id))
            # Excused absences stay (attendance), without the reason the person gave.
            await session.execute(
                update(Absence).where(Absence.participant_id == participant.id).values(reason=None)
            )
            await ReminderService.forget(session, participant.id)
            # Attendance stays (certificates), without the reasons written down for corrections.
            await session.execute(
                update(Attendance)
                .where(Attendance.participant_id == participant.id)
                .values(note=None)
            )
            await session.execute(
                update(AttendanceAudit)
                .where(AttendanceAudit.participant_id == participant.id)
                .values(reason=None)
            )
            # Out of every group; announcements: no more messages, no chat or message ids.
            await forget_memberships(session, participant.id)
            await forget_recipient(session, participant.id, now)
            await forget_feedback(session, participant.id)
            await forget_certificate(session, participant.id)
            await forget_goals(session, participant.id)
            await forget_buddies(session, participant.id)
            log.info("participant #%d forgotten at their request", participant.id)
            return Forgotten(True, participant.id, previous)


async def _attendance(session: AsyncSession, participant_id: int) -> list[dict[str, Any]]:
    """Check-ins and corrections of one participant (the coordinator's id is not included)."""
    rows = await session.scalars(
        select(Attendance)
        .where(Attendance.participant_id == participant_id)
        .order_by(Attendance.id)
    )
    audit = list(
        await session.scalars(
            select(AttendanceAudit)
            .where(AttendanceAudit.participant_id == participant_id)
            .order_by(AttendanceAudit.id)
        )
    )
    return [
        {
            "session": row.session_key,
            "status": row.status,
            "checked_in_at": _when(row.checked_in_at),
            "how": row.method,
            "corrections": [
                {
                    "from": a.old_status,
                    "to": a.new_status,
                    "reason": a.reason,
                    "at": _when(a.changed_at),
                }
                for a in audit
                if a.session_key == row.session_key
            ],
        }
        for row in rows
    ]


def _anonymise(row: Participant, now: dt.datetime) -> None:
    row.telegram_id = None
    row.chat_id = None
    row.name = None
    row.organisation_type = None
    row.organisation_name = None
    row.active_in_groningen = None
    row.experience_years = None
    row.email = None
    row.fits = None
    row.consent_at = None
    row.status = ParticipantStatus.FORGOTTEN
    row.forgotten_at = now
