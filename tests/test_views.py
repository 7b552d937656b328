"""bot/views/: the shared keyboard builder and the paged lists of /deelnemers and /groepen."""

from __future__ import annotations

from bot.formatting import shorten
from bot.views.keyboards import keyboard, keyboard_or_none
from bot.views.paging import in_rows, navigation, page_line, page_rows, paginate


def test_keyboard_keeps_rows_texts_and_callback_data() -> None:
    markup = keyboard([[("Ja", "x:1"), ("Nee", "x:0")], [("Stop", "x:stop")]])
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [[("Ja", "x:1"), ("Nee", "x:0")], [("Stop", "x:stop")]]
    assert keyboard_or_none([]) is None


def test_a_page_past_either_end_shows_the_nearest_one() -> None:
    items = list(range(23))
    assert paginate(items, 0, 10).items == list(range(10))
    last = paginate(items, 7, 10)
    assert (last.page, last.pages, list(last.items)) == (2, 3, [20, 21, 22])
    assert paginate(items, -1, 10).page == 0
    empty = paginate([], 3, 10)
    assert (empty.page, empty.pages, list(empty.items)) == (0, 1, [])


def test_navigation_has_only_the_directions_there_are() -> None:
    def data(n: int) -> str:
        return f"ppl:{n}"

    assert navigation(0, 1, data, "participants") == []
    assert [d for _, d in navigation(0, 3, data, "participants")] == ["ppl:1"]
    assert [d for _, d in navigation(1, 3, data, "participants")] == ["ppl:0", "ppl:2"]
    assert [d for _, d in navigation(2, 3, data, "participants")] == ["ppl:1"]
    (previous, _), (following, _) = navigation(1, 3, data, "participants")
    assert "Vorige" in previous
    assert "Volgende" in following


def test_page_rows_put_the_navigation_under_the_items() -> None:
    rows = page_rows([[("a", "t:a")], [("b", "t:b")]], page=1, pages=2, data=str, texts="groups")
    assert rows[:2] == [[("a", "t:a")], [("b", "t:b")]]
    assert [d for _, d in rows[2]] == ["0"]
    assert page_rows([[("a", "t:a")]]) == [[("a", "t:a")]]


def test_page_line_only_when_there_is_more_than_one_page() -> None:
    assert page_line(0, 1, "participants.list_page") is None
    assert page_line(1, 3, "participants.list_page") == "Pagina 2 van 3"


def test_buttons_in_rows_and_shortened_names() -> None:
    one, two, three = ("1", "a:1"), ("2", "a:2"), ("3", "a:3")
    assert in_rows([one, two, three], 2) == [[one, two], [three]]
    assert shorten("Annemarie", 5) == "Anne…"
    assert shorten("Anne", 5) == "Anne"
