"""Certificates: the coordinator's review before the final module, issuing, revoking and
verifying. Nothing here knows Telegram; the PDF is drawn by bot/views/certificate_pdf.py.

A participant qualifies when the attendance rule is met or still reachable (the review comes
before the final module), their eindopdracht is marked done, and a coordinator confirms. Who
reaches the rule only if their afmeldingen count is shown apart: the coordinator decides.

Each certificate has a random code of 12 Crockford base-32 characters (60 bits), shown as
``WM-XXXX-XXXX-XXXX``. A code verifies while its certificate is not revoked; issuing again
after a revocation gives a new code. Confirming is one-time: one certificate per participant.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import Certificate, CertificateReview, FinalAssignment, Participant
from bot.models import ParticipantStatus as Status
from bot.programme import Programme, Session, SessionKind
from bot.services.attendance_rules import CertificateStatus, Progress
from bot.services.attendance_views import AttendanceViews
from bot.services.groups import GroupKind, GroupService
from bot.services.sessions import SessionService

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_LENGTH = 12
PREFIX = "WM"
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown_code(code: str) -> str:
    """``WM-7K3Q-9XPM-2DFA``"""
    return "-".join([PREFIX, *(code[i : i + 4] for i in range(0, len(code), 4))])


def normalise(text: str) -> str | None:
    """The stored form of a typed code (spaces, dashes, case and look-alikes forgiven), or
    None when it cannot be a code."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_LOOK_ALIKES)
    if len(cleaned) == CODE_LENGTH + len(PREFIX) and cleaned.startswith(PREFIX):
        cleaned = cleaned[len(PREFIX) :]
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


class Standing(enum.StrEnum):
    MEETS = "meets"  # the attendance rule is met, or still met by coming to what is left
    JUDGE = "judge"  # met only if the coordinator accepts the afmeldingen
    NOT_MET = "not_met"


_STANDINGS = {
    CertificateStatus.MET: Standing.MEETS,
    CertificateStatus.ON_TRACK: Standing.MEETS,
    CertificateStatus.JUDGE: Standing.JUDGE,
    CertificateStatus.NOT_MET: Standing.NOT_MET,
}


class Outcome(enum.StrEnum):
    ISSUED = "issued"
    ALREADY = "already"  # a valid certificate exists: nothing is sent again
    NOT_MET = "not_met"  # the attendance rule cannot be met
    NO_ASSIGNMENT = "no_assignment"  # the eindopdracht is not marked done
    UNKNOWN = "unknown"  # not an approved participant (any more)


