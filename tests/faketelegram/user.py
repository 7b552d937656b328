"""Simulated people: they send messages and press buttons, and read what the bot sends."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .files import sample_png
from .formatting import Formatted, finalize, is_blank, parse
from .models import CallbackRecord, FakeChat, FakeMessage

if TYPE_CHECKING:
    from .server import FakeTelegram

ApiObject = dict[str, Any]


class SimulatedUser:
    """A Telegram user talking to the bot; their private chat id equals their user id."""

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str,
    ) -> None:
        self.fake = fake
        self.id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.started = True
        self._cursors: dict[int, int] = {}

    def __repr__(self) -> str:
        return f"SimulatedUser({self.id}, {self.first_name!r})"

    def to_api(self) -> ApiObject:
        """The Bot API User object."""
        user: ApiObject = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @property
    def chat(self) -> FakeChat:
        return self.fake.chats[self.chat_id]

    # -- sending ------------------------------------------------------------------------------

    def _post(self, chat: FakeChat, reply_to: FakeMessage | None, **fields: Any) -> FakeMessage:
        if chat.type == "private":
            self.started = True  # blocking stays: model a restart with unblock_bot()
        else:
            chat.members.add(self.id)
        message = self.fake.new_message(
            chat, from_bot=False, sender=self.to_api(), reply_to=reply_to, **fields
        )
        self.fake.updates.push("message", message.to_api())
        return message

    @staticmethod
    def _format(text: str) -> Formatted:
        formatted = finalize(parse(text, None, None))
        if is_blank(formatted.text):
            raise AssertionError("Telegram apps do not send an empty message")
        return formatted

    async def send(self, text: str, *, reply_to: FakeMessage | None = None) -> FakeMessage:
        """A private text message; commands, links etc. get their entities, as on Telegram."""
        return await self.send_in(self.chat, text, reply_to=reply_to)

    async def send_in(
        self, chat: FakeChat, text: str, *, reply_to: FakeMessage | None = None
    ) -> FakeMessage:
        """A text message in any chat (the user joins a group on their first message)."""
        formatted = self._format(text)
        return self._post(chat, reply_to, text=formatted.text, entities=formatted.entities)

    async def reply(self, message: FakeMessage, text: str) -> FakeMessage:
        """A text message that replies to `message` (e.g. to answer a ForceReply)."""
        return await self.send_in(message.chat, text, reply_to=message)

    def keyboard(self, chat: FakeChat | None = None) -> list[list[str]]:
        """The reply keyboard the bot shows now (the last one sent and not removed)."""
        for message in reversed(self.fake.bot_messages((chat or self.chat).id)):
            markup = message.reply_markup or {}
            if "keyboard" in markup:
                return message.reply_keyboard()
            if markup.get("remove_keyboard"):
                return []
        return []

    async def press(self, text: str, chat: FakeChat | None = None) -> FakeMessage:
        """Press a reply keyboard button: sends its text, if the keyboard shows it."""
        rows = self.keyboard(chat)
        if not any(text in row for row in rows):
            raise AssertionError(f"no reply keyboard button {text!r}; keyboard: {rows}")
        return await self.send_in(chat or self.chat, text)

    async def send_sticker(self, emoji: str = "👍") -> FakeMessage:
        stored = self.fake.files.add_sticker()
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.file_size,
        }
        return self._post(self.chat, None, sticker=sticker)

    async def send_photo(
        self, caption: str | None = None, content: bytes | None = None
    ) -> FakeMessage:
        sizes = self.fake.files.add_photo(content or sample_png())
        fields: dict[str, Any] = {"photo": [size.photo_size() for size in sizes]}
        fields["file_bytes"] = sizes[-1].content
        if caption and not is_blank(caption):
            formatted = finalize(parse(caption, None, None))
            fields.update(caption=formatted.text, caption_entities=formatted.entities)
        return self._post(self.chat, None, **fields)

    async def send_document(
        self,
        file_name: str = "document.pdf",
        content: bytes = b"%PDF-1.4\n%fake\n",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> FakeMessage:
        stored = self.fake.files.add_document(content, file_name, mime_type)
        fields: dict[str, Any] = {"document": stored.document(), "file_bytes": content}
        if caption and not is_blank(caption):
            formatted = finalize(parse(caption, None, None))
            fields.update(caption=formatted.text, caption_entities=formatted.entities)
        return self._post(self.chat, None, **fields)

    async def send_location(
        self, latitude: float = 53.2194, longitude: float = 6.5665
    ) -> FakeMessage:
        location = {"latitude": latitude, "longitude": longitude}
        return self._post(self.chat, None, location=location)

    async def send_contact(
        self, phone_number: str = "+31612345678", first_name: str | None = None
    ) -> FakeMessage:
        """Share a contact; without first_name it is the user's own (with their user_id)."""
        contact: ApiObject = {"phone_number": phone_number}
        contact["first_name"] = first_name or self.first_name
        if first_name is None:
            contact["user_id"] = self.id
        return self._post(self.chat, None, contact=contact)

    async def edit(self, message: FakeMessage, new_text: str) -> None:
        """Edit one of the user's own messages: the bot gets an edited_message update."""
        if message.sender is None or message.sender.get("id") != self.id:
            raise AssertionError("a user can only edit their own messages")
        formatted = self._format(new_text)
        message.text, message.entities = formatted.text, formatted.entities
        message.edits += 1
        message.edit_date = int(time.time())
        self.fake.signal.fire()
        self.fake.updates.push("edited_message", message.to_api())

    async def tap(self, message: FakeMessage, button: str) -> str:
        """Press an inline button (by text or callback_data); returns the callback query id."""
        current = self.fake.message(message.chat_id, message.message_id)
        if current is None:
            raise AssertionError(f"message #{message.message_id} is gone (deleted)")
        buttons = current.inline_buttons()
        found = next((b for b in buttons if b["text"] == button), None) or next(
            (b for b in buttons if b.get("callback_data") == button), None
        )
        if found is None:
            raise AssertionError(
                f"no inline button {button!r} on message #{current.message_id}; "
                f"buttons: {current.buttons()}, callback_data: {current.button_data()}"
            )
        if "callback_data" not in found:
            kind = next(k for k in found if k != "text")
            raise AssertionError(f"button {button!r} is a {kind} button, it can't be tapped")
        query_id = self.fake.next_callback_id()
        self.fake.callback_queries[query_id] = CallbackRecord(
            query_id, self.id, found["callback_data"], current.message_id, current.chat_id
        )
        if current.chat.type != "private":
            current.chat.members.add(self.id)
        self.fake.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": self.to_api(),
                "message": current.to_api(),
                "chat_instance": self.fake.chat_instance(current.chat_id),
                "data": found["callback_data"],
            },
        )
        return query_id

    async def press_data(
        self, data: str, message: FakeMessage | None = None, *, chat: FakeChat | None = None
    ) -> str:
        """A button press with any callback_data: a stale or forged button, as a modified app
        or an old keyboard sends it. It comes on `message`, else on the bot's last message in
        the chat; without one (or when `message` was deleted) the update carries an
        InaccessibleMessage (date 0), as Telegram sends for messages the bot can't see.
        Returns the callback query id."""
        if not data or len(data.encode("utf-8")) > 64:
            raise AssertionError("callback_data is 1-64 bytes on Telegram")
        where = message.chat if message is not None else (chat or self.chat)
        if message is None:
            found = self.fake.bot_messages(where.id)
            message = found[-1] if found else None
        current = self.fake.message(where.id, message.message_id) if message else None
        message_id = message.message_id if message is not None else 1
        shown: ApiObject = (
            current.to_api()
            if current is not None
            else {"chat": where.to_api(), "message_id": message_id, "date": 0}
        )
        query_id = self.fake.next_callback_id()
        self.fake.callback_queries[query_id] = CallbackRecord(
            query_id, self.id, data, message_id, where.id
        )
        if where.type != "private":
            where.members.add(self.id)
        self.fake.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": self.to_api(),
                "message": shown,
                "chat_instance": self.fake.chat_instance(where.id),
                "data": data,
            },
        )
        return query_id

    async def callback_answer(
        self,
        callback_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Wait for the bot's answerCallbackQuery; its text, show_alert, url and cache_time."""
        record = self.fake.callback_queries.get(callback_id)
        if record is None:
            raise AssertionError(f"unknown callback query {callback_id!r}")
        if not await self.fake.signal.wait_until(lambda: record.answered, timeout):
            raise AssertionError(f"no answer to callback query {callback_id} in {timeout}s")
        return dict(record.answer or {})

    def block_bot(self) -> None:
        self.fake.block(self.id)

    def unblock_bot(self) -> None:
        self.fake.unblock(self.id)

    # -- reading -----------------------------------------------------------------------------

    def messages(self, chat: FakeChat | None = None) -> list[FakeMessage]:
        """Every bot message in the chat (private by default)."""
        return self.fake.bot_messages((chat or self.chat).id)

    def unread(self, chat: FakeChat | None = None) -> list[FakeMessage]:
        """Bot messages this user has not consumed yet (next_message consumes)."""
        chat_id = (chat or self.chat).id
        cursor = self._cursors.get(chat_id, 0)
        return [m for m in self.fake.bot_messages(chat_id) if m.message_id > cursor]

    def documents(self, chat: FakeChat | None = None) -> list[FakeMessage]:
        return [m for m in self.messages(chat) if m.document is not None or m.photo is not None]

    async def next_message(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109
        chat: FakeChat | None = None,
    ) -> FakeMessage:
        """The next bot message this user has not consumed; waits for it to arrive."""
        chat_id = (chat or self.chat).id
        return await self._next_after(chat_id, self._cursors.get(chat_id, 0), timeout)

    async def ask(self, text: str, timeout: float = 5.0) -> FakeMessage:  # noqa: ASYNC109
        """send(text), then the first bot message after it (older unread ones are skipped)."""
        sent = await self.send(text)
        return await self._next_after(self.chat_id, sent.message_id, timeout)

    async def _next_after(self, chat_id: int, after: int, within: float) -> FakeMessage:
        def waiting() -> list[FakeMessage]:
            return [m for m in self.fake.bot_messages(chat_id) if m.message_id > after]

        if not await self.fake.signal.wait_until(lambda: bool(waiting()), within):
            failed = [
                f"  {c.method} {c.status}: {c.description}" for c in self.fake.calls if not c.ok
            ]
            raise AssertionError(
                f"{self.first_name} ({self.id}) got no new bot message within {within}s.\n"
                f"Chat history:\n{self.fake.format_history(chat_id)}\n"
                f"Failed API calls:\n" + ("\n".join(failed[-10:]) or "  none")
            )
        message = waiting()[0]
        self._cursors[chat_id] = max(self._cursors.get(chat_id, 0), message.message_id)
        return message

    async def expect_no_message(self, chat: FakeChat | None = None) -> None:
        """Assert the bot sent nothing new, once it has processed every update and has
        nothing left running (FakeTelegram.settle), never after a guessed wait."""
        await self.fake.settle()
        if self.unread(chat):
            sent = "\n".join(m.describe() for m in self.unread(chat))
            raise AssertionError(f"expected no bot message, but got:\n{sent}")
