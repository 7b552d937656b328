"""What the fake stores: calls, chats and messages (mutable, so edits show everywhere)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .keyboards import Markup, button_texts

ApiObject = dict[str, Any]


@dataclass
class ApiCall:
    """One request to the fake Bot API, with its decoded parameters and the answer."""

    method: str
    params: dict[str, Any]
    status: int = 200
    response: ApiObject = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        value = self.response.get("description")
        return value if isinstance(value, str) else None


@dataclass(eq=False)
class FakeChat:
    id: int
    type: str  # "private", "group", "supergroup" or "channel"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    members: set[int] = field(default_factory=set)
    bot_is_admin: bool = False
    bot_kicked: bool = False

    def to_api(self) -> ApiObject:
        chat: ApiObject = {"id": self.id, "type": self.type}
        if self.type == "private":
            chat["first_name"] = self.first_name or ""
            if self.last_name:
                chat["last_name"] = self.last_name
        else:
            chat["title"] = self.title or ""
        if self.username:
            chat["username"] = self.username
        return chat

    def full_info(self) -> ApiObject:
        """ChatFullInfo, as getChat answers."""
        info = self.to_api()
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return info


@dataclass
class CallbackRecord:
    """A button press sent to the bot, and how (if at all) the bot answered it."""

    id: str
    user_id: int
    data: str
    message_id: int
    chat_id: int
    answered: bool = False
    answer: dict[str, Any] | None = None


@dataclass(eq=False)
class FakeMessage:
    """A message as the fake stores it; edits change it in place."""

    message_id: int
    chat: FakeChat
    date: int
    from_bot: bool
    sender: ApiObject | None = None  # the User who sent it (None in channels)
    text: str | None = None
    html: str | None = None
    parse_mode: str | None = None
    entities: list[ApiObject] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[ApiObject] = field(default_factory=list)
    reply_markup: Markup | None = None
    document: ApiObject | None = None
    photo: list[ApiObject] | None = None
    sticker: ApiObject | None = None
    location: ApiObject | None = None
    contact: ApiObject | None = None
    file_bytes: bytes | None = field(default=None, repr=False)
    reply_to: FakeMessage | None = None
    edits: int = 0
    edit_date: int | None = None
    protected: bool = False
    link_preview_options: ApiObject | None = None
    forward_origin: ApiObject | None = None
    extra: ApiObject = field(default_factory=dict)

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def has_inline_keyboard(self) -> bool:
        return bool(self.reply_markup and "inline_keyboard" in self.reply_markup)

    def buttons(self) -> list[list[str]]:
        """Inline keyboard button texts, row by row."""
        return button_texts(self.reply_markup)

    def button_data(self) -> list[list[str | None]]:
        """Inline keyboard callback_data, row by row (None for url and other buttons)."""
        if not self.has_inline_keyboard or self.reply_markup is None:
            return []
        return [
            [button.get("callback_data") for button in row]
            for row in self.reply_markup["inline_keyboard"]
        ]

    def inline_buttons(self) -> list[ApiObject]:
        if not self.has_inline_keyboard or self.reply_markup is None:
            return []
        return [button for row in self.reply_markup["inline_keyboard"] for button in row]

    def reply_keyboard(self) -> list[list[str]]:
        """Texts of the reply keyboard sent with this message, row by row."""
        if not self.reply_markup or "keyboard" not in self.reply_markup:
            return []
        return [[button["text"] for button in row] for row in self.reply_markup["keyboard"]]

    @property
    def content(self) -> str:
        """Text or caption, for assertions that do not care which."""
        return self.text if self.text is not None else (self.caption or "")

    def to_api(self, *, with_reply: bool = True) -> ApiObject:
        """The Bot API Message object."""
        message: ApiObject = {"message_id": self.message_id}
        if self.sender is not None:
            message["from"] = self.sender
        if self.chat.type == "channel":
            message["sender_chat"] = self.chat.to_api()
        message["chat"] = self.chat.to_api()
        message["date"] = self.date
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.forward_origin is not None:
            message["forward_origin"] = self.forward_origin
        if with_reply and self.reply_to is not None:
            message["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.protected:
            message["has_protected_content"] = True
        if self.text is not None:
            message["text"] = self.text
            if self.entities:
                message["entities"] = [dict(e) for e in self.entities]
            if self.link_preview_options:
                message["link_preview_options"] = self.link_preview_options
        for name in ("document", "sticker", "location", "contact"):
            value = getattr(self, name)
            if value is not None:
                message[name] = value
        if self.photo is not None:
            message["photo"] = self.photo
        if self.caption is not None:
            message["caption"] = self.caption
            if self.caption_entities:
                message["caption_entities"] = [dict(e) for e in self.caption_entities]
        message.update(self.extra)
        if self.has_inline_keyboard:
            message["reply_markup"] = self.reply_markup
        return message

    def describe(self) -> str:
        who = "bot" if self.from_bot else (self.sender or {}).get("first_name", "?")
        kinds = ("document", "photo", "sticker", "location", "contact")
        body = self.content or next((k for k in kinds if getattr(self, k)), "")
        keyboard = f" {self.buttons()}" if self.buttons() else ""
        return f"#{self.message_id} {who}: {body!r}{keyboard}"
