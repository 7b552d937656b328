"""Buddies: the coordinator introduces a group's members to each other (a button on the
group's page under /groepen); members consent to share their account, see their groups with
/buddies and send one message to their whole group through the bot."""

from __future__ import annotations

import logging

from telegram import Update

from bot.catalogue import plain, t
from bot.numbers import whole_number
from bot.services.buddies import MESSAGE_MAX
from bot.services.groups import GroupError
from bot.services.pending import Pending, PendingKind
from bot.views import buddies as views
from handlers.context import Context, deliverer, replace_message, reply, services, user_id

log = logging.getLogger(__name__)


async def introduce_button(update: Update, context: Context) -> None:
    """``grp:intro:<group>`` (coordinators): introduce whoever was not introduced yet."""
    query = update.callback_query
    if query is None:
        return
    group_id = whole_number((query.data or "").rsplit(":", 1)[-1])
    svc = services(context)
    try:
        found = await svc.buddies.introduce(group_id or 0, svc.now())
    except GroupError:
        await query.answer(plain("groups.problem_gone"), show_alert=True)
        return
    await query.answer()
    final = await svc.certificates.final_module()
    send = deliverer(context)
    for person in found.newcomers:
        if person.chat_id is not None:
            text, markup = views.introduction(found, person, final)
            await send.send_message(person.chat_id, text, reply_markup=markup)
    if found.newcomers:
        note = views.newcomer_note(found)
        for person in found.others:
            if person.chat_id is not None:
                await send.send_message(person.chat_id, note)
    log.info("group %d: %d introduced, %d told", found.group_id, len(found.newcomers),
             len(found.others))
    await reply(update, context, views.introduced(found))


async def buddies_command(update: Update, context: Context) -> None:
    telegram_id = user_id(update)
    if telegram_id is None:
        return
    svc = services(context)
    groups = await svc.buddies.my_groups(telegram_id)
    if groups is None:
        await reply(update, context, t("buddies.not_participant"))
        return
    text, markup = views.overview(groups, await svc.certificates.final_module())
    await reply(update, context, text, reply_markup=markup)


async def button(update: Update, context: Context) -> None:
    """``bud:share:<group>:<1|0>`` and ``bud:msg:<group>``; only for the group's members."""
    query, telegram_id = update.callback_query, user_id(update)
    if query is None or telegram_id is None:
        return
    svc = services(context)
    parts = (query.data or "").split(":")
    group_id = whole_number(parts[2]) if len(parts) > 2 else None
    if group_id is None:
        await query.answer(plain("buddies.not_for_you"), show_alert=True)
        return
    if parts[1] == "msg" and len(parts) == 3:
        found = await svc.buddies.message(telegram_id, group_id)
        if found is None:
            await query.answer(plain("buddies.not_for_you"), show_alert=True)
            return
        await query.answer()
        if not found.recipients:
            await reply(update, context, t("buddies.nobody_else", group=found.group_name))
            return
        await svc.pending.start(telegram_id, PendingKind.BUDDY_MESSAGE, {"group_id": group_id},
                                svc.now())
        await reply(update, context, views.ask_message(found, MESSAGE_MAX))
        return
    if parts[1] == "share" and len(parts) == 4 and parts[3] in ("0", "1"):
        shared = parts[3] == "1"
        if not await svc.buddies.consent(telegram_id, group_id, shared, svc.now()):
            await query.answer(plain("buddies.not_for_you"), show_alert=True)
            return
        group = await svc.groups.get(group_id)
        name = group.name if group else ""
        await query.answer(plain("buddies.shared_now" if shared else "buddies.private_now",
                                 group=name))
        await _refresh(update, context, telegram_id)
        return
    await query.answer(plain("buddies.not_for_you"), show_alert=True)


async def _refresh(update: Update, context: Context, telegram_id: int) -> None:
    """After a consent tap: the message becomes /buddies as it is now."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    groups = await svc.buddies.my_groups(telegram_id) or []
    text, markup = views.overview(groups, await svc.certificates.final_module())
    await replace_message(update, context, text, markup)


async def take_message(update: Update, context: Context, pending: Pending) -> bool:
    """The member's message to their group: sent to every other member, once."""
    message = update.effective_message
    group_id = pending.get_int("group_id")
    if message is None or group_id is None:
        return False
    if message.text is None or not message.text.strip():
        await reply(update, context, t("buddies.empty"))
        return True
    if len(message.text) > MESSAGE_MAX:
        await reply(update, context, t("buddies.too_long", limit=MESSAGE_MAX))
        return True
    svc = services(context)
    await svc.pending.clear(pending.telegram_id, PendingKind.BUDDY_MESSAGE)
    found = await svc.buddies.message(pending.telegram_id, group_id)
    if found is None:
        await reply(update, context, t("buddies.not_for_you"))
        return True
    text = views.group_message(found, message.text.strip())
    delivered = 0
    for person in found.recipients:
        if person.chat_id is not None:
            delivered += (await deliverer(context).send_message(person.chat_id, text)).delivered
    count = len(found.recipients)
    await reply(update, context, t("buddies.sent", count=count, group=found.group_name)
                if delivered == count else
                t("buddies.sent_partly", delivered=delivered, count=count,
                  group=found.group_name))
    log.info("a member's message to group %d reached %d of %d", group_id, delivered, count)
    return True


async def cancel_step(update: Update, context: Context, pending: Pending) -> None:
    await services(context).pending.clear(pending.telegram_id, PendingKind.BUDDY_MESSAGE)
    await reply(update, context, t("buddies.cancelled"))
