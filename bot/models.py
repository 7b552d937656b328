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


class Edition(Base):
    """One run of the course: its own programme, participants and everything hanging off them.

    ``programme_text`` is the edition's programme file (TOML); NULL means the file the bot is
    configured with (``programme.file``, or the bundled one), which is what the first edition
    uses. Session keys of an edition start with its ``key_prefix`` ("" for the first one), so
    keys never collide between editions.
    """

    __tablename__ = "editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(8), unique=True)
    programme_text: Mapped[str | None] = mapped_column(Text)
    registration_open: Mapped[bool]
    created_at: Mapped[dt.datetime]
    archived_at: Mapped[dt.datetime | None]


class CoordinatorEdition(Base):
    """The edition a coordinator's commands work on, when they chose one (else the running
    edition)."""

    __tablename__ = "coordinator_editions"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    chosen_at: Mapped[dt.datetime]


class EditionScoped:
    """A table whose rows belong to one edition. A database view of one edition
    (``Database.scoped``) sees only that edition's rows and stamps new rows with it; a row
    written outside any edition's view (a test, a script) belongs to the first edition."""

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True, default=1)


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


class Participant(EditionScoped, Base):
    """An applicant or participant. Later tables (attendance) reference ``participants.id``.

    ``/vergeetmij`` never deletes the row: it clears every personal column, sets ``telegram_id``
    to NULL and the status to ``forgotten``, so rows that refer to it stay valid but anonymous.
    A participant added by hand has no ``telegram_id`` until they open their personal invite.
    """

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("edition_id", "telegram_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    organisation_type: Mapped[str | None] = mapped_column(String(200))
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



class Invite(EditionScoped, Base):
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
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None]
    answered_by: Mapped[int | None] = mapped_column(BigInteger)
    learned_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("learned_answers.id", ondelete="SET NULL")
    )


class SessionChange(EditionScoped, Base):
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


