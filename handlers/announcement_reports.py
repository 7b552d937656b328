"""After sending: /berichten (reports), /geplandeberichten (planned, cancel), corrections and
withdrawal of a sent announcement. Coordinators only; the router in handlers/announcements.py
checks that before anything here runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from telegram import Update

from bot.catalogue import Html, plain, t
from bot.formatting import shorten
from bot.models import AnnouncementState
from bot.services.announcement_types import (
    AnnouncementError,
    AnnouncementView,
    Content,
    check_content,
)
from bot.services.audiences import Audience, AudienceKind
from bot.services.pending import Pending, PendingKind
from bot.services.registry import Services
from bot.views.announcements import (
    counts_line,
    group_audience_label,
    issue_line,
    kind_label,
    plain_html,
    report_data,
    short_moment,
)
from bot.views.keyboards import keyboard
from bot.views.paging import in_rows
from handlers.context import Context, drop_buttons, reply, services, user_id
from scheduling.announcement_sender import send_content
from scheduling.outbox import outbox_of

log = logging.getLogger(__name__)

SNIPPET = 60
ISSUES_SHOWN = 30
REPORTS_PER_ROW = 5

def snippet(content: Content) -> str:
    text = " ".join(plain_html(Html(content.html)).split())
    if not text:
        return plain("announce.snippet_media")
    return shorten(text, SNIPPET)


async def planned_label(svc: Services, audience: Audience | None) -> str:
    """The audience of a planned announcement, before anyone is chosen from it."""
    if audience is None:
        return ""
    if audience.kind is AudienceKind.GROUP and audience.group_id is not None:
        group = await svc.groups.get(audience.group_id)
        if group is None:
            return plain("announce.group_gone")
        return group_audience_label(group.kind, group.name)
    return kind_label(audience.kind)


# -- /berichten and a report ------------------------------------------------------------------


async def list_command(update: Update, context: Context) -> None:
    svc = services(context)
    recent = await svc.announcements.recent()
    if not recent:
        await reply(update, context, t("announce.list_empty"))
        return
    lines = [t("announce.list_header")]
    for announcement, counts in recent:
        when = short_moment(announcement.started_at or announcement.created_at, svc.settings.tz)
        lines.append(
            t(
                "announce.list_line",
                number=announcement.id,
                when=when,
                audience=announcement.audience_label or "",
                snippet=snippet(announcement.content),
                counts=counts_line(counts),
                marks=_marks(announcement),
            )
        )
    buttons = [(f"📊 #{a.id}", report_data(a.id)) for a, _ in recent]
    markup = keyboard(in_rows(buttons, REPORTS_PER_ROW))
    await reply(update, context, Html("\n\n".join(lines)), reply_markup=markup)


def _marks(announcement: AnnouncementView) -> Html:
    marks = []
    if announcement.state is AnnouncementState.SENDING:
        marks.append(t("announce.mark_sending"))
    if announcement.edited_at is not None:
        marks.append(t("announce.mark_edited"))
    if announcement.withdrawn_at is not None:
        marks.append(t("announce.mark_withdrawn"))
    return Html("".join(marks))


async def show_report(update: Update, context: Context, number: int) -> None:
    svc = services(context)
    report = await svc.announcements.report(number)
    query = update.callback_query
    if report is None:
        if query is not None:
            await query.answer(t("announce.gone"), show_alert=True)
        return
    if query is not None:
        await query.answer()
    announcement = report.announcement
    when = short_moment(announcement.started_at or announcement.created_at, svc.settings.tz)
    parts = [
        t(
            "announce.report",
            number=announcement.id,
            when=when,
            audience=announcement.audience_label or "",
            snippet=snippet(announcement.content),
            counts=counts_line(report.counts),
            marks=_marks(announcement),
        )
    ]
    if report.issues:
        shown = [issue_line(issue) for issue in report.issues[:ISSUES_SHOWN]]
        if len(report.issues) > ISSUES_SHOWN:
            shown.append(t("announce.issues_more", count=len(report.issues) - ISSUES_SHOWN))
        parts.append(t("announce.issues", issues=Html("\n".join(shown))))
    if report.followup_failed:
        parts.append(t("announce.followup_failed", count=report.followup_failed))
    rows = [[(t("announce.refresh"), report_data(number))]]
    if announcement.withdrawn_at is None:
        rows.append(
            [
                (t("announce.correct"), f"ann:edit:{number}"),
                (t("announce.withdraw"), f"ann:wd:{number}"),
            ]
        )
    await reply(update, context, Html("\n\n".join(parts)), reply_markup=keyboard(rows))


# -- corrections ------------------------------------------------------------------------------


async def ask_correction(update: Update, context: Context, number: int) -> None:
    query = update.callback_query
    coordinator = user_id(update)
    assert query is not None
    assert coordinator is not None
    svc = services(context)
    found = await svc.announcements.get(number)
    live = (AnnouncementState.SENDING, AnnouncementState.SENT)
    if found is None or found.state not in live or found.withdrawn_at is not None:
        await query.answer(t("announce.gone"), show_alert=True)
        return
    await query.answer()
    await svc.pending.start(
        coordinator, PendingKind.ANNOUNCEMENT_EDIT, {"announcement_id": number}, svc.now()
    )
    key = "announce.ask_correction" if found.content.media_kind is None else (
        "announce.ask_correction_caption"
    )
    await reply(update, context, t(key, number=number))


async def take_correction(update: Update, context: Context, pending: Pending) -> bool:
    """The corrected text of an announcement that went out."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return False
    svc = services(context)
    coordinator = pending.telegram_id
    number = pending.get_int("announcement_id")
    if not message.text:
        await reply(update, context, t("announce.correction_text_only"))
        return True
    found = await svc.announcements.get(number) if number is not None else None
    if number is None or found is None:
        await svc.pending.clear(coordinator, PendingKind.ANNOUNCEMENT_EDIT)
        await reply(update, context, t("announce.gone"))
        return True
    corrected = Content(message.text_html, found.content.media_kind, found.content.file_id)
    try:
        check_content(corrected, len(message.text))
    except AnnouncementError as error:
        await reply(update, context, t(f"announce.problem_{error.problem.value}"))
        return True
    if corrected.html == found.content.html:
        await reply(update, context, t("announce.correction_same"))
        return True
    try:
        proposal, delivered = await svc.announcements.propose_edit(
            number, corrected.html, svc.now()
        )
    except AnnouncementError:
        await svc.pending.clear(coordinator, PendingKind.ANNOUNCEMENT_EDIT)
        await reply(update, context, t("announce.gone"))
        return True
    await svc.pending.clear(coordinator, PendingKind.ANNOUNCEMENT_EDIT)
    await send_content(context.bot, chat.id, corrected)
    rows = [
        [(t("announce.correct_confirm"), f"ann:ed:{number}:{proposal.token}")],
        [(t("announce.correct_cancel"), f"ann:edx:{number}")],
    ]
    text = t("announce.confirm_correction", number=number, count=delivered)
    await reply(update, context, text, reply_markup=keyboard(rows))
    return True


