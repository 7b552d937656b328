"""/leerdoelen: a participant's own learning goals, their typed texts and notes, sharing with
the intervisiegroep, and the answers to the questions before intervisie meetings and after
the last module (those questions go out from scheduling/goal_jobs.py)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update

from bot.catalogue import Html, plain, t
from bot.formatting import session_name
from bot.numbers import whole_number
from bot.programme import SessionKind
from bot.services.goals import (
    MAX_GOALS,
    NOTE_MAX,
    TEXT_MAX,
    GoalError,
    GoalProblem,
    MyGoals,
    NoteKind,
)
from bot.services.pending import Pending, PendingKind
from bot.services.registry import Services
from bot.views import goals as views
from handlers.context import Context, replace_message, reply, services, user_id

log = logging.getLogger(__name__)

_PROBLEMS = {
    GoalProblem.NOT_PARTICIPANT: "goals.not_participant",
    GoalProblem.FULL: "goals.full",
    GoalProblem.GONE: "goals.gone",
    GoalProblem.EMPTY: "goals.empty",
    GoalProblem.TOO_LONG: "goals.too_long",
}


def _problem(error: GoalError, limit: int = TEXT_MAX) -> Html:
    return t(_PROBLEMS[error.problem], max=MAX_GOALS, limit=limit)


async def _overview(svc: Services, telegram_id: int) -> tuple[Html, InlineKeyboardMarkup]:
    mine = await svc.goals.mine(telegram_id)
    sessions = {s.key: s for s in (await svc.sessions.timetable()).sessions}
    return views.overview(mine, sessions)


async def goals_command(update: Update, context: Context) -> None:
    telegram_id = user_id(update)
    if telegram_id is None:
        return
    try:
        text, markup = await _overview(services(context), telegram_id)
    except GoalError as error:
        await reply(update, context, _problem(error))
        return
    await reply(update, context, text, reply_markup=markup)


async def button(update: Update, context: Context) -> None:
    query, telegram_id = update.callback_query, user_id(update)
    if query is None or telegram_id is None:
        return
    svc = services(context)
    parts = (query.data or "").split(":")
    action = parts[1] if len(parts) > 1 else ""
    argument = parts[2] if len(parts) > 2 else ""
    try:
        mine = await svc.goals.mine(telegram_id)
        if action == "say":
            await _start_answer(update, context, svc, telegram_id, argument)
            return
        if action == "share":
            shared = argument == "1"
            await svc.goals.share(telegram_id, shared, svc.now())
            await query.answer(plain("goals.shared_now" if shared else "goals.private_now"))
            await replace_message(update, context, *await _overview(svc, telegram_id))
            return
        if action == "list":
            await query.answer()
            await replace_message(update, context, *await _overview(svc, telegram_id))
            return
        if action == "add":
            if mine.full:
                raise GoalError(GoalProblem.FULL)
            await query.answer()
            await svc.pending.start(telegram_id, PendingKind.GOAL_TEXT, {"goal_id": 0},
                                    svc.now())
            await reply(update, context, t("goals.ask_new", limit=TEXT_MAX))
            return
        await _goal_action(update, context, svc, mine, action, whole_number(argument))
    except GoalError as error:
        await query.answer(plain(_PROBLEMS[error.problem], max=MAX_GOALS, limit=TEXT_MAX),
                           show_alert=True)


async def _goal_action(update: Update, context: Context, svc: Services, mine: MyGoals,
                       action: str, goal_id: int | None) -> None:
    query = update.callback_query
    assert query is not None
    goal = mine.goal(goal_id) if goal_id is not None else None
    if goal is None:
        raise GoalError(GoalProblem.GONE)
    telegram_id = user_id(update)
    assert telegram_id is not None
    if action == "edit":
        await query.answer()
        await svc.pending.start(telegram_id, PendingKind.GOAL_TEXT, {"goal_id": goal.id},
                                svc.now())
        await reply(update, context, t("goals.ask_edit", number=goal.number, limit=TEXT_MAX,
                                       text=goal.text))
    elif action == "note":
        await query.answer()
        await svc.pending.start(telegram_id, PendingKind.GOAL_NOTE,
                                {"goal_id": goal.id, "kind": NoteKind.PROGRESS.value},
                                svc.now())
        await reply(update, context, t("goals.ask_note", number=goal.number, limit=NOTE_MAX,
                                       text=goal.text))
    elif action == "del":
        await query.answer()
        await replace_message(update, context, *views.delete_ask(goal))
    elif action == "delok":
        await svc.goals.remove(telegram_id, goal.id)
        await query.answer(plain("goals.deleted"))
        await replace_message(update, context, *await _overview(svc, telegram_id))
    else:
        raise GoalError(GoalProblem.GONE)


async def _start_answer(update: Update, context: Context, svc: Services, telegram_id: int,
                        key: str) -> None:
    """"Antwoord typen" under a question: asked of this person, about a known session."""
    query = update.callback_query
    assert query is not None
    found = (await svc.sessions.timetable()).get(key)
    if found is None or not await svc.goals.was_asked(telegram_id, key):
        await query.answer(plain("goals.prompt_unknown"), show_alert=True)
        return
    await query.answer()
    look_back = found.kind is SessionKind.MODULE
    kind = NoteKind.LOOK_BACK if look_back else NoteKind.AGENDA
    await svc.pending.start(telegram_id, PendingKind.GOAL_NOTE,
                            {"kind": kind.value, "session_key": key}, svc.now())
    await reply(update, context, t("goals.ask_look_back", limit=NOTE_MAX) if look_back
                else t("goals.ask_agenda", session=session_name(found), limit=NOTE_MAX))


async def take_text(update: Update, context: Context, pending: Pending) -> bool:
    """The typed text of a new goal (goal_id 0) or of an existing one."""
    message = update.effective_message
    goal_id = pending.get_int("goal_id")
    if message is None or message.text is None or goal_id is None:
        return False
    svc, telegram_id = services(context), pending.telegram_id
    try:
        if goal_id == 0:
            added = await svc.goals.add(telegram_id, message.text, svc.now())
            done = t("goals.added", number=added.number)
        else:
            await svc.goals.change(telegram_id, goal_id, message.text, svc.now())
            done = t("goals.changed")
    except GoalError as error:
        if error.problem in (GoalProblem.EMPTY, GoalProblem.TOO_LONG):
            await reply(update, context, _problem(error))
            return True
        await svc.pending.clear(telegram_id, PendingKind.GOAL_TEXT)
        await reply(update, context, _problem(error))
        return True
    await svc.pending.clear(telegram_id, PendingKind.GOAL_TEXT)
    await reply(update, context, done)
    text, markup = await _overview(svc, telegram_id)
    await reply(update, context, text, reply_markup=markup)
    return True


async def take_note(update: Update, context: Context, pending: Pending) -> bool:
    """Progress on a goal, what to discuss at an intervisie meeting, or the look back."""
    message = update.effective_message
    kind = pending.get_str("kind")
    if message is None or message.text is None or kind not in {k.value for k in NoteKind}:
        return False
    svc, telegram_id = services(context), pending.telegram_id
    try:
        await svc.goals.note(telegram_id, NoteKind(kind), message.text, svc.now(),
                             goal_id=pending.get_int("goal_id"),
                             session_key=pending.get_str("session_key"))
    except GoalError as error:
        if error.problem not in (GoalProblem.EMPTY, GoalProblem.TOO_LONG):
            await svc.pending.clear(telegram_id, PendingKind.GOAL_NOTE)
        await reply(update, context, _problem(error, NOTE_MAX))
        return True
    await svc.pending.clear(telegram_id, PendingKind.GOAL_NOTE)
    await reply(update, context, t("goals.noted"))
    return True


async def cancel_step(update: Update, context: Context, pending: Pending) -> None:
    await services(context).pending.clear(pending.telegram_id, pending.kind)
    await reply(update, context, t("goals.cancelled"))
