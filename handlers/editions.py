"""/editie (coordinators): the editions, which one the coordinator works in, registration
open or closed, archiving, and a new edition copied from the current one with its dates
proposed on the course's rhythm (``/editie nieuw``)."""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Update

from bot.catalogue import Html, plain, t
from bot.formatting import long_date
from bot.numbers import whole_number
from bot.problems import describe_problems
from bot.programme import ProgrammeError
from bot.services.edition_programme import (
    WEEKDAYS,
    date_problem,
    new_programme_text,
    propose_dates,
    weekday_number,
)
from bot.services.editions import NAME_MAX, EditionError, EditionProblem, clean_name
from bot.services.pending import Pending, PendingKind
from bot.services.registry import Services
from bot.views import editions as views
from handlers.context import Context, replace_message, reply, services, user_id
from scheduling.dutch_dates import WhenProblem, parse_date
from scheduling.reminders import scheduler_of

log = logging.getLogger(__name__)

_PROBLEMS = {
    EditionProblem.GONE: "editions.gone",
    EditionProblem.HAS_DATA: "editions.has_data",
    EditionProblem.DUPLICATE: "editions.name_taken",
    EditionProblem.EMPTY: "editions.name_empty",
    EditionProblem.TOO_LONG: "editions.name_too_long",
}


async def edition_command(update: Update, context: Context) -> None:
    """/editie, or /editie nieuw to start a new edition."""
    svc = services(context)
    if context.args and context.args[0].lower() in ("nieuw", "nieuwe"):
        await _start_new(update, context, svc)
        return
    text, markup = views.overview(svc, await svc.editions.participant_counts(), svc.now())
    await reply(update, context, text, reply_markup=markup)


async def button(update: Update, context: Context) -> None:
    query, coordinator = update.callback_query, user_id(update)
    if query is None or coordinator is None:
        return
    svc = services(context)
    parts = (query.data or "").split(":")
    action = parts[1] if len(parts) > 1 else ""
    number = whole_number(parts[2]) if len(parts) > 2 else None
    try:
        if action in ("new", "mod", "make", "stop"):
            await _new_edition_button(update, context, svc, action, number)
            return
        if action == "list":
            await query.answer()
        elif action == "use" and number is not None:
            svc = await svc.editions.choose(coordinator, number, svc.now())
            await query.answer(plain("editions.using", edition=svc.edition.name))
        elif action == "reg" and number is not None and len(parts) == 4:
            opened = parts[3] == "1"
            await svc.editions.set_registration(number, opened)
            name = _name(svc, number)
            await query.answer(plain("editions.opened" if opened else "editions.closed",
                                     edition=name))
        elif action in ("arc", "del") and number is not None:
            await query.answer()
            name = _name(svc, number)
            question, yes = (("editions.archive_ask", "editions.button_archive_yes")
                             if action == "arc" else
                             ("editions.delete_ask", "editions.button_delete_yes"))
            await replace_message(update, context, *views.confirm(
                t(question, edition=name), plain(yes), f"edi:{action}y:{number}"))
            return
        elif action == "arcy" and number is not None:
            await svc.editions.archive(number, svc.now())
            await query.answer(plain("editions.archived", edition=_name(svc, number)))
        elif action == "dely" and number is not None:
            name = _name(svc, number)
            await svc.editions.delete(number)
            await query.answer(plain("editions.deleted", edition=name))
            svc = svc.editions.default(svc.now())
        else:
            raise EditionError(EditionProblem.GONE)
    except EditionError as error:
        name = _name(svc, number) if number is not None else ""
        await query.answer(plain(_PROBLEMS[error.problem], edition=name, name=name,
                                 limit=NAME_MAX), show_alert=True)
        return
    current = await svc.editions.for_coordinator(coordinator, svc.now())
    text, markup = views.overview(current, await svc.editions.participant_counts(), svc.now())
    await replace_message(update, context, text, markup)


def _name(svc: Services, edition_id: int) -> str:
    found = svc.editions.get(edition_id)
    return found.edition.name if found else ""


# -- a new edition --------------------------------------------------------------------------


async def _start_new(update: Update, context: Context, svc: Services) -> None:
    coordinator = user_id(update)
    assert coordinator is not None
    await svc.pending.start(coordinator, PendingKind.EDITION,
                            {"step": "name", "source": svc.edition.id}, svc.now())
    await reply(update, context, t("editions.ask_name", source=svc.edition.name,
                                   limit=NAME_MAX))


