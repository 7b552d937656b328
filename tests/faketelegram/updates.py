"""The bot's update queue and getUpdates with offsets, limits and long polling."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import conflict
from .signal import Signal

ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}

Update = dict[str, Any]


class UpdateQueue:
    def __init__(self, signal: Signal, first_update_id: int = 10_000) -> None:
        self._signal = signal
        self._next_id = first_update_id
        self.pending: list[Update] = []
        self.all: list[Update] = []  # every update ever queued, for inspection
        self._processed: set[int] = set()  # update ids a watched bot has finished with
        self.allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.webhook_url = ""
        self.waiting_polls = 0  # getUpdates calls waiting right now (long polling)
        self._poll_generation = 0
        self._releases = 0

    def push(self, kind: str, payload: dict[str, Any]) -> Update | None:
        """Queue an update; None if the bot's allowed_updates leave this type out."""
        if kind not in self.allowed:
            return None
        update: Update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self.pending.append(update)
        self.all.append(update)
        self._signal.fire()
        return update

    def mark_processed(self, update_id: int) -> None:
        self._processed.add(update_id)

    def unprocessed(self) -> list[Update]:
        """Updates still waiting for the bot: not fetched, or fetched and not yet processed."""
        return [u for u in self.pending if u["update_id"] not in self._processed]

    def take_all(self) -> list[Update]:
        """Hand every pending update over to the caller (as Telegram does to a webhook)."""
        taken, self.pending = self.pending, []
        return taken

    def set_allowed(self, names: Iterable[Any]) -> None:
        known = {str(name).lower() for name in names} & ALL_UPDATE_TYPES
        self.allowed = frozenset(known) if known else DEFAULT_UPDATE_TYPES

    def confirm(self, offset: int) -> None:
        if offset < 0:
            self.pending = self.pending[offset:]
        elif offset:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def drop_pending(self) -> None:
        self.pending.clear()

    def release_polls(self) -> None:
        """End every waiting long poll now (with what is pending), e.g. when shutting down."""
        self._releases += 1
        self._signal.fire()

    async def get_updates(
        self, offset: int, limit: int, poll_seconds: float, allowed: Any
    ) -> list[Update]:
        if self.webhook_url:
            raise conflict(
                "can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        if isinstance(allowed, list):
            self.set_allowed(allowed)
        self.confirm(offset)
        limit = limit if 1 <= limit <= 100 else 100
        self._poll_generation += 1
        mine, releases = self._poll_generation, self._releases
        self._signal.fire()  # an older waiting poll now ends with 409
        if not self.pending and poll_seconds > 0:
            self.waiting_polls += 1
            self._signal.fire()
            try:
                await self._signal.wait_until(
                    lambda: (
                        bool(self.pending)
                        or self._poll_generation != mine
                        or self._releases != releases
                    ),
                    poll_seconds,
                )
            finally:
                self.waiting_polls -= 1
        if self._poll_generation != mine:
            raise conflict(
                "terminated by other getUpdates request; "
                "make sure that only one bot instance is running"
            )
        return [dict(update) for update in self.pending[:limit]]
