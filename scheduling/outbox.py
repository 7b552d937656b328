"""The outbox: sends announcements from their delivery rows, in the background.

- One background task (``Application.create_task``) works through the pending rows with a
  few concurrent workers; Telegram's limits are kept by the Deliverer's shared pacer. The
  coordinator's chat is served meanwhile as usual.
- Each row is claimed just before its message goes out and settled right after, so a
  restart continues with the rows nobody has had yet (see bot/services/deliveries.py).
- Stopping the application lets messages already on their way finish and be recorded;
  nothing new starts.
- The coordinator's report message is edited as delivery progresses (at most every
  ``REPORT_EVERY`` seconds) and once more at the end.
- Scheduled announcements are JobQueue jobs rebuilt from the database at start-up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import OperationalError
from telegram.ext import Application, ContextTypes

from bot.catalogue import t
from bot.models import DeliveryStatus
from bot.services.announcement_types import AnnouncementError
from bot.services.audiences import AudienceUnavailable
from bot.services.deliveries import FollowUpKind, Progress, WorkItem
from bot.services.registry import SERVICES_KEY, Services
from bot.views.announcements import audience_label, details_markup, progress_text
from scheduling.announcement_sender import (
    BROADCAST_PER_SECOND,
    AnnouncementSender,
    Spacer,
)
from scheduling.delivery import DELIVERER_KEY, Deliverer, DeliveryResult, Outcome

log = logging.getLogger(__name__)

OUTBOX_KEY = "outbox"
WORKERS = 8
BATCH = 64
REPORT_EVERY = 6.0  # seconds between progress edits of the coordinator's report message
# A send that took this long was waiting out a 429 inside the request.
SLOW_CALL_SECONDS = 0.9
RETRY_SECONDS = 30

_STATUS = {
    Outcome.DELIVERED: DeliveryStatus.DELIVERED,
    Outcome.BLOCKED: DeliveryStatus.BLOCKED,
    Outcome.FAILED: DeliveryStatus.FAILED,
}

Context = ContextTypes.DEFAULT_TYPE


class Outbox:
    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        sender: AnnouncementSender,
        *,
        workers: int = WORKERS,
        batch: int = BATCH,
        report_every: float = REPORT_EVERY,
    ) -> None:
        self._app = application
        self.sender = sender
        self._workers = workers
        self._slots = asyncio.Semaphore(workers)
        self._spacer = Spacer()
        self._batch = batch
        self.report_every = report_every
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._last_report: dict[int, float] = {}
        # Set once the start-up job has settled interrupted rows and rebuilt the schedules.
        self.started = asyncio.Event()

    @property
    def _services(self) -> Services:
        found: Services = self._app.bot_data[SERVICES_KEY]
        return found

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """Work through whatever is waiting; cheap to call, one task at a time."""
        self._again = True
        if not self._app.running:
            return
        if not self.busy:
            self._task = self._app.create_task(self._run(), name="outbox")

    async def idle(self) -> None:
        """Wait until the outbox has nothing left to do (for tests and the benchmark)."""
        while self.busy:
            assert self._task is not None
            await asyncio.shield(self._task)

    # -- start-up and schedules -------------------------------------------------------------

    async def startup(self, _context: Context) -> None:
        """JobQueue, once at start-up: settle interrupted rows, rebuild schedules, resume."""
        svc = self._services
        interrupted = await svc.deliveries.recover(svc.now())
        if interrupted:
            log.warning("%d announcement message(s) were interrupted by a stop", interrupted)
        for edition in svc.editions.active():
            for announcement in await edition.announcements.scheduled():
                assert announcement.scheduled_for is not None
                self.schedule(announcement.id, announcement.scheduled_for)
        self.started.set()
        self.wake()

    def schedule(self, announcement_id: int, when: dt.datetime) -> None:
        queue = self._app.job_queue
        if queue is None:
            return
        self.unschedule(announcement_id)
        now = self._services.now()
        queue.run_once(
            self._due,
            when=when if when > now else 0,
            data=announcement_id,
            name=job_name(announcement_id),
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )

    def unschedule(self, announcement_id: int) -> None:
        queue = self._app.job_queue
        if queue is None:
            return
        for job in queue.get_jobs_by_name(job_name(announcement_id)):
            job.schedule_removal()

    async def _due(self, context: Context) -> None:
        """A scheduled announcement's time has come: store its recipients, then send."""
        job = context.job
        if job is None or not isinstance(job.data, int):
            return
        number = job.data
        svc = await self._edition_of(number)
        try:
            started = await svc.announcements.start_scheduled(number, audience_label, svc.now())
        except (AudienceUnavailable, AnnouncementError) as error:
            announcement = await svc.announcements.get(number)
            await svc.announcements.cancel_scheduled(number, svc.now())
            if announcement is not None:
                key = (
                    "outbox.scheduled_nobody"
                    if isinstance(error, AnnouncementError)
                    else f"announce.unavailable_{error.problem.value}"
                )
                text = t("outbox.scheduled_cancelled", number=number, reason=t(key))
                await self.sender.send_message(announcement.created_by, text)
            return
        if started is None:
            return
        announcement, counts = started
        text = progress_text(announcement.id, announcement.audience_label, counts, False)
        sent = await self.sender.send_message(announcement.created_by, text)
        if sent.message_id is not None:
            await svc.announcements.set_report_message(
                announcement.id, announcement.created_by, sent.message_id
            )
        self.wake()

    async def _edition_of(self, announcement_id: int) -> Services:
        """The services of the edition the announcement belongs to."""
        first = self._services
        for svc in first.editions.all():
            if await svc.announcements.get(announcement_id) is not None:
                return svc
        return first

    # -- the work loop ----------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            while self._app.running:
                self._again = False
                if not await self._pass() and not self._again:
                    return
        except OperationalError as error:
            log.warning("outbox: database unavailable, retrying in %d s: %s", RETRY_SECONDS, error)
            self._retry_later()
        except Exception:
            log.exception("outbox stopped unexpectedly; retrying in %d s", RETRY_SECONDS)
            self._retry_later()

    def _retry_later(self) -> None:
        if self._app.job_queue is not None and self._app.running:
            self._app.job_queue.run_once(self._retry_job, RETRY_SECONDS, name="outbox-retry")

    async def _retry_job(self, _context: Context) -> None:
        self.wake()

    async def _pass(self) -> bool:
        queue = self._services.deliveries
        sent = await self._send_pending()
        corrections = await queue.corrections(self._batch) if self._app.running else []
        await self._all(self._correct, corrections)
        removals = await queue.removals(self._batch) if self._app.running else []
        await self._all(self._remove, removals)
        await self._progress()
        await self._tell_followups()
        return bool(sent or corrections or removals)

    async def _send_pending(self) -> int:
        """The pending rows, oldest first, through ``workers`` senders without pauses: the
        next rows are read while the previous ones are going out."""
        queue = self._services.deliveries
        work: asyncio.Queue[WorkItem | None] = asyncio.Queue(maxsize=self._batch)
        taken = 0

        async def read() -> None:
            nonlocal taken
            after = 0
            try:
                while self._app.running:
                    items = await queue.pending(self._batch, after)
                    if not items:
                        return
                    taken += len(items)
                    after = items[-1].delivery_id
                    for item in items:
                        await work.put(item)
                    await self._progress()
            finally:
                for _ in range(self._workers):
                    await work.put(None)

        async def send() -> None:
            while (item := await work.get()) is not None:
                if self._app.running:
                    await self._deliver(item)

        await asyncio.gather(read(), *(send() for _ in range(self._workers)))
        return taken

    async def _progress(self) -> None:
        queue = self._services.deliveries
        await self._report(await queue.progress(await queue.sending(), self._services.now()))

    async def _all(
        self, work: Callable[[WorkItem], Awaitable[None]], items: list[WorkItem]
    ) -> None:
        async def one(item: WorkItem) -> None:
            async with self._slots:
                if self._app.running:
                    await work(item)

        await asyncio.gather(*(one(item) for item in items))

    async def _timed(self, call: Awaitable[DeliveryResult]) -> DeliveryResult:
        """A call that took long was held up by a 429 (the rate limiter waits it out inside
        the request); the calls held up with it are let go together, so the spacing starts
        again after them instead of adding to them."""
        started = time.monotonic()
        result = await call
        if time.monotonic() - started > SLOW_CALL_SECONDS:
            self._spacer.charge()
        return result

    async def _deliver(self, item: WorkItem) -> None:
        svc = self._services
        await self._spacer.wait_turn()
        if not self._app.running or not await svc.deliveries.claim(item.delivery_id, svc.now()):
            return
        result = await self._timed(self.sender.send_content(item.chat_id, item.content))
        await svc.deliveries.settle(
            item.delivery_id,
            _STATUS[result.outcome],
            message_id=result.message_id,
            reason=None if result.delivered else result.error,
            revision=item.revision,
            now=svc.now(),
        )

    async def _correct(self, item: WorkItem) -> None:
        assert item.message_id is not None
        await self._spacer.wait_turn()
        result = await self._timed(
            self.sender.correct(item.chat_id, item.message_id, item.content)
        )
        error = None if result.delivered else (result.error or result.outcome.value)
        await self._services.deliveries.settle_correction(item.delivery_id, item.revision, error)

    async def _remove(self, item: WorkItem) -> None:
        assert item.message_id is not None
        await self._spacer.wait_turn()
        result = await self._timed(self.sender.delete_message(item.chat_id, item.message_id))
        error = None if result.delivered else (result.error or result.outcome.value)
        if error is not None and "not found" in error.lower():
            error = None  # already gone (removed before a restart, or by the person)
        svc = self._services
        await svc.deliveries.settle_removal(item.delivery_id, error, svc.now())

    # -- telling the coordinator ------------------------------------------------------------

    async def _report(self, progress: list[Progress]) -> None:
        for state in progress:
            # The first progress edit comes one interval after the start.
            last = self._last_report.setdefault(state.announcement_id, time.monotonic())
            if not state.finished and (
                time.monotonic() - last < self.report_every
                # Nearly done: the final report follows soon, one edit is enough.
                or state.counts.pending / BROADCAST_PER_SECOND < self.report_every
            ):
                continue
            self._last_report[state.announcement_id] = time.monotonic()
            if state.finished:
                self._last_report.pop(state.announcement_id, None)
            await self._show(state)

    async def _show(self, state: Progress) -> None:
        text = progress_text(state.announcement_id, state.audience_label, state.counts,
                             state.finished)
        markup = details_markup(state.announcement_id) if state.finished else None
        chat_id = state.report_chat_id or state.created_by
        await self._spacer.wait_turn()
        if state.report_message_id is not None:
            edited = await self.sender.edit_message(
                chat_id, state.report_message_id, text, reply_markup=markup
            )
            if edited.delivered or not state.finished:
                return
        await self.sender.send_message(chat_id, text, reply_markup=markup)

    async def _tell_followups(self) -> None:
        for done in await self._services.deliveries.followups_done():
            key = (
                "outbox.withdrawn"
                if done.kind is FollowUpKind.WITHDRAWAL
                else "outbox.corrected"
            )
            text = t(key, number=done.announcement_id, done=done.done, failed=done.failed)
            await self.sender.send_message(done.chat_id, text)


def job_name(announcement_id: int) -> str:
    return f"announcement-{announcement_id}"


def install(application: Application) -> Outbox:  # type: ignore[type-arg]
    """Create the outbox (sharing the Deliverer's pacer) and resume it at start-up."""
    services: Services = application.bot_data[SERVICES_KEY]
    shared: Deliverer = application.bot_data[DELIVERER_KEY]

    async def blocked(chat_id: int) -> None:
        await services.contacts.mark_blocked(chat_id, services.now())

    sender = AnnouncementSender(application.bot, on_blocked=blocked, pacer=shared.pacer)
    outbox = Outbox(application, sender)
    application.bot_data[OUTBOX_KEY] = outbox
    if application.job_queue is not None:
        application.job_queue.run_once(
            outbox.startup,
            when=0,
            name="outbox-startup",
            job_kwargs={"misfire_grace_time": None},  # a busy start-up must not skip it
        )
    return outbox


def outbox_of(bot_data: dict[Any, Any]) -> Outbox:
    found: Outbox = bot_data[OUTBOX_KEY]
    return found
