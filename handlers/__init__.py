"""Telegram handlers: thin adapters between updates and the services in ``bot``."""

from __future__ import annotations

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.services.registry import SERVICES_KEY, Services
from handlers import (
    announcements,
    attendance,
    coordinator,
    fallback,
    info,
    membership,
    questions,
    registration,
    reminders,
)
from handlers.errors import on_error

# Within one group only the first matching handler runs, so every feature handler and,
# after them, the fallbacks share group 0: a fallback sees only what no feature took.
# Conversation steps run earlier (negative groups) and raise ApplicationHandlerStop.
FEATURES = 0
FALLBACK = FEATURES


def register_handlers(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data[SERVICES_KEY]
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    coordinators = filters.User(user_id=services.settings.coordinators)

    participant_commands = {
        "start": info.start,
        "help": info.help_command,
        "hulp": info.help_command,
        "programma": info.programme_command,
        "volgende": info.next_command,
        "module": info.module_command,
        "agenda": info.agenda_command,
    }
    for name, callback in participant_commands.items():
        application.add_handler(CommandHandler(name, callback, filters=private), FEATURES)
    coordinator_commands = {
        "status": coordinator.status_command,
        "herladen": coordinator.reload_command,
    }
    for name, callback in coordinator_commands.items():
        application.add_handler(
            CommandHandler(name, callback, filters=private & coordinators), FEATURES
        )
    registration.register(application, FEATURES)
    announcements.register(application, FEATURES)
    attendance.register(application, FEATURES)
    reminders.register(application, FEATURES)
    # Every other text is a question: the question handler comes after all features.
    questions.register(application, FEATURES, coordinators)

    application.add_handler(
        MessageHandler(filters.COMMAND & private, fallback.unknown_command), FALLBACK
    )
    application.add_handler(
        MessageHandler(~filters.TEXT & private, fallback.other_message), FALLBACK
    )
    application.add_handler(
        MessageHandler(
            filters.COMMAND & filters.ChatType.GROUPS & filters.UpdateType.MESSAGE,
            fallback.group_command,
        ),
        FALLBACK,
    )
    application.add_handler(CallbackQueryHandler(fallback.stale_button), FALLBACK)
    membership.register(application)
    application.add_error_handler(on_error)
