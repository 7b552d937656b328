"""Shared plumbing for handlers: the services, the sender, and safe replies."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.catalogue import plain
from bot.services.registry import SERVICES_KEY, Services
from bot.telegram_text import split_html
from scheduling.delivery import Deliverer, deliverer_of

Context = ContextTypes.DEFAULT_TYPE
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]

log = logging.getLogger(__name__)


def deliverer(context: Context) -> Deliverer:
    """The paced, retrying sender for messages the bot sends on its own."""
    return deliverer_of(context.bot_data)


def services(context: Context) -> Services:
    """The services of the edition this update is about (see :func:`resolve_edition`)."""
    found: Services = context.__dict__.get(EDITION_SERVICES) or context.bot_data[SERVICES_KEY]
    return found


# Where resolve_edition leaves the update's edition (the context is shared by all groups).
EDITION_SERVICES = "edition_services"


async def resolve_edition(update: Update, context: Context) -> None:
    """Before any handler: the edition the person works with. A coordinator's is the one
    they chose with /editie (else the running one); a participant's is their current
    participation, or the edition they are registering for, or the one open for
    registration (bot/services/editions.py)."""
    first: Services = context.bot_data[SERVICES_KEY]
    person = user_id(update)
    if person is None:
        return
    now = first.now()
    try:
        if first.settings.is_coordinator(person):
            chosen = await first.editions.for_coordinator(person, now)
        else:
            registering = await first.pending.registration_edition(person)
            chosen = await first.editions.for_person(person, now, registering)
    except (SQLAlchemyError, OSError) as error:  # the handler will meet it and explain
        log.warning("edition of user %s unknown (database: %s); the default edition",
                    person, type(error).__name__)
        chosen = first.editions.default(now)
    by_button = await _edition_of_button(update, first, person)
    context.__dict__[EDITION_SERVICES] = by_button or chosen


async def _edition_of_button(update: Update, first: Services, person: int) -> Services | None:
    """A button about a session of another edition of this person (a feedback question of a
    finished edition, a digest of another edition) is handled in that edition."""
    query = update.callback_query
    if query is None or not query.data or len(first.editions.all()) == 1:
        return None
    for part in query.data.split(":"):
        found = first.editions.of_session_key(part)
        if found is None:
            continue
        if first.settings.is_coordinator(person):
            return found
        try:
            mine = await first.editions.participations(person)
        except (SQLAlchemyError, OSError):
            return None
        return found if found in mine else None
    return None


def user_id(update: Update) -> int | None:
    return update.effective_user.id if update.effective_user else None


def is_coordinator(update: Update, context: Context) -> bool:
    return services(context).settings.is_coordinator(user_id(update))


def coordinator_only(callback: Callback) -> Callback:
    """A button only coordinators may use: anyone else's tap is refused like an old button.

    (Coordinator commands carry the coordinators filter instead: for anyone else they do
    not exist, and the fallback answers.)"""

    @functools.wraps(callback)
    async def guarded(update: Update, context: Context) -> None:
        if is_coordinator(update, context):
            await callback(update, context)
            return
        log.info("refused a coordinator button from user %s", user_id(update))
        query = update.callback_query
        if query is not None:
            await query.answer(plain("fallback.stale_button"))

    return guarded


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == chat.PRIVATE


async def send_html(
    context: Context,
    chat_id: int,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    **kwargs: Any,
) -> Message:
    """Send HTML text, split into several messages when long; buttons go on the last one."""
    parts = split_html(text)
    message: Message | None = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        message = await context.bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=reply_markup if last else None,
            link_preview_options=None,
            **kwargs,
        )
    assert message is not None
    return message


async def reply(
    update: Update,
    context: Context,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Answer in the chat the update came from."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await send_html(context, chat.id, text, reply_markup=reply_markup)


async def drop_buttons(update: Update) -> None:
    """Take the buttons off the message a button was tapped on (it may be gone already)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError as error:
        log.debug("could not remove the buttons: %s", error)


async def replace_message(
    update: Update, context: Context, text: str, reply_markup: InlineKeyboardMarkup | None
) -> None:
    """Show ``text`` in place of the message a button was tapped on; a text too long for one
    message is sent anew instead (split, the buttons on its last part)."""
    query = update.callback_query
    if query is None:
        return
    if len(split_html(text)) > 1:
        await reply(update, context, text, reply_markup=reply_markup)
        return
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=reply_markup)
    except TelegramError as error:  # unchanged (a double tap), or the message is gone
        log.debug("could not update the message: %s", error)
