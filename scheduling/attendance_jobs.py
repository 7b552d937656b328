"""The attendance job: one tick every ``attendance.job_interval_seconds``.

Each tick looks at the timetable and the database (the source of truth) and does what is due:

- at a session's start: the "Ik ben er" prompt to approved participants without an
  afmelding or a check-in (once per session: claimed in ``checkin_windows.prompted_at``);
- ``digest_after_minutes`` after the start: the digest to the coordinators, with who has not
  checked in and absence warnings (once: ``checkin_windows.digest_at``);
- while check-in is open: a new QR code on every coordinator screen when the code rotates,
  and the live count in the caption; at the end (or when closed) the QR code is removed.

Because a tick only reads state, nothing is lost by a restart and a missed tick is simply
done by the next one. Tests call :func:`tick` directly with frozen time.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.catalogue import t
from bot.formatting import session_name
from bot.programme import Session
from bot.services.attendance_rules import in_window
from bot.services.checkin_codes import qr_png
from bot.services.checkin_windows import Display
from bot.services.registry import SERVICES_KEY, Services
from bot.services.sessions import Timetable
from bot.views.attendance import digest_text
from bot.views.checkin import checkin_link, display_caption, display_markup, here_markup
from scheduling.delivery import deliverer_of
from scheduling.repeating import run_every

log = logging.getLogger(__name__)

JOB_NAME = "attendance"

Context = ContextTypes.DEFAULT_TYPE


def services(context: Context) -> Services:
    found: Services = context.bot_data[SERVICES_KEY]
    return found


async def tick(context: Context) -> None:
    """Every edition that is not archived, each with its own sessions and participants."""
    first = services(context)
    for svc in first.editions.active():
        await _tick(context, svc)


async def _tick(context: Context, svc: Services) -> None:
    now = svc.now()
    settings = svc.settings.attendance
    timetable = await svc.sessions.timetable()
    for found in timetable.sessions:
        if not in_window(found, now, settings):
            continue
        if found.starts_at <= now:
            await send_prompt(context, svc, found, now)
        if found.starts_at + dt.timedelta(minutes=settings.digest_after_minutes) <= now:
            await send_digest(context, svc, found, now)
    await refresh_displays(context, svc, timetable, now)


async def send_prompt(context: Context, svc: Services, found: Session, now: dt.datetime) -> int:
    """The "Ik ben er" button for everyone expected who has not checked in yet."""
    windows = svc.attendance.windows
    if await windows.is_closed(found.key) or not await windows.claim(found.key, "prompt", now):
        return 0
    text = t("checkin.prompt", session=session_name(found))
    sent = 0
    for recipient in await windows.prompt_recipients(found.key):
        result = await deliverer_of(context.bot_data).send_message(
            recipient.chat_id, text, reply_markup=here_markup(found.key)
        )
        sent += result.delivered
    log.info("check-in prompt for %s sent to %d participants", found.key, sent)
    return sent


async def send_digest(context: Context, svc: Services, found: Session, now: dt.datetime) -> None:
    if not await svc.attendance.windows.claim(found.key, "digest", now):
        return
    digest = await svc.attendance.views.digest(found, now)
    text = digest_text(digest, svc.settings.attendance)
    for chat_id in svc.settings.coordinators:
        await deliverer_of(context.bot_data).send_message(chat_id, text)
    log.info("attendance digest for %s sent", found.key)


async def refresh_displays(
    context: Context, svc: Services, timetable: Timetable, now: dt.datetime
) -> None:
    windows = svc.attendance.windows
    dropped: set[str] = set()
    for display in await windows.displays():
        key = display.session_key
        if key in dropped:
            continue
        found = timetable.get(key)
        if (
            found is None
            or not in_window(found, now, svc.settings.attendance)
            or await windows.is_closed(key)
        ):
            dropped.add(key)
            for old in await windows.drop_displays(key):
                await deliverer_of(context.bot_data).delete_message(old.chat_id, old.message_id)
            continue
        await _refresh(context, svc, display, found, now)


async def _refresh(
    context: Context, svc: Services, display: Display, found: Session, now: dt.datetime
) -> None:
    """A new QR code when the code rotated; otherwise only the count, when it changed."""
    windows = svc.attendance.windows
    current = (await svc.attendance.codes(now)).current(found.key, now)
    counts = await windows.count(found.key)
    caption = display_caption(found, current, counts, context.bot.username)
    if display.slot != current.slot:
        result = await deliverer_of(context.bot_data).send_photo(
            display.chat_id,
            qr_png(checkin_link(context.bot.username, current.token)),
            caption,
            reply_markup=display_markup(found.key),
        )
        if result.delivered and result.message_id is not None:
            await windows.save_display(
                found.key, display.chat_id, result.message_id, current.slot, counts[0], now
            )
            await deliverer_of(context.bot_data).delete_message(display.chat_id, display.message_id)
        return
    if counts[0] == display.shown_count:
        return
    try:
        await context.bot.edit_message_caption(
            chat_id=display.chat_id,
            message_id=display.message_id,
            caption=caption,
            parse_mode=ParseMode.HTML,
            reply_markup=display_markup(found.key),
        )
    except TelegramError as error:
        log.info("could not update the check-in count on a screen: %s", error)
    await windows.set_count(display.id, counts[0], now)


def schedule(application: Application) -> None:  # type: ignore[type-arg]
    svc: Services = application.bot_data[SERVICES_KEY]
    run_every(application, tick, svc.settings.attendance.job_interval_seconds, JOB_NAME)
