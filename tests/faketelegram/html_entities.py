"""parse_mode=HTML, ported from TDLib's parse_html (td/telegram/MessageEntity.cpp).

Differences from a browser are deliberate, because Telegram has them too: only the listed
tags, only &lt; &gt; &amp; &quot; and numeric character references are decoded (any other
'&name;' stays in the text as it is), and every '<' must start a supported tag.
"""

from __future__ import annotations

from dataclasses import dataclass

from .links import checked_link, link_user_id
from .textutil import Entity, byte_offset, is_space, u16

ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(ValueError):
    """The reason after "Bad Request: can't parse entities: "."""


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset in the result
    begin: int  # index in the result characters
    expandable: bool = False
    extra: str = ""


def decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """The character a reference at text[pos] == '&' stands for and the index after it."""
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else "\0"

    end = pos + 1
    code = 0
    if at(pos + 1) == "#":
        end += 1
        digits = "0123456789abcdefABCDEF" if at(pos + 2) == "x" else "0123456789"
        base = 16 if at(pos + 2) == "x" else 10
        if base == 16:
            end += 1
        while at(end) in digits:
            code = code * base + int(at(end), base)
            end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while at(end).isascii() and at(end).isalpha():
            end += 1
        named = _NAMED.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if at(end) == ";":
        end += 1
    return char, end


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Plain text and entities (UTF-16 offsets) of an HTML-formatted message."""
    parser = _HtmlParser(text)
    return parser.run()


class _HtmlParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.out: list[str] = []
        self.utf16 = 0
        self.entities: list[Entity] = []
        self.nested: list[_Open] = []

    def at(self, k: int) -> str:
        return self.text[k] if k < self.n else "\0"

    def fail(self, reason: str, index: int | None = None) -> EntityParseError:
        if index is not None:
            reason += f" at byte offset {byte_offset(self.text, index)}"
        return EntityParseError(reason)

    def run(self) -> tuple[str, list[Entity]]:
        i = 0
        while i < self.n:
            c = self.text[i]
            if c == "&":
                decoded = decode_html_entity(self.text, i)
                if decoded is not None:
                    char, i = decoded
                    if 0xD800 <= ord(char) <= 0xDFFF:
                        raise self.fail(
                            "Text contains invalid Unicode characters after decoding HTML "
                            "entities, check for unmatched surrogate code units"
                        )
                    self.out.append(char)
                    self.utf16 += u16(char)
                    continue
            if c != "<":
                self.out.append(c)
                self.utf16 += u16(c)
                i += 1
                continue
            i = self.end_tag(i) if self.at(i + 1) == "/" else self.start_tag(i)
        if self.nested:
            raise self.fail(
                f'Can\'t find end tag corresponding to start tag "{self.nested[-1].tag}"'
            )
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        return "".join(self.out), self.entities

    def start_tag(self, begin: int) -> int:
        i = begin + 1
        while not is_space(self.at(i)) and self.at(i) != ">":
            i += 1
        if self.at(i) == "\0":
            raise self.fail("Unclosed start tag", begin)
        tag = self.text[begin + 1 : i].lower()
        if tag not in ALLOWED_TAGS:
            raise self.fail(f'Unsupported start tag "{tag}"', begin)
        opened = _Open(tag, "", self.utf16, len(self.out))
        while self.at(i) != ">":
            while self.at(i) != "\0" and is_space(self.at(i)):
                i += 1
            if self.at(i) == ">":
                break
            name_begin = i
            while not is_space(self.at(i)) and self.at(i) not in "=>":
                i += 1
            name = self.text[name_begin:i]
            if not name:
                raise self.fail(f'Empty attribute name in the tag "{tag}"', begin)
            while self.at(i) != "\0" and is_space(self.at(i)):
                i += 1
            if self.at(i) != "=":
                if tag == "blockquote" and name.lower() == "expandable":
                    opened.expandable = True
                    continue
                raise self.fail(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}"', begin
                )
            i += 1
            while self.at(i) != "\0" and is_space(self.at(i)):
                i += 1
            if self.at(i) == "\0":
                raise self.fail(f'Unclosed start tag "{tag}"', begin)
            value, i = self.attribute_value(i)
            if self.at(i) == "\0":
                raise self.fail("Unclosed start tag", begin)
            self.apply_attribute(opened, name, value)
        if tag == "span" and opened.argument != "spoiler":
            raise self.fail('Tag "span" must have class "tg-spoiler"', begin)
        self.nested.append(opened)
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        if self.at(i) not in "'\"":
            token_begin = i
            while self.at(i).isascii() and (self.at(i).isalnum() or self.at(i) in ".-"):
                i += 1
            if not is_space(self.at(i)) and self.at(i) != ">":
                raise self.fail("Unexpected end of name token", token_begin)
            return self.text[token_begin:i].lower(), i
        quote = self.text[i]
        i += 1
        chars: list[str] = []
        while self.at(i) != quote and self.at(i) != "\0":
            if self.at(i) == "&":
                decoded = decode_html_entity(self.text, i)
                if decoded is not None:
                    chars.append(decoded[0])
                    i = decoded[1]
                    continue
            chars.append(self.text[i])
            i += 1
        if self.at(i) == quote:
            i += 1
        return "".join(chars), i

    @staticmethod
    def apply_attribute(opened: _Open, name: str, value: str) -> None:
        tag = opened.tag
        if tag == "a" and name == "href":
            opened.argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            opened.argument = value[len("language-") :]
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            opened.argument = value[len("tg-") :]
        elif (tag == "tg-emoji" and name == "emoji-id") or (tag == "tg-time" and name == "unix"):
            opened.argument = value
        elif tag == "tg-time" and name == "format":
            opened.extra = value

    def end_tag(self, begin: int) -> int:
        if not self.nested:
            raise self.fail("Unexpected end tag", begin)
        i = begin + 1
        while not is_space(self.at(i)) and self.at(i) != ">":
            i += 1
        end_name = self.text[begin + 2 : i].lower()
        while is_space(self.at(i)) and self.at(i) != "\0":
            i += 1
        if self.at(i) != ">":
            raise self.fail("Unclosed end tag", begin)
        opened = self.nested[-1]
        if end_name and end_name != opened.tag:
            raise self.fail(
                f"Unmatched end tag at byte offset {byte_offset(self.text, begin)}, "
                f'expected "</{opened.tag}>", found "</{end_name}>"'
            )
        if self.utf16 > opened.offset:
            self.close_entity(opened, self.utf16 - opened.offset)
        self.nested.pop()
        return i + 1

    def close_entity(self, opened: _Open, length: int) -> None:
        tag, offset = opened.tag, opened.offset
        entity: Entity = {"offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_range = last is not None and last["offset"] == offset and last["length"] == length
        if tag in _SIMPLE:
            entity["type"] = _SIMPLE[tag]
        elif tag == "tg-emoji":
            if not opened.argument.isdigit() or int(opened.argument) == 0:
                raise self.fail("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=opened.argument)
        elif tag == "tg-time":
            if not opened.argument.isdigit() or int(opened.argument) <= 0:
                raise self.fail("Invalid date specified")
            entity.update(type="date_time", unix_time=int(opened.argument))
            if opened.extra:
                entity["date_time_format"] = opened.extra
        elif tag == "a":
            url = opened.argument or "".join(self.out[opened.begin :])
            user_id = link_user_id(url)
            checked = checked_link(url)
            if user_id is not None:
                entity.update(type="text_mention", user={"id": user_id})
            elif checked is None:
                return
            else:
                entity.update(type="text_link", url=checked)
        elif tag == "pre":
            if last is not None and same_range and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
                return
            entity["type"] = "pre"
        elif tag == "code":
            if last is not None and same_range and last["type"] == "pre" and opened.argument:
                last["language"] = opened.argument
                return
            entity["type"] = "code"
            if opened.argument:
                entity["language"] = opened.argument
        else:
            entity["type"] = "expandable_blockquote" if opened.expandable else "blockquote"
        self.entities.append(entity)
