"""Telegram tells the bot when a user blocks or unblocks it (``my_chat_member`` updates)."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update

from handlers.context import Context, services

log = logging.getLogger(__name__)


async def membership_changed(update: Update, context: Context) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type != change.chat.PRIVATE:
        return
    svc = services(context)
    status = change.new_chat_member.status
    if status in (ChatMember.BANNED, ChatMember.LEFT):
        log.info("chat %s blocked the bot", change.chat.id)
        await svc.contacts.mark_blocked(change.chat.id, svc.now())
    elif status == ChatMember.MEMBER:
        log.info("chat %s unblocked the bot", change.chat.id)
        await svc.contacts.mark_reachable(change.chat.id)
