"""Start and stop a bot the way ``Application.run_polling``/``run_webhook`` do, but awaitable.

The CLI and the tests both run the bot through :func:`running`, so tests exercise the
real start-up path (``post_init`` included, which ``async with application`` skips).

Polling (the default) calls deleteWebhook first, so going back from webhook to polling
needs nothing by hand. With a webhook, the bot sets it (with the secret token) and serves
it on a local address; stopping leaves it set, so Telegram keeps the updates that arrive
while the bot is down and delivers them once it is back.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.config import WebhookSettings

log = logging.getLogger(__name__)

# setWebhook at start-up is tried again this often (waiting 1 s and more) if Telegram fails.
WEBHOOK_BOOTSTRAP_RETRIES = 5
# bot_data key of a callable run once updates are being received (PTB has no post_start):
# work that can wait until then does not delay the first poll.
POST_START_KEY = "post_start"


class WebhookListenError(Exception):
    """The webhook server could not listen on its address (in use, or not this machine's)."""


@asynccontextmanager
async def running(
    application: Application,  # type: ignore[type-arg]
    *,
    poll_timeout: int = 30,
    poll_interval: float = 0.0,
    webhook: WebhookSettings | None = None,
) -> AsyncIterator[None]:
    """The bot runs inside: polling, or serving ``webhook`` when given."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        updater = application.updater
        if updater is None:
            raise RuntimeError("the application has no updater")
        if webhook is None:
            await updater.start_polling(
                poll_interval=poll_interval,
                timeout=poll_timeout,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
                error_callback=_polling_error,
            )
        else:
            await _start_webhook(application, webhook)
        await application.start()
        post_start = application.bot_data.get(POST_START_KEY)
        if post_start is not None:
            post_start()
        try:
            yield
        finally:
            if updater.running:
                await updater.stop()
            if application.running:
                await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _start_webhook(
    application: Application,  # type: ignore[type-arg]
    webhook: WebhookSettings,
) -> None:
    if webhook.url is None or webhook.secret_token is None:
        raise ValueError("webhook mode needs webhook.url and webhook.secret_token")
    assert application.updater is not None
    try:
        await application.updater.start_webhook(
            listen=webhook.listen,
            port=webhook.port,
            url_path=webhook.path,
            webhook_url=webhook.url,
            secret_token=webhook.secret_token.get_secret_value(),
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
            bootstrap_retries=WEBHOOK_BOOTSTRAP_RETRIES,
        )
    except OSError as error:  # the address is taken or not ours
        raise WebhookListenError(error.strerror or str(error)) from error
    log.info("webhook set; listening on %s:%d%s", webhook.listen, webhook.port, webhook.path)


def _polling_error(error: TelegramError) -> None:
    log.warning("polling for updates failed, retrying: %s", error)
