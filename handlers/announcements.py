"""/bericht: write an announcement, choose the audience, see the exact preview, send or plan.

Only coordinators: the commands carry the coordinators filter and every button checks again.
The confirm buttons carry the draft's one-time id (see bot/services/announcements.py).
Typed input a flow waits for (the text, a time, a correction) is a pending input: it reaches
:func:`take_text`, :func:`take_time` or ``take_correction`` through the dispatcher in
handlers/pending.py.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot.catalogue import Html, t
from bot.numbers import whole_number
from bot.services.announcement_types import (
    AnnouncementError,
    AnnouncementProblem,
    Content,
    check_content,
)
from bot.services.audiences import Audience, AudienceKind, AudienceUnavailable
from bot.services.moments import MomentError, parse_moment
from bot.services.pending import Pending, PendingKind
from bot.views.announcements import audience_label, moment, progress_text
from bot.views.groups import group_kind_label
from bot.views.keyboards import keyboard
from handlers import announcement_reports as reports
from handlers.context import Context, drop_buttons, reply, services, user_id
from scheduling.announcement_sender import send_content
from scheduling.outbox import outbox_of

log = logging.getLogger(__name__)

_AUDIENCES = (
    (AudienceKind.APPROVED, "announce.audience_approved"),
    (AudienceKind.APPLICANTS, "announce.audience_applicants"),
    (AudienceKind.ABSENT_LAST, "announce.audience_absent"),
    (AudienceKind.NOT_CHECKED_IN, "announce.audience_not_in"),
)


def content_of(message: Message) -> tuple[Content, int] | None:
    """The coordinator's message as HTML (their formatting kept) and its visible length."""
    if message.photo:
        caption = message.caption_html if message.caption else ""
        return Content(caption, "photo", message.photo[-1].file_id), len(message.caption or "")
    if message.document:
        caption = message.caption_html if message.caption else ""
        return Content(caption, "document", message.document.file_id), len(message.caption or "")
    if message.text:
        return Content(message.text_html), len(message.text)
    return None


def problem_text(problem: AnnouncementProblem) -> Html:
    return t(f"announce.problem_{problem.value}")


# -- writing ----------------------------------------------------------------------------------


async def announce_command(update: Update, context: Context) -> None:
    coordinator = user_id(update)
    if coordinator is None:
        return
    svc = services(context)
    await svc.pending.start(coordinator, PendingKind.ANNOUNCEMENT_TEXT, {}, svc.now())
    await reply(update, context, t("announce.ask_text"))


async def take_text(update: Update, context: Context, pending: Pending) -> bool:
    """The announcement itself: text, or a photo or document with a caption."""
    message = update.effective_message
    if message is None:
        return False
    found = content_of(message)
    if found is None:
        await reply(update, context, t("announce.unsupported"))
        return True
    content, length = found
    try:
        check_content(content, length)
    except AnnouncementError as error:
        await reply(update, context, problem_text(error.problem))
        return True
    svc = services(context)
    coordinator = pending.telegram_id
    number = await svc.announcements.new_draft(coordinator, content, svc.now())
    await svc.pending.clear(coordinator, PendingKind.ANNOUNCEMENT_TEXT)
    markup = audience_keyboard(number)
    await reply(update, context, t("announce.choose_audience"), reply_markup=markup)
    return True


def audience_keyboard(number: int) -> InlineKeyboardMarkup:
    rows = [[(t(key), f"ann:aud:{number}:{kind.value}")] for kind, key in _AUDIENCES[:2]]
    rows.append([(t("announce.audience_pick_group"), f"ann:groups:{number}")])
    rows += [[(t(key), f"ann:aud:{number}:{kind.value}")] for kind, key in _AUDIENCES[2:]]
    rows.append([(t("announce.cancel"), f"ann:x:{number}")])
    return keyboard(rows)


async def show_groups(update: Update, context: Context, number: int) -> None:
    query = update.callback_query
    assert query is not None
    found = await services(context).groups.all()
    if not found:
        await query.answer(t("announce.no_groups"), show_alert=True)
        return
    await query.answer()
    rows = [
        [
            (
                f"{group_kind_label(g.kind)} {g.name} ({len(g.members)})",
                f"ann:aud:{number}:group:{g.id}",
            )
        ]
        for g in found
    ]
    rows.append([(t("announce.back"), f"ann:back:{number}")])
    try:
        await query.edit_message_reply_markup(keyboard(rows))
    except TelegramError as error:
        log.debug("could not show the groups: %s", error)


