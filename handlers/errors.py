"""The last line of defence: errors are logged at the right level and the user is told."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ApplicationHandlerStop

from bot.catalogue import plain, t
from handlers.context import Context, services

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log and tell the person; then no later handler group sees the update (a failed
    registration step must not be answered once more as a question)."""
    await _handle(update, context)
    if isinstance(update, Update):
        raise ApplicationHandlerStop


async def _handle(update: object, context: Context) -> None:
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
    if database_unavailable(error):
        log.warning("database unavailable while handling chat %s: %s", chat_id,
                    type(error).__name__)
        await _tell(context, chat_id, "errors.try_again", update)
        return
    if isinstance(error, BadRequest) and "message is not modified" in str(error):
        return
    log.error("unhandled error for chat %s", chat_id, exc_info=error)
    await _tell(context, chat_id, "errors.unexpected", update)


# Connection problems, serialization failure, deadlock, lock timeout, statement cancelled,
# server shutting down or starting up.
_RETRYABLE_SQLSTATES = ("08", "40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03")


def database_unavailable(error: BaseException | None) -> bool:
    """Locked, busy, restarting or unreachable: worth another try in a moment.

    Each service call is one transaction, rolled back on such an error, so nothing of the
    failed step is half-written.
    """
    if isinstance(error, OperationalError | InterfaceError):
        return True
    if isinstance(error, DBAPIError):  # PostgreSQL: by SQLSTATE
        state = str(getattr(error.orig, "sqlstate", "") or "")
        return state.startswith(_RETRYABLE_SQLSTATES)
    return isinstance(error, ConnectionError | TimeoutError)


async def _tell(context: Context, chat_id: int | None, key: str, update: object) -> None:
    query = update.callback_query if isinstance(update, Update) else None
    if query is not None:  # the tap gets its answer, or its spinner keeps turning
        try:
            await query.answer(plain(key), show_alert=True)
            return
        except BadRequest:  # answered already: say it in the chat instead
            pass
    if chat_id is None:
        return
    try:
        await context.bot.send_message(chat_id, t(key), parse_mode="HTML")
    except TelegramError as error:
        log.warning("could not tell chat %s about an error: %s", chat_id, error)
