"""/groepen: intervisiegroepen and eindopdracht-groepjes, made and filled with buttons.

Coordinators only (the command has the coordinators filter; every button checks again).
Group names are typed; the step is read by handlers/announcements.py (group -3).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.catalogue import Html, plain, t
from bot.formatting import shorten
from bot.numbers import whole_number
from bot.services.groups import NAME_MAX, GroupError, GroupKind, GroupView
from bot.services.pending import Pending, PendingKind
from bot.services.registry import Services
from bot.views.groups import group_kind_label
from bot.views.keyboards import Button, keyboard
from bot.views.paging import page_line, page_rows, paginate
from handlers.context import Context, reply, services, user_id

log = logging.getLogger(__name__)

_GROUP_KINDS = {kind.value: kind for kind in GroupKind}

PAGE_SIZE = 10
BUTTON_NAME_MAX = 30


def _short(name: str | None) -> str:
    return shorten(name or "?", BUTTON_NAME_MAX)


def _members(group: GroupView) -> Html:
    if not group.members:
        return t("groups.no_members")
    return Html(", ".join(t("groups.member", name=m.name or "?") for m in group.members))


async def _overview(svc: Services) -> tuple[Html, InlineKeyboardMarkup]:
    found = await svc.groups.all()
    parts = [t("groups.header")]
    for kind in GroupKind:
        mine = [g for g in found if g.kind is kind]
        lines = [
            t("groups.line", name=g.name, count=len(g.members), members=_members(g)) for g in mine
        ]
        body = Html("\n".join(lines)) if lines else t("groups.none_yet")
        parts.append(t(f"groups.section_{kind.value}", groups=body))
    rows = [[(f"👥 {_short(g.name)} ({len(g.members)})", f"grp:o:{g.id}:0")] for g in found]
    rows.append([(plain("groups.new_intervisie"), "grp:new:intervisie")])
    rows.append([(plain("groups.new_eindopdracht"), "grp:new:eindopdracht")])
    return Html("\n\n".join(parts)), keyboard(rows)


async def _group_page(
    svc: Services, group_id: int, page: int
) -> tuple[Html, InlineKeyboardMarkup] | None:
    group = await svc.groups.get(group_id)
    if group is None:
        return None
    candidates = await svc.groups.candidates(group_id)
    shown = paginate(candidates, page, PAGE_SIZE)
    page = shown.page
    text = t(
        "groups.page",
        kind=group_kind_label(group.kind),
        name=group.name,
        count=len(group.members),
        members=_members(group),
    )
    footer = page_line(page, shown.pages, "groups.page_number")
    if not candidates:
        text = Html(f"{text}\n\n{t('groups.nobody_approved')}")
    elif footer is not None:
        text = Html(f"{text}\n\n{footer}")
    people: list[list[Button]] = []
    for person in shown.items:
        if person.in_group:
            label = plain("groups.button_in", name=_short(person.name))
        elif person.other_group:
            label = plain(
                "groups.button_elsewhere",
                name=_short(person.name),
                group=_short(person.other_group),
            )
        else:
            label = plain("groups.button_out", name=_short(person.name))
        people.append([(label, f"grp:t:{group_id}:{person.participant_id}:{page}")])
    rows = page_rows(
        people, page=page, pages=shown.pages, data=lambda n: f"grp:o:{group_id}:{n}", texts="groups"
    )
    if group.members:
        rows.append([(plain("buddies.button_introduce"), f"grp:intro:{group_id}")])
    rows.append([(t("groups.rename"), f"grp:ren:{group_id}"), (t("groups.all"), "grp:all")])
    return text, keyboard(rows)


async def _edit(update: Update, text: Html, markup: InlineKeyboardMarkup) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    except TelegramError as error:
        log.debug("could not update the group message: %s", error)


async def groups_command(update: Update, context: Context) -> None:
    text, markup = await _overview(services(context))
    await reply(update, context, text, reply_markup=markup)


async def take_name(update: Update, context: Context, pending: Pending) -> bool:
    """A typed name for a new group or a group being renamed."""
    message = update.effective_message
    if message is None:
        return False
    svc = services(context)
    coordinator = pending.telegram_id
    if not message.text:
        await reply(update, context, t("groups.ask_name_typed", limit=NAME_MAX))
        return True
    group_id = pending.get_int("group_id")
    try:
        if pending.kind is PendingKind.GROUP_RENAME and group_id is not None:
            group = await svc.groups.rename(group_id, message.text, svc.now())
        else:
            kind = _GROUP_KINDS.get(pending.get_str("kind") or "", GroupKind.INTERVISIE)
            group = await svc.groups.create(kind, message.text, svc.now())
    except GroupError as error:
        problem = t(f"groups.problem_{error.problem.value}", limit=NAME_MAX)
        if error.problem.value == "gone":
            await svc.pending.clear(coordinator, pending.kind)
            await reply(update, context, problem)
            return True
        await reply(update, context, Html(f"{problem}\n{t('groups.ask_name_again')}"))
        return True
    await svc.pending.clear(coordinator, pending.kind)
    page = await _group_page(svc, group.id, 0)
    assert page is not None
    text, markup = page
    await reply(update, context, text, reply_markup=markup)
    return True


async def button(update: Update, context: Context) -> None:
    """``grp:all``, ``grp:new:<kind>``, ``grp:o:<id>:<page>``, ``grp:t:<id>:<person>:<page>``,
    ``grp:ren:<id>``."""
    query = update.callback_query
    coordinator = user_id(update)
    if query is None or coordinator is None:
        return
    svc = services(context)
    parts = (query.data or "").split(":")
    numbers = [n for n in map(whole_number, parts[2:]) if n is not None]
    action = parts[1] if len(parts) > 1 else ""
    if action == "all":
        await query.answer()
        await _edit(update, *await _overview(svc))
    elif action == "new" and len(parts) == 3 and parts[2] in {k.value for k in GroupKind}:
        await query.answer()
        await svc.pending.start(
            coordinator, PendingKind.GROUP_NAME, {"kind": parts[2]}, svc.now()
        )
        kind = group_kind_label(parts[2])
        await reply(update, context, t("groups.ask_name", kind=kind, limit=NAME_MAX))
    elif action == "ren" and len(numbers) == 1 and await svc.groups.get(numbers[0]):
        await query.answer()
        await svc.pending.start(
            coordinator, PendingKind.GROUP_RENAME, {"group_id": numbers[0]}, svc.now()
        )
        await reply(update, context, t("groups.ask_rename", limit=NAME_MAX))
    elif action == "o" and len(numbers) == 2:
        await _show(update, svc, numbers[0], numbers[1])
    elif action == "t" and len(numbers) == 3:
        try:
            await svc.groups.toggle(numbers[0], numbers[1], svc.now())
        except GroupError:
            await query.answer(t("groups.problem_gone"), show_alert=True)
            return
        await _show(update, svc, numbers[0], numbers[2])
    else:
        await query.answer(t("groups.problem_gone"), show_alert=True)


async def _show(update: Update, svc: Services, group_id: int, page: int) -> None:
    query = update.callback_query
    assert query is not None
    found = await _group_page(svc, group_id, page)
    if found is None:
        await query.answer(t("groups.problem_gone"), show_alert=True)
        return
    await query.answer()
    await _edit(update, *found)