async def _new_edition_button(
    update: Update, context: Context, svc: Services, action: str, number: int | None
) -> None:
    query, coordinator = update.callback_query, user_id(update)
    assert query is not None
    assert coordinator is not None
    if action == "new":
        await query.answer()
        await _start_new(update, context, svc)
        return
    pending = await svc.pending.current(coordinator, svc.now(), PendingKind.EDITION)
    if pending is None or pending.get_str("step") not in ("confirm", "date"):
        await query.answer(plain("editions.expired"), show_alert=True)
        return
    await query.answer()
    draft = dict(pending.payload)
    if action == "stop":
        await svc.pending.clear(coordinator, PendingKind.EDITION)
        await reply(update, context, t("editions.stopped"))
    elif action == "mod" and number is not None:
        source = _source(svc, draft)
        module = source.programme.module(number)
        dates = _dates(draft)
        if module is None or number > len(dates):
            return
        draft.update(step="date", module=number)
        await svc.pending.start(coordinator, PendingKind.EDITION, draft, svc.now())
        await reply(update, context, t("editions.ask_module", number=number,
                                       title=module.title or "",
                                       date=long_date(dates[number - 1])))
    elif action == "make":
        await _make(update, context, svc, coordinator, draft)


def _dates(draft: dict[str, object]) -> list[dt.date]:
    stored = draft.get("dates")
    return [dt.date.fromisoformat(str(day)) for day in stored] if isinstance(stored, list) else []


def _source(svc: Services, draft: dict[str, object]) -> Services:
    number = draft.get("source")
    return (svc.editions.get(number) if isinstance(number, int) else None) or svc


async def _make(update: Update, context: Context, svc: Services, coordinator: int,
                draft: dict[str, object]) -> None:
    source = _source(svc, draft)
    name = str(draft.get("name", ""))
    dates = _dates(draft)
    try:
        text = new_programme_text(source.programme, source.edition.name, name, dates,
                                  svc.settings.tz)
        made = await svc.editions.create(name, text, svc.now())
    except ProgrammeError as error:
        problems = Html("\n".join(f"• {line}" for line in describe_problems(error)))
        await reply(update, context, t("editions.problems", problems=problems))
        return
    except EditionError as error:
        await reply(update, context, t(_PROBLEMS[error.problem], name=name, limit=NAME_MAX))
        return
    await svc.pending.clear(coordinator, PendingKind.EDITION)
    await svc.editions.choose(coordinator, made.edition.id, svc.now())
    scheduler_of(context.bot_data).request_sync()
    log.info("edition %s made from %s", made.edition.name, source.edition.name)
    await reply(update, context, t("editions.made", edition=made.edition.name,
                                   count=len(dates), first=long_date(dates[0]),
                                   last=long_date(dates[-1])))


async def take_step(update: Update, context: Context, pending: Pending) -> bool:
    """The typed name, the first date, or a changed date of a new edition."""
    message = update.effective_message
    if message is None or message.text is None:
        return False
    svc, draft = services(context), dict(pending.payload)
    step = draft.get("step")
    if step == "name":
        try:
            name = clean_name(message.text)
            if svc.editions.by_name(name) is not None:
                raise EditionError(EditionProblem.DUPLICATE)
        except EditionError as error:
            await reply(update, context, t(_PROBLEMS[error.problem], name=message.text[:60],
                                           limit=NAME_MAX))
            return True
        draft.update(step="start", name=name)
        await svc.pending.start(pending.telegram_id, PendingKind.EDITION, draft, svc.now())
        weekday = WEEKDAYS[weekday_number(_source(svc, draft).programme)]
        await reply(update, context, t("editions.ask_start", edition=name, weekday=weekday))
    elif step in ("start", "date"):
        await _typed_date(update, context, svc, pending.telegram_id, draft, message.text)
    else:
        await reply(update, context, t("editions.expired"))
    return True


async def _typed_date(update: Update, context: Context, svc: Services, telegram_id: int,
                      draft: dict[str, object], text: str) -> None:
    source = _source(svc, draft).programme
    weekday = weekday_number(source)
    day = parse_date(text, svc.now().date())
    if isinstance(day, WhenProblem):
        await reply(update, context, t("editions.date_unreadable"))
        return
    problem = date_problem(day, weekday, svc.now().date())
    if problem is not None:
        await reply(update, context, t(problem, weekday=WEEKDAYS[weekday],
                                       date=long_date(day), actual=WEEKDAYS[day.weekday()]))
        return
    if draft["step"] == "start":
        dates = propose_dates(day, len(source.modules), weekday)
    else:
        dates = _dates(draft)
        number = draft.get("module")
        if isinstance(number, int) and 1 <= number <= len(dates):
            dates[number - 1] = day
    draft.update(step="confirm", dates=[d.isoformat() for d in dates])
    await svc.pending.start(telegram_id, PendingKind.EDITION, draft, svc.now())
    text_, markup = views.proposal(str(draft["name"]), source.modules, dates, WEEKDAYS[weekday])
    await reply(update, context, text_, reply_markup=markup)


async def cancel_step(update: Update, context: Context, pending: Pending) -> None:
    await services(context).pending.clear(pending.telegram_id, PendingKind.EDITION)
    await reply(update, context, t("editions.stopped"))
