"""Lists of buttons under a message, a page at a time: slicing, the rows, ◀️/▶️ and "Pagina x van y".

Used by /deelnemers, /groepen (one group's candidates), /presentie and /berichten. Each list
keeps its own callback data and catalogue texts: the caller passes them in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.catalogue import Html, t
from bot.views.keyboards import Button

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int  # 0-based, clamped to the pages there are
    pages: int  # at least 1, also for an empty list


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


def paginate(items: Sequence[T], page: int, size: int) -> Page[T]:
    """The ``page``-th slice of ``size`` items; a page past either end shows the nearest one."""
    pages = page_count(len(items), size)
    page = min(max(page, 0), pages - 1)
    return Page(items[page * size : (page + 1) * size], page, pages)


def in_rows(buttons: Sequence[Button], per_row: int) -> list[list[Button]]:
    """The buttons side by side, ``per_row`` to a row."""
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def navigation(page: int, pages: int, data: Callable[[int], str], texts: str) -> list[Button]:
    """The previous/next buttons (none on a single page); ``texts`` is the catalogue section
    holding ``previous`` and ``next``, ``data`` makes a page's callback data."""
    row: list[Button] = []
    if page > 0:
        row.append((t(f"{texts}.previous"), data(page - 1)))
    if page + 1 < pages:
        row.append((t(f"{texts}.next"), data(page + 1)))
    return row


def page_rows(
    items: Sequence[Sequence[Button]],
    *,
    page: int = 0,
    pages: int = 1,
    data: Callable[[int], str] | None = None,
    texts: str = "",
) -> list[list[Button]]:
    """The rows of one page: the items' rows, then the navigation row when there is one."""
    rows = [list(row) for row in items if row]
    if data is not None:
        moves = navigation(page, pages, data, texts)
        if moves:
            rows.append(moves)
    return rows


def page_line(page: int, pages: int, key: str) -> Html | None:
    """``Pagina 2 van 3`` from the catalogue ``key``; nothing when everything fits on one page."""
    return t(key, page=page + 1, pages=pages) if pages > 1 else None
