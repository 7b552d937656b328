"""Knowing when a bot has nothing left to do, so "the bot sent nothing" can be asserted.

A fixed wait proves nothing: a bot slower than the wait passes the check without it having
looked. Instead, :class:`Activity` watches a python-telegram-bot ``Application`` and says it is
*settled* when

- every update the fake still holds for the bot has been processed (handled, or refused),
- no update is being processed or waits in the application's queue,
- no background task the application started (``Application.create_task``: the outbox,
  PTB's non-blocking handlers) is still running, and
- no job of the application's JobQueue is running.

Only then can the absence of a message mean the bot chose not to send one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from telegram import Update
from telegram.ext import Application

if TYPE_CHECKING:
    from .server import FakeTelegram

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class Activity:
    """What one running Application is busy with; see the module docstring."""

    def __init__(self, fake: FakeTelegram, application: AnyApplication) -> None:
        self._fake = fake
        self._application = application
        self._updates_in_progress = 0
        self._jobs_running: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    def settled(self) -> bool:
        return (
            not self._fake.updates.unprocessed()
            and self._updates_in_progress == 0
            and self._application.update_queue.empty()
            and not self._jobs_running
            and all(task.done() for task in self._tasks)
        )

    def describe(self) -> str:
        busy = [
            f"{len(self._fake.updates.unprocessed())} update(s) not yet processed",
            f"{self._updates_in_progress} update(s) being processed",
            f"{self._application.update_queue.qsize()} update(s) queued in the application",
            f"jobs running: {sorted(self._jobs_running)}",
            f"{sum(not task.done() for task in self._tasks)} background task(s) running",
        ]
        return "; ".join(busy)

    @contextmanager
    def watching(self) -> Iterator[None]:
        application = self._application
        process_update = application.process_update
        create_task = application.create_task

        async def tracked_update(update: object) -> None:
            self._updates_in_progress += 1
            try:
                await process_update(update)
            finally:
                self._updates_in_progress -= 1
                if isinstance(update, Update):
                    self._fake.updates.mark_processed(update.update_id)
                self._fake.signal.fire()

        def tracked_task(
            coroutine: Awaitable[Any] | Coroutine[Any, Any, Any],
            update: object | None = None,
            **kwargs: Any,
        ) -> asyncio.Task[Any]:
            task = create_task(coroutine, update, **kwargs)
            self._tasks.add(task)
            task.add_done_callback(self._task_done)
            return task

        scheduler = application.job_queue.scheduler if application.job_queue else None
        mask = EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
        application.process_update = tracked_update  # type: ignore[method-assign]
        application.create_task = tracked_task  # type: ignore[method-assign,assignment]
        if scheduler is not None:
            scheduler.add_listener(self._job_event, mask)
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.remove_listener(self._job_event)
            del application.process_update
            del application.create_task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        self._fake.signal.fire()

    def _job_event(self, event: JobEvent) -> None:
        # One run of a job at a time (APScheduler's max_instances is 1): its id is enough.
        if isinstance(event, JobSubmissionEvent):
            self._jobs_running.add(event.job_id)
        else:
            self._jobs_running.discard(event.job_id)
        self._fake.signal.fire()
