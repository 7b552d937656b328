"""Request parameters as the Bot API reads them.

PTB sends every parameter as a form field (multipart when files are attached): strings as
they are, everything else JSON-encoded ("123", "true", '{"inline_keyboard": ...}'). Telegram
knows each parameter's type, so decoding is by name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request

INT_FIELDS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "user_id",
        "until_date",
        "duration",
        "width",
        "height",
        "max_connections",
    }
)
BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
        "for_channels",
        "revoke_messages",
        "only_if_banned",
    }
)
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "commands",
        "menu_button",
        "media",
        "results",
        "options",
        "message_ids",
        "permissions",
        "rights",
        "reaction",
    }
)
CHAT_ID_FIELDS = frozenset({"chat_id", "from_chat_id"})
_LEADING_INT = re.compile(r"^-?\d+")

JSON_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
    "scope": "can't parse BotCommandScope JSON object",
    "commands": "can't parse commands JSON object",
    "reply_parameters": "can't parse reply parameters JSON object",
    "link_preview_options": "can't parse link preview options JSON object",
    "allowed_updates": "can't parse allowed updates JSON object",
    "menu_button": "can't parse menu button JSON object",
    "message_ids": "can't parse message identifiers JSON object",
}


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    part_name: str
    file_name: str | None
    mime_type: str | None
    content: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"UploadedFile({self.file_name!r}, {self.mime_type!r}, {len(self.content)} bytes)"


class _Undecodable(str):
    """A JSON parameter that did not parse; kept as the raw text for inspection."""


def decode(raw: dict[str, Any]) -> dict[str, Any]:
    """Typed parameters: ints, bools, JSON values by name; files as UploadedFile."""
    decoded: dict[str, Any] = {}
    for name, value in raw.items():
        decoded[name] = _decode_one(name, value)
    return decoded


def _decode_one(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return _Undecodable(value)
    if name in INT_FIELDS or name in CHAT_ID_FIELDS:
        if re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        return value
    if name in BOOL_FIELDS:
        return value.strip().lower() in ("true", "yes", "1")
    return value


def get_json(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, _Undecodable):
        raise bad_request(JSON_ERRORS.get(name, f"can't parse {name} JSON object"))
    if isinstance(value, str) and name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError as error:
            raise bad_request(JSON_ERRORS.get(name, f"can't parse {name} JSON object")) from error
    return value


def get_int(params: dict[str, Any], name: str, default: int = 0) -> int:
    """Telegram reads numbers by their leading digits; anything else is 0."""
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    match = _LEADING_INT.match(str(value).strip())
    return int(match.group()) if match else 0


def get_bool(params: dict[str, Any], name: str) -> bool:
    value = params.get(name)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value)


def get_str(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)
