"""Every service the bot uses, built once at start-up and shared by all handlers and jobs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.config import Settings
from bot.database import Database
from bot.programme import Programme, load_programme
from bot.services.absences import AbsenceService
from bot.services.announcements import AnnouncementService
from bot.services.attendance import AttendanceService
from bot.services.audiences import AudienceService
from bot.services.contacts import ContactService
from bot.services.deferred import Deferred
from bot.services.deliveries import DeliveryQueue
from bot.services.groups import GroupService
from bot.services.inbox import InboxService
from bot.services.invites import InviteService
from bot.services.participants import ParticipantService
from bot.services.privacy import PrivacyService
from bot.services.questions import QuestionService
from bot.services.registration import RegistrationService
from bot.services.reminders import ReminderService
from bot.services.sessions import SessionService
from bot.services.steps import StepStore
from bot.services.typed_inputs import TypedInputs

# Where the Services live in PTB's bot_data.
SERVICES_KEY = "services"


@dataclass
class Services:
    settings: Settings
    database: Database
    programme: Programme
    contacts: ContactService
    registration: RegistrationService
    participants: ParticipantService
    invites: InviteService
    privacy: PrivacyService
    sessions: SessionService
    inbox: InboxService
    # The question service is built in the background after start-up: see ``questions``.
    question_service: Deferred[QuestionService]
    reminders: ReminderService
    absences: AbsenceService
    groups: GroupService
    audiences: AudienceService
    announcements: AnnouncementService
    deliveries: DeliveryQueue
    steps: StepStore
    typed_inputs: TypedInputs
    # Set right after construction: it needs the session service.
    attendance: AttendanceService = field(init=False)

    @property
    def questions(self) -> QuestionService:
        """The question service (waits for it, or builds it, if it is not ready yet)."""
        return self.question_service.get()

    async def ready_questions(self) -> QuestionService:
        """The question service, waiting for it without blocking the event loop."""
        return await self.question_service.wait()

    def now(self) -> dt.datetime:
        """The current moment in the course's timezone."""
        return dt.datetime.now(self.settings.tz)

    def reload_programme(self) -> Programme:
        """Read the programme file again; raises ProgrammeError and keeps the old one if invalid."""
        self.programme = load_programme(self.settings.programme.file, self.settings.tz)
        self.questions.set_programme(self.programme)
        return self.programme

    async def close(self) -> None:
        await self.database.close()


def build_services(settings: Settings) -> Services:
    """Load the programme and connect the database (no I/O on the database yet)."""
    programme = load_programme(settings.programme.file, settings.tz)
    database = Database(
        settings.database.url,
        echo=settings.database.echo,
        lock_timeout=settings.database.lock_timeout_seconds,
    )
    # The attendance audiences ask the attendance service, which is set up last.
    audiences = AudienceService(
        database,
        SessionService(database, lambda: services.programme),
        lambda: services.attendance,
    )
    services: Services = Services(
        settings=settings,
        database=database,
        programme=programme,
        contacts=ContactService(database),
        registration=RegistrationService(
            database, dt.timedelta(minutes=settings.registration.timeout_minutes)
        ),
        participants=ParticipantService(database),
        invites=InviteService(database),
        privacy=PrivacyService(database),
        sessions=SessionService(database, lambda: services.programme),
        inbox=InboxService(database),
        question_service=Deferred(
            lambda: QuestionService.from_package(programme), name="wijkbot-questions"
        ),
        reminders=ReminderService(database),
        absences=AbsenceService(database, SessionService(database, lambda: services.programme)),
        groups=GroupService(database),
        audiences=audiences,
        announcements=AnnouncementService(database, audiences),
        deliveries=DeliveryQueue(database),
        steps=StepStore(database),
        typed_inputs=TypedInputs(database),
    )
    services.attendance = AttendanceService(
        database,
        services.sessions,
        settings.attendance,
        services.absences,
    )
    return services
