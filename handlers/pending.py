"""The one place a typed message meets the step it answers (see bot/services/pending.py).

A feature that waits for typed input stores a pending input of its kind and gives the
routing table (handlers/routing.py) a :class:`TypedStep`: what to do with the next message,
and what /annuleren does while the step is open. The dispatcher runs before every other
message handler; for people without a pending step it costs no database query.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.catalogue import t
from bot.services.pending import Pending, PendingKind
from bot.views.pending import expiry_notice
from handlers.context import Context, is_coordinator, reply, services, user_id

log = logging.getLogger(__name__)

# True: the message was the step's answer (nothing else handles it); False: pass it on.
TakeStep = Callable[[Update, Context, Pending], Awaitable[bool]]
CancelStep = Callable[[Update, Context, Pending], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class TypedStep:
    take: TakeStep
    # /annuleren while the step is open; None: the step is dropped with a plain "gestopt".
    cancel: CancelStep | None = None
    coordinators_only: bool = False


class PendingDispatcher:
    def __init__(self, steps: Mapping[PendingKind, TypedStep]) -> None:
        missing = set(PendingKind) - set(steps)
        if missing:
            raise ValueError(f"no step function for {sorted(missing)}")
        self._steps = dict(steps)

    async def _open_step(self, update: Update, context: Context) -> Pending | None:
        telegram_id = user_id(update)
        if telegram_id is None:
            return None
        svc = services(context)
        if not await svc.pending.may_be_pending(telegram_id):
            return None
        pending = await svc.pending.take(telegram_id, svc.now())
        if pending is None:
            return None
        if pending.expired:
            notice = expiry_notice(pending)
            if notice is not None:  # the person is told, and this message is not read on
                await reply(update, context, notice)
                raise ApplicationHandlerStop
            return None
        if self._steps[pending.kind].coordinators_only and not is_coordinator(update, context):
            return None
        return pending

    async def typed_message(self, update: Update, context: Context) -> None:
        """Any private message that is no command: the answer to the person's open step."""
        pending = await self._open_step(update, context)
        if pending is None:
            return
        if await self._steps[pending.kind].take(update, context, pending):
            raise ApplicationHandlerStop

    async def cancel_command(self, update: Update, context: Context) -> None:
        """/annuleren stops the open step; without one, the feature handlers answer it."""
        pending = await self._open_step(update, context)
        if pending is None:
            return
        cancel = self._steps[pending.kind].cancel
        if cancel is not None:
            await cancel(update, context, pending)
        else:
            await services(context).pending.clear(pending.telegram_id, pending.kind)
            await reply(update, context, t("pending.cancelled"))
        log.info("pending %s stopped with /annuleren", pending.kind)
        raise ApplicationHandlerStop
