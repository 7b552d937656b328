"""The application factory: one PTB Application wired to the services and handlers."""

from __future__ import annotations

import logging

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot.services.registry import SERVICES_KEY, Services
from handlers import register_handlers
from handlers.menu import set_command_menus
from scheduling.delivery import DELIVERER_KEY, Deliverer

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3


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
        .token(telegram.token.get_secret_value())
        .base_url(telegram.base_url)
        .base_file_url(telegram.file_url)
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services

    async def blocked(chat_id: int) -> None:
        await services.contacts.mark_blocked(chat_id, services.now())

    application.bot_data[DELIVERER_KEY] = Deliverer(application.bot, on_blocked=blocked)
    register_handlers(application)
    return application


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data[SERVICES_KEY]
    for learned in await services.inbox.learned_answers():
        services.questions.add_learned(learned.entry_id, learned.question, learned.answer)
    await set_command_menus(application.bot, services.settings.coordinators)
    log.info("bot started as @%s", application.bot.username)


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data[SERVICES_KEY]
    await services.close()
