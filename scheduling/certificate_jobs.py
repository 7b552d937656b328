"""The certificate review job: every few minutes, check whether the review list is due.

``certificates.review_days_before`` days before the last module, at ``certificates.review_at``,
every coordinator gets the review list of /certificaten (who meets the attendance rule, who
depends on afmeldingen, whose eindopdracht is done), with its buttons. The moment is claimed
in the database before sending, so it goes out once, also across restarts; a bot that was
down at the moment sends it when it is back, as long as the module has not ended.
"""

from __future__ import annotations

import logging

from telegram.ext import Application

from bot.services.registry import SERVICES_KEY, Services
from bot.views.certificates import review
from scheduling.delivery import DELIVERER_KEY, Deliverer
from scheduling.repeating import run_every

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 300
JOB_NAME = "certificate-review"


async def send_review(application: Application) -> int:  # type: ignore[type-arg]
    """Send each edition's review list if it is due; returns to how many coordinators."""
    first: Services = application.bot_data[SERVICES_KEY]
    deliverer: Deliverer = application.bot_data[DELIVERER_KEY]
    sent = 0
    for services in first.editions.active():
        settings = services.settings.certificates
        now = services.now()
        final = await services.certificates.review_due(now, settings.review_days_before,
                                                       settings.review_at)
        if final is None:
            continue
        found = await services.certificates.review(now)
        if not found.candidates or not await services.certificates.claim_review(final.key, now):
            continue
        text, markup = review(found, due=True, edition=services.edition.name)
        for coordinator in services.settings.coordinators:
            result = await deliverer.send_message(coordinator, text, reply_markup=markup)
            sent += result.delivered
        log.info("certificate review for %s sent", final.key)
    return sent


def schedule(application: Application) -> None:  # type: ignore[type-arg]
    async def job(context: object) -> None:
        await send_review(application)

    run_every(application, job, INTERVAL_SECONDS, JOB_NAME)
