"""/aanwezigheid for participants; /presentie (with corrections) and /export for coordinators.

Callback data: ``att:c:<session>:<participant>`` (correct this person),
``att:s:<session>:<participant>:<mark>`` (the new status; the reason is asked next),
``att:x`` (cancel a correction).

Typed answers the bot waits for (a check-in code after "Ik ben er", a correction's reason)
are read in handler group -4, before other text handlers, only from people with such a wait.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.catalogue import t
from bot.formatting import session_name
from bot.models import ParticipantStatus
from bot.numbers import whole_number
from bot.programme import Session
from bot.services import export
from bot.services.attendance import REASON_MAX, CorrectionError, PendingInput
from bot.services.attendance_rules import Mark, in_window
from bot.services.attendance_views import PersonLine
from bot.services.calendar import calendar_slug
from bot.services.checkin_windows import find_session, latest_started
from bot.services.registry import SERVICES_KEY, Services
from handlers import checkin
from handlers.attendance_render import overview_text, record_text, status_label
from handlers.context import Context, is_coordinator, reply, services, user_id
from scheduling import attendance_jobs

log = logging.getLogger(__name__)

STEPS_GROUP = -4  # -1 registration, -2 questions, -3 announcements, -6 reminders
_NAME_MAX = 24
_MARKS = {"p": Mark.PRESENT, "l": Mark.LATE, "e": Mark.EXCUSED, "a": Mark.ABSENT}
_NOT_PARTICIPANT = {
    ParticipantStatus.PENDING: "attendance.pending",
    ParticipantStatus.REJECTED: "attendance.rejected",
}


# -- participants -----------------------------------------------------------------------------


async def own_command(update: Update, context: Context) -> None:
    """/aanwezigheid: the person's own record and certificate progress."""
    telegram_id = user_id(update)
    if telegram_id is None:
        return
    svc = services(context)
    person = await svc.participants.by_telegram_id(telegram_id)
    if person is None:
        await reply(update, context, t("attendance.unknown"))
        return
    if person.status in _NOT_PARTICIPANT:
        await reply(update, context, t(_NOT_PARTICIPANT[person.status]))
        return
    record = await svc.attendance.views.record(person.id, svc.now())
    await reply(update, context, record_text(record, svc.programme, svc.settings.attendance))


# -- coordinators: /presentie and corrections -------------------------------------------------


def _short(line: PersonLine) -> str:
    name = line.name or f"#{line.participant_id}"
    return name if len(name) <= _NAME_MAX else name[: _NAME_MAX - 1] + "…"


def _edit_markup(key: str, people: list[PersonLine]) -> InlineKeyboardMarkup | None:
    buttons = [
        InlineKeyboardButton(
            t("presence.edit_button", name=_short(line)),
            callback_data=f"att:c:{key}:{line.participant_id}",
        )
        for line in people[:99]
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows) if rows else None


async def _choose_session(
    update: Update, context: Context, given: str, now: dt.datetime
) -> Session | None:
    svc = services(context)
    timetable = await svc.sessions.timetable()
    if given:
        found = find_session(timetable, given)
        if found is None:
            await reply(update, context, t("checkin.unknown_session", given=given[:40]))
        return found
    running = next(
        (s for s in timetable.sessions if in_window(s, now, svc.settings.attendance)), None
    )
    found = running or latest_started(timetable, now)
    if found is None:
        await reply(update, context, t("presence.none"))
    return found


async def presence_command(update: Update, context: Context) -> None:
    """``/presentie [sessie]``: who is present, late, excused, absent or not checked in."""
    svc = services(context)
    now = svc.now()
    coordinator = user_id(update)
    if coordinator is not None:
        await svc.attendance.clear_input(coordinator)  # a correction left halfway is dropped
    found = await _choose_session(update, context, " ".join(context.args or []).strip(), now)
    if found is None:
        return
    overview = await svc.attendance.views.overview(found, now)
    markup = _edit_markup(found.key, overview.people)
    await reply(update, context, overview_text(overview), reply_markup=markup)


def _cancel_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("presence.cancel_button"), callback_data="att:x")]]
    )