async def confirm_correction(update: Update, context: Context, number: int, token: str) -> None:
    svc = services(context)
    await _confirm_follow_up(update, context, svc.announcements.confirm_edit, number, token,
                             "announce.correcting")


async def _confirm_follow_up(
    update: Update,
    context: Context,
    confirm: Callable[[int, str, int, dt.datetime], Awaitable[object]],
    number: int,
    token: str,
    done_key: str,
) -> None:
    """A confirmed correction or withdrawal: record it once, then let the outbox do it."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    try:
        await confirm(number, token, chat.id, services(context).now())
    except AnnouncementError:
        await query.answer(t("announce.stale"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(update)
    await reply(update, context, t(done_key, number=number))
    outbox_of(context.bot_data).wake()


# -- withdrawal -------------------------------------------------------------------------------


async def ask_withdraw(update: Update, context: Context, number: int) -> None:
    query = update.callback_query
    assert query is not None
    svc = services(context)
    try:
        proposal = await svc.announcements.propose_withdraw(number, svc.now())
    except AnnouncementError:
        await query.answer(t("announce.gone"), show_alert=True)
        return
    await query.answer()
    delivered = (await svc.announcements.counts(number)).delivered
    rows = [
        [(t("announce.withdraw_confirm"), f"ann:wdy:{number}:{proposal.token}")],
        [(t("announce.withdraw_cancel"), f"ann:keep:{number}")],
    ]
    text = t("announce.confirm_withdraw", number=number, count=delivered)
    await reply(update, context, text, reply_markup=keyboard(rows))


async def confirm_withdraw(update: Update, context: Context, number: int, token: str) -> None:
    svc = services(context)
    await _confirm_follow_up(update, context, svc.announcements.confirm_withdraw, number, token,
                             "announce.withdrawing")


async def keep(update: Update, context: Context, number: int) -> None:
    """Not correcting or withdrawing after all: the confirm button expires."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    await svc.announcements.drop_proposal(number, svc.now())
    await query.answer()
    await drop_buttons(update)
    await reply(update, context, t("announce.kept", number=number))


