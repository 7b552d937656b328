"""Participants' information commands: /start, /help, /programma, /volgende, /module, /agenda."""

from __future__ import annotations

import io
import logging

from telegram import Update
from telegram.constants import ChatAction

from bot.catalogue import Html, t
from bot.formatting import duration_until, long_date, session_name, short_date, time_range
from bot.numbers import whole_number
from bot.programme import Session, SessionKind
from bot.services.calendar import build_calendar, calendar_slug
from bot.services.invites import PAYLOAD_PREFIX as INVITE_PREFIX
from bot.views.certificates import VERIFY_PAYLOAD
from bot.views.checkin import PAYLOAD_PREFIX as CHECKIN_PREFIX
from handlers import certificates, checkin, registration
from handlers.context import Context, is_coordinator, reply, services
from handlers.errors import database_unavailable
from handlers.menu import help_text, menu_of, set_command_menus

log = logging.getLogger(__name__)


async def start(update: Update, context: Context) -> None:
    svc = services(context)
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    payload = context.args[0] if context.args else ""
    if payload.startswith(INVITE_PREFIX):
        await _record_contact(update, context, user.id, chat.id)
        await registration.begin(update, context, payload.removeprefix(INVITE_PREFIX))
        return
    if payload.startswith(CHECKIN_PREFIX):
        await _record_contact(update, context, user.id, chat.id)
        await checkin.deep_link(update, context, payload.removeprefix(CHECKIN_PREFIX))
        return
    if payload.startswith(VERIFY_PAYLOAD):  # a certificate's QR code: no contact is recorded
        await certificates.verify(update, context, payload.removeprefix(VERIFY_PAYLOAD))
        return
    course = svc.programme.data.course
    # The welcome needs nothing from the database: the person sees it first, and the
    # contact is recorded right after.
    await reply(
        update,
        context,
        t(
            "start.welcome",
            name=user.first_name,
            course=course.name,
            organisation=course.organisation,
            tagline=course.tagline,
        ),
    )
    await _record_contact(update, context, user.id, chat.id)


async def _record_contact(update: Update, context: Context, user_id: int, chat_id: int) -> None:
    """Remember the private chat (for reminders); a coordinator's first visit sets their menu."""
    svc = services(context)
    try:
        first_time = await svc.contacts.seen(user_id, chat_id, svc.now())
    except Exception as error:
        if not database_unavailable(error):
            raise
        # Nothing the person asked for depends on it: they are recorded next time.
        log.warning("contact not recorded, the database is unavailable: %s",
                    type(error).__name__)
        return
    if first_time and is_coordinator(update, context):
        await set_command_menus(context.bot, menu_of(context.bot_data), [user_id])


async def help_command(update: Update, context: Context) -> None:
    menu = menu_of(context.bot_data)
    await reply(update, context, help_text(menu, is_coordinator(update, context)))


def _session_line(session: Session, done: bool) -> Html:
    return t(
        "programme.line_done" if done else "programme.line",
        name=session_name(session),
        date=short_date(session.starts_at.date()),
        time=time_range(session),
    )


async def programme_command(update: Update, context: Context) -> None:
    svc = services(context)
    now = svc.now()
    programme = svc.programme
    sections = [
        t(
            "programme.header",
            course=programme.data.course.name,
            start=short_date(programme.data.course.start_date),
            end=short_date(programme.data.course.end_date),
        )
    ]
    sections.append(
        t(
            "programme.modules_header",
            count=len(programme.modules),
            weekday=programme.data.modules.weekday,
            time=f"{programme.data.modules.start:%H:%M}–{programme.data.modules.end:%H:%M}",
        )
    )
    timetable = await svc.sessions.timetable()
    modules = timetable.of_kind(SessionKind.MODULE)
    sections.append(Html("\n".join(_session_line(m, m.is_over(now)) for m in modules)))
    for kind, header, empty in (
        (SessionKind.WERKSESSIE, "programme.werksessies_header", "programme.werksessies_empty"),
        (SessionKind.INTERVISIE, "programme.intervisie_header", "programme.intervisie_empty"),
    ):
        found = timetable.of_kind(kind)
        sections.append(t(header))
        if found:
            sections.append(Html("\n".join(_session_line(s, s.is_over(now)) for s in found)))
        else:
            sections.append(
                t(
                    empty,
                    minutes=programme.data.werksessies.duration_minutes,
                    meetings=programme.data.intervisie.meetings,
                )
            )
    if timetable.next_session(now) is None:
        sections.append(t("programme.finished"))
    else:
        sections.append(t("programme.footer"))
    await reply(update, context, Html("\n\n".join(sections)))


def session_details(session: Session) -> Html:
    parts = [
        t(
            "session.details",
            name=session_name(session),
            date=long_date(session.starts_at.date()),
            time=time_range(session),
        )
    ]
    if session.location:
        parts.append(t("session.location", location=session.location))
    if session.description:
        parts.append(t("session.description", description=session.description))
    if session.preparation:
        parts.append(t("session.preparation", preparation=session.preparation))
    return Html("\n\n".join(parts))


async def next_command(update: Update, context: Context) -> None:
    svc = services(context)
    now = svc.now()
    session = (await svc.sessions.timetable()).next_session(now)
    if session is None:
        finished = t("next.finished", course=svc.programme.data.course.name)
        following = svc.following()
        await reply(update, context, Html(f"{finished}\n\n{following}") if following else finished)
        return
    if session.is_running(now):
        when = t("next.running", end=f"{session.ends_at:%H:%M}")
    else:
        when = t("next.countdown", countdown=duration_until(now, session.starts_at))
    text = Html(f"{t('next.header')}\n\n{session_details(session)}\n\n{when}")
    await reply(update, context, text)


async def module_command(update: Update, context: Context) -> None:
    svc = services(context)
    programme = svc.programme
    count = len(programme.modules)
    args = context.args or []
    if not args:
        await reply(update, context, t("module.which", last=count))
        return
    number_text = args[0].strip().lstrip("#").rstrip(".")
    number = whole_number(number_text)
    timetable = await svc.sessions.timetable()  # as /sessie left it: date, time, place
    module = timetable.get(programme.module_key(number)) if number is not None else None
    if module is None:
        await reply(update, context, t("module.unknown", given=" ".join(args)[:40], last=count))
        return
    status = (
        t("module.done")
        if module.is_over(svc.now())
        else t("module.upcoming", countdown=duration_until(svc.now(), module.starts_at))
    )
    await reply(update, context, Html(f"{session_details(module)}\n\n{status}"))


async def agenda_command(update: Update, context: Context) -> None:
    svc = services(context)
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    programme = svc.programme
    timetable = await svc.sessions.timetable()
    content = build_calendar(programme, timetable.sessions, svc.now())
    await context.bot.send_document(
        chat.id,
        document=io.BytesIO(content),
        filename=f"{calendar_slug(programme)}.ics",
        caption=t("agenda.caption", count=len(timetable.sessions)),
        parse_mode="HTML",
    )
