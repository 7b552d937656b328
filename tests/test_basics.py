"""A participant's first conversation with the bot, through the fake Telegram."""

from __future__ import annotations

import datetime as dt

import time_machine
from icalendar import Calendar

from tests.conftest import COORDINATOR_ID, RunningBot, amsterdam


async def test_start_welcomes_in_dutch_and_points_to_the_commands(bot: RunningBot) -> None:
    reply = await bot.user(first_name="Sanne").ask("/start")
    assert reply.text is not None
    assert reply.text.startswith("Hoi Sanne!")
    assert "Leergang Wijkontwikkeling 2024-2025" in reply.text
    for command in ("/programma", "/volgende", "/module 4", "/agenda", "/help"):
        assert command in reply.text


async def test_start_escapes_a_name_with_markup(bot: RunningBot) -> None:
    reply = await bot.user(user_id=100002, first_name="<b>Jan & co").ask("/start")
    assert reply.text is not None
    assert reply.text.startswith("Hoi <b>Jan & co!")


async def test_help_lists_participant_commands_only_for_participants(bot: RunningBot) -> None:
    reply = await bot.user().ask("/help")
    assert reply.text is not None
    assert "/programma – Alle modules" in reply.text
    assert "/status" not in reply.text
    coordinator_reply = await bot.coordinator.ask("/help")
    assert coordinator_reply.text is not None
    assert "Voor coördinatoren" in coordinator_reply.text
    assert "/status" in coordinator_reply.text
    assert "/herladen" in coordinator_reply.text


async def test_programma_lists_all_modules_and_marks_the_past_ones(bot: RunningBot) -> None:
    reply = await bot.user().ask("/programma")
    text = reply.text
    assert text is not None
    assert "Module 4: Data-gedreven wijkvernieuwing: Van Analyse tot Actie" in text
    assert "do 12 december 2024, 13:00–19:30" in text
    assert "do 19 juni 2025, 13:00–19:30" in text
    # 10 December 2024: modules 1-3 are done, module 4 is not.
    assert "do 14 november 2024, 13:00–19:30 (geweest)" in text
    assert "do 12 december 2024, 13:00–19:30 (geweest)" not in text
    assert text.count("(geweest)") == 3
    assert "werksessies" in text.lower()
    assert "maakt de coördinator nog bekend" in text


async def test_volgende_gives_the_next_module_with_a_countdown(bot: RunningBot) -> None:
    reply = await bot.user().ask("/volgende")
    text = reply.text
    assert text is not None
    assert "Module 4: Data-gedreven wijkvernieuwing" in text
    assert "donderdag 12 december 2024, 13:00–19:30" in text
    assert "over 2 dagen en 4 uur" in text
    assert "Soms zijn de opgaven in de wijken direct zichtbaar" in text


async def test_volgende_during_a_module_says_it_is_running(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    frozen_time.move_to(amsterdam(2024, 12, 12, 15, 0))
    reply = await bot.user().ask("/volgende")
    assert reply.text is not None
    assert "Module 4" in reply.text
    assert "nu bezig, tot 19:30" in reply.text


async def test_after_the_last_module_the_course_is_over(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    frozen_time.move_to(amsterdam(2025, 6, 19, 20, 0))
    reply = await bot.user().ask("/volgende")
    assert reply.text is not None
    assert "De leergang is afgelopen" in reply.text
    programme = await bot.user().ask("/programma")
    assert programme.text is not None
    assert programme.text.count("(geweest)") == 10


async def test_module_command_shows_the_full_description(bot: RunningBot) -> None:
    reply = await bot.user().ask("/module 7")
    text = reply.text
    assert text is not None
    assert "Module 7: Gebouwen, gevels en ruimte" in text
    assert "donderdag 20 maart 2025, 13:00–19:30" in text
    assert "basisprincipes van ruimtelijke kwaliteit" in text


async def test_module_with_a_wrong_number_explains_the_range(bot: RunningBot) -> None:
    user = bot.user()
    for wrong in ("/module 11", "/module 0", "/module vier", "/module -3"):
        reply = await user.ask(wrong)
        assert reply.text is not None
        assert "van 1 tot en met 10" in reply.text, wrong
    bare = await user.ask("/module")
    assert bare.text is not None
    assert "Welke module bedoel je?" in bare.text


async def test_agenda_sends_an_ics_file_with_every_module(bot: RunningBot) -> None:
    user = bot.user()
    await user.send("/agenda")
    message = await user.next_message()
    assert message.document is not None
    assert message.document["file_name"] == "leergang-wijkontwikkeling-2024-2025.ics"
    assert message.file_bytes is not None
    calendar = Calendar.from_ical(message.file_bytes)
    starts = sorted(e.decoded("DTSTART") for e in calendar.walk("VEVENT"))
    assert len(starts) == 10
    assert starts[0] == amsterdam(2024, 9, 19, 13, 0)
    assert starts[0].utcoffset() == dt.timedelta(hours=2)
    assert message.caption is not None
    assert "10 bijeenkomsten" in message.caption


async def test_command_menus_are_set_for_participants_and_coordinators(bot: RunningBot) -> None:
    participant_menu = [c["command"] for c in bot.fake.commands["all_private_chats"]]
    # The coordinator never opened the bot before it started: the menu follows at /start.
    assert f"chat:{COORDINATOR_ID}" not in bot.fake.commands
    await bot.coordinator.ask("/start")
    # Set right after the welcome, which needs nothing from the database and goes first.
    await bot.fake.wait_until(lambda: f"chat:{COORDINATOR_ID}" in bot.fake.commands,
                              timeout=5, what="the coordinator's menu")
    coordinator_menu = [c["command"] for c in bot.fake.commands[f"chat:{COORDINATOR_ID}"]]
    assert participant_menu[:3] == ["start", "programma", "volgende"]
    assert "status" not in participant_menu
    assert set(participant_menu) < set(coordinator_menu)
    assert "herladen" in coordinator_menu


async def test_each_command_gets_exactly_one_answer(bot: RunningBot) -> None:
    user = bot.user()
    for command in ("/start", "/help", "/programma", "/volgende", "/module 4", "/agenda",
                    "/bestaatniet", "/status"):
        await user.ask(command)
        await user.expect_no_message()