async def back_to_audiences(update: Update, context: Context, number: int) -> None:
    query = update.callback_query
    assert query is not None
    svc = services(context)
    if not await svc.announcements.reopen(number, svc.now()):
        await query.answer(t("announce.stale"), show_alert=True)
        return
    await query.answer()
    try:
        await query.edit_message_text(
            t("announce.choose_audience"), parse_mode="HTML", reply_markup=audience_keyboard(number)
        )
    except TelegramError as error:
        log.debug("could not show the audiences again: %s", error)


async def preview(update: Update, context: Context, number: int, audience: Audience) -> None:
    """The message exactly as participants will see it, then the count and the buttons."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    svc = services(context)
    try:
        draft, resolved = await svc.announcements.choose_audience(number, audience, svc.now())
    except AudienceUnavailable as error:
        await query.answer(t(f"announce.unavailable_{error.problem.value}"), show_alert=True)
        return
    except AnnouncementError:
        await query.answer(t("announce.stale"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(update)
    await send_content(context.bot, chat.id, draft.content)
    label = audience_label(resolved)
    unreachable = len(resolved.recipients) - resolved.reachable
    lines = [t("announce.preview", audience=label, count=len(resolved.recipients))]
    if unreachable:
        lines.append(t("announce.preview_unreachable", count=unreachable))
    token = draft.token
    if resolved.recipients and token:
        rows = [
            [(t("announce.send_now"), f"ann:go:{number}:{token}")],
            [(t("announce.plan"), f"ann:plan:{number}:{token}")],
        ]
    else:
        lines.append(t("announce.preview_nobody"))
        rows = []
    rows += [[(t("announce.other_audience"), f"ann:back:{number}")],
             [(t("announce.cancel"), f"ann:x:{number}")]]
    await reply(update, context, Html("\n\n".join(lines)), reply_markup=keyboard(rows))


# -- sending and planning ---------------------------------------------------------------------


async def send_now(update: Update, context: Context, number: int, token: str) -> None:
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    svc = services(context)
    control = query.message.message_id if query.message else None
    try:
        started, counts = await svc.announcements.confirm_send(
            number, token, audience_label, chat.id, control, svc.now()
        )
    except AudienceUnavailable as error:
        await query.answer(t(f"announce.unavailable_{error.problem.value}"), show_alert=True)
        return
    except AnnouncementError as error:
        key = "announce.nobody" if error.problem is AnnouncementProblem.NO_RECIPIENTS else (
            "announce.stale"
        )
        await query.answer(t(key), show_alert=True)
        return
    await query.answer(t("announce.sending"))
    text = progress_text(started.id, started.audience_label, counts, False)
    try:
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=None)
    except TelegramError as error:
        log.debug("could not show the progress: %s", error)
    outbox_of(context.bot_data).wake()


async def ask_time(update: Update, context: Context, number: int, token: str) -> None:
    query = update.callback_query
    coordinator = user_id(update)
    assert query is not None
    assert coordinator is not None
    svc = services(context)
    try:
        await svc.announcements.valid(number, token)
    except AnnouncementError:
        await query.answer(t("announce.stale"), show_alert=True)
        return
    await query.answer()
    await svc.pending.start(
        coordinator, PendingKind.ANNOUNCEMENT_TIME, {"announcement_id": number}, svc.now()
    )
    await reply(update, context, t("announce.ask_time"))


async def take_time(update: Update, context: Context, pending: Pending) -> bool:
    """When a planned announcement goes out, typed in Dutch ("morgen 9:00")."""
    message = update.effective_message
    if message is None:
        return False
    svc = services(context)
    coordinator = pending.telegram_id
    number = pending.get_int("announcement_id")
    if number is None:
        await svc.pending.clear(coordinator, PendingKind.ANNOUNCEMENT_TIME)
        await reply(update, context, t("announce.gone"))
        return True
    if not message.text:
        await reply(update, context, t("announce.ask_time"))
        return True
    try:
        when = parse_moment(message.text, svc.now(), svc.settings.tz)
    except MomentError as error:
        problem = t(f"announce.time_{error.problem.value}")
        await reply(update, context, Html(f"{problem}\n\n{t('announce.ask_time')}"))
        return True
    try:
        draft = await svc.announcements.propose_time(number, when, svc.now())
    except AnnouncementError:
        await svc.pending.clear(coordinator, PendingKind.ANNOUNCEMENT_TIME)
        await reply(update, context, t("announce.gone"))
        return True
    await svc.pending.clear(coordinator, PendingKind.ANNOUNCEMENT_TIME)
    label = await reports.planned_label(svc, draft.audience)
    rows = [
        [(t("announce.plan_confirm"), f"ann:at:{number}:{draft.token}")],
        [(t("announce.plan_other_time"), f"ann:plan:{number}:{draft.token}")],
        [(t("announce.cancel"), f"ann:x:{number}")],
    ]
    text = t("announce.confirm_time", when=moment(when, svc.settings.tz), audience=label)
    await reply(update, context, text, reply_markup=keyboard(rows))
    return True


async def confirm_plan(update: Update, context: Context, number: int, token: str) -> None:
    query = update.callback_query
    assert query is not None
    svc = services(context)
    try:
        planned = await svc.announcements.confirm_schedule(number, token, svc.now())
    except AnnouncementError as error:
        await query.answer(problem_text(error.problem) if error.problem is
                           AnnouncementProblem.PAST else t("announce.stale"), show_alert=True)
        return
    assert planned.scheduled_for is not None
    outbox_of(context.bot_data).schedule(planned.id, planned.scheduled_for)
    await query.answer()
    await drop_buttons(update)
    when = moment(planned.scheduled_for, svc.settings.tz)
    await reply(update, context, t("announce.planned", number=planned.id, when=when))


async def cancel_draft(update: Update, context: Context, number: int) -> None:
    query = update.callback_query
    coordinator = user_id(update)
    assert query is not None
    assert coordinator is not None
    svc = services(context)
    cancelled = await svc.announcements.cancel_draft(number, svc.now())
    step = await svc.pending.current(
        coordinator, svc.now(), PendingKind.ANNOUNCEMENT_TIME, PendingKind.ANNOUNCEMENT_EDIT
    )
    if step is not None and step.get_int("announcement_id") == number:
        await svc.pending.clear(coordinator, step.kind)
    if not cancelled:
        await query.answer(t("announce.stale"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(update)
    await reply(update, context, t("announce.cancelled"))


# -- routing ----------------------------------------------------------------------------------


async def button(update: Update, context: Context) -> None:
    """Every ``ann:`` button; coordinators only, whatever the button claims."""
    query = update.callback_query
    if query is None:
        return
    parts = (query.data or "").split(":")
    action = parts[1] if len(parts) > 1 else ""
    number = whole_number(parts[2]) if len(parts) > 2 else None
    if number is None:
        await query.answer(t("fallback.stale_button"))
        return
    extra = parts[3] if len(parts) > 3 else ""
    group_id = whole_number(parts[4]) if len(parts) > 4 else None
    if action == "aud" and extra == "group" and group_id is not None:
        await preview(update, context, number, Audience(AudienceKind.GROUP, group_id))
    elif action == "aud" and extra in {k.value for k, _ in _AUDIENCES}:
        await preview(update, context, number, Audience(AudienceKind(extra)))
    elif action == "groups":
        await show_groups(update, context, number)
    elif action == "back":
        await back_to_audiences(update, context, number)
    elif action == "go":
        await send_now(update, context, number, extra)
    elif action == "plan":
        await ask_time(update, context, number, extra)
    elif action == "at":
        await confirm_plan(update, context, number, extra)
    elif action == "x":
        await cancel_draft(update, context, number)
    elif not await reports.button(update, context, action, number, extra):
        await query.answer(t("fallback.stale_button"))


async def cancel_step(update: Update, context: Context, pending: Pending) -> None:
    """/annuleren while a step is open stops it (and drops a draft waiting for its time)."""
    svc = services(context)
    await svc.pending.clear(pending.telegram_id, pending.kind)
    number = pending.get_int("announcement_id")
    if pending.kind is PendingKind.ANNOUNCEMENT_TIME and number is not None:
        await svc.announcements.cancel_draft(number, svc.now())
    await reply(update, context, t("announce.step_cancelled"))
