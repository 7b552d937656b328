"""Afmeldingen: the service used directly, and /afmelden through the fake Telegram."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.config import Settings
from bot.database import Database
from bot.models import ParticipantStatus
from bot.programme import load_programme
from bot.services.absences import REASON_MAX, AbsenceError, AbsenceService, clean_reason
from bot.services.sessions import SessionService
from tests.conftest import amsterdam, run_bot
from tests.faketelegram import FakeTelegram
from tests.people import add_participants
from tests.test_reminders_helpers import add_participant, buttons

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2024, 12, 10, 9, 0, tzinfo=AMS)


@pytest.fixture
def absences(database: Database) -> AbsenceService:
    programme = load_programme(None, AMS)
    return AbsenceService(database, SessionService(database, lambda: programme))


async def person(database: Database, status: ParticipantStatus = ParticipantStatus.APPROVED) -> int:
    [number] = await add_participants(database, [None], names=["Sanne"], status=status, since=NOW)
    return number


async def test_set_change_and_clear_until_the_session_starts(
    database: Database, absences: AbsenceService
) -> None:
    sanne = await person(database)
    await absences.set(sanne, "module-4", NOW, reason="ziek")
    await absences.set(sanne, "module-5", NOW)
    assert await absences.for_participant(sanne) == {"module-4": "ziek", "module-5": None}
    assert await absences.for_session("module-4") == {sanne: "ziek"}
    # "Ik kan niet" again keeps the reason given before; a new reason replaces it.
    await absences.set(sanne, "module-4", NOW, keep_reason=True)
    assert await absences.for_session("module-4") == {sanne: "ziek"}
    await absences.set_reason(sanne, "module-4", "werkafspraak", NOW)
    assert await absences.for_session("module-4") == {sanne: "werkafspraak"}
    assert await absences.clear(sanne, "module-4", NOW)
    assert not await absences.clear(sanne, "module-4", NOW)
    assert await absences.for_session("module-4") == {}
    started = amsterdam(2024, 12, 12, 13, 0)
    with pytest.raises(AbsenceError) as late:
        await absences.set(sanne, "module-4", started)
    assert late.value.code == "already_started"
    with pytest.raises(AbsenceError) as late_clear:
        await absences.clear(sanne, "module-5", amsterdam(2025, 1, 23, 14, 0))
    assert late_clear.value.code == "already_started"
    assert await absences.for_participant(sanne) == {"module-5": None}


async def test_only_approved_participants_and_known_sessions(
    database: Database, absences: AbsenceService
) -> None:
    pending = await person(database, ParticipantStatus.PENDING)
    with pytest.raises(AbsenceError) as refused:
        await absences.set(pending, "module-4", NOW)
    assert refused.value.code == "not_a_participant"
    sanne = await person(database)
    with pytest.raises(AbsenceError) as unknown:
        await absences.set(sanne, "module-99", NOW)
    assert unknown.value.code == "unknown_session"


async def test_reasons_are_tidied_and_limited(absences: AbsenceService) -> None:
    assert clean_reason("  ziek \n thuis ") == "ziek thuis"
    assert clean_reason("   ") is None
    assert clean_reason("x" * REASON_MAX) == "x" * REASON_MAX
    with pytest.raises(AbsenceError):
        clean_reason("x" * (REASON_MAX + 1))


async def test_afmelden_lists_upcoming_sessions_and_changes_an_answer(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    sanne = fake.user(401, "Sanne")
    async with run_bot(fake, settings) as bot:
        sanne_id = await add_participant(bot.services, sanne)
        choose = await sanne.ask("/afmelden")
        assert "Voor welke bijeenkomst wil je je afmelden?" in choose.content
        assert buttons(choose)[:2] == ["Module 4 · do 12 december 2024",
                                       "Module 5 · do 23 januari 2025"]
        assert len(buttons(choose)) == 7  # every session still to come: modules 4 to 10
        await sanne.tap(choose, "Module 5 · do 23 januari 2025")
        ask = await sanne.next_message()
        assert "Je bent afgemeld voor Module 5: Het speelveld" in ask.content
        # Something that is not a reason: a very long text is refused, the question stays.
        too_long = await sanne.ask("a" * 400)
        assert f"korter dan {REASON_MAX} tekens" in too_long.content
        done = await sanne.ask("Vakantie")
        assert "reden: Vakantie" in done.content
        assert await bot.services.absences.for_participant(sanne_id) == {"module-5": "Vakantie"}
        # Text after that is no reason any more: it goes to the other features.
        other = await sanne.ask("Wanneer is module 6?")
        assert "reden" not in other.content
        again = await sanne.ask("/afmelden")
        assert "Je bent nu afgemeld voor:" in again.content
        assert "Module 5: Het speelveld van de wijkvernieuwing" in again.content
        assert "reden: Vakantie" in again.content
        assert "❌ Module 5 · do 23 januari 2025" in buttons(again)
        await sanne.tap(again, "❌ Module 5 · do 23 januari 2025")
        choice = await sanne.next_message()
        assert buttons(choice) == ["✅ Ik kom toch", "✏️ Reden wijzigen"]
        await sanne.tap(choice, "✅ Ik kom toch")
        assert "ingetrokken" in (await sanne.next_message()).content
        assert await bot.services.absences.for_participant(sanne_id) == {}


async def test_skipping_the_reason_keeps_the_afmelding(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    sanne = fake.user(402, "Sanne")
    async with run_bot(fake, settings) as bot:
        sanne_id = await add_participant(bot.services, sanne)
        choose = await sanne.ask("/afmelden")
        await sanne.tap(choose, "Module 4 · do 12 december 2024")
        ask = await sanne.next_message()
        await sanne.tap(ask, "Overslaan")
        assert "zonder reden" in (await sanne.next_message()).content
        assert await bot.services.absences.for_participant(sanne_id) == {"module-4": None}
