"""Reliable sending for everything the bot sends on its own (reminders, announcements,
check-in prompts, digests): paced under Telegram's limits, 429 waited out, blocked users
recognised, other failures retried a bounded number of times.

Replies to a person's own message do not come through here; they go straight out
(PTB's rate limiter still applies to them).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.telegram_calls import MAX_RETRY_AFTER_WAITS, retry_after_seconds, safe_to_retry
from bot.telegram_text import split_html

log = logging.getLogger(__name__)

TELEGRAM_MESSAGES_PER_SECOND = 30
# A little slack, so that our second and Telegram's never disagree.
WINDOW_SECONDS = 1.02
MAX_ATTEMPTS = 5
FIRST_BACKOFF_SECONDS = 0.5

DELIVERER_KEY = "deliverer"


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    outcome: Outcome
    message_id: int | None = None
    error: str | None = None
    retry_after_waits: int = 0

    @property
    def delivered(self) -> bool:
        return self.outcome is Outcome.DELIVERED


class Pacer:
    """At most ``limit`` messages reach Telegram in any ``window`` seconds.

    Telegram counts a message when it arrives, which is somewhere between handing it to the
    network and receiving the answer. So a turn is given only while the sends still under
    way plus the sends answered in the last window are fewer than ``limit``: of any
    ``limit + 1`` arrivals within one second, the last one handed off would have had to wait.
    Counting at hand-off instead lets a stalled event loop or a slow connection bunch arrivals.
    """

    def __init__(self, limit: int = TELEGRAM_MESSAGES_PER_SECOND,
                 window: float = WINDOW_SECONDS) -> None:
        self._limit = limit
        self._window = window
        self._answered: collections.deque[float] = collections.deque()
        self._in_flight = 0
        self._paused_until = 0.0
        self._changed = asyncio.Condition()

    def _wait_seconds(self, now: float) -> float | None:
        """None when a turn can be given now; else how long until one may be free."""
        while self._answered and now - self._answered[0] >= self._window:
            self._answered.popleft()
        if now < self._paused_until:
            return self._paused_until - now
        if self._in_flight + len(self._answered) < self._limit:
            return None
        if self._answered and self._in_flight < self._limit:
            return self._window - (now - self._answered[0])
        return self._window  # all turns in flight: woken when one ends

    async def wait_turn(self) -> None:
        """Wait for a turn; the caller must call :meth:`done` when Telegram has answered."""
        async with self._changed:
            while (wait := self._wait_seconds(time.monotonic())) is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout=wait)
            self._in_flight += 1

    async def done(self) -> None:
        async with self._changed:
            self._in_flight -= 1
            self._answered.append(time.monotonic())
            self._changed.notify_all()

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing more goes out until the wait is over."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)


BlockedCallback = Callable[[int], Awaitable[None]]


class Deliverer:
    def __init__(
        self,
        bot: Bot,
        *,
        on_blocked: BlockedCallback | None = None,
        pacer: Pacer | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        first_backoff: float = FIRST_BACKOFF_SECONDS,
    ) -> None:
        self._bot = bot
        self._on_blocked = on_blocked
        self.pacer = pacer or Pacer()
        self._max_attempts = max_attempts
        self._first_backoff = first_backoff

    async def send_message(
        self, chat_id: int, html: str, *, reply_markup: InlineKeyboardMarkup | None = None
    ) -> DeliveryResult:
        """Send HTML text (split when long; buttons on the last part)."""
        parts = split_html(html)
        result = DeliveryResult(Outcome.FAILED, error="empty message")
        waits = 0
        for index, part in enumerate(parts):
            markup = reply_markup if index == len(parts) - 1 else None

            def call(part: str = part, markup: InlineKeyboardMarkup | None = markup) -> Any:
                return self._bot.send_message(
                    chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup
                )

            result = await self._attempt(chat_id, call)
            waits += result.retry_after_waits
            if not result.delivered:
                break
        return DeliveryResult(result.outcome, result.message_id, result.error, waits)

    async def send_document(
        self, chat_id: int, content: bytes, filename: str, caption: str | None = None
    ) -> DeliveryResult:
        return await self._attempt(
            chat_id,
            lambda: self._bot.send_document(
                chat_id, document=content, filename=filename, caption=caption,
                parse_mode=ParseMode.HTML,
            ),
            "sendDocument",
        )

    async def send_photo(
        self, chat_id: int, content: bytes, caption: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> DeliveryResult:
        return await self._attempt(
            chat_id,
            lambda: self._bot.send_photo(
                chat_id, photo=content, caption=caption, parse_mode=ParseMode.HTML,
                reply_markup=reply_markup,
            ),
            "sendPhoto",
        )

    async def edit_message(
        self, chat_id: int, message_id: int, html: str,
        *, reply_markup: InlineKeyboardMarkup | None = None,
    ) -> DeliveryResult:
        return await self._attempt(
            chat_id,
            lambda: self._bot.edit_message_text(
                html, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML,
                reply_markup=reply_markup,
            ),
            "editMessageText",
        )

    async def delete_message(self, chat_id: int, message_id: int) -> DeliveryResult:
        return await self._attempt(
            chat_id, lambda: self._bot.delete_message(chat_id, message_id), "deleteMessage"
        )

    async def _attempt(
        self,
        chat_id: int,
        call: Callable[[], Awaitable[Message | bool]],
        endpoint: str = "sendMessage",
    ) -> DeliveryResult:
        """One call, 429s waited out, failures retried only where that cannot duplicate.

        ``endpoint`` names the Bot API method: a send that timed out after it left is not
        repeated (see bot.telegram_calls), an edit or a delete is.
        """
        backoff = self._first_backoff
        waits = 0
        attempt = 0
        while True:
            await self.pacer.wait_turn()
            try:
                try:
                    sent = await call()
                finally:
                    await self.pacer.done()
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                waits += 1
                if waits > MAX_RETRY_AFTER_WAITS:
                    return DeliveryResult(Outcome.FAILED, error=error.message,
                                          retry_after_waits=waits)
                log.warning("Telegram asked to wait %.0f s before sending more", seconds)
                self.pacer.pause(seconds)
                continue  # waiting out a 429 is not a failed attempt
            except Forbidden as error:
                log.info("chat %s cannot be reached: %s", chat_id, error.message)
                if self._on_blocked is not None:
                    await self._on_blocked(chat_id)
                return DeliveryResult(Outcome.BLOCKED, error=error.message, retry_after_waits=waits)
            except BadRequest as error:
                if "not modified" in error.message.lower():
                    return DeliveryResult(Outcome.DELIVERED, retry_after_waits=waits)
                log.warning("Telegram refused a message to chat %s: %s", chat_id, error.message)
                return DeliveryResult(Outcome.FAILED, error=error.message, retry_after_waits=waits)
            except NetworkError as error:  # TimedOut included
                attempt += 1
                if attempt >= self._max_attempts or not safe_to_retry(endpoint, error):
                    log.warning("%s to chat %s failed, not retried: %s", endpoint, chat_id, error)
                    return DeliveryResult(Outcome.FAILED, error=str(error) or "network error",
                                          retry_after_waits=waits)
                log.warning("%s to chat %s failed (attempt %d): %s", endpoint, chat_id, attempt,
                            error)
                await asyncio.sleep(backoff)
                backoff *= 2
                continue
            message_id = sent.message_id if isinstance(sent, Message) else None
            return DeliveryResult(Outcome.DELIVERED, message_id, retry_after_waits=waits)


def deliverer_of(bot_data: Mapping[Any, Any]) -> Deliverer:
    """The one sender the application keeps (``bot_data[DELIVERER_KEY]``)."""
    found: Deliverer = bot_data[DELIVERER_KEY]
    return found
