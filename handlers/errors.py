"""The last line of defence: errors are logged at the right level and the user is told."""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.catalogue import t
from handlers.context import Context, services

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    chat_id = chat.id if chat else None
    if isinstance(error, Forbidden):
        log.info("chat %s blocked the bot or is gone: %s", chat_id, error)
        if chat_id is not None:
            await services(context).contacts.mark_blocked(chat_id, services(context).now())
        return
    if isinstance(error, RetryAfter | TimedOut | NetworkError):
        log.warning("Telegram did not take a call for chat %s: %s", chat_id, error)
        return
    if isinstance(error, OperationalError):
        log.warning("database unavailable while handling chat %s: %s", chat_id, error.orig)
        await _tell(context, chat_id, "errors.try_again")
        return
    if isinstance(error, BadRequest) and "message is not modified" in str(error):
        return
    log.error("unhandled error for chat %s", chat_id, exc_info=error)
    await _tell(context, chat_id, "errors.unexpected")


async def _tell(context: Context, chat_id: int | None, key: str) -> None:
    if chat_id is None:
        return
    try:
        await context.bot.send_message(chat_id, t(key), parse_mode="HTML")
    except TelegramError as error:
        log.warning("could not tell chat %s about an error: %s", chat_id, error)
