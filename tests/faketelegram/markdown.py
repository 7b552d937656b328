"""parse_mode=MarkdownV2 and the legacy Markdown, ported from TDLib's MessageEntity.cpp."""

from __future__ import annotations

from dataclasses import dataclass

from .html_entities import EntityParseError
from .links import LinkError, checked_link, custom_emoji_id, link_user_id
from .textutil import Entity, byte_offset, is_space, u16

_V2_RESERVED = "_*[]()~`>#+-=|{}.!\n"
_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
    "blockquote": "BlockQuote",
}


@dataclass
class _Open:
    type: str
    argument: str
    offset: int  # UTF-16 offset in the result
    start: int  # index in the source text, for error messages
    begin: int  # index in the result characters


def _reserved(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


class _MarkdownV2:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.out: list[str] = []
        self.utf16 = 0
        self.entities: list[Entity] = []
        self.nested: list[_Open] = []
        self.have_blockquote = False

    def at(self, k: int) -> str:
        return self.text[k] if k < self.n else "\0"

    def name(self, opened: _Open) -> str:
        if opened.type == "pre" and opened.argument:
            return "PreCode"
        return _NAMES[opened.type]

    def unterminated(self, opened: _Open) -> EntityParseError:
        return EntityParseError(
            f"Can't find end of {self.name(opened)} entity at byte offset "
            f"{byte_offset(self.text, opened.start)}"
        )

    def is_end(self, c: str, i: int) -> bool:
        if not self.nested:
            return False
        if self.have_blockquote and c == "\n" and (i + 1 == self.n or self.text[i + 1] != ">"):
            return True
        kind = self.nested[-1].type
        nxt = self.at(i + 1)
        return {
            "bold": c == "*",
            "italic": c == "_" and nxt != "_",
            "code": c == "`",
            "pre": c == "`" and nxt == "`" and self.at(i + 2) == "`",
            "text_link": c == "]",
            "underline": c == "_" and nxt == "_",
            "strikethrough": c == "~",
            "spoiler": c == "|" and nxt == "|",
            "custom_emoji": c == "]",
        }.get(kind, False)

    def run(self) -> tuple[str, list[Entity]]:
        i = 0
        while i < self.n:
            c = self.text[i]
            if c == "\\" and "\x01" <= self.at(i + 1) <= "\x7e":
                self.out.append(self.text[i + 1])
                self.utf16 += 1
                i += 2
                continue
            reserved = _V2_RESERVED
            if self.nested and self.nested[-1].type in ("code", "pre"):
                reserved = "`"
            if c not in reserved:
                self.out.append(c)
                self.utf16 += u16(c)
                i += 1
                continue
            i = self.close(c, i) if self.is_end(c, i) else self.open(c, i)
        if self.have_blockquote and self.nested and self.nested[-1].type == "blockquote":
            opened = self.nested.pop()
            if self.utf16 > opened.offset:
                self.add(opened, "blockquote", "")
        if self.nested:
            raise self.unterminated(self.nested[-1])
        return "".join(self.out), self.entities

    def open(self, c: str, i: int) -> int:
        start, argument, kind = i, "", ""
        nxt = self.at(i + 1)
        if c == "_":
            kind = "underline" if nxt == "_" else "italic"
            i += 1 if nxt == "_" else 0
        elif c == "*":
            kind = "bold"
        elif c == "~":
            kind = "strikethrough"
        elif c == "|" and nxt == "|":
            kind, i = "spoiler", i + 1
        elif c == "[":
            kind = "text_link"
        elif c == "`" and nxt == "`" and self.at(i + 2) == "`":
            kind, argument, i = "pre", *self.pre_language(i + 3)
        elif c == "`":
            kind = "code"
        elif c == "!" and nxt == "[":
            kind, i = "custom_emoji", i + 1
        elif c == "\n":
            self.out.append("\n")
            self.utf16 += 1
            if i + 1 < self.n and self.text[i + 1] == ">":
                i += 1
                if not self.have_blockquote:
                    kind, self.have_blockquote = "blockquote", True
            if not kind:
                return i + 1
        elif c == ">" and i == 0:
            kind, self.have_blockquote = "blockquote", True
        else:
            raise _reserved(c)
        self.nested.append(_Open(kind, argument, self.utf16, start, len(self.out)))
        return i + 1

    def pre_language(self, i: int) -> tuple[str, int]:
        language = ""
        end = i
        while not is_space(self.at(end)) and self.at(end) != "`":
            end += 1
        if i != end and end < self.n and self.text[end] != "`":
            language, i = self.text[i:end], end
        if self.at(i) in "\n\r" and self.at(i) != "\0":
            pair = self.at(i + 1) in "\n\r" and self.at(i + 1) != "\0"
            i += 2 if pair and self.at(i) != self.at(i + 1) else 1
        return language, i - 1

    def link_target(self, i: int) -> tuple[str, int, int]:
        """The (unescaped) target of '(...)' starting at text[i] == '(' and the index of ')'."""
        i += 1
        begin = i
        chars: list[str] = []
        while i < self.n and self.text[i] != ")":
            if self.text[i] == "\\" and "\x01" <= self.at(i + 1) <= "\x7e":
                chars.append(self.text[i + 1])
                i += 2
                continue
            chars.append(self.text[i])
            i += 1
        return "".join(chars), begin, i

    def close(self, c: str, i: int) -> int:
        opened = self.nested[-1]
        if c == "\n" and opened.type != "blockquote":
            raise self.unterminated(opened)
        skip = self.utf16 == opened.offset
        argument = opened.argument
        kind = opened.type
        if kind in ("underline", "spoiler"):
            i += 1
        elif kind == "pre":
            i += 2
        elif kind == "text_link":
            if self.at(i + 1) != "(":
                url = "".join(self.out[opened.begin :])
            else:
                url, begin, i = self.link_target(i + 1)
                if self.at(i) != ")":
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {byte_offset(self.text, begin)}"
                    )
            if link_user_id(url) is not None:
                kind, argument = "text_mention", url
            else:
                checked = checked_link(url)
                skip = skip or checked is None
                argument = checked or ""
        elif kind == "custom_emoji":
            if self.at(i + 1) != "(":
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            url, begin, i = self.link_target(i + 1)
            if self.at(i) != ")":
                raise EntityParseError(
                    "Can't find end of a custom emoji URL at byte offset "
                    f"{byte_offset(self.text, begin)}"
                )
            try:
                argument = custom_emoji_id(url)
            except LinkError as error:
                raise EntityParseError(str(error)) from error
        elif kind == "blockquote":
            self.have_blockquote = False
            self.out.append(c)
            self.utf16 += 1
        self.nested.pop()
        if not skip:
            self.add(opened, kind, argument)
        return i + 1

    def add(self, opened: _Open, kind: str, argument: str) -> None:
        entity: Entity = {"offset": opened.offset, "length": self.utf16 - opened.offset}
        entity["type"] = kind
        if kind == "pre" and argument:
            entity["language"] = argument
        elif kind == "text_link":
            entity["url"] = argument
        elif kind == "text_mention":
            entity["user"] = {"id": link_user_id(argument)}
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = argument
        self.entities.append(entity)


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Plain text and entities (UTF-16 offsets) of a MarkdownV2-formatted message."""
    return _MarkdownV2(text).run()


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """The legacy Markdown parse mode: *bold*, _italic_, `code`, ```pre``` and [links](url)."""
    out: list[str] = []
    entities: list[Entity] = []
    utf16, i, n = 0, 0, len(text)

    def at(k: int) -> str:
        return text[k] if k < n else "\0"

    while i < n:
        c = text[i]
        if c == "\\" and at(i + 1) in "_*`[" and at(i + 1) != "\0":
            out.append(text[i + 1])
            utf16 += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            utf16 += u16(c)
            i += 1
            continue
        begin, end_char, is_pre, language = i, "]" if c == "[" else c, False, ""
        i += 1
        if c == "`" and at(i) == "`" and at(i + 1) == "`":
            is_pre, i = True, i + 2
            end = i
            while not is_space(at(end)) and at(end) != "`":
                end += 1
            if i != end and end < n and text[end] != "`":
                language, i = text[i:end], end
            if at(i) in "\n\r" and at(i) != "\0":
                pair = at(i + 1) in "\n\r" and at(i + 1) != "\0" and at(i) != at(i + 1)
                i += 2 if pair else 1
        offset, content_begin = utf16, len(out)
        while i < n and (text[i] != end_char or (is_pre and not (at(i + 1) == at(i + 2) == "`"))):
            out.append(text[i])
            utf16 += u16(text[i])
            i += 1
        if i == n:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {byte_offset(text, begin)}"
            )
        entity: Entity = {"offset": offset, "length": utf16 - offset}
        if c == "[":
            url = "".join(out[content_begin:])
            if at(i + 1) == "(":
                close = text.find(")", i + 2)
                close = n if close < 0 else close
                url, i = text[i + 2 : close], close
            checked = checked_link(url)
            if link_user_id(url) is not None:
                entity.update(type="text_mention", user={"id": link_user_id(url)})
            elif checked is not None:
                entity.update(type="text_link", url=checked)
        elif c == "`":
            entity["type"] = "pre" if is_pre else "code"
            if language:
                entity["language"] = language
        else:
            entity["type"] = "italic" if c == "_" else "bold"
        if entity["length"] > 0 and "type" in entity:
            entities.append(entity)
        i += 3 if is_pre else 1
    return "".join(out), entities
