"""Start and stop a bot the way ``Application.run_polling`` does, but awaitable.

The CLI and the tests both run the bot through :func:`running`, so tests exercise the
real start-up path (``post_init`` included, which ``async with application`` skips).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

log = logging.getLogger(__name__)


@asynccontextmanager
async def running(
    application: Application,  # type: ignore[type-arg]
    *,
    poll_timeout: int = 30,
    poll_interval: float = 0.0,
) -> AsyncIterator[None]:
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        updater = application.updater
        if updater is None:
            raise RuntimeError("the application has no updater")
        await updater.start_polling(
            poll_interval=poll_interval,
            timeout=poll_timeout,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
            error_callback=_polling_error,
        )
        await application.start()
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


def _polling_error(error: TelegramError) -> None:
    log.warning("polling for updates failed, retrying: %s", error)
