"""Every service the bot uses, built once at start-up and shared by all handlers and jobs.

:func:`build_services` builds them in dependency order and hands each its dependencies
explicitly; nothing is set or looked up afterwards. There is one :class:`SessionService`, so
every feature (absences, attendance, audiences, reminders) sees a werksessie added or moved
with /sessie at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.catalogue import Html, t
from bot.config import Settings
from bot.database import Database
from bot.formatting import long_date
from bot.programme import Programme
from bot.services.absences import AbsenceService
from bot.services.announcements import AnnouncementService
from bot.services.attendance import AttendanceService
from bot.services.audiences import AudienceService
from bot.services.buddies import BuddyService
from bot.services.certificates import CertificateService
from bot.services.contacts import ContactService
from bot.services.deferred import Deferred
from bot.services.deliveries import DeliveryQueue
from bot.services.editions import EditionInfo, Editions, EditionState, first_day, state_of
from bot.services.feedback import FeedbackService
from bot.services.goals import GoalService
from bot.services.groups import GroupService
from bot.services.inbox import InboxService
from bot.services.invites import InviteService
from bot.services.participants import ParticipantService
from bot.services.pending import PendingInputs, PendingKind
from bot.services.privacy import PrivacyService
from bot.services.programme_source import ProgrammeSource
from bot.services.programme_uploads import ProgrammeUploads
from bot.services.questions import QuestionService
from bot.services.registration import RegistrationService
from bot.services.reminders import ReminderService
from bot.services.sessions import SessionService

# Where the Services live in PTB's bot_data (the first edition's; every edition's are in
# ``services.editions``).
SERVICES_KEY = "services"
# The first edition, as the migration made it, until the database is read at start-up.
FIRST_EDITION_ID = 1


def _first_edition() -> EditionInfo:
    return EditionInfo(FIRST_EDITION_ID, "2024-2025", "", True, False, None)


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database  # this edition's view
    edition: EditionInfo
    editions: Editions  # every edition, shared
    programmes: ProgrammeSource
    programme_uploads: ProgrammeUploads
    pending: PendingInputs
    contacts: ContactService
    registration: RegistrationService
    participants: ParticipantService
    invites: InviteService
    privacy: PrivacyService
    sessions: SessionService
    inbox: InboxService
    # Built in a background thread once the bot receives updates: see ready_questions().
    question_service: Deferred[QuestionService]
    reminders: ReminderService
    absences: AbsenceService
    attendance: AttendanceService
    groups: GroupService
    audiences: AudienceService
    announcements: AnnouncementService
    deliveries: DeliveryQueue
    feedback: FeedbackService
    certificates: CertificateService
    goals: GoalService
    buddies: BuddyService

    @property
    def programme(self) -> Programme:
        """The programme in force (the file as last read)."""
        return self.programmes.current()

    async def ready_questions(self) -> QuestionService:
        """The question service, waiting for it without blocking the event loop, answering
        with the timetable as it is now (the programme plus the coordinator's changes)."""
        questions = await self.question_service.wait()
        questions.use_programme(self.programme.with_sessions(
            (await self.sessions.timetable()).sessions), self.following())
        return questions

    def following(self) -> Html | None:
        """Once this edition has ended: where and when the next one starts (if known)."""
        now = self.now()
        if state_of(self, now) is not EditionState.FINISHED:
            return None
        after = self.editions.next_after(self, now)
        start = first_day(after) if after is not None else None
        if after is None or start is None:
            return None
        return t("next.following", edition=after.edition.name, date=long_date(start.date()))

    def now(self) -> dt.datetime:
        """The current moment in the course's timezone."""
        return dt.datetime.now(self.settings.tz)

    def reload_programme(self) -> Programme:
        """Read the programme file again; raises ProgrammeError and keeps the old one if invalid.

        The question service learns the new programme as soon as it is built (at once when it
        is): nothing here waits for it."""
        programme = self.programmes.reload()
        self.use_programme(programme)
        return programme

    def use_programme(self, programme: Programme) -> None:
        """Put this programme in force; the question service learns it as soon as it is
        built (at once when it is)."""
        self.programmes.use(programme)
        self.question_service.then(lambda questions: questions.set_programme(programme))

    async def close(self) -> None:
        await self.database.close()


def build_services(settings: Settings) -> Services:
    """Load the first edition's programme and connect the database (no I/O on it yet).

    Returns the services of the first edition (the one the programme file describes); the
    other editions are read from the database at start-up (``editions.load()``, in
    ``post_init``), each with services of its own on its view of the database."""
    database = Database(
        settings.database.url,
        echo=settings.database.echo,
        lock_timeout=settings.database.lock_timeout_seconds,
    )
    first_programme = ProgrammeSource(settings.programme.file, settings.tz)
    shared = _Shared(
        settings=settings,
        database=database,
        pending=PendingInputs(database, _timeouts(settings)),
        contacts=ContactService(database),
        inbox=InboxService(database),
        deliveries=DeliveryQueue(database),
        question_service=Deferred(
            lambda: QuestionService.from_package(first_programme.current()),
            name="wijkbot-questions",
        ),
    )
    editions = Editions(database, lambda info: _edition_services(shared, editions, info, None))
    first = _edition_services(shared, editions, _first_edition(), first_programme)
    editions.add(first)
    return first


@dataclass(frozen=True)
class _Shared:
    """What every edition uses alike: the database itself, typed steps, contacts, the inbox
    and the question matcher."""

    settings: Settings
    database: Database
    pending: PendingInputs
    contacts: ContactService
    inbox: InboxService
    question_service: Deferred[QuestionService]
    # Announcement deliveries go out from one queue for all editions (the outbox).
    deliveries: DeliveryQueue


def _edition_services(
    shared: _Shared, editions: Editions, info: EditionInfo,
    programmes: ProgrammeSource | None,
) -> Services:
    """The services of one edition, on that edition's view of the database."""
    settings = shared.settings
    database = shared.database.scoped(info.id)
    if programmes is None:
        programmes = ProgrammeSource(
            settings.programme.file, settings.tz, key_prefix=info.key_prefix,
            text=info.programme_text, name=info.name,
        )
    sessions = SessionService(database, programmes.current)
    absences = AbsenceService(database, sessions)
    attendance = AttendanceService(database, sessions, settings.attendance, absences)
    audiences = AudienceService(database, sessions, attendance)
    groups = GroupService(database)
    goals = GoalService(database, sessions, settings.goals, settings.tz)
    return Services(
        settings=settings,
        database=database,
        edition=info,
        editions=editions,
        programmes=programmes,
        programme_uploads=ProgrammeUploads(database, settings.tz, info.key_prefix),
        pending=shared.pending,
        contacts=shared.contacts,
        registration=RegistrationService(database, shared.pending),
        participants=ParticipantService(database),
        invites=InviteService(database),
        privacy=PrivacyService(database),
        sessions=sessions,
        inbox=shared.inbox,
        question_service=shared.question_service,
        reminders=ReminderService(database),
        absences=absences,
        attendance=attendance,
        groups=groups,
        audiences=audiences,
        announcements=AnnouncementService(database, audiences),
        deliveries=shared.deliveries,
        feedback=FeedbackService(database, sessions, attendance.views, settings.feedback),
        certificates=CertificateService(
            database, sessions, attendance.views, groups, programmes.current
        ),
        goals=goals,
        buddies=BuddyService(database, goals),
    )


def _timeouts(settings: Settings) -> dict[PendingKind, dt.timedelta]:
    """The waits that come from the settings rather than the defaults."""
    return {
        PendingKind.REGISTRATION: dt.timedelta(minutes=settings.registration.timeout_minutes),
        PendingKind.ABSENCE_REASON: dt.timedelta(minutes=settings.reminders.reason_minutes),
    }
