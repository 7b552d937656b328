"""/bericht: write an announcement, choose the audience, see the exact preview, send or plan.

Only coordinators: the commands carry the coordinators filter and every button checks again.
The confirm buttons carry the draft's one-time id (see bot/services/announcements.py).
Typed input a flow waits for (the text, a time, a correction, a group name) is read in
handler group -3, before anything else, and only while such a step is open.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.announcement_texts import audience_label, group_kind_label, moment, progress_text
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
from bot.services.registry import SERVICES_KEY, Services
from bot.services.steps import Step, StepKind
from handlers import announcement_reports as reports
from handlers import groups
from handlers.announcement_reports import drop_buttons, keyboard
from handlers.context import Context, is_coordinator, reply, services, user_id
from scheduling.announcement_sender import send_content
from scheduling.outbox import install, outbox_of

log = logging.getLogger(__name__)

# Typed answers to an open coordinator step come before every other handler.
STEPS_GROUP = -3

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
    await svc.steps.set(coordinator, Step(StepKind.ANNOUNCEMENT_TEXT), svc.now())
    await reply(update, context, t("announce.ask_text"))


async def take_text(update: Update, context: Context, coordinator: int) -> None:
    message = update.effective_message
    assert message is not None
    found = content_of(message)
    if found is None:
        await reply(update, context, t("announce.unsupported"))
        return
    content, length = found
    try:
        check_content(content, length)
    except AnnouncementError as error:
        await reply(update, context, problem_text(error.problem))
        return
    svc = services(context)
    number = await svc.announcements.new_draft(coordinator, content, svc.now())
    await svc.steps.clear(coordinator)
    markup = audience_keyboard(number)
    await reply(update, context, t("announce.choose_audience"), reply_markup=markup)


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
    await svc.steps.set(coordinator, Step(StepKind.ANNOUNCEMENT_TIME, number), svc.now())
    await reply(update, context, t("announce.ask_time"))


async def take_time(update: Update, context: Context, coordinator: int, step: Step) -> None:
    message = update.effective_message
    assert message is not None
    assert step.announcement_id is not None
    svc = services(context)
    if not message.text:
        await reply(update, context, t("announce.ask_time"))
        return
    try:
        when = parse_moment(message.text, svc.now(), svc.settings.tz)
    except MomentError as error:
        problem = t(f"announce.time_{error.problem.value}")
        await reply(update, context, Html(f"{problem}\n\n{t('announce.ask_time')}"))
        return
    number = step.announcement_id
    try:
        draft = await svc.announcements.propose_time(number, when, svc.now())
    except AnnouncementError:
        await svc.steps.clear(coordinator)
        await reply(update, context, t("announce.gone"))
        return
    await svc.steps.clear(coordinator)
    label = await reports.planned_label(svc, draft.audience)
    rows = [
        [(t("announce.plan_confirm"), f"ann:at:{number}:{draft.token}")],
        [(t("announce.plan_other_time"), f"ann:plan:{number}:{draft.token}")],
        [(t("announce.cancel"), f"ann:x:{number}")],
    ]
    text = t("announce.confirm_time", when=moment(when, svc.settings.tz), audience=label)
    await reply(update, context, text, reply_markup=keyboard(rows))


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
    step = await svc.steps.current(coordinator, svc.now())
    if step is not None and step.announcement_id == number:
        await svc.steps.clear(coordinator)
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
    if not is_coordinator(update, context):
        log.info("refused an announcement button from user %s", user_id(update))
        await query.answer(t("fallback.stale_button"))
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


async def step_message(update: Update, context: Context) -> None:
    """Group -3: input for an open coordinator step; without one, the update passes on."""
    coordinator = user_id(update)
    if coordinator is None:
        return
    svc = services(context)
    step = await svc.steps.current(coordinator, svc.now())
    if step is None:
        return
    if step.kind is StepKind.ANNOUNCEMENT_TEXT:
        await take_text(update, context, coordinator)
    elif step.kind is StepKind.ANNOUNCEMENT_TIME:
        await take_time(update, context, coordinator, step)
    elif step.kind is StepKind.ANNOUNCEMENT_EDIT:
        await reports.take_correction(update, context, coordinator, step)
    else:
        await groups.take_name(update, context, coordinator, step)
    raise ApplicationHandlerStop


async def cancel_step(update: Update, context: Context) -> None:
    """/annuleren while a step is open stops it (and drops a draft waiting for its time)."""
    coordinator = user_id(update)
    if coordinator is None:
        return
    svc = services(context)
    step = await svc.steps.current(coordinator, svc.now())
    if step is None:
        return
    await svc.steps.clear(coordinator)
    if step.kind is StepKind.ANNOUNCEMENT_TIME and step.announcement_id is not None:
        await svc.announcements.cancel_draft(step.announcement_id, svc.now())
    await reply(update, context, t("announce.step_cancelled"))
    raise ApplicationHandlerStop


def register(application: Application, group: int) -> None:  # type: ignore[type-arg]
    svc: Services = application.bot_data[SERVICES_KEY]
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    coordinators = filters.User(user_id=svc.settings.coordinators)
    install(application)
    application.add_handler(
        CommandHandler("annuleren", cancel_step, filters=private & coordinators), STEPS_GROUP
    )
    application.add_handler(
        MessageHandler(private & coordinators & ~filters.COMMAND, step_message), STEPS_GROUP
    )
    for name, callback in {
        "bericht": announce_command,
        "berichten": reports.list_command,
        "geplandeberichten": reports.planned_command,
    }.items():
        application.add_handler(
            CommandHandler(name, callback, filters=private & coordinators), group
        )
    application.add_handler(CallbackQueryHandler(button, pattern=r"^ann:"), group)
    groups.register(application, group)