@dataclass(frozen=True, slots=True)
class Issued:
    """A certificate as printed."""

    participant_id: int
    code: str
    name: str
    course: str
    issued_at: dt.datetime
    delivered_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def valid(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def of(cls, row: Certificate, tz: dt.tzinfo) -> Issued:
        """The row, with its moments in the course's timezone (they are stored in UTC)."""

        def local(moment: dt.datetime | None) -> dt.datetime | None:
            return moment.astimezone(tz) if moment is not None else None

        return cls(row.participant_id, row.code, row.name, row.course,
                   row.issued_at.astimezone(tz), local(row.delivered_at), local(row.revoked_at))


@dataclass(frozen=True, slots=True)
class Candidate:
    """One approved participant in the review."""

    participant_id: int
    name: str
    chat_id: int | None
    progress: Progress
    assignment_done: bool
    certificate: Issued | None

    @property
    def standing(self) -> Standing:
        return _STANDINGS[self.progress.status]

    @property
    def has_valid(self) -> bool:
        return self.certificate is not None and self.certificate.valid

    @property
    def ready(self) -> bool:
        """Confirmed by "all": meets the rule, eindopdracht done, no valid certificate yet."""
        return self.standing is Standing.MEETS and self.assignment_done and not self.has_valid


@dataclass(frozen=True, slots=True)
class AssignmentGroup:
    """An eindopdracht-groepje, to mark its members' eindopdracht done at once."""

    id: int
    name: str
    member_ids: tuple[int, ...]
    done: bool  # every member is marked


@dataclass(frozen=True, slots=True)
class Review:
    final_module: Session | None
    candidates: list[Candidate]
    groups: list[AssignmentGroup]

    def with_standing(self, standing: Standing) -> list[Candidate]:
        return [c for c in self.candidates if c.standing is standing]

    @property
    def ready(self) -> list[Candidate]:
        return [c for c in self.candidates if c.ready]

    def get(self, participant_id: int) -> Candidate | None:
        return next((c for c in self.candidates if c.participant_id == participant_id), None)


@dataclass(frozen=True, slots=True)
class Confirmed:
    outcome: Outcome
    certificate: Issued | None = None
    chat_id: int | None = None


@dataclass(frozen=True, slots=True)
class CertificateDocument:
    """Everything the PDF shows."""

    name: str
    course: str
    organisation: str
    first_day: dt.date | None
    last_day: dt.date | None
    modules: tuple[str, ...]
    issued_on: dt.date
    code: str


class CertificateService:
    def __init__(
        self,
        database: Database,
        sessions: SessionService,
        attendance: AttendanceViews,
        groups: GroupService,
        programme: Callable[[], Programme],
    ) -> None:
        self._db = database
        self._sessions = sessions
        self._attendance = attendance
        self._groups = groups
        self._programme = programme

    @property
    def _tz(self) -> dt.tzinfo:
        return self._programme().timezone

    async def final_module(self) -> Session | None:
        modules = (await self._sessions.timetable()).of_kind(SessionKind.MODULE)
        return modules[-1] if modules else None

    async def review(self, now: dt.datetime) -> Review:
        matrix = await self._attendance.matrix(now)
        async with self._db.transaction() as session:
            done = set(await session.scalars(select(FinalAssignment.participant_id)))
            issued = {row.participant_id: Issued.of(row, self._tz)
                      for row in await session.scalars(select(Certificate))}
            rows = await session.execute(
                select(Participant.id, Participant.chat_id)
                .where(Participant.status == Status.APPROVED)
            )
            chats = {number: chat for number, chat in rows}
        candidates = [
            Candidate(row.participant_id, row.name or "", chats.get(row.participant_id),
                      row.progress, row.participant_id in done, issued.get(row.participant_id))
            for row in matrix.rows
            if row.status is Status.APPROVED and row.participant_id in chats
        ]
        groups = [
            AssignmentGroup(group.id, group.name, ids, bool(ids) and done.issuperset(ids))
            for group in await self._groups.all()
            if group.kind is GroupKind.EINDOPDRACHT
            for ids in [tuple(m.participant_id for m in group.members)]
        ]
        return Review(await self.final_module(), candidates, groups)

    async def set_assignment(
        self, participant_ids: Iterable[int], done: bool, by: int, now: dt.datetime
    ) -> None:
        """Mark (or unmark) the eindopdracht of these participants as done (approved
        participants only: a stale or forged id changes nothing)."""
        async with self._db.transaction() as session:
            ids = set(await session.scalars(
                select(Participant.id).where(Participant.id.in_(set(participant_ids)),
                                             Participant.status == Status.APPROVED)
            ))
            marked = set(await session.scalars(
                select(FinalAssignment.participant_id)
                .where(FinalAssignment.participant_id.in_(ids))
            ))
            if done:
                session.add_all(FinalAssignment(participant_id=pid, done_at=now, marked_by=by)
                                for pid in sorted(ids - marked))
            else:
                await session.execute(
                    delete(FinalAssignment).where(FinalAssignment.participant_id.in_(ids))
                )

    async def confirm(self, participant_id: int, by: int, now: dt.datetime) -> Confirmed:
        """Issue this participant's certificate, once; the coordinator has judged the rest."""
        candidate = (await self.review(now)).get(participant_id)
        if candidate is None:
            return Confirmed(Outcome.UNKNOWN)
        if candidate.has_valid:
            return Confirmed(Outcome.ALREADY, candidate.certificate, candidate.chat_id)
        if candidate.standing is Standing.NOT_MET:
            return Confirmed(Outcome.NOT_MET)
        if not candidate.assignment_done:
            return Confirmed(Outcome.NO_ASSIGNMENT)
        course = self._programme().data.course.name
        try:
            async with self._db.transaction() as session:
                row = await session.scalar(
                    select(Certificate).where(Certificate.participant_id == participant_id)
                    .with_for_update()
                )
                if row is not None and row.revoked_at is None:
                    return Confirmed(Outcome.ALREADY, Issued.of(row, self._tz), candidate.chat_id)
                if row is None:
                    row = Certificate(participant_id=participant_id)
                    session.add(row)
                row.code, row.name, row.course = new_code(), candidate.name, course
                row.issued_at, row.issued_by = now, by
                row.delivered_at = row.revoked_at = None
                await session.flush()
                issued = Issued.of(row, self._tz)
        except IntegrityError:  # a second tap at the same moment issued it first
            return Confirmed(Outcome.ALREADY, await self.of_participant(participant_id),
                             candidate.chat_id)
        return Confirmed(Outcome.ISSUED, issued, candidate.chat_id)

    async def of_participant(self, participant_id: int) -> Issued | None:
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(Certificate).where(Certificate.participant_id == participant_id)
            )
            return Issued.of(row, self._tz) if row is not None else None

    async def delivered(self, participant_id: int, now: dt.datetime) -> None:
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(Certificate).where(Certificate.participant_id == participant_id)
            )
            if row is not None:
                row.delivered_at = now

    async def revoke(
        self, participant_id: int, now: dt.datetime
    ) -> tuple[Issued, int | None] | None:
        """Revoke a valid certificate; returns it with the holder's chat, or None if there
        was none (already revoked, or never issued)."""
        async with self._db.transaction() as session:
            found = (await session.execute(
                select(Certificate, Participant.chat_id)
                .join(Participant, Participant.id == Certificate.participant_id)
                .where(Certificate.participant_id == participant_id)
                .with_for_update()
            )).first()
            if found is None or found[0].revoked_at is not None:
                return None
            row, chat_id = found
            row.revoked_at = now
            return Issued.of(row, self._tz), chat_id

    async def mine(self, telegram_id: int) -> tuple[int | None, Issued | None]:
        """The approved participant's id behind this account, and their certificate."""
        async with self._db.transaction() as session:
            participant_id = await session.scalar(
                select(Participant.id).where(Participant.telegram_id == telegram_id,
                                             Participant.status == Status.APPROVED)
            )
        if participant_id is None:
            return None, None
        return participant_id, await self.of_participant(participant_id)

    async def verify(self, text: str) -> Issued | None:
        """The valid certificate with this code; None for a wrong or revoked code."""
        code = normalise(text)
        if code is None:
            return None
        async with self._db.transaction() as session:
            row = await session.scalar(select(Certificate).where(Certificate.code == code))
        return Issued.of(row, self._tz) if row is not None and row.revoked_at is None else None

    async def document(self, certificate: Issued) -> CertificateDocument:
        programme = self._programme()
        modules = (await self._sessions.timetable()).of_kind(SessionKind.MODULE)
        return CertificateDocument(
            name=certificate.name,
            course=certificate.course,
            organisation=programme.data.course.organisation,
            first_day=modules[0].starts_at.date() if modules else None,
            last_day=modules[-1].starts_at.date() if modules else None,
            modules=tuple(m.title or "" for m in modules),
            issued_on=certificate.issued_at.date(),
            code=shown_code(certificate.code),
        )

    async def review_due(self, now: dt.datetime, days_before: int, at: dt.time) -> Session | None:
        """The final module whose review list should go out now and was not sent yet."""
        final = await self.final_module()
        if final is None or now >= final.ends_at:
            return None
        day = final.starts_at.date() - dt.timedelta(days=days_before)
        if now < dt.datetime.combine(day, at, tzinfo=final.starts_at.tzinfo):
            return None
        async with self._db.transaction() as session:
            if await session.get(CertificateReview, final.key) is not None:
                return None
        return final

    async def claim_review(self, session_key: str, now: dt.datetime) -> bool:
        """Record that the review list is being sent; False if it was already."""
        try:
            async with self._db.transaction() as session:
                session.add(CertificateReview(session_key=session_key, sent_at=now))
        except IntegrityError:
            return False
        return True


async def export_certificate(session: AsyncSession, participant_id: int) -> dict[str, object]:
    """For /mijngegevens: the eindopdracht mark and the certificate."""
    assignment = await session.get(FinalAssignment, participant_id)
    row = await session.scalar(
        select(Certificate).where(Certificate.participant_id == participant_id)
    )
    return {
        "final_assignment_done_at": assignment.done_at.isoformat() if assignment else None,
        "certificate": None if row is None else {
            "code": shown_code(row.code),
            "name": row.name,
            "course": row.course,
            "issued_at": row.issued_at.isoformat(),
            "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        },
    }


async def forget_certificate(session: AsyncSession, participant_id: int) -> None:
    """/vergeetmij: the certificate (its code stops verifying) and the eindopdracht mark go."""
    await session.execute(delete(Certificate).where(Certificate.participant_id == participant_id))
    await session.execute(
        delete(FinalAssignment).where(FinalAssignment.participant_id == participant_id)
    )
