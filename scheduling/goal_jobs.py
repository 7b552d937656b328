"""The learning-goal job: every minute, the questions that are due go out (once each).

Before each intervisie meeting (``goals.days_before`` days before, at ``goals.at``) every
participant gets their goals and "wat wil je bespreken?"; after the last module
(``goals.look_back_days_after`` days after, at ``goals.look_back_at``) a short look back.
Each person's row is claimed just before sending, so a restart never sends one twice.
"""

from __future__ import annotations

import logging

from telegram.ext import Application

from bot.services.registry import SERVICES_KEY, Services
from bot.views.goals import prompt
from scheduling.delivery import DELIVERER_KEY, Deliverer
from scheduling.repeating import run_every

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60
JOB_NAME = "learning-goals"


async def send_due(application: Application) -> int:  # type: ignore[type-arg]
    """Send every question that is due now; returns how many were delivered."""
    first: Services = application.bot_data[SERVICES_KEY]
    deliverer: Deliverer = application.bot_data[DELIVERER_KEY]
    total = 0
    for services in first.editions.active():  # each edition, its own people
        goals = services.goals
        for found in await goals.due(services.now()):
            sent = 0
            for recipient in await goals.recipients(found):
                if not await goals.claim(recipient.participant_id, found.key, services.now()):
                    continue
                text, markup = prompt(found, recipient.goals)
                result = await deliverer.send_message(recipient.chat_id, text, reply_markup=markup)
                sent += result.delivered
            if sent:
                log.info("learning-goal question about %s sent to %d participants", found.key, sent)
            total += sent
    return total


def schedule(application: Application) -> None:  # type: ignore[type-arg]
    async def job(context: object) -> None:
        await send_due(application)

    run_every(application, job, INTERVAL_SECONDS, JOB_NAME)
