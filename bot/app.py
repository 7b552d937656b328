"""The application factory: one PTB Application wired to the services, handlers and jobs.

Only :func:`build_application` wires things together: the handlers (handlers/routing.py),
the sender, the jobs and the outbox (scheduling/jobs.py), ``post_init`` and ``post_shutdown``.
"""

from __future__ import annotations

import logging

from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot.lifecycle import POST_START_KEY
from bot.logs import LoggingApplication, LoggingJobQueue
from bot.services.questions import QuestionService
from bot.services.registry import SERVICES_KEY, Services
from bot.telegram_calls import ResilientRateLimiter, polling_request
from handlers.menu import menu_of, set_command_menus
from handlers.routing import register_handlers
from scheduling import jobs
from scheduling.delivery import DELIVERER_KEY, Deliverer
from scheduling.reminders import scheduler_of

log = logging.getLogger(__name__)


def build_application(
    services: Services,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> Application:  # type: ignore[type-arg]
    """Build the bot. ``request`` objects let tests route the Bot API to a fake."""
    telegram = services.settings.telegram
    if telegram.token is None:
        raise ValueError("telegram.token is not set")
    builder = (
        ApplicationBuilder()
        .application_class(LoggingApplication)
        .job_queue(LoggingJobQueue())
        .token(telegram.token.get_secret_value())
        .base_url(telegram.base_url)
        .base_file_url(telegram.file_url)
        .rate_limiter(ResilientRateLimiter())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    builder = builder.get_updates_request(polling_request(get_updates_request))
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services

    async def blocked(chat_id: int) -> None:
        await services.contacts.mark_blocked(chat_id, services.now())

    # The rate limiter already retried what is safe to retry: the Deliverer adds no more.
    application.bot_data[DELIVERER_KEY] = Deliverer(
        application.bot, on_blocked=blocked, max_attempts=1
    )
    register_handlers(application, frozenset(services.settings.coordinators))
    jobs.install(application)
    return application


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data[SERVICES_KEY]
    await services.editions.load()  # every edition, each with its programme
    learned = await services.inbox.learned_answers()

    def teach(questions: QuestionService) -> None:
        for entry in learned:
            questions.add_learned(entry.entry_id, entry.question, entry.answer)

    services.question_service.then(teach)
    await set_command_menus(
        application.bot, menu_of(application.bot_data), services.settings.coordinators
    )
    # The reminder jobs exist before the first poll: overdue ones go out at once.
    await scheduler_of(application.bot_data).prepare()
    log.info("bot started as @%s", application.bot.username)
    # Built in a thread once the bot receives updates (about half a second): building it
    # before would hold up the first poll. A question that arrives sooner waits for it.
    application.bot_data[POST_START_KEY] = services.question_service.start


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data[SERVICES_KEY]
    await services.close()
