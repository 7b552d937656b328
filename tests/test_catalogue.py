"""The message catalogue: complete, used, escaped, and valid Telegram HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.catalogue import Catalogue, Html, MessageNotFoundError, catalogue, t

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("bot", "handlers", "scheduling")
KEY_USE = re.compile(r"""\b(?:t|plain|render)\(\s*f?["']([a-z_.]+)["']""")
ALLOWED_TAGS = {"b", "i", "u", "s", "code", "pre", "a", "blockquote", "tg-spoiler"}


def python_sources() -> list[Path]:
    return [p for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py")]


def test_every_key_used_in_the_code_exists() -> None:
    known = set(catalogue().keys())
    missing = {
        (path.name, key)
        for path in python_sources()
        for key in KEY_USE.findall(path.read_text(encoding="utf-8"))
        if not key.endswith(".") and key not in known
    }
    assert not missing


def test_user_parameters_are_escaped_but_catalogue_fragments_are_not() -> None:
    rendered = t("fallback.unknown_command", command="<b>&x")
    assert "&lt;b&gt;&amp;x" in rendered
    inner = t("sessions.module_name", number=4, title="Data & <analyse>")
    outer = t("status.next", name=inner, date="do 12 december 2024")
    assert "Data &amp; &lt;analyse&gt;" in outer
    assert "&amp;amp;" not in outer


def test_plural_forms_follow_the_count() -> None:
    assert t("time.days", count=1) == "1 dag"
    assert t("time.days", count=3) == "3 dagen"
    with pytest.raises(TypeError):
        t("time.days")


def test_an_unknown_key_is_a_loud_programming_error() -> None:
    with pytest.raises(MessageNotFoundError):
        t("nothing.here")


def test_a_key_defined_twice_is_refused() -> None:
    from bot.catalogue import _flatten

    entries: dict[str, object] = {}
    _flatten("", {"a": {"b": "x"}}, entries)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="twice"):
        _flatten("", {"a": {"b": "y"}}, entries)  # type: ignore[arg-type]


def test_every_message_uses_only_telegram_html_tags_balanced_on_one_line() -> None:
    for key in catalogue():
        entry = catalogue().raw(key)
        texts = [entry] if isinstance(entry, str) else list(entry.values())
        for text in texts:
            for line in text.splitlines():
                opened = re.findall(r"<([a-z-]+)[ >]", line)
                closed = re.findall(r"</([a-z-]+)>", line)
                assert set(opened) <= ALLOWED_TAGS, (key, line)
                assert sorted(opened) == sorted(closed), (key, line)


def test_catalogue_from_entries_renders_html_type() -> None:
    small = Catalogue({"x.y": "Hallo {name}"})
    assert isinstance(small.render("x.y", name="Jan"), Html)
    assert small.plain("x.y", name="<Jan>") == "Hallo <Jan>"
