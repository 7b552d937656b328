"""UTF-16 arithmetic: Telegram measures entities in UTF-16 code units."""

from __future__ import annotations

import unicodedata
from typing import Any

Entity = dict[str, Any]


def u16(text: str) -> int:
    """Length of `text` in UTF-16 code units."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of `text` an entity with this UTF-16 offset and length covers."""
    data = text.encode("utf-16-le", "surrogatepass")
    return data[offset * 2 : (offset + length) * 2].decode("utf-16-le", "replace")


def byte_offset(text: str, index: int) -> int:
    """The UTF-8 byte offset of character `index`, as Telegram's parse errors report it."""
    return len(text[:index].encode("utf-8", "surrogatepass"))


def prefix_utf16(text: str) -> list[int]:
    """prefix[i] is the UTF-16 offset of character i (prefix[len(text)] is the total)."""
    prefix = [0]
    for ch in text:
        prefix.append(prefix[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return prefix


def is_word_character(ch: str) -> bool:
    """TDLib's word character: a letter, a number or an underscore."""
    return ch == "_" or unicodedata.category(ch)[0] in "LN"


def is_space(ch: str) -> bool:
    """TDLib's is_space, which also treats the end of the text (NUL) as a space."""
    return ch in " \t\r\n\0\v\f"


def entity_sort_key(entity: Entity) -> tuple[int, int, int]:
    return (entity["offset"], -entity["length"], PRIORITY.get(entity["type"], 50))


PRIORITY: dict[str, int] = {
    "mention": 50,
    "hashtag": 50,
    "cashtag": 50,
    "bot_command": 50,
    "url": 50,
    "email": 50,
    "phone_number": 50,
    "bank_card_number": 50,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "code": 20,
    "pre": 11,
    "text_link": 49,
    "text_mention": 49,
    "blockquote": 0,
    "expandable_blockquote": 0,
    "custom_emoji": 99,
    "date_time": 99,
}

SPLITTABLE = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})
BLOCKQUOTES = frozenset({"blockquote", "expandable_blockquote"})
AUTOMATIC = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bank_card_number",
    }
)
