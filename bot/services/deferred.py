"""Something expensive to build, built once: in a background thread, or on first use.

The question service takes about a second to build (it analyses every example phrasing
in the knowledge base). Built at start-up it would delay polling by that second, so the bot
starts polling first and builds it in a thread; a question arriving before it is ready
waits for it (:meth:`Deferred.wait` without blocking the event loop).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")


class Deferred(Generic[T]):
    def __init__(self, build: Callable[[], T], name: str) -> None:
        self._build = build
        self._name = name
        self._future: Future[T] = Future()
        self._lock = threading.Lock()
        self._started = False
        self._finishing: list[Callable[[T], None]] | None = []  # None once built

    def start(self) -> None:
        """Build in a background thread now (does nothing if it is built or being built)."""
        if self._claim():
            threading.Thread(target=self._run, name=self._name, daemon=True).start()

    async def wait(self) -> T:
        """The thing, without blocking the event loop while it is being built."""
        if self._future.done():
            return self._future.result()  # built: returns at once
        self.start()
        return await asyncio.wrap_future(self._future)

    def then(self, finish: Callable[[T], None]) -> None:
        """Run ``finish`` on the thing before anyone else gets it (at once if already built)."""
        with self._lock:
            if self._finishing is not None:
                self._finishing.append(finish)
                return
        finish(self._future.result())

    @property
    def ready(self) -> bool:
        return self._future.done()

    def _claim(self) -> bool:
        with self._lock:
            if self._started:
                return False
            self._started = True
            return True

    def _run(self) -> None:
        try:
            built = self._build()
            while True:
                with self._lock:
                    pending = self._finishing or []
                    self._finishing = [] if pending else None
                if not pending:
                    break
                for finish in pending:
                    finish(built)
        except BaseException as error:
            with self._lock:
                self._finishing = None
            self._future.set_exception(error)
            return
        self._future.set_result(built)
