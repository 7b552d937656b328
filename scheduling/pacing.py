"""A second, stricter pace for large rounds: counted from when Telegram *answered*.

The Deliverer's pacer counts a message when it is handed to the network. Telegram counts
it when it arrives, which can be later (a busy event loop, a garbage-collection pause, a
slow connection); a round of hundreds of messages then occasionally puts 31 arrivals in one
second. Counting finished sends instead is safe: a message has arrived before its answer
comes back, so at most ``limit`` answers in the last ``window`` seconds means at most
``limit`` arrivals in any second. Reminder rounds send one message at a time through this
gate, and still through the Deliverer (which keeps all of the bot's sending together under
the limit and waits out 429 answers).
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

LIMIT = 30
WINDOW_SECONDS = 1.02


class AnswerGate:
    def __init__(self, limit: int = LIMIT, window: float = WINDOW_SECONDS) -> None:
        self._limit = limit
        self._window = window
        self._answered: collections.deque[float] = collections.deque()

    async def _wait(self) -> None:
        while True:
            now = time.monotonic()
            while self._answered and now - self._answered[0] >= self._window:
                self._answered.popleft()
            if len(self._answered) < self._limit:
                return
            await asyncio.sleep(self._window - (now - self._answered[0]))

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for room, send inside the block; the answer is counted when it ends."""
        await self._wait()
        try:
            yield
        finally:
            self._answered.append(time.monotonic())
