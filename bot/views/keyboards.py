"""Inline keyboards from rows of ``(text, callback data)``: the one way buttons are built."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

# A button under a message: its text and its callback data.
Button = tuple[str, str]


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def keyboard_or_none(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """No keyboard at all when there are no rows (Telegram shows none either way)."""
    return keyboard(rows) if rows else None
