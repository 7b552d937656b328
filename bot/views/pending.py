"""What a person is told when the step the bot waited for has expired."""

from __future__ import annotations

from bot.catalogue import Html, t
from bot.services.pending import Pending, PendingKind

# Steps whose expiry the person hears about; every other step simply stops waiting.
_EXPIRY_NOTICES = {PendingKind.REGISTRATION: "registration.expired"}


def expiry_notice(pending: Pending) -> Html | None:
    key = _EXPIRY_NOTICES.get(pending.kind)
    return t(key) if key is not None else None


def notice_chat(pending: Pending) -> int:
    """The chat to tell: the one the step was started in (a private chat's id is the user's)."""
    return pending.get_int("chat_id") or pending.telegram_id
