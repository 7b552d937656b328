"""Long replies are split into valid Telegram messages."""

from __future__ import annotations

import re

from bot.telegram_text import MAX_MESSAGE_LENGTH, split_html


def balanced(part: str) -> bool:
    stack: list[str] = []
    for closing, name in re.findall(r"<(/?)([a-z-]+)[^>]*>", part):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_short_text_is_untouched() -> None:
    assert split_html("<b>Hoi</b>") == ["<b>Hoi</b>"]


def test_paragraphs_are_kept_whole_and_every_part_fits() -> None:
    paragraphs = [f"<b>Module {n}</b>\n" + ("woord " * 150) for n in range(1, 30)]
    parts = split_html("\n\n".join(paragraphs))
    assert len(parts) > 1
    assert all(len(p) <= MAX_MESSAGE_LENGTH for p in parts)
    assert all(balanced(p) for p in parts)
    assert sum(p.count("<b>Module") for p in parts) == 29


def test_one_huge_line_with_markup_is_cut_between_tags_and_entities() -> None:
    text = "<b>" + ("a&amp;b " * 2000) + "</b>" + ("x" * 9000)
    parts = split_html(text)
    assert all(len(p) <= MAX_MESSAGE_LENGTH for p in parts)
    assert all(balanced(p) for p in parts)
    assert all(not re.search(r"&[a-z]*$", p) for p in parts)
    joined = "".join(re.sub(r"</?b>", "", p) for p in parts)
    assert joined.count("a&amp;b") == 2000
    assert joined.count("x") == 9000
