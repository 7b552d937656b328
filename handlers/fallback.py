"""What the bot does with everything no feature handler took: never silence, never a crash."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.catalogue import t
from handlers.context import Context, reply, user_id
from handlers.menu import menu_of

log = logging.getLogger(__name__)


def command_word(text: str | None) -> str:
    """``/Module@wijkbot 4`` -> ``module``."""
    if not text or not text.startswith("/"):
        return ""
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""


async def unknown_command(update: Update, context: Context) -> None:
    message = update.effective_message
    word = command_word(message.text if message else None)
    if word in menu_of(context.bot_data).coordinator:
        # Coordinator commands do not exist for anyone else; the attempt is worth a note.
        log.info("refused coordinator command /%s from user %s", word, user_id(update))
    await reply(update, context, t("fallback.unknown_command", command=word[:40]))


async def other_message(update: Update, context: Context) -> None:
    await reply(update, context, t("fallback.not_text"))


async def group_command(update: Update, context: Context) -> None:
    """Commands in groups get one pointer to the private chat; everything else there is ignored."""
    link = f"https://t.me/{context.bot.username}"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(t("fallback.group_button"), url=link)]])
    await reply(update, context, t("fallback.group"), reply_markup=keyboard)


async def stale_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(t("fallback.stale_button"), show_alert=False)
