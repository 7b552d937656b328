"""The question service is built in a thread; waiting for it never blocks the event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.services.deferred import Deferred


async def test_waiting_for_it_leaves_the_event_loop_free() -> None:
    may_finish = threading.Event()

    def build() -> str:
        # Set by a coroutine on the event loop: only runs if the loop is not blocked.
        if not may_finish.wait(timeout=5):
            raise TimeoutError("the event loop was blocked while the service was built")
        return "klaar"

    deferred: Deferred[str] = Deferred(build, name="test-build")
    waiting = asyncio.create_task(deferred.wait())
    await asyncio.sleep(0)
    assert not deferred.ready
    may_finish.set()  # the loop ran this line while `waiting` was pending
    assert await waiting == "klaar"
    assert deferred.ready


async def test_finishing_steps_run_before_anyone_gets_it_once_built() -> None:
    release = threading.Event()
    seen: list[str] = []

    def build() -> list[str]:
        release.wait(timeout=5)
        return seen

    deferred: Deferred[list[str]] = Deferred(build, name="test-build")
    deferred.then(lambda built: built.append("geleerd"))
    deferred.start()
    release.set()
    assert await deferred.wait() == ["geleerd"]
    deferred.then(lambda built: built.append("daarna"))  # already built: runs at once
    assert seen == ["geleerd", "daarna"]


async def test_a_failed_build_reaches_whoever_waits() -> None:
    def build() -> str:
        raise ValueError("kennisbank onleesbaar")

    deferred: Deferred[str] = Deferred(build, name="test-build")
    with pytest.raises(ValueError, match="kennisbank onleesbaar"):
        await deferred.wait()
