"""Telegram-safe message text: split long HTML replies under Telegram's limit.

Splitting prefers paragraph and line breaks, never cuts inside a tag or an entity, and
closes the tags that are open at a cut and opens them again in the next part.
"""

from __future__ import annotations

import re

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
# Leave room for the closing and reopening tags added at a cut.
_SAFETY_MARGIN = 96

_TOKEN = re.compile(r"<[^>]*>|&[#a-zA-Z0-9]+;|\s+|[^<&\s]+|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9-]+)")


def split_html(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split Telegram HTML into parts that are each at most ``limit`` characters long."""
    if len(text) <= limit:
        return [text]
    budget = limit - _SAFETY_MARGIN
    parts: list[str] = []
    for block in _blocks(text, budget):
        if parts and len(parts[-1]) + 2 + len(block) <= budget:
            parts[-1] = f"{parts[-1]}\n\n{block}"
        else:
            parts.append(block)
    return [part for part in (p.strip("\n") for p in parts) if part]


def _blocks(text: str, budget: int) -> list[str]:
    """Paragraphs that fit, lines of paragraphs that don't, hard cuts of lines that don't."""
    blocks: list[str] = []
    for paragraph in text.split("\n\n"):
        if len(paragraph) <= budget:
            blocks.append(paragraph)
            continue
        current = ""
        for line in paragraph.split("\n"):
            pieces = [line] if len(line) <= budget else _hard_split(line, budget)
            for piece in pieces:
                if current and len(current) + 1 + len(piece) <= budget:
                    current = f"{current}\n{piece}"
                else:
                    if current:
                        blocks.append(current)
                    current = piece
        if current:
            blocks.append(current)
    return blocks


def _hard_split(line: str, budget: int) -> list[str]:
    pieces: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, full opening tag)
    current = ""
    for token in _tokens(line, budget // 2):
        closing = "".join(f"</{name}>" for name, _ in reversed(open_tags))
        if current and len(current) + len(token) + len(closing) > budget:
            pieces.append(current + closing)
            current = "".join(tag for _, tag in open_tags)
        current += token
        _track(token, open_tags)
    if current:
        pieces.append(current)
    return pieces


def _tokens(line: str, longest: int) -> list[str]:
    tokens: list[str] = []
    for match in _TOKEN.finditer(line):
        token = match.group(0)
        if token.startswith("<") and token.endswith(">"):
            tokens.append(token)
            continue
        # Long words (a URL, a pasted blob) are cut into pieces of plain characters.
        tokens.extend(token[i : i + longest] for i in range(0, len(token), longest))
    return tokens


def _track(token: str, open_tags: list[tuple[str, str]]) -> None:
    if not (token.startswith("<") and token.endswith(">")):
        return
    match = _TAG_NAME.match(token)
    if match is None:
        return
    name = match.group(1).lower()
    if token.startswith("</"):
        for index in range(len(open_tags) - 1, -1, -1):
            if open_tags[index][0] == name:
                del open_tags[index]
                break
    elif not token.endswith("/>"):
        open_tags.append((name, token))
