"""Reminder jobs: rebuilt from the timetable and the delivery log, sent exactly once.

The database is the source of truth; nothing depends on pickled jobs. A *sync* runs at
start-up, every minute, and right after a coordinator changes a session:

1. claims left without an outcome by a crash are marked ``interrupted`` (never resent);
2. the timetable is compared with what participants last heard (``scheduling.changes``):
   a moved, added or cancelled session gets one notice per participant;
3. every planned reminder (``scheduling.planner``) is classified: a future one gets a
   JobQueue job at its due moment (one job per reminder, id derived from session, kind and
   date, so re-adding replaces); a due one — also one missed while the bot was down, as
   long as the session has not started and no later reminder of it is due — is sent now;
   a stale one is skipped, recorded and logged once.

Sending claims each participant's row in the delivery log just before their message goes
out through the Deliverer (paced under Telegram's limit, 429 waited out, blocked
participants marked) and records the outcome with the next claim, so a crash leaves at most
one row ``interrupted``: the message on its way. One participant's failure never stops the
others.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import Application, ContextTypes, JobQueue

from bot.catalogue import Html
from bot.change_notices import Notice
from bot.config import ReminderKind
from bot.services.registry import SERVICES_KEY, Services
from bot.services.reminders import DeliveryStatus, Outcome, Recipient
from bot.views.reminders import answer_buttons, notice_buttons, notice_text, reminder_text
from scheduling.changes import ChangeTracker, ConcurrentChangeError
from scheduling.delivery import DELIVERER_KEY, Deliverer
from scheduling.delivery import Outcome as Sent
from scheduling.planner import (
    STALE,
    PlannedReminder,
    State,
    classify,
    occurrence,
    plan,
    plan_session,
)

log = logging.getLogger(__name__)

SCHEDULER_KEY = "reminder_scheduler"
SYNC_SECONDS = 60
JOB_PREFIX = "reminder:"
# A claim this old without an outcome means the process stopped while sending.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)

_STATUS = {Sent.DELIVERED: DeliveryStatus.SENT, Sent.BLOCKED: DeliveryStatus.BLOCKED,
           Sent.FAILED: DeliveryStatus.FAILED}
_UNTIMELY = {"misfire_grace_time": None, "coalesce": True}

Context = ContextTypes.DEFAULT_TYPE


@dataclass
class RoundResult:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    already_claimed: int = 0
    statuses: list[DeliveryStatus] = field(default_factory=list)

    def add(self, outcomes: Sequence[Outcome], already: int) -> None:
        self.already_claimed += already
        for outcome in outcomes:
            self.statuses.append(outcome.status)
            if outcome.status is DeliveryStatus.SENT:
                self.sent += 1
            elif outcome.status is DeliveryStatus.BLOCKED:
                self.blocked += 1
            else:
                self.failed += 1


class ReminderScheduler:
    def __init__(
        self, services: Services, deliverer: Deliverer, job_queue: JobQueue[Any] | None
    ) -> None:
        self._svc = services  # the first edition's; every edition is in services.editions
        self._deliverer = deliverer
        self._jobs = job_queue
        self._trackers: dict[int, ChangeTracker] = {}
        self._lock = asyncio.Lock()
        self.syncs = 0
        self.synced = asyncio.Event()

    @property
    def _tz(self) -> Any:
        return self._svc.settings.tz

    def _editions(self) -> list[Services]:
        """The editions whose reminders run (every edition that is not archived)."""
        return self._svc.editions.active()

    def _tracker(self, svc: Services) -> ChangeTracker:
        """What the participants of this edition last heard of its timetable."""
        found = self._trackers.get(svc.edition.id)
        if found is None:
            found = self._trackers[svc.edition.id] = ChangeTracker(svc.database)
        return found

    # -- sync ----------------------------------------------------------------------------------

    async def sync(self) -> None:
        """Bring notices, reminders and jobs in line with the database (see module doc)."""
        async with self._lock:
            try:
                await self._sync()
            finally:
                self.syncs += 1
                self.synced.set()

    async def prepare(self) -> None:
        """At start-up, before polling starts: record the timetable and rebuild the jobs.

        Nothing is sent here; the start-up sync job right after sends what is due.
        """
        async with self._lock:
            await self._sync(send=False)

    async def _sync(self, *, send: bool = True) -> None:
        desired: dict[str, PlannedReminder] = {}
        for svc in self._editions():
            desired.update(await self._sync_edition(svc, send=send))
        self._reschedule(desired)

    async def _sync_edition(self, svc: Services, *, send: bool) -> dict[str, PlannedReminder]:
        """One edition's notices and due reminders; returns its future reminders."""
        now = svc.now()
        tracker = self._tracker(svc)
        await svc.reminders.interrupted(now - CLAIM_TIMEOUT, now)
        timetable = await svc.sessions.timetable()
        try:
            for change in await tracker.track(timetable, now):
                log.info("session %s: %s", change.key, change.kind.value)
        except ConcurrentChangeError:
            log.info("another process recorded a timetable change first")
        if send:
            for notice in await tracker.pending(self._tz):
                await self._notify(notice, svc)
        changed_at = await tracker.changed_at()
        planned = plan(timetable.sessions, svc.settings.reminders, self._tz)
        desired: dict[str, PlannedReminder] = {}
        for item in planned:
            state = classify(item, planned, svc.now(), changed_at.get(item.session.key))
            if state is State.FUTURE:
                desired[item.job_id] = item
            elif send:
                await self._act(item, state, svc)
        return desired

    async def _act(self, item: PlannedReminder, state: State, svc: Services) -> None:
        if state is State.DUE:
            await self.send_round(item, svc)
        elif state in STALE:
            await self._skip_stale(item, state, svc)

    async def run_reminder(self, key: str, kind: str, when: str) -> None:
        """The job at a reminder's due moment: check it still applies, then send."""
        async with self._lock:
            for svc in self._editions():  # session keys are unique across editions
                session = (await svc.sessions.timetable()).get(key)
                if session is not None:
                    break
            if session is None or occurrence(session) != when:
                log.info("reminder %s for %s no longer applies (session changed)", kind, key)
                return
            planned = plan_session(session, svc.settings.reminders, self._tz)
            item = next((p for p in planned if p.kind.value == kind), None)
            if item is None:
                return
            changed = (await self._tracker(svc).changed_at()).get(key)
            state = classify(item, planned, svc.now(), changed)
            if state is State.FUTURE:
                self._reschedule_one(item)
            else:
                await self._act(item, state, svc)

    # -- sending -------------------------------------------------------------------------------

    async def send_round(
        self, item: PlannedReminder, svc: Services | None = None
    ) -> RoundResult:
        """Send one reminder to everyone of its edition who should get it and has not yet.

        A reminder is meant for the participants there were when it fell due: someone
        approved later starts with the next reminder.
        """
        svc = svc or self._svc
        session, kind = item.session, item.kind
        everyone = await svc.reminders.recipients(session.key, kind.value, item.occurrence)
        recipients = [r for r in everyone if r.member_since <= item.due_at]
        text = reminder_text(session, kind, svc.now())
        result = await self._deliver(
            svc, session.key, kind.value, item.occurrence, recipients, text,
            answer_buttons(session.key),
        )
        if recipients:
            log.info(
                "reminder %s for %s: %d sent, %d blocked, %d failed",
                kind.value, session.key, result.sent, result.blocked, result.failed,
            )
        return result

    async def _notify(self, notice: Notice, svc: Services) -> None:
        if notice.session.starts_at <= svc.now():
            log.info("notice about %s not sent: the session has started", notice.session.key)
        else:
            recipients = await svc.reminders.recipients(
                notice.session.key, notice.kind.value, notice.occurrence, reminder=False
            )
            result = await self._deliver(
                svc, notice.session.key, notice.kind.value, notice.occurrence, recipients,
                notice_text(notice), notice_buttons(notice),
            )
            log.info("notice %s for %s: %d sent, %d blocked, %d failed", notice.kind.value,
                     notice.session.key, result.sent, result.blocked, result.failed)
        await self._tracker(svc).done(notice, svc.now())

    async def _deliver(
        self,
        svc: Services,
        key: str,
        kind: str,
        when: str,
        recipients: Sequence[Recipient],
        text: Html,
        markup: InlineKeyboardMarkup | None,
    ) -> RoundResult:
        """To each recipient in turn. A participant's row is claimed just before their message
        goes out, in one short transaction that also records the outcome of the message
        before it. A crash therefore leaves at most one row without an outcome (the message
        on its way, or one whose answer had not been recorded yet); a participant whose row
        was not claimed yet gets theirs after the restart."""
        result = RoundResult()
        reminders, now = svc.reminders, svc.now
        unsettled: list[Outcome] = []
        for recipient in recipients:
            claimed = await reminders.claim(
                key, kind, when, [recipient.participant_id], now(), settle=unsettled
            )
            unsettled = []
            if recipient.participant_id not in claimed:  # another process has it
                result.add([], 1)
                continue
            outcome = await self._send_one(
                recipient, claimed[recipient.participant_id], text, markup
            )
            unsettled.append(outcome)
            result.add([outcome], 0)
        await reminders.finish(unsettled, now())
        return result

    async def _send_one(
        self, recipient: Recipient, delivery_id: int, text: Html,
        markup: InlineKeyboardMarkup | None,
    ) -> Outcome:
        try:
            sent = await self._deliverer.send_message(
                recipient.chat_id, text, reply_markup=markup
            )
        except Exception:  # one participant's failure never stops the others
            log.exception("sending to participant #%d failed", recipient.participant_id)
            return Outcome(delivery_id, DeliveryStatus.FAILED, error="unexpected error")
        return Outcome(delivery_id, _STATUS[sent.outcome], sent.message_id, sent.error)

    async def _skip_stale(self, item: PlannedReminder, state: State, svc: Services) -> None:
        """Missed and no longer useful: record it for everyone it was meant for, log once."""
        recipients = await svc.reminders.recipients(
            item.session.key, item.kind.value, item.occurrence
        )
        meant_for = [r.participant_id for r in recipients if r.member_since <= item.due_at]
        skipped = await svc.reminders.claim(
            item.session.key, item.kind.value, item.occurrence, meant_for, svc.now(),
            status=DeliveryStatus.SKIPPED,
        )
        if skipped:
            log.warning(
                "skipped %d stale %s reminder(s) for %s, due %s: %s",
                len(skipped), item.kind.value, item.session.key,
                item.due_at.isoformat(timespec="minutes"),
                "the session has started" if state is State.STARTED
                else "a later reminder is already due",
            )

    # -- jobs ----------------------------------------------------------------------------------

    def _reschedule(self, desired: dict[str, PlannedReminder]) -> None:
        if self._jobs is None:
            return
        existing = {job.id: job for job in self._jobs.jobs() if _is_reminder_job(job.name)}
        for job_id, job in existing.items():
            if job_id not in desired:
                job.schedule_removal()
        for job_id, item in desired.items():
            if job_id not in existing:
                self._reschedule_one(item)

    def _reschedule_one(self, item: PlannedReminder) -> None:
        if self._jobs is None:
            return
        self._jobs.run_once(
            _reminder_job,
            when=item.due_at,
            name=job_name(item.session.key, item.kind),
            data=(item.session.key, item.kind.value, item.occurrence),
            job_kwargs={"id": item.job_id, "replace_existing": True, **_UNTIMELY},
        )

    async def idle(self) -> None:
        """Return once no sync or reminder round is running."""
        async with self._lock:
            return

    def request_sync(self) -> None:
        """Sync soon, in the background (after a coordinator changed a session)."""
        if self._jobs is not None:
            self._jobs.run_once(_sync_job, when=0, name="reminder-sync:now",
                                job_kwargs=dict(_UNTIMELY))


