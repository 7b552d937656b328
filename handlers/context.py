"""Shared plumbing for handlers: the services, the sender, and safe replies."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.services.registry import SERVICES_KEY, Services
from bot.telegram_text import split_html
from scheduling.delivery import DELIVERER_KEY, Deliverer

Context = ContextTypes.DEFAULT_TYPE


def deliverer(context: Context) -> Deliverer:
    """The paced, retrying sender for messages the bot sends on its own."""
    found: Deliverer = context.bot_data[DELIVERER_KEY]
    return found


def services(context: Context) -> Services:
    found: Services = context.bot_data[SERVICES_KEY]
    return found


def user_id(update: Update) -> int | None:
    return update.effective_user.id if update.effective_user else None


def is_coordinator(update: Update, context: Context) -> bool:
    return services(context).settings.is_coordinator(user_id(update))


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
