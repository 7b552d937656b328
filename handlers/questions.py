"""Free-text questions: answered from the knowledge base, or passed to the coordinators.

Callback data: ``q:<intent>`` (a suggested follow-up question), ``qf:<id>`` (pass this
question on), ``qa:<id>`` (a coordinator answers it), ``ql:<id>`` (add the answer to the
knowledge base).

A coordinator answering a question is a pending input (kind ``inbox_answer``): the typed
answer reaches :func:`take_answer` through the dispatcher in handlers/pending.py.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden

from bot.catalogue import Html, t
from bot.formatting import short_date
from bot.numbers import whole_number
from bot.services.pending import Pending, PendingKind
from bot.services.questions import Reply
from bot.views.keyboards import keyboard, keyboard_or_none
from handlers.context import Context, reply, send_html, services

log = logging.getLogger(__name__)

PREVIEW_LENGTH = 300


def _answer_markup(answer: Reply, draft_id: int | None) -> InlineKeyboardMarkup | None:
    rows = [[(s.label, f"q:{s.intent_id}")] for s in answer.suggestions[:2]]
    if draft_id is not None:
        rows.append([(t("inbox.forward_button"), f"qf:{draft_id}")])
    return keyboard_or_none(rows)


def _answer_button(question_id: int) -> InlineKeyboardMarkup:
    return keyboard([[(t("inbox.answer_button"), f"qa:{question_id}")]])


async def question(update: Update, context: Context) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not message.text:
        return
    svc = services(context)
    now = svc.now()
    answer = (await svc.ready_questions()).answer(message.text, now)
    draft_id = None
    if not answer.confident:
        draft_id = await svc.inbox.draft(user.id, message.chat_id, message.text, now)
    log.debug("question answered with intents %s", answer.intents)
    await reply(update, context, answer.html, reply_markup=_answer_markup(answer, draft_id))


async def suggestion(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    svc = services(context)
    intent_id = query.data.removeprefix("q:")
    answer = (await svc.ready_questions()).answer_intent(intent_id, svc.now())
    await query.answer()
    await send_html(
        context, query.message.chat.id, answer.html, reply_markup=_answer_markup(answer, None)
    )


async def forward(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    svc = services(context)
    question_id = _id(query.data)
    submitted = await svc.inbox.submit(question_id, query.from_user.id) if question_id else None
    if submitted is None:
        await query.answer(t("fallback.stale_button"))
        return
    await query.answer(t("inbox.forwarded_toast"))
    with contextlib.suppress(BadRequest):  # already without buttons after a double tap
        await query.edit_message_reply_markup(None)
    await send_html(context, query.message.chat.id, t("inbox.forwarded"))
    for coordinator_id in svc.settings.coordinators:
        await _notify_coordinator(context, coordinator_id, submitted.id, submitted.text)


async def _notify_coordinator(context: Context, chat_id: int, question_id: int, text: str) -> None:
    try:
        await send_html(
            context,
            chat_id,
            t("inbox.new_question", number=question_id, text=text[:PREVIEW_LENGTH]),
            reply_markup=_answer_button(question_id),
        )
    except (Forbidden, BadRequest) as error:
        log.warning("coordinator chat %s not reachable for the inbox: %s", chat_id, error)


async def inbox_command(update: Update, context: Context) -> None:
    svc = services(context)
    questions = await svc.inbox.open_questions()
    if not questions:
        await reply(update, context, t("inbox.empty"))
        return
    await reply(update, context, t("inbox.header", count=len(questions)))
    for item in questions[:20]:
        await reply(
            update,
            context,
            t(
                "inbox.item",
                number=item.id,
                date=short_date(item.asked_at.astimezone(svc.settings.tz).date()),
                text=item.text[:PREVIEW_LENGTH],
            ),
            reply_markup=_answer_button(item.id),
        )


async def start_answer(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    svc = services(context)
    question_id = _id(query.data)
    found = await svc.inbox.answerable(question_id) if question_id else None
    if found is None:
        await query.answer(t("fallback.stale_button"))
        return
    await query.answer()
    if found.answer is not None:
        await reply(update, context, t("inbox.already_answered", number=found.id))
        return
    await svc.pending.start(
        query.from_user.id, PendingKind.INBOX_ANSWER, {"question_id": found.id}, svc.now()
    )
    await reply(update, context, t("inbox.type_answer", number=found.id, text=found.text))


async def take_answer(update: Update, context: Context, pending: Pending) -> bool:
    """A coordinator's text while answering a question is the answer (then nothing else runs)."""
    message = update.effective_message
    if message is None or not message.text:
        return False
    coordinator = pending.telegram_id
    svc = services(context)
    question_id = pending.get_int("question_id")
    outcome = (
        await svc.inbox.answer(question_id, coordinator, message.text, svc.now())
        if question_id is not None
        else None
    )
    await svc.pending.clear(coordinator, PendingKind.INBOX_ANSWER)
    if outcome is None:
        return False
    if outcome.already_answered:
        await reply(update, context, t("inbox.already_answered", number=outcome.question.id))
        return True
    delivered = await _deliver_answer(context, outcome.question.asker_chat_id,
                                      outcome.question.text, message.text)
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("inbox.learn_button"),
                               callback_data=f"ql:{outcome.question.id}")]]
    )
    await reply(
        update,
        context,
        t("inbox.sent" if delivered else "inbox.not_delivered", number=outcome.question.id),
        reply_markup=keyboard,
    )
    return True


async def _deliver_answer(context: Context, chat_id: int | None, question: str,
                          answer: str) -> bool:
    if chat_id is None:
        return False
    try:
        await send_html(
            context,
            chat_id,
            t("inbox.answer_for_asker", question=question[:PREVIEW_LENGTH], answer=answer),
        )
    except (Forbidden, BadRequest) as error:
        log.info("answer could not be delivered to chat %s: %s", chat_id, error)
        return False
    return True


async def learn(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    svc = services(context)
    question_id = _id(query.data)
    learned = (
        await svc.inbox.learn(question_id, query.from_user.id, svc.now()) if question_id else None
    )
    if learned is None:
        await query.answer(t("fallback.stale_button"))
        return
    (await svc.ready_questions()).add_learned(learned.entry_id, learned.question, learned.answer)
    await query.answer(t("inbox.learned_toast"))
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(None)
    await reply(update, context, Html(t("inbox.learned", question=learned.question)))


async def cancel_answer(update: Update, context: Context, pending: Pending) -> None:
    """/annuleren while answering: the question stays open in /vragen."""
    await services(context).pending.clear(pending.telegram_id, PendingKind.INBOX_ANSWER)
    await reply(update, context, t("inbox.answer_cancelled"))


def _id(data: str) -> int | None:
    _, _, raw = data.partition(":")
    return whole_number(raw)