def job_name(session_key: str, kind: ReminderKind) -> str:
    return f"{JOB_PREFIX}{session_key}:{kind.value}"


def _is_reminder_job(name: str | None) -> bool:
    return bool(name) and str(name).startswith(JOB_PREFIX)


def scheduler_of(bot_data: dict[str, Any]) -> ReminderScheduler:
    found: ReminderScheduler = bot_data[SCHEDULER_KEY]
    return found


async def _sync_job(context: Context) -> None:
    await scheduler_of(context.bot_data).sync()


async def _reminder_job(context: Context) -> None:
    job = context.job
    if job is None or not isinstance(job.data, tuple):
        return
    key, kind, when = job.data
    await scheduler_of(context.bot_data).run_reminder(str(key), str(kind), str(when))


def setup(application: Application) -> ReminderScheduler:  # type: ignore[type-arg]
    """Create the scheduler; sync at start-up and every minute after.

    ``post_init`` (bot/app.py) calls :meth:`ReminderScheduler.prepare`, so the jobs exist
    before polling starts."""
    services: Services = application.bot_data[SERVICES_KEY]
    deliverer: Deliverer = application.bot_data[DELIVERER_KEY]
    jobs = application.job_queue
    scheduler = ReminderScheduler(services, deliverer, jobs)
    application.bot_data[SCHEDULER_KEY] = scheduler
    if jobs is None:
        log.warning("no job queue: reminders are not sent")
        return scheduler
    jobs.run_once(_sync_job, when=0, name="reminder-sync:startup", job_kwargs=dict(_UNTIMELY))
    jobs.run_repeating(
        _sync_job, interval=SYNC_SECONDS, first=SYNC_SECONDS, name="reminder-sync",
        job_kwargs=dict(_UNTIMELY),
    )
    return scheduler
