"""Every Bot API call the application makes goes through here: paced under Telegram's limits,
429 answers waited out (for all calls at once), and failed calls retried only when that
cannot deliver anything twice.

Which failures are safe to retry:
- a 429 (Telegram did nothing and said when to come back);
- a 5xx answer (Telegram's servers did not carry the call out);
- a failure before the request left (connection refused, connect or pool time-out);
- any network failure of a call that is harmless to repeat (editing, answering a callback,
  deleting, reading, setting the command menu).

A send (sendMessage, sendPhoto, copyMessage …) that timed out or lost its connection after the
request went out is *not* repeated: Telegram may already have delivered it, and a duplicate
is worse than one message that is reported as failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import BaseRateLimiter
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]

MESSAGES_PER_SECOND = 30
GROUP_MESSAGES_PER_MINUTE = 20
MAX_RETRY_AFTER_WAITS = 5
MAX_NETWORK_ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.25
LONGEST_RETRY_AFTER_SECONDS = 120.0

# Calls that create something new: repeating them after an ambiguous failure can duplicate.
_CREATING_PREFIXES = ("send", "copy", "forward", "createinvitelink", "createchatinvitelink")
# Failures that happened before the request reached Telegram.
# The start-up check of the token: `wijkbot run` reports its failure in one line, so its
# retries are logged at debug level only.
_QUIET_ENDPOINTS = frozenset({"getMe"})
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds Telegram asks us to wait (PTB gives an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: Any = error.retry_after
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


def creates_something(endpoint: str) -> bool:
    return endpoint.lower().startswith(_CREATING_PREFIXES)


def never_reached_telegram(error: BaseException) -> bool:
    """A transport failure before the request left, or a 5xx answer from Telegram."""
    cause = error.__cause__
    if isinstance(cause, _NOT_SENT):
        return True
    if isinstance(error, TimedOut):
        return "Pool timeout" in error.message
    # A NetworkError PTB made from an HTTP status (500, 502 …) has no cause, or the
    # TelegramError of an answer that was not JSON (a proxy's error page).
    return isinstance(error, NetworkError) and (cause is None or isinstance(cause, TelegramError))


def safe_to_retry(endpoint: str, error: BaseException) -> bool:
    """May this failed call be made again without risking a duplicate?"""
    # NetworkError includes TimedOut, and (in PTB) BadRequest, which is never worth repeating.
    if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
        return False
    return not creates_something(endpoint) or never_reached_telegram(error)


def _first_try_worked(error: BadRequest) -> bool:
    """A repeat refused because the call it repeats was carried out (answer lost on the way)."""
    text = error.message.lower()
    return "not modified" in text or "query is too old" in text


class ResilientRateLimiter(BaseRateLimiter[int]):
    """At most 30 messages a second (20 a minute per group), 429s waited out by every call
    together, and bounded retries of failures that are safe to retry (see module doc)."""

    def __init__(
        self,
        *,
        per_second: int = MESSAGES_PER_SECOND,
        group_per_minute: int = GROUP_MESSAGES_PER_MINUTE,
        max_network_attempts: int = MAX_NETWORK_ATTEMPTS,
        first_backoff: float = FIRST_BACKOFF_SECONDS,
    ) -> None:
        self._overall = AsyncLimiter(per_second, 1)
        self._group_per_minute = group_per_minute
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._max_network_attempts = max_network_attempts
        self._first_backoff = first_backoff
        self._not_paused = asyncio.Event()
        self._not_paused.set()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def _group_limiter(self, chat_id: int | str) -> AsyncLimiter:
        if len(self._groups) > 512:  # forget idle groups; a full limiter is kept
            for key in [k for k, v in self._groups.items() if v.has_capacity(v.max_rate)]:
                del self._groups[key]
        limiter = self._groups.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(self._group_per_minute, 60)
            self._groups[chat_id] = limiter
        return limiter

    async def _paced(
        self,
        chat_id: int | str | None,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
    ) -> JSONResult:
        group: contextlib.AbstractAsyncContextManager[Any] = contextlib.nullcontext()
        if isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0):
            group = self._group_limiter(chat_id)
        overall: contextlib.AbstractAsyncContextManager[Any] = (
            self._overall if chat_id is not None else contextlib.nullcontext()
        )
        async with group, overall:
            await self._not_paused.wait()
            return await callback(*args, **kwargs)

    async def _pause_everyone(self, seconds: float) -> None:
        self._not_paused.clear()
        try:
            await asyncio.sleep(seconds)
        finally:
            self._not_paused.set()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        chat_id: int | str | None = data.get("chat_id")
        if isinstance(chat_id, str):
            with contextlib.suppress(ValueError):
                chat_id = int(chat_id)
        max_waits = MAX_RETRY_AFTER_WAITS if rate_limit_args is None else rate_limit_args
        waits = failures = 0
        backoff = self._first_backoff
        while True:
            try:
                return await self._paced(chat_id, callback, args, kwargs)
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                if waits >= max_waits or seconds > LONGEST_RETRY_AFTER_SECONDS:
                    log.warning("%s: Telegram still asks to wait (%.0f s); giving up after "
                                "%d waits", endpoint, seconds, waits)
                    raise
                waits += 1
                log.warning("%s: Telegram asks to wait %.0f s; all calls pause", endpoint,
                            seconds)
                await self._pause_everyone(seconds + 0.1)
            except BadRequest as error:
                if failures and _first_try_worked(error):
                    log.warning("%s: the earlier attempt had arrived after all", endpoint)
                    return True
                raise
            except TelegramError as error:
                failures += 1
                if not safe_to_retry(endpoint, error):
                    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
                        log.warning("%s failed and is not repeated (it may have arrived): %s",
                                    endpoint, error)
                    raise
                level = logging.DEBUG if endpoint in _QUIET_ENDPOINTS else logging.WARNING
                if failures >= self._max_network_attempts:
                    log.log(level, "%s failed %d times, giving up: %s", endpoint, failures, error)
                    raise
                log.log(level, "%s failed (attempt %d), retrying in %.2f s: %s", endpoint,
                        failures, backoff, error)
                await asyncio.sleep(backoff)
                backoff *= 2


def polling_request(inner: BaseRequest | None = None) -> BaseRequest:
    """The request object for getUpdates (PTB's default: one connection), watched."""
    return WatchedPolling(inner or HTTPXRequest(connection_pool_size=1))


class WatchedPolling(BaseRequest):
    """The getUpdates connection, with every failure logged at WARNING.

    PTB's polling loop retries failed polls by itself (and waits out a 429), but says
    nothing about timeouts and flood waits; an operator should see them.
    """

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        try:
            status, payload = await self._inner.do_request(
                url, method, request_data, read_timeout=read_timeout,
                write_timeout=write_timeout, connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except TelegramError as error:
            log.warning("%s failed, polling goes on: %s", endpoint, error)
            raise
        if status >= 400:
            log.warning("%s answered HTTP %d, polling goes on", endpoint, status)
        return status, payload