async def correction_button(update: Update, context: Context) -> None:
    query = update.callback_query
    coordinator = user_id(update)
    if query is None or coordinator is None:
        return
    if not is_coordinator(update, context):
        log.info("refused a coordinator button from user %s", coordinator)
        await query.answer(t("fallback.stale_button"))
        return
    svc = services(context)
    now = svc.now()
    parts = (query.data or "").split(":")
    if parts[:2] == ["att", "x"]:
        await svc.attendance.clear_input(coordinator)
        await query.answer()
        await reply(update, context, t("presence.cancelled"))
        return
    found = (await svc.sessions.timetable()).get(parts[2]) if len(parts) > 3 else None
    participant_id = whole_number(parts[3]) if len(parts) > 3 else None
    if found is None or participant_id is None:
        await query.answer(t("presence.gone"), show_alert=True)
        return
    overview = await svc.attendance.views.overview(found, now)
    line = next((p for p in overview.people if p.participant_id == participant_id), None)
    if line is None:
        await query.answer(t("presence.gone"), show_alert=True)
        return
    await query.answer()
    name = _shown_name(line)
    if parts[1] == "c":
        buttons = [
            InlineKeyboardButton(
                status_label(mark), callback_data=f"att:s:{found.key}:{line.participant_id}:{code}"
            )
            for code, mark in _MARKS.items()
            if mark.value != line.shown.value
        ]
        markup = InlineKeyboardMarkup(
            [buttons[:2], buttons[2:], [InlineKeyboardButton(t("presence.cancel_button"),
                                                             callback_data="att:x")]]
        )
        text = t("presence.choose", name=name, session=session_name(found),
                 status=status_label(line.shown))
        await reply(update, context, text, reply_markup=markup)
        return
    mark = _MARKS.get(parts[4]) if len(parts) > 4 else None
    if mark is None:
        await reply(update, context, t("presence.gone"))
        return
    await svc.attendance.expect_input(
        coordinator, "reason", found.key, now, participant_id=line.participant_id, status=mark
    )
    text = t("presence.ask_reason", name=name, session=session_name(found),
             new=status_label(mark), old=status_label(line.shown))
    await reply(update, context, text, reply_markup=_cancel_markup())


def _shown_name(line: PersonLine) -> str:
    return line.name or t("presence.forgotten_name", number=line.participant_id)


async def typed_reason(update: Update, context: Context, pending: PendingInput, text: str) -> None:
    coordinator = user_id(update)
    if coordinator is None or pending.participant_id is None or pending.status is None:
        return
    svc = services(context)
    try:
        correction = await svc.attendance.correct(
            pending.participant_id,
            pending.session_key,
            pending.status,
            text,
            by=coordinator,
            now=svc.now(),
        )
    except CorrectionError as error:
        if error.code == "reason_too_long":
            await reply(update, context, t("presence.reason_too_long", limit=REASON_MAX),
                        reply_markup=_cancel_markup())
            return
        await svc.attendance.clear_input(coordinator)
        await reply(update, context, t("presence.gone"))
        return
    await svc.attendance.clear_input(coordinator)
    name = correction.name or t("presence.forgotten_name", number=correction.participant_id)
    old = status_label(correction.old) if correction.old else t("presence.no_status")
    await reply(
        update,
        context,
        t("presence.corrected", name=name, session=session_name(correction.session), old=old,
          new=status_label(correction.new), reason=text.strip()),
    )


async def typed_answer(update: Update, context: Context) -> None:
    """Group -4: a code after "Ik ben er", or a coordinator's reason for a correction."""
    message = update.effective_message
    telegram_id = user_id(update)
    if message is None or telegram_id is None or not message.text:
        return
    svc = services(context)
    if not await svc.typed_inputs.may_be_pending(telegram_id):
        return
    pending = await svc.attendance.pending_input(telegram_id, svc.now())
    if pending is None:
        return
    if pending.kind == "reason" and is_coordinator(update, context):
        await typed_reason(update, context, pending, message.text)
        raise ApplicationHandlerStop
    if pending.kind == "code" and await checkin.typed_code(update, context, message.text):
        raise ApplicationHandlerStop


# -- coordinators: /export --------------------------------------------------------------------


async def export_command(update: Update, context: Context) -> None:
    """/export: the whole course's attendance as CSV and XLSX."""
    chat = update.effective_chat
    if chat is None:
        return
    svc = services(context)
    now = svc.now()
    matrix = await svc.attendance.views.matrix(now)
    name = f"aanwezigheid-{calendar_slug(svc.programme)}-{now:%Y-%m-%d}"
    await context.bot.send_document(
        chat.id,
        document=io.BytesIO(export.to_csv(matrix)),
        filename=f"{name}.csv",
        caption=t("export.caption_csv", participants=len(matrix.rows),
                  sessions=len(matrix.sessions)),
        parse_mode="HTML",
    )
    await context.bot.send_document(
        chat.id,
        document=io.BytesIO(export.to_xlsx(matrix)),
        filename=f"{name}.xlsx",
        caption=t("export.caption_xlsx"),
        parse_mode="HTML",
    )
    log.info("attendance exported: %d rows, %d sessions", len(matrix.rows), len(matrix.sessions))


def register(application: Application, group: int) -> None:  # type: ignore[type-arg]
    """Every attendance handler (check-in included) and the attendance job."""
    svc: Services = application.bot_data[SERVICES_KEY]
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    coordinators = filters.User(user_id=svc.settings.coordinators)
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, typed_answer), STEPS_GROUP
    )
    checkin.register(application, group)
    application.add_handler(CommandHandler("aanwezigheid", own_command, filters=private), group)
    for name, callback in {"presentie": presence_command, "export": export_command}.items():
        application.add_handler(
            CommandHandler(name, callback, filters=private & coordinators), group
        )
    application.add_handler(CallbackQueryHandler(correction_button, pattern=r"^att:"), group)
    attendance_jobs.schedule(application)
