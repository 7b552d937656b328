"""Coordinator-only commands of the foundation: /status and /herladen."""

from __future__ import annotations

import logging

from telegram import Update

from bot.catalogue import Html, t
from bot.formatting import session_name, short_date
from bot.problems import describe_problems
from bot.programme import ProgrammeError
from handlers.context import Context, reply, services
from scheduling.reminders import scheduler_of

log = logging.getLogger(__name__)


async def status_command(update: Update, context: Context) -> None:
    svc = services(context)
    programme = svc.programme
    now = svc.now()
    upcoming = programme.next_session(now)
    next_line = (
        t(
            "status.next",
            name=session_name(upcoming),
            date=short_date(upcoming.starts_at.date()),
        )
        if upcoming
        else t("status.no_next")
    )
    contacts = await svc.contacts.count()
    await reply(
        update,
        context,
        t(
            "status.overview",
            edition=svc.edition.name,
            editions=len(svc.editions.all()),
            course=programme.data.course.name,
            source=programme.source,
            sessions=len(programme.sessions),
            contacts=contacts,
            next=next_line,
            timezone=svc.settings.timezone,
        ),
    )


async def reload_command(update: Update, context: Context) -> None:
    svc = services(context)
    if svc.edition.key_prefix:  # a later edition: its programme lives in the database
        await reply(update, context, t("reload.not_a_file", edition=svc.edition.name))
        return
    try:
        programme = svc.reload_programme()
    except ProgrammeError as error:
        log.info("programme reload refused: %d problem(s)", len(error.problems))
        problems = Html("\n".join(f"• {line}" for line in describe_problems(error)))
        await reply(update, context, t("reload.failed", source=error.source, problems=problems))
        return
    log.info("programme reloaded from %s", programme.source)
    text = t("reload.done", source=programme.source, sessions=len(programme.sessions))
    if svc.edition.programme_text is not None:  # the file is in force again
        await svc.editions.set_programme_text(svc.edition.id, None)
        text = Html(f"{text} {t('programme_upload.reload_withdrew')}")
    scheduler_of(context.bot_data).request_sync()
    await reply(update, context, text)
