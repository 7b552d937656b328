"""/sessie for coordinators: see the afmeldingen per session; add, move or cancel a
werksessie or intervisie meeting; move a module or change where any session is, with
buttons and a typed date/time or place step.

After a change the reminder scheduler syncs in the background: participants get one
"gewijzigd", "nieuw" or "vervalt" message and the reminders move with the session.

The answers of an add or move in progress are a pending input (kind ``sessie``), stored in
the database: a restart in the middle loses nothing, and nothing is changed until *Opslaan*.
Typed dates and places reach :func:`take_step` through the dispatcher in handlers/pending.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.catalogue import Html, plain, t
from bot.formatting import long_date, session_name, time_range
from bot.programme import Session, SessionKind
from bot.services.pending import Pending, PendingKind
from bot.services.registry import Services
from bot.services.sessions import SessionChangeError
from bot.views.keyboards import keyboard
from bot.views.sessions import short_label, when_line
from handlers.context import Context, reply, services, user_id
from scheduling.dutch_dates import When, WhenProblem, parse_when
from scheduling.reminders import scheduler_of

log = logging.getLogger(__name__)

LOCATION_MAX = 300
DESCRIPTION_MAX = 2000
MAX_BUTTONS = 24

_KINDS = {"werksessie": SessionKind.WERKSESSIE, "intervisie": SessionKind.INTERVISIE}


def _when(starts_at: dt.datetime, ends_at: dt.datetime) -> Html:
    start, end = starts_at, ends_at
    span = f"{start:%H:%M}–{end:%H:%M}"
    return t("reminders.when", date=long_date(start.date()), time=span)


def _session_when(session: Session) -> Html:
    return when_line(session)


async def _draft(update: Update, context: Context) -> dict[str, Any] | None:
    """The add or move in progress of this coordinator, if any."""
    svc = services(context)
    found = await svc.pending.current(user_id(update) or 0, svc.now(), PendingKind.SESSIE)
    return dict(found.payload) if found is not None else None


async def _set_draft(update: Update, context: Context, draft: dict[str, Any] | None) -> None:
    svc = services(context)
    coordinator = user_id(update) or 0
    if draft is None:
        await svc.pending.clear(coordinator, PendingKind.SESSIE)
    else:
        await svc.pending.start(coordinator, PendingKind.SESSIE, draft, svc.now())


# -- overview and detail -------------------------------------------------------------------------


async def _overview(svc: Services) -> tuple[Html, InlineKeyboardMarkup]:
    now = svc.now()
    upcoming = [s for s in (await svc.sessions.timetable()).sessions if s.ends_at > now]
    lines: list[str] = []
    for session in upcoming:
        count = len(await svc.absences.for_session(session.key))
        absences = t("sessie.overview_absences", count=count) if count else ""
        lines.append(t("sessie.overview_line", name=session_name(session),
                       date=long_date(session.starts_at.date()), time=time_range(session),
                       absences=absences))
    body = Html("\n".join(lines)) if lines else t("sessie.overview_empty")
    rows = [[(short_label(s), f"ses:show:{s.key}")] for s in upcoming[:MAX_BUTTONS]]
    rows.append([(t("sessie.button_add_werksessie"), "ses:add:werksessie"),
                 (t("sessie.button_add_intervisie"), "ses:add:intervisie")])
    return t("sessie.overview", lines=body), keyboard(rows)


async def _detail(svc: Services, session: Session) -> tuple[Html, InlineKeyboardMarkup]:
    listed = await svc.absences.listed(session.key)
    lines = [
        t("sessie.absence_line",
          name=a.name or plain("sessie.absence_unknown", number=a.participant_id),
          reason=t("sessie.absence_reason", reason=a.reason) if a.reason else "")
        for a in listed
    ]
    location = t("sessie.detail_location", location=session.location) if session.location else ""
    text = t("sessie.detail", name=session_name(session), when=_session_when(session),
             location=location,
             absences=Html("\n".join(lines)) if lines else t("sessie.no_absences"))
    rows: list[list[tuple[str, str]]] = []
    if session.starts_at > svc.now():
        rows.append([(t("sessie.button_move"), f"ses:move:{session.key}"),
                     (t("sessie.button_place"), f"ses:place:{session.key}")])
        rows.append([(t("sessie.button_describe"), f"ses:describe:{session.key}")])
        if session.kind is SessionKind.MODULE:
            text = Html(f"{text}\n\n{t('sessie.detail_module')}")
        else:
            rows.append([(t("sessie.button_cancel"), f"ses:cancel:{session.key}")])
    rows.append([(t("sessie.button_back"), "ses:list")])
    return text, keyboard(rows)


async def sessie_command(update: Update, context: Context) -> None:
    await _set_draft(update, context, None)
    text, markup = await _overview(services(context))
    await reply(update, context, text, reply_markup=markup)


# -- buttons -----------------------------------------------------------------------------------


async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    action, _, argument = (query.data or "").removeprefix("ses:").partition(":")
    svc = services(context)
    await query.answer()
    if action == "list":
        text, markup = await _overview(svc)
        await reply(update, context, text, reply_markup=markup)
    elif action == "add" and argument in _KINDS:
        await _start_add(update, context, _KINDS[argument])
    elif action in {"save", "noloc", "abort"}:
        await _draft_button(update, context, action)
    else:
        session = (await svc.sessions.timetable()).get(argument)
        if session is None:
            await reply(update, context, t("sessie.error_unknown_session"))
        elif action == "show":
            text, markup = await _detail(svc, session)
            await reply(update, context, text, reply_markup=markup)
        elif action == "move":
            await _start_move(update, context, session)
        elif action == "place":
            await _start_place(update, context, session)
        elif action == "describe":
            await _start_describe(update, context, session)
        elif action == "cancel":
            await _ask_cancel(update, context, session)
        elif action == "cancelok":
            await _cancel(update, context, session)


async def _start_add(update: Update, context: Context, kind: SessionKind) -> None:
    svc = services(context)
    await _set_draft(update, context, {"action": "add", "kind": kind.value, "step": "when"})
    if kind is SessionKind.WERKSESSIE:
        minutes = svc.programme.data.werksessies.duration_minutes
        duration = t("sessie.duration_default", minutes=minutes)
    else:
        duration = t("sessie.duration_needed")
    text = t("sessie.ask_when_add", kind=t(f"sessie.kind_{kind.value}"), duration=duration)
    await reply(update, context, text,
                reply_markup=keyboard([[(t("sessie.button_abort"), "ses:abort")]]))


async def _start_move(update: Update, context: Context, session: Session) -> None:
    await _set_draft(update, context, {"action": "move", "key": session.key, "step": "when"})
    weekday = ""
    if session.kind is SessionKind.MODULE:
        modules = services(context).programme.data.modules
        weekday = t("sessie.module_weekday", weekday=modules.weekday)
    text = t("sessie.ask_when_move", name=session_name(session), current=_session_when(session),
             weekday=weekday)
    await reply(update, context, text,
                reply_markup=keyboard([[(t("sessie.button_abort"), "ses:abort")]]))


async def _start_place(update: Update, context: Context, session: Session) -> None:
    await _set_draft(update, context, {"action": "place", "key": session.key, "step": "location"})
    text = t("sessie.ask_place", name=session_name(session),
             current=session.location or t("sessie.location_unknown"))
    await reply(update, context, text,
                reply_markup=keyboard([[(t("sessie.button_abort"), "ses:abort")]]))


async def _start_describe(update: Update, context: Context, session: Session) -> None:
    svc = services(context)
    if session.starts_at <= svc.now():
        await reply(update, context, await _error_text(svc, SessionChangeError("already_started")))
        return
    await _set_draft(update, context,
                     {"action": "describe", "key": session.key, "step": "description"})
    text = t("sessie.ask_description", name=session_name(session), limit=DESCRIPTION_MAX,
             current=session.description or t("sessie.description_none"))
    await reply(update, context, text,
                reply_markup=keyboard([[(t("sessie.button_abort"), "ses:abort")]]))


async def _ask_cancel(update: Update, context: Context, session: Session) -> None:
    text = t("sessie.confirm_cancel", name=session_name(session), when=_session_when(session))
    markup = keyboard([[(t("sessie.button_cancel_yes"), f"ses:cancelok:{session.key}"),
                         (t("sessie.button_cancel_no"), f"ses:show:{session.key}")]])
    await reply(update, context, text, reply_markup=markup)


async def _cancel(update: Update, context: Context, session: Session) -> None:
    svc = services(context)
    try:
        await svc.sessions.cancel(session.key, by=user_id(update) or 0, now=svc.now())
    except SessionChangeError as error:
        await reply(update, context, await _error_text(svc, error))
        return
    log.info("session %s cancelled by a coordinator", session.key)
    await reply(update, context, t("sessie.cancelled", name=session_name(session),
                                   when=_session_when(session)))
    scheduler_of(context.bot_data).request_sync()


async def _draft_button(update: Update, context: Context, action: str) -> None:
    draft = await _draft(update, context)
    if action == "abort":
        await _set_draft(update, context, None)
        await reply(update, context, t("sessie.aborted"))
        return
    if draft is None:
        await reply(update, context, t("sessie.expired"))
        return
    if action == "noloc" and draft.get("step") == "location" and draft["action"] == "add":
        draft["location"] = None
        await _confirm(update, context, draft)
    elif action == "save" and draft.get("step") == "confirm":
        await _save(update, context, draft)
    else:
        await reply(update, context, t("sessie.expired"))


# -- typed steps ---------------------------------------------------------------------------------


async def take_step(update: Update, context: Context, pending: Pending) -> bool:
    """The date/time or the place of an add or move in progress; no text passes on."""
    draft = dict(pending.payload)
    message = update.effective_message
    if message is None or message.text is None:
        return False
    step = draft.get("step")
    if step == "when":
        await _typed_when(update, context, draft, message.text)
    elif step == "location":
        location = " ".join(message.text.split())
        if len(location) > LOCATION_MAX:
            await reply(update, context, t("sessie.location_too_long", limit=LOCATION_MAX))
        elif not location and draft["action"] == "place":
            await reply(update, context, t("sessie.location_empty"))
        else:
            draft["location"] = location or None
            await _confirm(update, context, draft)
    elif step == "description":
        description = message.text.strip()
        if not description or len(description) > DESCRIPTION_MAX:
            await reply(update, context, t("sessie.description_invalid", limit=DESCRIPTION_MAX))
        else:
            draft["description"] = description
            await _confirm(update, context, draft)
    else:
        await reply(update, context, t("sessie.use_buttons"))
    return True


async def _typed_when(update: Update, context: Context, draft: dict[str, Any], text: str) -> None:
    svc = services(context)
    now = svc.now()
    parsed = parse_when(text, now, svc.settings.tz)
    if isinstance(parsed, WhenProblem):
        await reply(update, context, t(f"sessie.problem_{parsed.value}"))
        return
    if parsed.starts_at <= now:
        await reply(update, context, t("sessie.problem_in_the_past"))
        return
    ends_at = await _end(svc, draft, parsed)
    if ends_at is None:
        await reply(update, context, t("sessie.duration_needed").strip())
        return
    try:  # told now, while the coordinator can type another moment
        await svc.sessions.check(draft.get("key"), await _kind(svc, draft), parsed.starts_at,
                                 ends_at, now)
    except SessionChangeError as error:
        await reply(update, context, await _error_text(svc, error))
        return
    draft["starts_at"], draft["ends_at"] = parsed.starts_at.isoformat(), ends_at.isoformat()
    if draft["action"] == "add":
        draft["step"] = "location"
        await _set_draft(update, context, draft)
        await reply(update, context, t("sessie.ask_location"), reply_markup=keyboard(
            [[(t("sessie.button_no_location"), "ses:noloc"), (t("sessie.button_abort"),
                                                               "ses:abort")]]))
        return
    await _confirm(update, context, draft)


async def _end(svc: Services, draft: dict[str, Any], parsed: When) -> dt.datetime | None:
    if parsed.ends_at is not None:
        return parsed.ends_at
    if draft["action"] == "move":
        session = (await svc.sessions.timetable()).get(str(draft.get("key")))
        if session is None:
            return None
        length = session.ends_at.astimezone(dt.UTC) - session.starts_at.astimezone(dt.UTC)
    elif draft["kind"] == SessionKind.WERKSESSIE.value:
        length = dt.timedelta(minutes=svc.programme.data.werksessies.duration_minutes)
    else:
        return None
    return (parsed.starts_at.astimezone(dt.UTC) + length).astimezone(svc.settings.tz)


async def _kind(svc: Services, draft: dict[str, Any]) -> SessionKind:
    if draft["action"] == "add":
        return SessionKind(draft["kind"])
    session = (await svc.sessions.timetable()).get(str(draft["key"]))
    if session is None:
        raise SessionChangeError("unknown_session")
    return session.kind


def _times(draft: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime.fromisoformat(draft["starts_at"]), dt.datetime.fromisoformat(
        draft["ends_at"]
    )


async def _confirm(update: Update, context: Context, draft: dict[str, Any]) -> None:
    svc = services(context)
    draft["step"] = "confirm"
    markup = keyboard([[(t("sessie.button_save"), "ses:save"),
                         (t("sessie.button_abort"), "ses:abort")]])
    if draft["action"] == "add":
        text = t("sessie.confirm_add", kind=t(f"sessie.kind_{draft['kind']}"),
                 when=_when(*_times(draft)),
                 location=draft.get("location") or t("sessie.location_unknown"))
    else:
        session = (await svc.sessions.timetable()).get(str(draft["key"]))
        if session is None:
            await _set_draft(update, context, None)
            await reply(update, context, t("sessie.error_unknown_session"))
            return
        if draft["action"] == "describe":
            text = t("sessie.confirm_description", name=session_name(session),
                     after=draft["description"])
        elif draft["action"] == "place":
            text = t("sessie.confirm_place", name=session_name(session),
                     before=session.location or t("sessie.location_unknown"),
                     after=draft["location"])
        else:
            text = t("sessie.confirm_move", name=session_name(session),
                     before=_session_when(session), after=_when(*_times(draft)))
    await _set_draft(update, context, draft)
    await reply(update, context, text, reply_markup=markup)


async def _save(update: Update, context: Context, draft: dict[str, Any]) -> None:
    svc = services(context)
    by, now = user_id(update) or 0, svc.now()
    try:
        if draft["action"] == "add":
            starts_at, ends_at = _times(draft)
            session = await svc.sessions.add(
                SessionKind(draft["kind"]), starts_at, ends_at, location=draft.get("location"),
                title=None, by=by, now=now,
            )
            key = "sessie.added"
        elif draft["action"] == "describe":
            session = await svc.sessions.describe(
                str(draft["key"]), str(draft["description"]), by=by, now=now
            )
            key = "sessie.described"
        elif draft["action"] == "place":
            _, session = await svc.sessions.relocate(
                str(draft["key"]), str(draft["location"]), by=by, now=now
            )
            key = "sessie.relocated"
        else:
            starts_at, ends_at = _times(draft)
            _, session = await svc.sessions.move(str(draft["key"]), starts_at, ends_at, by=by,
                                                 now=now)
            key = "sessie.moved"
    except SessionChangeError as error:
        await _set_draft(update, context, None)
        await reply(update, context, await _error_text(svc, error))
        return
    await _set_draft(update, context, None)
    log.info("session %s: %s by a coordinator", session.key, draft["action"])
    await reply(update, context, t(key, name=session_name(session), when=_session_when(session),
                                   location=session.location or ""))
    scheduler_of(context.bot_data).request_sync()


async def _error_text(svc: Services, error: SessionChangeError) -> Html:
    """The catalogue's sentence for a refused change, naming the session it collides with."""
    details = dict(error.details)
    if "session" in details:
        other = (await svc.sessions.timetable()).get(details["session"])
        details["session"] = session_name(other) if other else details["session"]
        details["when"] = str(_session_when(other)) if other else ""
    return t(f"sessie.error_{error.code}", None, **details)


async def cancel_step(update: Update, context: Context, pending: Pending) -> None:
    """/annuleren while adding or moving a session stops that (and only that)."""
    await services(context).pending.clear(pending.telegram_id, PendingKind.SESSIE)
    await reply(update, context, t("sessie.aborted"))
