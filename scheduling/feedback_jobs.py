"""The module feedback job: every minute, the questions that are due go out (once each).

Which modules are due and who attended come from the feedback service and the database;
each participant's row is claimed just before their question is sent, so a restart neither
loses the round nor sends a question twice.
"""

from __future__ import annotations

import logging

from telegram.ext import Application

from bot.services.registry import SERVICES_KEY, Services
from bot.views.feedback import question
from scheduling.delivery import DELIVERER_KEY, Deliverer
from scheduling.repeating import run_every

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60
JOB_NAME = "module-feedback"


async def send_due(application: Application) -> int:  # type: ignore[type-arg]
    """Send every question that is due now; returns how many were delivered."""
    first: Services = application.bot_data[SERVICES_KEY]
    deliverer: Deliverer = application.bot_data[DELIVERER_KEY]
    total = 0
    for services in first.editions.active():  # each edition, its own people
        feedback = services.feedback
        for module in await feedback.due(services.now()):
            text, markup = question(module)
            sent = 0
            for recipient in await feedback.recipients(module, services.now()):
                if not await feedback.claim(recipient.participant_id, module.key, services.now()):
                    continue
                result = await deliverer.send_message(recipient.chat_id, text, reply_markup=markup)
                if result.delivered and result.message_id is not None:
                    await feedback.sent(recipient.participant_id, module.key, result.message_id)
                    sent += 1
            if sent:
                log.info("feedback question about %s sent to %d participants", module.key, sent)
            total += sent
    return total


def schedule(application: Application) -> None:  # type: ignore[type-arg]
    async def job(context: object) -> None:
        await send_due(application)

    run_every(application, job, INTERVAL_SECONDS, JOB_NAME)
