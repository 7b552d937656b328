"""Module feedback: the participant's 1-5 buttons and optional comment; the coordinator's
/feedback overview and its export. The questions themselves go out from
scheduling/feedback_jobs.py."""

from __future__ import annotations

import asyncio
import io
import logging

from telegram import Update

from bot.catalogue import plain, t
from bot.formatting import long_date
from bot.numbers import whole_number
from bot.services.feedback import Answer, ModuleSummary
from bot.services.pending import Pending, PendingKind
from bot.views import feedback as views
from bot.views.export import csv_bytes
from bot.views.feedback_chart import answered, render_chart
from handlers.context import Context, drop_buttons, reply, services, user_id

log = logging.getLogger(__name__)


async def button(update: Update, context: Context) -> None:
    """``fb:<module>:<score>``, or ``fb:<module>:x`` to skip the comment."""
    query = update.callback_query
    telegram_id = user_id(update)
    if query is None or telegram_id is None:
        return
    svc = services(context)
    parts = (query.data or "").split(":")
    key, choice = (parts[1], parts[2]) if len(parts) == 3 else ("", "")
    module = (await svc.sessions.timetable()).get(key)
    if module is None:
        await query.answer(t("feedback.unknown"), show_alert=True)
        return
    if choice == views.SKIP:
        if await svc.pending.clear(telegram_id, PendingKind.FEEDBACK_COMMENT) is None:
            await query.answer(t("feedback.no_comment_asked"), show_alert=True)
            return
        await query.answer()
        await drop_buttons(update)
        await reply(update, context, t("feedback.skipped"))
        return
    score = whole_number(choice)
    answer = await svc.feedback.score(telegram_id, key, score or 0, svc.now())
    if answer is not Answer.SAVED:
        await query.answer(t(f"feedback.{_REFUSALS[answer]}"), show_alert=True)
        return
    await query.answer()
    assert score is not None
    await drop_buttons(update)
    await reply(update, context, views.thanks(module, score))
    await svc.pending.start(telegram_id, PendingKind.FEEDBACK_COMMENT, {"session_key": key},
                            svc.now())
    text, markup = views.ask_comment(module, svc.feedback.settings)
    await reply(update, context, text, reply_markup=markup)
    log.info("feedback on %s: a score", key)


_REFUSALS = {Answer.ALREADY: "already", Answer.UNKNOWN: "unknown", Answer.INVALID: "unknown"}


async def take_comment(update: Update, context: Context, pending: Pending) -> bool:
    """The typed comment after a score; a text that does not fit asks again."""
    message = update.effective_message
    key = pending.get_str("session_key")
    if message is None or message.text is None or key is None:
        return False
    svc = services(context)
    answer = await svc.feedback.comment(pending.telegram_id, key, message.text, svc.now())
    if answer is Answer.INVALID:
        await reply(update, context, views.comment_invalid())
        return True
    await svc.pending.clear(pending.telegram_id, PendingKind.FEEDBACK_COMMENT)
    await reply(update, context, t("feedback.comment_saved" if answer is Answer.SAVED
                                   else "feedback.already"))
    return True


async def cancel_comment(update: Update, context: Context, pending: Pending) -> None:
    """/annuleren instead of a comment: the score stays, without a comment."""
    await services(context).pending.clear(pending.telegram_id, PendingKind.FEEDBACK_COMMENT)
    await reply(update, context, t("feedback.skipped"))


async def feedback_command(update: Update, context: Context) -> None:
    """/feedback (coordinators): per module the answers, average, distribution, comments."""
    svc = services(context)
    summaries = await svc.feedback.summaries()
    await reply(update, context, views.overview(summaries, svc.feedback.settings),
                reply_markup=views.overview_markup(summaries))


async def _tapped(update: Update, context: Context) -> tuple[int, list[ModuleSummary]] | None:
    """A coordinator's button under /feedback: answered, with the chat and the answers."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return None
    await query.answer()
    return chat.id, await services(context).feedback.summaries()


async def export_button(update: Update, context: Context) -> None:
    tapped = await _tapped(update, context)
    if tapped is None:
        return
    chat_id, summaries = tapped
    svc = services(context)
    rows = views.export_rows(summaries, named=svc.feedback.settings.show_names)
    name = f"feedback-{svc.now():%Y-%m-%d}"
    caption = t("feedback.export_caption", answers=len(rows) - 1,
                modules=sum(1 for s in summaries if s.answers))
    await context.bot.send_document(chat_id, document=io.BytesIO(csv_bytes(rows)),
                                    filename=f"{name}.csv", caption=caption, parse_mode="HTML")
    await context.bot.send_document(chat_id, document=io.BytesIO(views.to_xlsx(rows)),
                                    filename=f"{name}.xlsx",
                                    caption=plain("feedback.export_sheet"))


async def chart_button(update: Update, context: Context) -> None:
    """The answers per module as a small chart."""
    tapped = await _tapped(update, context)
    if tapped is None:
        return
    chat_id, summaries = tapped
    svc = services(context)
    if not answered(summaries):
        await reply(update, context, views.overview(summaries, svc.feedback.settings))
        return
    title = plain("feedback.chart_title", date=long_date(svc.now().date()))
    picture = await asyncio.to_thread(render_chart, summaries, title)
    await context.bot.send_photo(chat_id, photo=io.BytesIO(picture),
                                 caption=t("feedback.chart_caption"), parse_mode="HTML")
