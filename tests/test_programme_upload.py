"""A coordinator sends a programme file as a document: every problem listed, or the changes
shown and applied once after *Toepassen*; participants hear of a moved module; the upload
stays in force across a restart until /herladen goes back to the file on the server."""

from __future__ import annotations

from importlib import resources

import time_machine

from bot.config import Settings
from tests.conftest import PARTICIPANT_ID, RunningBot, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser
from tests.test_announcements_support import replay, tap
from tests.test_attendance_support import approve

BUNDLED = resources.files("bot.data").joinpath("programme-2024-2025.toml").read_text("utf-8")
MODULE_5_LATER = BUNDLED.replace("date = 2025-01-23", "date = 2025-01-30")


async def send(coordinator: SimulatedUser, text: str | bytes,
               name: str = "programma-2025.toml") -> FakeMessage:
    content = text.encode() if isinstance(text, str) else text
    await coordinator.send_document(name, content, "application/toml")
    return await coordinator.next_message()


async def test_a_new_file_shows_its_changes_and_is_applied_once(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as bot:
        await approve(bot.services, PARTICIPANT_ID)
        sanne = bot.user()
        await sanne.ask("/start")
        preview = await send(bot.coordinator, MODULE_5_LATER)
        assert "Nieuw programma: programma-2025.toml" in preview.content
        assert ("🕒 Module 5: Het speelveld van de wijkvernieuwing: do 23 januari 2025 13:00–19:30 "
                "→ do 30 januari 2025 13:00–19:30") in preview.content
        assert bot.services.programme.module(5).starts_at.day == 23  # not yet
        ok = preview.button_data()[0][0]
        await tap(bot.coordinator, preview, "✅ Toepassen")
        applied = await bot.coordinator.next_message()
        assert "Het nieuwe programma is in gebruik" in applied.content
        assert bot.services.programme.module(5).starts_at.day == 30
        notice = await sanne.next_message()
        assert "Gewijzigd: Module 5" in notice.content
        assert "30 januari 2025" in notice.content
        assert ok is not None
        again = await replay(bot.coordinator, preview, ok)
        assert "al toegepast of geannuleerd" in again["text"]
        await sanne.expect_no_message()
    async with run_bot(fake, settings) as bot:  # still in force after a restart
        assert bot.services.programme.module(5).starts_at.day == 30
        assert "30 januari 2025" in (await bot.user().ask("/module 5")).content
        back = await bot.coordinator.ask("/herladen")
        assert "geldt niet meer" in back.content
        assert bot.services.programme.module(5).starts_at.day == 23
    async with run_bot(fake, settings) as bot:
        assert bot.services.programme.module(5).starts_at.day == 23


async def test_a_file_with_errors_is_refused_with_every_problem(bot: RunningBot) -> None:
    broken = BUNDLED.replace("date = 2025-01-23", "date = 2025-01-32").replace(
        'title = "Ga er maar staan!"', "title = 7")
    answer = await send(bot.coordinator, broken)
    assert "klopt niet; ik gebruik het huidige programma nog" in answer.content
    assert answer.content.count("\n• ") >= 1
    assert not answer.buttons()
    latin = await send(bot.coordinator, "naam = 'Zoë'".encode("latin-1"))
    assert "geen tekst in UTF-8" in latin.content
    assert bot.services.programme.module(5).starts_at.day == 23


async def test_changes_to_what_has_begun_are_refused_and_nothing_new_is_said(
    bot: RunningBot,
) -> None:
    past = BUNDLED.replace("date = 2024-10-17", "date = 2024-10-24")
    answer = await send(bot.coordinator, past)
    assert "al zijn begonnen" in answer.content
    assert "Module 2: Wat speelt er in onze wijken? (do 24 oktober 2024)" in answer.content
    same = await send(bot.coordinator, BUNDLED)
    assert "hetzelfde als het programma dat nu geldt" in same.content
    assert not same.buttons()


async def test_cancel_keeps_the_programme_and_participants_cannot_upload(
    bot: RunningBot,
) -> None:
    preview = await send(bot.coordinator, MODULE_5_LATER)
    apply = preview.button_data()[0][0]
    await tap(bot.coordinator, preview, "Annuleren")
    assert "Geannuleerd" in (await bot.coordinator.next_message()).content
    assert apply is not None
    assert "al toegepast of geannuleerd" in (
        await replay(bot.coordinator, preview, apply))["text"]
    await approve(bot.services, PARTICIPANT_ID)
    answer = await send(bot.user(), MODULE_5_LATER)
    assert "Toepassen" not in str(answer.buttons())
    assert bot.services.programme.module(5).starts_at.day == 23
