"""Numbers that people type or that come back in button data: plain ASCII digits, in range."""

from __future__ import annotations

# The largest value an INTEGER column holds on PostgreSQL (ids, page numbers, counts).
INTEGER_MAX = 2**31 - 1
_MAX_DIGITS = 18


def whole_number(text: str, maximum: int = INTEGER_MAX) -> int | None:
    """``"12"`` -> 12; None for anything else.

    ``str.isdigit()`` also says yes to "²" (which int() refuses) and to "١" (which int()
    reads), and a number no database column can hold makes the query fail: both come back
    from forged buttons and odd commands, so neither reaches int() or the database.
    """
    if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= maximum else None