# -- planned announcements --------------------------------------------------------------------


async def planned_command(update: Update, context: Context) -> None:
    svc = services(context)
    planned = await svc.announcements.scheduled()
    if not planned:
        await reply(update, context, t("announce.planned_empty"))
        return
    lines = [t("announce.planned_header")]
    rows: list[list[tuple[str, str]]] = []
    for announcement in planned:
        assert announcement.scheduled_for is not None
        lines.append(
            t(
                "announce.planned_line",
                number=announcement.id,
                when=short_moment(announcement.scheduled_for, svc.settings.tz),
                audience=await planned_label(svc, announcement.audience),
                snippet=snippet(announcement.content),
            )
        )
        rows.append(
            [
                (t("announce.planned_view", number=announcement.id), f"ann:view:{announcement.id}"),
                (t("announce.planned_cancel", number=announcement.id),
                 f"ann:unplan:{announcement.id}"),
            ]
        )
    await reply(update, context, Html("\n\n".join(lines)), reply_markup=keyboard(rows))


async def view_planned(update: Update, context: Context, number: int) -> None:
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    found = await services(context).announcements.get(number)
    if found is None or found.state is not AnnouncementState.SCHEDULED:
        await query.answer(t("announce.unplan_gone"), show_alert=True)
        return
    await query.answer()
    await send_content(context.bot, chat.id, found.content)


async def unplan(update: Update, context: Context, number: int) -> None:
    query = update.callback_query
    assert query is not None
    svc = services(context)
    if not await svc.announcements.cancel_scheduled(number, svc.now()):
        await query.answer(t("announce.unplan_gone"), show_alert=True)
        return
    outbox_of(context.bot_data).unschedule(number)
    await query.answer()
    await reply(update, context, t("announce.unplanned", number=number))


async def button(update: Update, context: Context, action: str, number: int, extra: str) -> bool:
    """The report, correction, withdrawal and planning buttons; False for anything else."""
    if action == "rep":
        await show_report(update, context, number)
    elif action == "edit":
        await ask_correction(update, context, number)
    elif action == "ed":
        await confirm_correction(update, context, number, extra)
    elif action == "wd":
        await ask_withdraw(update, context, number)
    elif action == "wdy":
        await confirm_withdraw(update, context, number, extra)
    elif action in {"edx", "keep"}:
        await keep(update, context, number)
    elif action == "view":
        await view_planned(update, context, number)
    elif action == "unplan":
        await unplan(update, context, number)
    else:
        return False
    return True
