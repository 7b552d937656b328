"""The sweep of expired typed steps: every minute, and the person hears of it where that helps.

The pending-input service decides what has expired (bot/services/pending.py); this job only
runs it on a clock and sends the notices (a registration that stopped, for instance).
"""

from __future__ import annotations

import logging

from telegram.ext import Application

from bot.services.registry import SERVICES_KEY, Services
from bot.views.pending import expiry_notice, notice_chat
from scheduling.delivery import DELIVERER_KEY, Deliverer
from scheduling.repeating import run_every

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60
JOB_NAME = "pending-sweep"


async def sweep(application: Application) -> int:  # type: ignore[type-arg]
    """Remove expired steps and tell whom it concerns; returns the number of notices sent."""
    services: Services = application.bot_data[SERVICES_KEY]
    deliverer: Deliverer = application.bot_data[DELIVERER_KEY]
    sent = 0
    for pending in await services.pending.expire(services.now()):
        notice = expiry_notice(pending)
        if notice is None:
            continue
        result = await deliverer.send_message(notice_chat(pending), notice)
        if result.delivered:
            sent += 1
        else:
            log.warning("expiry notice for a %s step not delivered: %s", pending.kind,
                        result.outcome)
    return sent


def schedule(application: Application) -> None:  # type: ignore[type-arg]
    async def job(context: object) -> None:
        await sweep(application)

    run_every(application, job, SWEEP_SECONDS, JOB_NAME)