class Attendance(Base):
    """One participant's attendance of one session: a check-in or a coordinator's correction.

    The unique (participant, session) pair makes every check-in idempotent: double taps and
    retries find the row that is already there.
    """

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("participant_id", "session_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    session_key: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(16))  # present, late, excused, absent
    method: Mapped[str] = mapped_column(String(16))  # code, link, button, manual
    checked_in_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[int | None] = mapped_column(BigInteger)  # coordinator, for corrections
    note: Mapped[str | None] = mapped_column(Text)  # the reason of the last correction


class AttendanceAudit(Base):
    """Every correction of an attendance status by a coordinator: who changed what, and why."""

    __tablename__ = "attendance_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    session_key: Mapped[str] = mapped_column(String(40))
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[dt.datetime]


class CheckinWindow(Base):
    """The check-in state of a session: opened or closed by a coordinator, prompt and digest."""

    __tablename__ = "checkin_windows"

    session_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    opened_at: Mapped[dt.datetime | None]
    opened_by: Mapped[int | None] = mapped_column(BigInteger)
    closed_at: Mapped[dt.datetime | None]
    closed_by: Mapped[int | None] = mapped_column(BigInteger)
    prompted_at: Mapped[dt.datetime | None]  # the "Ik ben er" prompt went out
    digest_at: Mapped[dt.datetime | None]  # the coordinators' digest went out


class CheckinDisplay(EditionScoped, Base):
    """A QR code message on a coordinator's screen, refreshed while check-in is open."""

    __tablename__ = "checkin_displays"
    __table_args__ = (UniqueConstraint("session_key", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_key: Mapped[str] = mapped_column(String(40))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int]
    slot: Mapped[int] = mapped_column(BigInteger)  # the code period shown
    shown_count: Mapped[int]  # the number of check-ins in the caption
    updated_at: Mapped[dt.datetime]


class CheckinSecret(Base):
    """The secret behind the check-in codes, generated once when none is configured."""

    __tablename__ = "checkin_secrets"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime]



class AnnouncementState(enum.StrEnum):
    """Where an announcement stands: drafted, waiting for its time, going out, done."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"


class DeliveryStatus(enum.StrEnum):
    """One recipient's copy of an announcement."""

    PENDING = "pending"
    DELIVERED = "delivered"
    BLOCKED = "blocked"
    FAILED = "failed"
    SKIPPED = "skipped"  # withdrawn before it was this recipient's turn


class ParticipantGroup(EditionScoped, Base):
    """An intervisiegroep or an eindopdracht-groepje, named by the coordinator."""

    __tablename__ = "participant_groups"
    __table_args__ = (UniqueConstraint("edition_id", "kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # intervisie, eindopdracht
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class GroupMember(Base):
    """A participant in a group; at most one group of each kind per participant."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("participant_id", "kind"),)

    group_id: Mapped[int] = mapped_column(
        ForeignKey("participant_groups.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[dt.datetime]


class Announcement(EditionScoped, Base):
    """A coordinator's message to an audience, from draft to the last delivery.

    ``action_token`` is the one-time id on the confirm buttons of the current preview;
    confirming clears it, so a replayed button finds nothing to confirm.
    """

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    html: Mapped[str] = mapped_column(Text)
    media_kind: Mapped[str | None] = mapped_column(String(16))  # photo, document
    media_file_id: Mapped[str | None] = mapped_column(String(255))
    audience: Mapped[str | None] = mapped_column(String(16))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant_groups.id", ondelete="SET NULL")
    )
    audience_label: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    scheduled_for: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    revision: Mapped[int] = mapped_column(default=1)
    edited_at: Mapped[dt.datetime | None]
    withdrawn_at: Mapped[dt.datetime | None]
    pending_html: Mapped[str | None] = mapped_column(Text)  # a correction awaiting confirmation
    action_token: Mapped[str | None] = mapped_column(String(32))
    report_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    report_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Who hears when a correction or withdrawal has reached every recipient.
    followup_chat_id: Mapped[int | None] = mapped_column(BigInteger)


class AnnouncementDelivery(Base):
    """One recipient of an announcement, stored before anything is sent.

    ``attempted_at`` is set just before the message goes out: a row still pending with it
    set after a crash may or may not have arrived, and is never sent again.
    """

    __tablename__ = "announcement_deliveries"
    __table_args__ = (UniqueConstraint("announcement_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(String(300))
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    attempted_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    revision: Mapped[int] = mapped_column(default=0)  # the text revision this chat shows
    followup_error: Mapped[str | None] = mapped_column(String(300))  # last edit/removal failure
    removed_at: Mapped[dt.datetime | None]



class ReminderDelivery(Base):
    """One reminder or change notice for one participant: claimed before it is sent.

    The unique key makes sending exactly-once: a row is inserted (status ``claimed``) before
    the message goes out and gets its outcome afterwards. ``occurrence`` tells apart the
    dates of a moved session (the start in UTC, ``2024-12-12T12:00Z``) and the revisions of
    a change notice (``r3``), so a moved session is reminded again for its new date.
    """

    __tablename__ = "reminder_deliveries"
    __table_args__ = (
        UniqueConstraint("participant_id", "session_key", "kind", "occurrence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    session_key: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    occurrence: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), index=True)
    claimed_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(200))


class ReminderPreference(Base):
    """A participant's choice to switch one kind of reminder off (or on again)."""

    __tablename__ = "reminder_preferences"
    __table_args__ = (UniqueConstraint("participant_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool]
    updated_at: Mapped[dt.datetime]



class SessionSnapshot(EditionScoped, Base):
    """The timetable as participants were last told it: changes are found by comparison.

    A change found (moved, added, cancelled) bumps ``revision`` and leaves ``notice`` set
    until every participant has been told (``notified_at``), so a notice interrupted by a
    restart is finished at the next start.
    """

    __tablename__ = "session_snapshots"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int]
    title: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    location: Mapped[str | None] = mapped_column(String(300))
    cancelled: Mapped[bool]
    revision: Mapped[int]
    changed_at: Mapped[dt.datetime | None]
    notice: Mapped[str | None] = mapped_column(String(16))
    previous_start: Mapped[dt.datetime | None]
    notified_at: Mapped[dt.datetime | None]


class PendingInput(Base):
    """What a person's next typed message is for: one row per person, for every feature.

    ``kind`` names the step (see bot/services/pending.py), ``payload`` holds what the step
    needs (a registration's answers, the session being moved, the question being answered).
    A row past ``expires_at`` no longer counts; starting another step replaces the row.
    """

    __tablename__ = "pending_inputs"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class ModuleFeedback(Base):
    """One participant's answer to "how was this module?": a score of 1 to 5 and a comment.

    The row is claimed before the question is sent (unique per participant and session), so
    the question goes out once, also across restarts; a score is set once.
    """

    __tablename__ = "module_feedback"
    __table_args__ = (UniqueConstraint("participant_id", "session_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    session_key: Mapped[str] = mapped_column(String(40), index=True)
    asked_at: Mapped[dt.datetime]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    score: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None]


class FinalAssignment(Base):
    """The coordinator's mark that a participant's eindopdracht is done (one per person)."""

    __tablename__ = "final_assignments"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    done_at: Mapped[dt.datetime]
    marked_by: Mapped[int] = mapped_column(BigInteger)


class Certificate(Base):
    """A certificate confirmed by a coordinator: what the PDF shows, and its code.

    One per participant; issuing again after a revocation gives the row a new code, so the old
    code no longer verifies. Name and course are kept as printed on the certificate.
    """

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    course: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[dt.datetime]
    issued_by: Mapped[int] = mapped_column(BigInteger)
    delivered_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class CertificateReview(Base):
    """The review list sent to the coordinators before a final module: once per module."""

    __tablename__ = "certificate_reviews"

    session_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    sent_at: Mapped[dt.datetime]


class LearningGoal(Base):
    """One of a participant's own learning goals (1 to 3). Private unless they share them."""

    __tablename__ = "learning_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class GoalNote(Base):
    """A note on a participant's learning: progress on a goal, what they want to discuss at
    an intervisie meeting, or the look back after the last module."""

    __tablename__ = "goal_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_goals.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # progress, agenda, lookback
    session_key: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class GoalPrompt(Base):
    """A question about the learning goals sent to one participant for one session: once."""

    __tablename__ = "goal_prompts"
    __table_args__ = (UniqueConstraint("participant_id", "session_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    session_key: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[dt.datetime]


class GoalSharing(Base):
    """The participant chose to show their learning goals to their own intervisiegroep."""

    __tablename__ = "goal_sharing"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    shared_at: Mapped[dt.datetime]


class BuddyIntroduction(Base):
    """A group member was introduced to their buddies, and whether they share their contact.

    A row per (group, participant): the introduction goes out once per membership, and the
    Telegram account is shown to the group only once ``contact_shared_at`` is set.
    """

    __tablename__ = "buddy_introductions"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("participant_groups.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    introduced_at: Mapped[dt.datetime]
    contact_shared_at: Mapped[dt.datetime | None]


class ProgrammeUpload(EditionScoped, Base):
    """A programme file a coordinator sent as a document: checked, then applied on confirm
    (its text becomes the edition's ``programme_text``) or cancelled (``withdrawn_at``)."""

    __tablename__ = "programme_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[dt.datetime]
    applied_at: Mapped[dt.datetime | None]
    withdrawn_at: Mapped[dt.datetime | None]

