"""A loop-agnostic "something changed" notification for event-driven waiting."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable


class Signal:
    """Waiters re-check their condition each time fire() is called; no polling, no sleeping.

    Futures are created on the loop of the waiter, so one fake can serve tests running on
    different event loops (pytest-asyncio creates one per test).
    """

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def fire(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                with contextlib.suppress(RuntimeError):  # the waiter's loop is closed
                    waiter.set_result(None)

    async def wait_until(self, predicate: Callable[[], bool], within: float) -> bool:
        """True as soon as predicate() holds; False if it still does not after `within` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            # asyncio.wait, not wait_for: on Python 3.11 wait_for swallows a cancellation
            # that arrives as the waiter completes, and a cancelled long poll would go on.
            try:
                done, _ = await asyncio.wait({waiter}, timeout=remaining)
            finally:
                waiter.cancel()
            if not done:
                return predicate()
        return True
