"""The coordinator closes and opens registration with /aanmelding: closed, /aanmelden turns
newcomers away, while a registration in progress, participants and invite links go on."""

from __future__ import annotations

from tests.conftest import PARTICIPANT_ID, RunningBot
from tests.test_announcements_support import replay, tap, tap_and_wait
from tests.test_attendance_support import approve
from tests.test_registration_coordinator import invite_token

NEWCOMER, HALFWAY = 700201, 700202


async def test_closed_registration_turns_only_newcomers_away(bot: RunningBot) -> None:
    coordinator = bot.coordinator
    halfway = bot.user(HALFWAY, "Hanna")
    started = await halfway.ask("/aanmelden")  # before the window closes
    assert "Aanmelden voor de Leergang" in started.content
    await approve(bot.services, PARTICIPANT_ID)

    window = await coordinator.ask("/aanmelding")
    assert "is open" in window.content
    await tap_and_wait(coordinator, window, "🔒 Aanmelding sluiten")
    assert "is gesloten" in window.content
    assert window.buttons() == [["📝 Aanmelding openen"]]

    closed = await bot.user(NEWCOMER, "Nora").ask("/aanmelden")
    assert "De aanmelding is op dit moment gesloten" in closed.content
    assert not closed.buttons()
    assert "gesloten" not in (await halfway.ask("/aanmelden")).content  # goes on
    assert "gesloten" not in (await bot.user().ask("/aanmelden")).content  # their status
    invite = invite_token(await coordinator.ask("/uitnodiging"))
    invited = await bot.user(700203, "Iris").ask(f"/start invite_{invite}")
    assert "Je bent uitgenodigd" in invited.content

    await tap_and_wait(coordinator, window, "📝 Aanmelding openen")
    assert "is open" in window.content
    reopened = await bot.user(NEWCOMER, "Nora").ask("/aanmelden")
    assert "Aanmelden voor de Leergang" in reopened.content
    first = await tap(coordinator, window, "🔒 Aanmelding sluiten")
    assert first["text"] == "Aanmelding gesloten."
    double = await replay(coordinator, window, "regw:close")  # a double tap
    assert not double.get("text")  # nothing changed, so nothing to say
    assert not bot.services.edition.registration_open
