"""Sending one announcement: exactly as the coordinator wrote it, evenly spaced.

``send_content`` is used for the preview too, so the preview is what recipients get.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode

from bot.services.announcement_types import Content
from scheduling.delivery import Deliverer, DeliveryResult

# Announcements go out evenly spaced a little under Telegram's 30 per second, leaving room
# for the replies the bot gives meanwhile (they are not paced by the outbox).
BROADCAST_PER_SECOND = 29.0


async def send_content(
    bot: Bot, chat_id: int, content: Content, reply_markup: InlineKeyboardMarkup | None = None
) -> Message:
    """An announcement exactly as recipients get it (also used for the preview)."""
    caption = content.html or None
    if content.media_kind == "photo" and content.file_id:
        return await bot.send_photo(
            chat_id, content.file_id, caption=caption, parse_mode=ParseMode.HTML,
            reply_markup=reply_markup,
        )
    if content.media_kind == "document" and content.file_id:
        return await bot.send_document(
            chat_id, content.file_id, caption=caption, parse_mode=ParseMode.HTML,
            reply_markup=reply_markup,
        )
    return await bot.send_message(
        chat_id, content.html, parse_mode=ParseMode.HTML, reply_markup=reply_markup
    )


class AnnouncementSender(Deliverer):
    """The Deliverer (pacing, 429, blocks, retries) for announcements: one message each,
    with a photo or document by file_id, and corrections of their text or caption."""

    def __init__(self, bot: Bot, **kwargs: Any) -> None:
        super().__init__(bot, **kwargs)
        self._telegram = bot

    async def send_content(self, chat_id: int, content: Content) -> DeliveryResult:
        return await self._attempt(
            chat_id, lambda: send_content(self._telegram, chat_id, content), "sendMessage"
        )

    async def correct(self, chat_id: int, message_id: int, content: Content) -> DeliveryResult:
        if content.media_kind is None:
            return await self.edit_message(chat_id, message_id, content.html)
        return await self._attempt(
            chat_id,
            lambda: self._telegram.edit_message_caption(
                chat_id=chat_id, message_id=message_id, caption=content.html or None,
                parse_mode=ParseMode.HTML,
            ),
            "editMessageCaption",
        )


class Spacer:
    """Evenly spaced turns, never a burst: one every ``1 / per_second`` seconds.

    The Deliverer's pacer allows up to 30 at once in each window; sent concurrently, such a
    burst reaches Telegram spread out and can overlap the next window. Turns are given one
    at a time; when the event loop was held up, the spacing starts again from the moment
    the late turn was given, so the turns after a pause are not bunched up.
    """

    STALL = 0.02  # a turn given this much later than planned: start the spacing afresh

    def __init__(self, per_second: float = BROADCAST_PER_SECOND) -> None:
        self._interval = 1.0 / per_second
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait_turn(self) -> None:
        async with self._lock:
            now = time.monotonic()
            turn = max(now, self._next)
            if turn > now:
                await asyncio.sleep(turn - now)
            given = time.monotonic()
            self._next = (given if given - turn > self.STALL else turn) + self._interval

    def charge(self) -> None:
        """Count one extra turn, for a message that went out unspaced (after a hold-up)."""
        self._next = max(time.monotonic(), self._next) + self._interval
