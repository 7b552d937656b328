"""Checking in: /checkin CODE, the QR deep link, the "Ik ben er" button; /opencheckin and
/sluitcheckin for coordinators. The texts, buttons and callback data: bot/views/checkin.py.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.catalogue import t
from bot.formatting import clock, session_name, short_date
from bot.programme import Session
from bot.services.attendance_rules import in_window, window_opens
from bot.services.checkin import Method, Outcome
from bot.services.checkin_codes import looks_like_code, qr_png
from bot.services.checkin_windows import find_session
from bot.services.pending import Pending, PendingKind
from bot.views.checkin import checkin_link, checkin_reply, display_caption, display_markup
from handlers.context import Context, reply, services, user_id

log = logging.getLogger(__name__)

# -- participants -----------------------------------------------------------------------------


async def _ask_code(update: Update, context: Context, telegram_id: int) -> None:
    svc = services(context)
    now = svc.now()
    result = await svc.attendance.prepare(telegram_id, now)
    if result.outcome is Outcome.READY and result.session is not None:
        await svc.pending.start(
            telegram_id, PendingKind.CHECKIN_CODE, {"session_key": result.session.key}, now
        )
    await reply(update, context, checkin_reply(result, svc.settings.attendance, now))


async def checkin_command(update: Update, context: Context) -> None:
    """``/checkin CODE``; without a code the bot asks for it."""
    telegram_id = user_id(update)
    if telegram_id is None:
        return
    given = " ".join(context.args or [])
    if not given.strip():
        await _ask_code(update, context, telegram_id)
        return
    svc = services(context)
    now = svc.now()
    result = await svc.attendance.check_in(telegram_id, given, Method.CODE, now)
    if result.outcome not in (Outcome.WRONG_CODE, Outcome.EXPIRED_CODE) and (
        await svc.pending.may_be_pending(telegram_id)
    ):
        await svc.pending.clear(telegram_id, PendingKind.CHECKIN_CODE)
    await reply(update, context, checkin_reply(result, svc.settings.attendance, now))


async def deep_link(update: Update, context: Context, token: str) -> None:
    """``/start checkin_<token>``: the QR code on the screen, scanned with a phone."""
    telegram_id = user_id(update)
    if telegram_id is None:
        return
    svc = services(context)
    now = svc.now()
    result = await svc.attendance.check_in(telegram_id, token, Method.LINK, now)
    await reply(update, context, checkin_reply(result, svc.settings.attendance, now,
                                               via_link=True))


async def here_button(update: Update, context: Context) -> None:
    """``chk:here:<session>``: the "Ik ben er" button of the prompt at the start."""
    query = update.callback_query
    telegram_id = user_id(update)
    if query is None or telegram_id is None:
        return
    await query.answer()
    await _ask_code(update, context, telegram_id)


async def take_code(update: Update, context: Context, pending: Pending) -> bool:
    """A message while the bot waits for a code; False when it is no code (passed on)."""
    message = update.effective_message
    text = message.text if message is not None else None
    if not text or not looks_like_code(text):
        return False
    telegram_id = pending.telegram_id
    svc = services(context)
    now = svc.now()
    result = await svc.attendance.check_in(telegram_id, text, Method.BUTTON, now)
    if result.outcome not in (Outcome.WRONG_CODE, Outcome.EXPIRED_CODE):
        await svc.pending.clear(telegram_id, PendingKind.CHECKIN_CODE)
    await reply(update, context, checkin_reply(result, svc.settings.attendance, now))
    return True


async def group_checkin(update: Update, context: Context) -> None:
    """/checkin in a group: only in a private chat, so nobody checks in someone else."""
    link = f"https://t.me/{context.bot.username}"
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("checkin.group_button"), url=link)]]
    )
    await reply(update, context, t("checkin.group"), reply_markup=keyboard)


# -- coordinators -----------------------------------------------------------------------------


async def show_display(context: Context, chat_id: int, found: Session) -> None:
    """Send the QR code and the code for the screen; the previous one in this chat goes."""
    svc = services(context)
    now = svc.now()
    current = (await svc.attendance.codes(now)).current(found.key, now)
    counts = await svc.attendance.windows.count(found.key)
    message = await context.bot.send_photo(
        chat_id,
        photo=qr_png(checkin_link(context.bot.username, current.token)),
        caption=display_caption(found, current, counts, context.bot.username),
        parse_mode=ParseMode.HTML,
        reply_markup=display_markup(found.key),
    )
    previous = await svc.attendance.windows.save_display(
        found.key, chat_id, message.message_id, current.slot, counts[0], now
    )
    if previous is not None and previous.message_id != message.message_id:
        await delete_quietly(context, chat_id, previous.message_id)


async def delete_quietly(context: Context, chat_id: int, message_id: int) -> None:
    try:
        await context.bot.delete_message(chat_id, message_id)
    except TelegramError as error:
        log.info("could not remove an old QR code message: %s", error)


async def open_command(update: Update, context: Context) -> None:
    """``/opencheckin [sessie]``: the code and the QR code for the screen."""
    chat = update.effective_chat
    coordinator = user_id(update)
    if chat is None or coordinator is None:
        return
    svc = services(context)
    now = svc.now()
    settings = svc.settings.attendance
    timetable = await svc.sessions.timetable()
    given = " ".join(context.args or []).strip()
    if given:
        found = find_session(timetable, given)
        if found is None:
            await reply(update, context, t("checkin.unknown_session", given=given[:40]))
            return
    else:
        found = next((s for s in timetable.sessions if in_window(s, now, settings)), None)
        if found is None:
            upcoming = next((s for s in timetable.sessions if s.starts_at > now), None)
            if upcoming is None:
                await reply(update, context, t("checkin.open_none"))
                return
            found = upcoming
    if found.is_over(now):
        await reply(update, context, t("checkin.open_over", session=session_name(found)))
        return
    if not in_window(found, now, settings):
        opens = window_opens(found, settings)
        key = "checkin.open_none_next" if not given else "checkin.open_not_yet"
        await reply(
            update,
            context,
            t(key, session=session_name(found), date=short_date(opens.date()), opens=clock(opens)),
        )
        return
    await svc.attendance.windows.open(found.key, coordinator, now)
    log.info("check-in for %s opened by a coordinator", found.key)
    await show_display(context, chat.id, found)


async def _close(update: Update, context: Context, given: str) -> None:
    coordinator = user_id(update)
    if coordinator is None:
        return
    svc = services(context)
    now = svc.now()
    settings = svc.settings.attendance
    timetable = await svc.sessions.timetable()
    if given:
        found = find_session(timetable, given)
        if found is None:
            await reply(update, context, t("checkin.unknown_session", given=given[:40]))
            return
    else:
        candidates = [s for s in timetable.sessions if in_window(s, now, settings)]
        found = None
        for candidate in candidates:
            if not await svc.attendance.windows.is_closed(candidate.key):
                found = candidate
                break
    if found is None or await svc.attendance.windows.is_closed(found.key):
        await reply(update, context, t("checkin.close_none"))
        return
    for display in await svc.attendance.windows.close(found.key, coordinator, now):
        await delete_quietly(context, display.chat_id, display.message_id)
    checked, total, _ = await svc.attendance.windows.count(found.key)
    log.info("check-in for %s closed by a coordinator", found.key)
    await reply(
        update,
        context,
        t("checkin.closed_done", session=session_name(found), checked=checked, total=total),
    )


async def close_command(update: Update, context: Context) -> None:
    """``/sluitcheckin [sessie]``: close check-in early."""
    await _close(update, context, " ".join(context.args or []).strip())


async def display_button(update: Update, context: Context) -> None:
    """``chk:new:<session>`` (a fresh QR code) and ``chk:close:<session>``."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    _, action, key = (query.data or "::").split(":", 2)
    svc = services(context)
    now = svc.now()
    found = (await svc.sessions.timetable()).get(key)
    if action == "close":
        await query.answer()
        await _close(update, context, key)
        return
    if (
        found is None
        or not in_window(found, now, svc.settings.attendance)
        or await svc.attendance.windows.is_closed(key)
    ):
        await query.answer(t("checkin.close_none"), show_alert=True)
        return
    await query.answer(t("checkin.refreshed"))
    await show_display(context, chat.id, found)
